package report

import (
	"bytes"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; diff it with:\n  go test ./report -run %s -update && git diff %s\ngot:\n%s",
			name, t.Name(), path, got)
	}
}

func TestRenderGolden(t *testing.T) {
	t.Parallel()
	s := Sample(1, 1, 1)
	for _, tt := range []struct{ format, file string }{
		{"text", "sample.txt"}, {"json", "sample.json"}, {"junit", "sample.junit.xml"}, {"markdown", "sample.md"},
	} {
		t.Run(tt.format, func(t *testing.T) {
			var b bytes.Buffer
			if err := s.Render(tt.format, &b); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.file, b.Bytes())
		})
	}
}

func TestRenderPassingRun(t *testing.T) {
	t.Parallel()
	s := Sample(2, 1, 1)
	s.Checks = s.Checks[:1]
	s.Finish(nil)
	var b bytes.Buffer
	if err := s.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "pass.txt", b.Bytes())
}

func TestJSONRoundTrip(t *testing.T) {
	t.Parallel()
	s := Sample(1, 1, 1)
	var a, b bytes.Buffer
	if err := s.Encode(&a); err != nil {
		t.Fatal(err)
	}
	d, err := Decode(bytes.NewReader(a.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Encode(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("decode then encode changed the results file")
	}
}

func TestDecodeRejects(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, in, want string }{
		{"not json", "hello", "decode"},
		{"other schema", `{"schema":"k6/summary"}`, "schema"},
		{"bad histogram", `{"schema":"cioharness/result/v1","histograms":{"latency":"!!"}}`, "histogram"},
		{"bad shard", `{"schema":"cioharness/result/v1","run":{"shard":"4/3"}}`, "shard"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Decode = %v, want an error about %s", err, tt.want)
			}
		})
	}
}

func TestJUnitShape(t *testing.T) {
	t.Parallel()
	s := Sample(1, 1, 1)
	var b bytes.Buffer
	if err := s.WriteJUnit(&b); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("JUnit output is not XML: %v", err)
	}
	if got, want := doc.Tests, len(s.Checks)+len(s.Thresholds); got != want {
		t.Errorf("tests = %d, want %d (one per check and threshold)", got, want)
	}
	if got, want := doc.Failures, 3; got != want {
		t.Errorf("failures = %d, want %d", got, want)
	}
	f := doc.Suites[0].Cases[1].Failure
	if f == nil || !strings.Contains(f.Text, "shopper-0005") {
		t.Errorf("events.delivered failure = %+v, want its examples", f)
	}
}

func TestRenderUnknownFormat(t *testing.T) {
	t.Parallel()
	if err := New().Render("pdf", &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "pdf") {
		t.Errorf("Render(pdf) = %v, want an error naming it", err)
	}
}

func TestRenderEmptySummary(t *testing.T) {
	t.Parallel()
	s := New()
	s.Finish(nil)
	for _, f := range Formats {
		if err := s.Render(f, &bytes.Buffer{}); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// TestTextWithoutVerification is a run the verifier has not filled yet:
// the summary says so instead of printing zero timings.
func TestTextWithoutVerification(t *testing.T) {
	t.Parallel()
	var m Metrics
	m.Add(&Result{Endpoint: "pipelines.track", Status: 200, Latency: 5e6, Service: 4e6})
	s := New()
	m.Fill(s)
	s.Finish(nil)
	var b bytes.Buffer
	if err := s.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "Delivery     not verified in this run") || strings.Contains(out, "Suppression") {
		t.Errorf("summary without verification:\n%s", out)
	}
	if !strings.Contains(out, "Verdict: PASS (exit 0)") {
		t.Errorf("verdict missing:\n%s", out)
	}
}
