package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cioharness/cioharness/cio"
	"github.com/cioharness/cioharness/mockcio"
	"github.com/cioharness/cioharness/report"
	"github.com/cioharness/cioharness/scenarios"
)

func TestRunFlagErrorsNameTheFlag(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, flag string
		args       []string
	}{
		{"bad rate", "--rate", []string{"-r", "ten/s"}},
		{"zero rate", "--rate", []string{"-r", "0/s"}},
		{"rate and ramp", "--ramp", []string{"-r", "5/s", "--ramp", "10s:5/s"}},
		{"bad ramp stage", "--ramp", []string{"--ramp", "10s-5/s"}},
		{"all-zero ramp", "--ramp", []string{"--ramp", "10s:0/s"}},
		{"negative duration", "--duration", []string{"-d", "-1s"}},
		{"bad api", "--api", []string{"--api", "graphql"}},
		{"batch on track v1", "--batch", []string{"--api", "track", "--batch", "10"}},
		{"zero concurrency", "--concurrency", []string{"--concurrency", "0"}},
		{"bad shard", "--shard", []string{"--shard", "3/2"}},
		{"bad header", "--header", []string{"-H", "no colon"}},
		{"bad target", "--target", []string{"--target", "localhost:80"}},
		{"bad mock url", "--mock", []string{"--mock", "ftp://x"}},
		{"mock and mock-addr", "--mock-addr", []string{"--mock", "http://127.0.0.1:1", "--mock-addr", "127.0.0.1:0"}},
		{"bad time scale", "--time-scale", []string{"--time-scale", "0"}},
		{"bad threshold", "--threshold", []string{"--threshold", "latency.p99<<2"}},
		{"unknown scenario", "--scenario", []string{"-s", "no-such-scenario"}},
		{"missing campaigns", "--campaigns", []string{"--campaigns", "/nonexistent.yaml"}},
		{"missing contract", "--contract", []string{"--contract", "/nonexistent.yaml"}},
		{"bad settle", "--settle", []string{"--settle", "-5s"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, append([]string{"run"}, c.args...)...)
			if code != ExitUsage || !strings.Contains(stderr, c.flag) {
				t.Errorf("exit %d, stderr %q: want exit 2 naming %s", code, stderr, c.flag)
			}
		})
	}
}

func TestRunHelpHasExamples(t *testing.T) {
	t.Parallel()
	code, _, stderr := runCLI(t, "run", "-h")
	if code != ExitOK || !strings.Contains(stderr, "Examples:") || !strings.Contains(stderr, "--time-scale") {
		t.Errorf("exit %d, help:\n%s", code, stderr)
	}
}

func TestRunTargetUnreachableIsRuntimeError(t *testing.T) {
	t.Parallel()
	code, _, stderr := runCLI(t, "run", "--target", "http://127.0.0.1:1", "-n", "1", "-q", "--no-progress")
	if code != ExitRuntime || !strings.Contains(stderr, "unreachable") {
		t.Errorf("exit %d, stderr %q: want exit 3, target unreachable", code, stderr)
	}
}

// plannedByEndpoint encodes every call of the first n journeys of seed as
// api would, giving the requests the mock must receive per endpoint label,
// the calls the wire format can carry, and the calls it cannot.
func plannedByEndpoint(t *testing.T, seed int64, n int, api cio.API) (map[string]int64, int64, int64) {
	t.Helper()
	mix, err := scenarios.LoadMix([]string{"d2c"})
	if err != nil {
		t.Fatal(err)
	}
	g, err := scenarios.NewGenerator(mix, scenarios.Options{Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]int64{}
	var calls, skipped int64
	for i := 0; i < n; i++ {
		for _, st := range g.Journey(uint64(i)).Steps {
			req, err := cio.Encode(api, &st.Call)
			if errors.Is(err, cio.ErrUnsupported) {
				skipped++
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			by[req.Endpoint]++
			calls++
		}
	}
	return by, calls, skipped
}

// TestRunEveryCallReachesTheMock runs the d2c mix in each wire format against
// a separate mock and checks that every call the generator planned for the
// started journeys reached it: per endpoint for single calls, and as calls
// carried by accepted batch requests when batching.
func TestRunEveryCallReachesTheMock(t *testing.T) {
	const journeys, seed = 30, 7
	cases := []struct {
		api   cio.API
		batch int
	}{
		{cio.APIPipelines, 1}, {cio.APIPipelines, 20}, {cio.APITrack, 1}, {cio.APITrackV2, 1}, {cio.APITrackV2, 20},
	}
	for _, c := range cases {
		t.Run(c.api.String()+"-batch"+strconv.Itoa(c.batch), func(t *testing.T) {
			mock, err := mockcio.NewServer(mockcio.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer mock.Close()
			out := filepath.Join(t.TempDir(), "results.json")
			code, _, stderr := runCLI(t, "run", "--mock", mock.URL, "--api", c.api.String(), "--batch", strconv.Itoa(c.batch),
				"--seed", strconv.Itoa(seed), "-n", strconv.Itoa(journeys), "-r", "100/s", "--time-scale", "3600",
				"--settle", "0", "-q", "--no-progress", "-o", out)
			if code != ExitOK && code != ExitInvalid {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr)
			}
			want, wantCalls, _ := plannedByEndpoint(t, seed, journeys, c.api)
			sum := mustLoadSummary(t, out)
			if code == ExitInvalid {
				// Not what this test is about: a loaded machine (-race, 2 cores) can make the harness fall behind.
				t.Logf("harness fell behind: %v", sum.Harness.Problems)
			}
			stats, err := mock.Stats(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if sum.Journeys.Started != journeys || sum.Journeys.Completed != journeys {
				t.Errorf("journeys %+v: want %d started and completed", sum.Journeys, journeys)
			}
			if sum.Requests.Calls != wantCalls || sum.Requests.Errors != 0 {
				t.Errorf("results carry %d calls with %d errors, want the %d planned and none", sum.Requests.Calls, sum.Requests.Errors, wantCalls)
			}
			checkMockCounts(t, stats, sum, want, c.batch > 1)
		})
	}
}

// checkMockCounts compares the mock's request counts by endpoint with the
// plan (single calls) or with the requests the run sent (batches).
func checkMockCounts(t *testing.T, stats mockcio.StatsView, sum *report.Summary, planned map[string]int64, batched bool) {
	t.Helper()
	got := map[string]int64{}
	for ep, byStatus := range stats.Requests {
		for status, n := range byStatus {
			if status != "200" {
				t.Errorf("mock answered %s %d times on %s", status, n, ep)
			}
			got[ep] += n
		}
	}
	want := planned
	if batched {
		want = map[string]int64{}
		for ep, e := range sum.Requests.ByEndpoint {
			want[ep] = e.Count
		}
	}
	for ep, n := range want {
		if got[ep] != n {
			t.Errorf("mock saw %d requests on %s, want %d", got[ep], ep, n)
		}
	}
	for ep, n := range got {
		if want[ep] == 0 {
			t.Errorf("mock saw %d unexpected requests on %s", n, ep)
		}
	}
	for ep, n := range stats.Invalid {
		if n > 0 {
			t.Errorf("mock did not process %d calls on %s", n, ep)
		}
	}
}

func mustLoadSummary(t *testing.T, path string) *report.Summary {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := report.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRunWritesReportsAndStopsOnInterrupt(t *testing.T) {
	dir := t.TempDir()
	out, html, junit := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.html"), filepath.Join(dir, "r.xml")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(700*time.Millisecond, cancel)
	var stdout, stderr syncBuffer
	code := Main(ctx, []string{"run", "-r", "20/s", "-d", "1h", "--time-scale", "3600", "--no-progress",
		"-o", out, "--html", html, "--junit", junit}, &Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr})
	if code != ExitRuntime || !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("exit %d, stderr %q: want exit 3, interrupted", code, stderr.String())
	}
	sum := mustLoadSummary(t, out)
	if sum.Journeys.Started == 0 || sum.Journeys.Started >= sum.Journeys.Planned || !strings.Contains(strings.Join(sum.Warnings, " "), "interrupted") {
		t.Errorf("journeys %+v, warnings %v: want some of the plan started and an interrupted warning", sum.Journeys, sum.Warnings)
	}
	for path, marker := range map[string]string{html: "<html", junit: "<testsuite"} {
		b, err := os.ReadFile(path)
		if err != nil || !strings.Contains(string(b), marker) {
			t.Errorf("%s: %v, want a file containing %q", path, err, marker)
		}
	}
	if !strings.Contains(stdout.String(), "Journeys") {
		t.Errorf("no summary on stdout:\n%s", stdout.String())
	}
}
