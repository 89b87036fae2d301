package main

// Helpers of the through-mode end-to-end tests (through_test.go): start the
// mock and the relay, run the harness at the relay, read its verdict.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cioharness/cioharness/report"
)

// throughResult is one finished run.
type throughResult struct {
	code           int
	sum            report.Summary
	stdout, stderr string
	relayLog       string
}

func (r *throughResult) check(name string) *report.Check {
	for i := range r.sum.Checks {
		if r.sum.Checks[i].Name == name {
			return &r.sum.Checks[i]
		}
	}
	return nil
}

func (r *throughResult) failed() []string {
	var out []string
	for _, c := range r.sum.Checks {
		if !c.Passed {
			out = append(out, c.Name)
		}
	}
	return out
}

func (r *throughResult) failedOrAll() string {
	var names []string
	for _, c := range r.sum.Checks {
		names = append(names, c.Name)
	}
	return strings.Join(names, ",")
}

// failedCounts lists the failed checks with their failure counts.
func (r *throughResult) failedCounts() string {
	var parts []string
	for _, c := range r.sum.Checks {
		if !c.Passed {
			parts = append(parts, fmt.Sprintf("%s (%d of %d)", c.Name, c.Failed, c.Expected))
		}
	}
	return strings.Join(parts, ", ")
}

// summary lists every check with its expected and failed counts.
func (r *throughResult) summary() string {
	var parts []string
	for _, c := range r.sum.Checks {
		parts = append(parts, fmt.Sprintf("%s %d/%d", c.Name, c.Failed, c.Expected))
	}
	return strings.Join(parts, ", ")
}

// evidence is what a failing assertion prints: the failed checks with their
// first examples, and the ends of the run's and the relay's logs.
func (r *throughResult) evidence() string {
	var b strings.Builder
	for _, c := range r.sum.Checks {
		if !c.Passed {
			fmt.Fprintf(&b, "  %s: %d failed of %d", c.Name, c.Failed, c.Expected)
			if len(c.Examples) > 0 {
				e := c.Examples[0]
				fmt.Fprintf(&b, "; e.g. %s %s%s: expected %s, got %s", e.Shopper, e.Event, e.Attribute, e.Expected, e.Actual)
			}
			b.WriteByte('\n')
		}
	}
	fmt.Fprintf(&b, "  run stderr: %s\n  relay log: %s", thTail(r.stderr, 800), thTail(r.relayLog, 800))
	return b.String()
}

func thTail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// requireThrough skips the end-to-end runs under -short and fails when run
// lost the flags through mode needs.
func requireThrough(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end through-mode runs take tens of seconds; skipped with -short")
	}
	var out, errb bytes.Buffer
	code := Main(context.Background(), []string{"run", "-h"}, &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb})
	usage := out.String() + errb.String()
	switch {
	case code != ExitOK || strings.Contains(usage, "not implemented"):
		t.Fatalf("cioharness run -h: exit %d\n%s", code, usage)
	case !strings.Contains(usage, "--target") || !strings.Contains(usage, "--mock-addr"):
		t.Fatal("cioharness run -h lists no --target or --mock-addr: through mode needs both")
	}
}

// runThrough starts a mock and the relay, runs the harness at the relay and
// returns its exit code and results. A run without conformance checks skips
// the test: the verifier is not wired into run yet.
//
// A run the harness itself declares invalid (it fell behind its schedule:
// exit 5, harness.validity) says nothing about the relay; on a busy machine
// it is tried once more, then the test is skipped with the reason.
func thRun(t *testing.T, bin string, tc throughCase, extra ...string) *throughResult {
	t.Helper()
	for attempt := 1; ; attempt++ {
		res := thRunOnce(t, bin, tc, extra...)
		if res.code != ExitInvalid {
			return res
		}
		v := res.check("harness.validity")
		if attempt == 2 {
			t.Skipf("the harness fell behind twice (machine overloaded?), no verdict on the relay: %+v", v)
		}
		t.Logf("attempt %d invalid (the harness fell behind: %+v); trying again", attempt, v)
	}
}

func thRunOnce(t *testing.T, bin string, tc throughCase, extra ...string) *throughResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	mockAddr := thFreeAddr(t)
	args := []string{"run"}
	if tc.ownMock || len(tc.faults) > 0 {
		thStartMock(t, mockAddr, tc.faults)
		args = append(args, "--mock", "http://"+mockAddr)
	} else {
		args = append(args, "--mock-addr", mockAddr)
	}
	relayArgs := append([]string{"--upstream", "http://" + mockAddr}, tc.relay...)
	if tc.defect != "" {
		relayArgs = append(relayArgs, "--defect", tc.defect)
	}
	url, relayLog := thStartRelay(t, bin, relayArgs...)
	out := filepath.Join(t.TempDir(), "result.json")
	args = append(append(append(append(args, "--target", url, "-o", out), throughRunArgs...), tc.run...), extra...)
	var stdout, stderr bytes.Buffer
	res := &throughResult{}
	res.code = Main(ctx, args, &Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr})
	res.stdout, res.stderr, res.relayLog = stdout.String(), stderr.String(), relayLog.String()
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("run %v: exit %d, no results file: %v\nstderr: %s", args, res.code, err, thTail(res.stderr, 2000))
	}
	if err := json.Unmarshal(b, &res.sum); err != nil {
		t.Fatalf("results %s: %v", out, err)
	}
	if res.check("events.delivered") == nil {
		t.Fatalf("cioharness run produced no conformance checks (only %q)", res.failedOrAll())
	}
	return res
}

// thFreeAddr returns a loopback address with a port that was free just now.
func thFreeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// thStartMock runs `cioharness mock` in process until the test ends.
func thStartMock(t *testing.T, addr string, faults []string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	args := []string{"mock", "--addr", addr, "--time-scale", "3600"}
	for _, f := range faults {
		args = append(args, "--fault", f)
	}
	var logs thBuffer
	var code int
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		code = Main(ctx, args, &Env{Stdin: strings.NewReader(""), Stdout: &logs, Stderr: &logs})
	}()
	t.Cleanup(func() { cancel(); <-exited })
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/__mock/stats")
		if err == nil {
			resp.Body.Close()
			return
		}
		select {
		case <-exited:
			t.Fatalf("cioharness mock exited %d: %s", code, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("cioharness mock did not come up on %s: %s", addr, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// thRelayBinary builds testdata/relay into dir (one build per top-level test;
// the build cache makes the later ones a link step).
func thRelayBinary(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "relay")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	cmd := exec.Command("go", "build", "-o", path, "../../testdata/relay")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./testdata/relay: %v\n%s", err, out)
	}
	return path
}

// thStartRelay starts the relay binary and returns its URL (its first
// stdout line) and its log. It is stopped with SIGINT, which drains it.
func thStartRelay(t *testing.T, bin string, args ...string) (string, *thBuffer) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	logs := &thBuffer{}
	cmd.Stderr = logs
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("relay %v printed no URL: %v\n%s", args, err, logs.String())
	}
	return strings.TrimSpace(line), logs
}

// thBuffer is a bytes.Buffer safe for concurrent writers.
type thBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *thBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *thBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
