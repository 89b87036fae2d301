package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cioharness/cioharness/cio"
)

// syncBuffer is a bytes.Buffer safe for a writer and a polling reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var listenRE = regexp.MustCompile(`listening on (http://\S+)`)

// startMock runs `cioharness mock args...` until the test ends and returns
// its base URL and its stderr.
func startMock(t *testing.T, args ...string) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, append([]string{"mock", "--addr", "127.0.0.1:0"}, args...), &Env{Stdout: &bytes.Buffer{}, Stderr: stderr})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != ExitOK {
				t.Errorf("mock exited %d after cancel, want 0; stderr:\n%s", code, stderr)
			}
		case <-time.After(10 * time.Second):
			t.Error("mock did not stop within 10s of cancel")
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := listenRE.FindStringSubmatch(stderr.String()); m != nil {
			return m[1], stderr
		}
		select {
		case code := <-done:
			done <- code
			t.Fatalf("mock exited %d before listening; stderr:\n%s", code, stderr)
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("mock printed no listening URL in 10s; stderr:\n%s", stderr)
	return "", nil
}

func do(t *testing.T, method, url, auth, body string) int {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Content-Type", "application/json")
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestMockServesAndStops(t *testing.T) {
	base, stderr := startMock(t, "--site-id", "s1", "--api-key", "k1", "--journal", "50")
	for _, want := range []string{"/api/v1/", "/v1/", "/__mock/people/", "Basic s1:k1"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	auth := cio.Credentials{SiteID: "s1", APIKey: "k1"}.TrackAuthorization()
	if got := do(t, "PUT", base+"/api/v1/customers/u1", auth, `{"email":"u1@example.com"}`); got != 200 {
		t.Errorf("identify with the flag's credentials: %d, want 200", got)
	}
	if got := do(t, "PUT", base+"/api/v1/customers/u2", cio.TestCredentials.TrackAuthorization(), `{}`); got != 401 {
		t.Errorf("identify with the default credentials: %d, want 401", got)
	}
	if got := do(t, "GET", base+"/__mock/people/u1", "", ""); got != 200 {
		t.Errorf("GET /__mock/people/u1: %d, want 200", got)
	}
}

func TestMockFaultFlag(t *testing.T) {
	base, stderr := startMock(t, "--fault", "status=503,path=/api/v1/")
	if !strings.Contains(stderr.String(), "status=503") {
		t.Errorf("stderr does not list the fault:\n%s", stderr)
	}
	if got := do(t, "PUT", base+"/api/v1/customers/u1", cio.TestCredentials.TrackAuthorization(), `{}`); got != 503 {
		t.Errorf("faulted identify: %d, want 503", got)
	}
	if got := do(t, "GET", base+"/__mock/people/u1", "", ""); got != 404 {
		t.Errorf("person after a faulted identify: %d, want 404 (a fault changes no state)", got)
	}
}

func TestMockRateLimitFlag(t *testing.T) {
	base, _ := startMock(t, "--rate-limit", "1/s")
	auth := cio.TestCredentials.TrackAuthorization()
	first := do(t, "PUT", base+"/api/v1/customers/u1", auth, `{}`)
	second := do(t, "PUT", base+"/api/v1/customers/u2", auth, `{}`)
	if first != 200 || second != 429 {
		t.Errorf("two requests at 1/s: %d then %d, want 200 then 429", first, second)
	}
}

func TestMockFlagErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("campaigns:\n  - name: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"bad fault", []string{"--fault", "status=abc"}, "--fault"},
		{"bad rate", []string{"--rate-limit", "fast"}, "--rate-limit"},
		{"bad time scale", []string{"--time-scale", "0"}, "--time-scale"},
		{"bad journal", []string{"--journal", "-1"}, "--journal"},
		{"missing campaigns", []string{"--campaigns", filepath.Join(dir, "none.yaml")}, "--campaigns"},
		{"invalid campaigns", []string{"--campaigns", bad}, "bad.yaml:"},
		{"missing contract", []string{"--contract", filepath.Join(dir, "none.yaml")}, "--contract"},
		{"stray argument", []string{"extra"}, "extra"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stderr := &syncBuffer{}
			code := Main(context.Background(), append([]string{"mock"}, tt.args...), &Env{Stdout: &bytes.Buffer{}, Stderr: stderr})
			if code != ExitUsage {
				t.Errorf("exit %d, want %d", code, ExitUsage)
			}
			if !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("stderr %q does not mention %q", stderr, tt.wantErr)
			}
		})
	}
}

func TestMockHelp(t *testing.T) {
	stderr := &syncBuffer{}
	if code := Main(context.Background(), []string{"mock", "-h"}, &Env{Stdout: &bytes.Buffer{}, Stderr: stderr}); code != ExitOK {
		t.Errorf("mock -h: exit %d, want 0", code)
	}
	for _, want := range []string{"--fault", "--rate-limit", "--fault-seed", "Examples:", "cioharness mock --fault"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("mock -h lacks %q", want)
		}
	}
}

func TestMockCampaignsAndContractFiles(t *testing.T) {
	dir := t.TempDir()
	camp := filepath.Join(dir, "campaigns.yaml")
	if err := os.WriteFile(camp, []byte("campaigns:\n  - name: wishlist_nudge\n    trigger: Added to Wishlist\n    delay: 2h\n    exit: [Order Placed]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	plan := filepath.Join("..", "..", "mockcio", "builtin", "plan.yaml")
	base, _ := startMock(t, "--campaigns", camp, "--contract", plan)
	resp, err := http.Get(base + "/__mock/config")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	if _, err := body.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"wishlist_nudge", "Order Placed"} {
		if !strings.Contains(body.String(), want) {
			t.Errorf("GET /__mock/config lacks %q from the files: %s", want, body.String())
		}
	}
	if strings.Contains(body.String(), "cart_abandonment") {
		t.Errorf("GET /__mock/config still holds the built-in campaigns after --campaigns: %s", body.String())
	}
}
