package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cioharness/cioharness/report"
)

// writeReportResults saves s as a results file in dir and returns its path.
func writeReportResults(t *testing.T, dir, name string, s *report.Summary) string {
	t.Helper()
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := s.Encode(f); err != nil {
		t.Fatal(err)
	}
	return path
}

// passingReportSample is a results file whose checks all pass.
func passingReportSample() *report.Summary {
	s := report.Sample(2, 1, 1)
	s.Checks = s.Checks[:1]
	s.Finish(nil)
	return s
}

func runReportMain(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb})
	return code, out.String(), errb.String()
}

func TestReportCmd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	failing := writeReportResults(t, dir, "fail.json", report.Sample(1, 1, 1))
	passing := writeReportResults(t, dir, "pass.json", passingReportSample())
	other := writeReportResults(t, dir, "other.json", report.Sample(9, 2, 3))
	var shards []string
	for i := 1; i <= 3; i++ {
		shards = append(shards, writeReportResults(t, dir, fmt.Sprintf("shard%d.json", i), report.Sample(5, i, 3)))
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  []string
		wantErr  []string
	}{
		{"text of a failing run", []string{"report", failing}, 1, []string{"Verdict: FAIL (exit 1)", "events.delivered", "shopper-0005"}, nil},
		{"text of a passing run", []string{"report", passing}, 0, []string{"Verdict: PASS (exit 0)"}, nil},
		{"threshold breached", []string{"report", "--threshold", "latency.p99<1ms", passing}, 4,
			[]string{"FAIL  latency.p99<1ms", "Verdict: FAIL (exit 4)"}, nil},
		{"threshold kept", []string{"report", "--threshold", "latency.p99<10s", passing}, 0, []string{"PASS  latency.p99<10s"}, nil},
		{"bad threshold", []string{"report", "--threshold", "latency.p99<<1ms", passing}, 2, nil, []string{"--threshold", "latency.p99<<1ms"}},
		{"unknown metric", []string{"report", "--threshold", "speed>1", passing}, 2, nil, []string{"--threshold", "unknown metric"}},
		{"bad format", []string{"report", "--format", "pdf", passing}, 2, nil, []string{"--format", "pdf"}},
		{"no files", []string{"report"}, 2, nil, []string{"at least one results FILE"}},
		{"missing file", []string{"report", filepath.Join(dir, "nope.json")}, 3, nil, []string{"nope.json"}},
		{"not results", []string{"report", writeReportText(t, dir, "x.json", `{"schema":"other"}`)}, 2, nil, []string{"x.json", "schema"}},
		{"different runs", []string{"report", shards[0], other}, 2, nil, []string{"different runs"}},
		{"same shard twice", []string{"report", shards[0], shards[0]}, 2, nil, []string{"appears twice"}},
		{"merge shards", append([]string{"report", "--format", "json"}, shards...), 1, []string{`"shard": "1,2,3/3"`}, nil},
		{"junit", []string{"report", "--format", "junit", failing}, 1, []string{"<testsuites", `failures="3"`}, nil},
		{"markdown", []string{"report", "--format", "markdown", passing}, 0, []string{"## cioharness: ✅ PASS"}, nil},
		{"compare", []string{"report", "--compare", failing, passing}, 0, []string{"Comparison: base", "latency.p99"}, nil},
		{"compare with threshold", []string{"report", "--compare", failing, "--threshold", "requests.total>1e6", passing}, 4, []string{"Comparison"}, nil},
		{"compare as html", []string{"report", "--compare", failing, "--format", "html", passing}, 2, nil, []string{"--compare"}},
		{"help", []string{"report", "-h"}, 0, nil, []string{"Examples:", "--threshold"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errs := runReportMain(tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d\nstderr: %s", code, tt.wantCode, errs)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errs)
				}
			}
		})
	}
}

func writeReportText(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestReportMergeEqualsWholeRun checks the merge recipe end to end: three
// shard files merged by the CLI carry the same counts, checks and histograms
// as the 1/1 run of the same seed.
func TestReportMergeEqualsWholeRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	args := []string{"report", "--format", "json", "-o", filepath.Join(dir, "merged.json")}
	for i := 1; i <= 3; i++ {
		args = append(args, writeReportResults(t, dir, fmt.Sprintf("s%d.json", i), report.Sample(4, i, 3)))
	}
	code, _, errs := runReportMain(args...)
	if code != 1 || !strings.Contains(errs, "wrote") {
		t.Fatalf("exit %d, stderr %q; want 1 (the sample fails checks) and a note of the file", code, errs)
	}
	f, err := os.Open(filepath.Join(dir, "merged.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := report.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	want := report.Sample(4, 1, 1)
	if got.Requests.Total != want.Requests.Total || got.Journeys.Completed != want.Journeys.Completed {
		t.Errorf("merged totals %d/%d, want %d/%d", got.Requests.Total, got.Journeys.Completed, want.Requests.Total, want.Journeys.Completed)
	}
	for name, h := range want.Histograms {
		if !got.Histograms[name].Equal(h) {
			t.Errorf("histogram %s differs after merge", name)
		}
	}
	for i, c := range want.Checks {
		if g := got.Checks[i]; g.Name != c.Name || g.Passed != c.Passed || g.Failed != c.Failed {
			t.Errorf("check %+v, want %+v", g, c)
		}
	}
}

func TestReportStdinAndHTMLFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var in bytes.Buffer
	if err := passingReportSample().Encode(&in); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, "r.html")
	var out, errb bytes.Buffer
	code := Main(context.Background(), []string{"report", "--format", "html", "-o", page, "-"}, &Env{Stdin: &in, Stdout: &out, Stderr: &errb})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`data-plot="latency-spectrum"`)) || out.Len() != 0 {
		t.Errorf("html file lacks the latency plot or stdout was written (%d bytes)", out.Len())
	}
}

func TestWriteResultFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := passingReportSample()
	out, page, junit := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.html"), filepath.Join(dir, "r.xml")
	if err := writeResultFiles(s, out, page, junit); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{out: `"schema": "cioharness/result/v1"`, page: "<svg", junit: "<testsuites"} {
		b, err := os.ReadFile(path)
		if err != nil || !strings.Contains(string(b), want) {
			t.Errorf("%s: %v, want it to contain %q", path, err, want)
		}
	}
	err := writeResultFiles(s, filepath.Join(dir, "no", "such", "dir.json"), "", "")
	if code := exitCode(err); code != ExitRuntime || !strings.Contains(err.Error(), "dir.json") {
		t.Errorf("unwritable file: exit %d, %v; want %d naming the file", code, err, ExitRuntime)
	}
}
