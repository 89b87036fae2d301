package main

// The Kubernetes recipe of deploy/kubernetes (SPEC.md §10) on one machine:
// one `cioharness mock` process, three shard processes running the
// generators Job's own wrapper script (as the Indexed Job's pods would, with
// JOB_COMPLETION_INDEX 0..2), then the merge Job's own script. The merged
// results must equal a single 1/1 run of the same seed against a fresh mock.

import (
	"bufio"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cioharness/cioharness/mockcio"
	"github.com/cioharness/cioharness/report"
)

// shardRunArgs are the run flags of both the sharded and the whole run (the
// generators Job's container args, scaled down).
var shardRunArgs = []string{"-n", "60", "--seed", "7", "--time-scale", "3600", "-r", "30/s", "--no-progress", "-q"}

const shardCount = 3

func TestShardedRunEqualsWholeRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs four processes; skipped with -short")
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("the Jobs' wrapper scripts need sh")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bin := buildCioharness(t, dir)
	gen, merge := jobScript(t, "generators.yaml"), jobScript(t, "merge.yaml")
	env := append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"),
		"RESULTS="+dir, "RUN_NAME=local", "SHARDS="+strconv.Itoa(shardCount), "WAIT_SECONDS=20")

	shared := startMockProcess(t, bin)
	var wg sync.WaitGroup
	outs := make([]string, shardCount)
	errs := make([]error, shardCount)
	for k := range shardCount {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.CommandContext(ctx, sh, append([]string{"-c", gen[0], gen[1], "--mock", shared.url}, shardRunArgs...)...)
			cmd.Env = append(slices.Clone(env), "JOB_COMPLETION_INDEX="+strconv.Itoa(k))
			out, err := cmd.CombinedOutput()
			outs[k], errs[k] = string(out), err
		}()
	}
	wg.Wait()
	for k, err := range errs {
		if err != nil {
			t.Fatalf("shard %d/%d: %v\n%s", k+1, shardCount, err, outs[k])
		}
	}
	sharedStats := mockStats(t, ctx, shared.url)

	mergeCmd := exec.CommandContext(ctx, sh, "-c", merge[0], merge[1], "--threshold", "journeys.completed>=60")
	mergeCmd.Env = env
	text, err := mergeCmd.Output()
	mergeCode := procExitCode(t, err)
	runDir := filepath.Join(dir, "local")
	merged := mustLoadSummary(t, filepath.Join(runDir, "merged.json"))
	if mergeCode != merged.Verdict.ExitCode || !strings.Contains(string(text), "Verdict: ") {
		t.Errorf("merge job exit %d, merged verdict %+v; its log:\n%s", mergeCode, merged.Verdict, text)
	}
	checkJUnit(t, filepath.Join(runDir, "junit.xml"), merged)

	whole := startMockProcess(t, bin)
	single := filepath.Join(dir, "single.json")
	cmd := exec.CommandContext(ctx, bin, append([]string{"run", "--mock", whole.url, "-o", single}, shardRunArgs...)...)
	if out, err := cmd.CombinedOutput(); procExitCode(t, err) == ExitUsage || procExitCode(t, err) == ExitRuntime {
		t.Fatalf("1/1 run: %v\n%s", err, out)
	}
	want := mustLoadSummary(t, single)
	compareShardedRun(t, merged, want)
	if got, want := sharedStats, mockStats(t, ctx, whole.url); got != want {
		t.Errorf("the shared mock after 3 shards holds %+v, the 1/1 run's mock %+v", got, want)
	}
}

// compareShardedRun checks the merged shards against the whole run: the
// counts, the checks and the histogram totals.
func compareShardedRun(t *testing.T, got, want *report.Summary) {
	t.Helper()
	if g := got.Run.Shard; g.Count != shardCount || !slices.Equal(g.Index, []int{1, 2, 3}) {
		t.Errorf("merged shard %+v, want 1,2,3/3", g)
	}
	gj, wj := got.Journeys, want.Journeys
	if gj.Planned != wj.Planned || gj.Started != wj.Started || gj.Completed != wj.Completed || wj.Started != 60 {
		t.Errorf("journeys: merged %d/%d/%d, whole run %d/%d/%d (planned/started/completed), want equal and 60",
			gj.Planned, gj.Started, gj.Completed, wj.Planned, wj.Started, wj.Completed)
	}
	for sc, w := range wj.ByScenario {
		if g := gj.ByScenario[sc]; g == nil || *g != *w {
			t.Errorf("journeys of %s: merged %+v, whole run %+v", sc, g, w)
		}
	}
	if got.Requests.Total != want.Requests.Total || got.Requests.Calls != want.Requests.Calls {
		t.Errorf("requests: merged %d (%d calls), whole run %d (%d calls)", got.Requests.Total, got.Requests.Calls, want.Requests.Total, want.Requests.Calls)
	}
	for ep, w := range want.Requests.ByEndpoint {
		if g := got.Requests.ByEndpoint[ep]; g == nil || g.Count != w.Count {
			t.Errorf("requests on %s: merged %v, whole run %d", ep, g, w.Count)
		}
	}
	gd, wd, gs, ws := got.Delivery, want.Delivery, got.Suppression, want.Suppression
	if gd.Delivered != wd.Delivered || gd.NeverDelivered != wd.NeverDelivered || gs.Purchases != ws.Purchases ||
		gs.FalseSends != ws.FalseSends || gs.MissedSends != ws.MissedSends {
		t.Errorf("delivery %d/%d, suppression %d/%d/%d (merged) vs %d/%d, %d/%d/%d (whole run): want equal",
			gd.Delivered, gd.NeverDelivered, gs.Purchases, gs.FalseSends, gs.MissedSends,
			wd.Delivered, wd.NeverDelivered, ws.Purchases, ws.FalseSends, ws.MissedSends)
	}
	if g, w := checkOutcomes(got), checkOutcomes(want); !slices.Equal(g, w) {
		onlyG := slices.DeleteFunc(slices.Clone(g), func(c string) bool { return slices.Contains(w, c) })
		onlyW := slices.DeleteFunc(slices.Clone(w), func(c string) bool { return slices.Contains(g, c) })
		t.Errorf("checks (name passed expected/failed) differ; each shard must judge only its own shoppers, though the mock holds every shard's:\n merged     %q\n whole run  %q", onlyG, onlyW)
	}
	if len(want.Histograms) == 0 {
		t.Fatal("the whole run has no histograms")
	}
	for name, w := range want.Histograms {
		if g := got.Histograms[name]; g == nil || g.Count() != w.Count() {
			t.Errorf("histogram %s: merged count %d, whole run %d", name, histCount(g), w.Count())
		}
	}
	for name := range got.Histograms {
		if want.Histograms[name] == nil {
			t.Errorf("merged histogram %s: not in the whole run", name)
		}
	}
}

// checkOutcomes lists each check as "name pass|fail expected/failed".
// harness.validity is listed by name only: it measures this machine's lag
// at that moment, not the run's content.
func checkOutcomes(s *report.Summary) []string {
	var out []string
	for _, c := range s.Checks {
		if c.Name == "harness.validity" {
			out = append(out, c.Name)
			continue
		}
		out = append(out, fmt.Sprintf("%s %v %d/%d", c.Name, c.Passed, c.Expected, c.Failed))
	}
	slices.Sort(out)
	return out
}

func histCount(h *report.Histogram) int64 {
	if h == nil {
		return -1
	}
	return h.Count()
}

// checkJUnit reads the merge step's JUnit file: one test case per check and
// per threshold.
func checkJUnit(t *testing.T, path string, s *report.Summary) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cases []struct {
			Name string `xml:"name,attr"`
		} `xml:"testsuite>testcase"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if got, want := len(doc.Cases), len(s.Checks)+len(s.Thresholds); got != want || want == 0 {
		t.Errorf("junit.xml has %d test cases, want %d (checks and thresholds)", got, want)
	}
}

// buildCioharness builds this command into dir once.
func buildCioharness(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "cioharness")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// jobScript returns the [SCRIPT, NAME] of the `sh -c SCRIPT NAME` command of
// a Job's container in deploy/kubernetes.
func jobScript(t *testing.T, file string) [2]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../../deploy/kubernetes", file))
	if err != nil {
		t.Fatal(err)
	}
	var job struct {
		Kind string
		Spec struct {
			Template struct {
				Spec struct{ Containers []struct{ Command []string } }
			}
		}
	}
	if err := yaml.Unmarshal(b, &job); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	cs := job.Spec.Template.Spec.Containers
	if job.Kind != "Job" || len(cs) != 1 || len(cs[0].Command) != 4 || cs[0].Command[1] != "-c" {
		t.Fatalf("%s: want a Job whose container runs sh -c SCRIPT NAME", file)
	}
	return [2]string{cs[0].Command[2], cs[0].Command[3]}
}

// mockProcess is a `cioharness mock` process on a free loopback port.
type mockProcess struct{ url string }

// startMockProcess runs `cioharness mock --addr 127.0.0.1:0` until the test
// ends and reads its URL from stderr.
func startMockProcess(t *testing.T, bin string) *mockProcess {
	t.Helper()
	cmd := exec.Command(bin, "mock", "--addr", "127.0.0.1:0")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	urls := make(chan string, 1)
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := listenRE.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
		_ = cmd.Wait()
	}()
	select {
	case u := <-urls:
		return &mockProcess{url: u}
	case <-done:
		t.Fatal("cioharness mock exited before listening")
	case <-time.After(10 * time.Second):
		t.Fatal("cioharness mock printed no URL in 10s")
	}
	return nil
}

// mockState is what a mock holds after a run, as the stats count it.
type mockState struct{ requests, people, events, anonymous, duplicates int64 }

func mockStats(t *testing.T, ctx context.Context, url string) mockState {
	t.Helper()
	st, err := mockcio.NewClient(url, nil).Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return mockState{st.TotalRequests, st.People, st.Events, st.AnonymousEvents, st.Duplicates}
}

// procExitCode is a finished command's exit code (0 for a nil error).
func procExitCode(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	t.Fatalf("command did not run: %v", err)
	return -1
}
