package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func init() {
	// -update may be declared by another test file of this package.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// runCLI runs Main with args and returns the exit code, stdout and stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb})
	return code, out.String(), errb.String()
}

func TestScenariosSampleGolden(t *testing.T) {
	for _, api := range []string{"pipelines", "track", "track-v2"} {
		t.Run(api, func(t *testing.T) {
			code, out, stderr := runCLI(t, "scenarios", "sample", "cross-device-checkout", "--seed", "7", "--api", api)
			if code != ExitOK {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr)
			}
			checkSampleRequests(t, out, api)
			path := filepath.Join("..", "..", "testdata", "scenarios", "sample-cross-device-checkout-seed7-"+api+".http")
			if updateGolden() {
				if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test ./cmd/cioharness -run ScenariosSample -update)", err)
			}
			if out != string(want) {
				t.Errorf("sample output differs from %s (the same seed must print the same requests)", path)
			}
		})
	}
}

// checkSampleRequests checks that every request has auth and a JSON body, and
// that the cross-device story is there: anonymous then identified calls.
func checkSampleRequests(t *testing.T, out, api string) {
	t.Helper()
	reqs := strings.Split(out, "\n### ")[1:]
	if len(reqs) < 6 {
		t.Fatalf("%d requests, want at least 6:\n%s", len(reqs), out)
	}
	anonymous, identify := 0, 0
	for _, r := range reqs {
		if !strings.Contains(r, "\nAuthorization: Basic ") {
			t.Errorf("request without Basic auth:\n%s", r)
		}
		_, body, _ := strings.Cut(r, "\n\n")
		var m map[string]any
		if err := json.Unmarshal([]byte(strings.TrimSpace(body)), &m); err != nil {
			t.Errorf("body is not a JSON object: %v\n%s", err, r)
		}
		switch {
		case strings.Contains(r, "POST /api/v1/events"), api == "pipelines" && m["userId"] == nil:
			anonymous++
		}
		if strings.Contains(body, `"identify"`) || strings.Contains(r, "PUT /api/v1/customers/") {
			identify++
		}
	}
	if anonymous == 0 || identify == 0 {
		t.Errorf("anonymous requests = %d, identifies = %d; want both", anonymous, identify)
	}
}

func TestScenariosSubcommands(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("scenario: x\ndevices: [mobile]\nsteps:\n  - wait: later\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join("..", "..", "testdata", "scenarios", "example.yaml")
	tests := []struct {
		name       string
		args       []string
		code       int
		wantOut    string
		wantStderr string
	}{
		{"list", []string{"list"}, ExitOK, "cross-device-checkout", ""},
		{"list shows the mix", []string{"list"}, ExitOK, "d2c                      (mix)", ""},
		{"show", []string{"show", "purchase"}, ExitOK, "scenario: purchase", ""},
		{"show unknown", []string{"show", "nope"}, ExitUsage, "", `no built-in named "nope"`},
		{"validate good", []string{"validate", good}, ExitOK, "example.yaml: ok", ""},
		{"validate bad", []string{"validate", good, bad}, ExitUsage, "example.yaml: ok", bad + `:4: wait: bad duration "later"`},
		{"sample bad api", []string{"sample", "purchase", "--api", "soap"}, ExitUsage, "", "--api"},
		{"sample bad file", []string{"sample", bad}, ExitUsage, "", bad + ":4:"},
		{"no subcommand", nil, ExitUsage, "", "want a subcommand"},
		{"unknown subcommand", []string{"frobnicate"}, ExitUsage, "", `unknown subcommand "frobnicate"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := runCLI(t, append([]string{"scenarios"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit = %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			if !strings.Contains(out, tt.wantOut) {
				t.Errorf("stdout = %q, want it to contain %q", out, tt.wantOut)
			}
			if !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr, tt.wantStderr)
			}
		})
	}
}
