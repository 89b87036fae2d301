package main

// End-to-end proof of `through` mode (issue 8): the reference relay in
// testdata/relay sits between `cioharness run` and the mock; the correct
// relay passes every check at several seeds, each --defect fails the checks a
// retention engineer would expect (and only those, plus their documented
// consequences), and under the mock's fault injection the harness tells a
// path that lost data from a path that was only slow.

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
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cioharness/cioharness/report"
)

// Shared run settings: compressed time (one real second is one shopper hour,
// so the 1 h cart delay is 1 s) and a modest number of journeys.
var throughRunArgs = []string{"--time-scale", "3600", "-n", "120", "--rate", "40/s", "-q", "--no-progress"}

// throughCase is one relay configuration and the verdict it must produce.
type throughCase struct {
	defect string   // "" = the correct relay
	relay  []string // extra relay flags
	run    []string // extra run flags
	faults []string // mock --fault rules
	// ownMock runs the mock as its own `cioharness mock` command (run --mock
	// URL) instead of embedding it (run --mock-addr); implied by faults.
	ownMock bool
	must    []string // checks that must fail
	may     []string // checks that may also fail, as consequences of the defect
}

// throughDefects is the defect → checks mapping documented in
// docs/readme/through.md.
var throughDefects = []throughCase{
	// Anonymous carts never reach the person: abandoners get no message, and
	// an anonymous exit event (Added to Cart) no longer stops browse_abandonment.
	{defect: "drop-anonymous-id", must: []string{"identity.anonymous_merge"},
		may: []string{"suppression.sends_to_abandoners", "suppression.no_send_after_purchase", "suppression.message_content",
			"segments.truth", "events.order", "profiles.attributes"}},
	{defect: "key-by-email", must: []string{"identity.primary_id"},
		may: []string{"identity.duplicate_profiles", "identity.anonymous_merge", "identity.cross_contamination", "profiles.attributes", "segments.truth",
			"suppression.sends_to_abandoners", "suppression.no_send_after_purchase", "suppression.message_content", "events.order"}},
	{defect: "string-money", must: []string{"contract.property_types", "events.properties"},
		may: []string{"contract.money", "suppression.message_content"}},
	{defect: "rename-sku", must: []string{"events.properties", "contract.required_properties"},
		may: []string{"suppression.message_content"}},
	{defect: "flush-timestamps", must: []string{"events.timestamps"},
		may: []string{"segments.truth", "suppression.no_send_after_purchase", "suppression.sends_to_abandoners", "events.order"}},
	{defect: "slow-flush", relay: []string{"--slow-flush-interval", "3s"}, run: []string{"--settle", "5s"}, must: []string{"suppression.no_send_after_purchase"},
		may: []string{"events.order", "segments.truth"}},
	// The re-sent copies carry no id, so the verifier can only match them by
	// name: some are compared with another event of the same name, and a
	// copy of an anonymous event that lands after the late-merge window stays
	// under the anonymous id.
	{defect: "retry-new-id", faults: []string{"status=503,p=0.1"}, must: []string{"events.duplicated"},
		may: []string{"events.properties", "events.timestamps", "identity.anonymous_merge", "segments.truth", "contract.duplicate_semantics",
			"suppression.no_send_after_purchase"}},
	{defect: "drop-on-429", faults: []string{"status=429,p=0.1,retry-after=1s"}, must: []string{"events.delivered"},
		may: []string{"identity.anonymous_merge", "identity.primary_id", "identity.duplicate_profiles", "profiles.attributes", "segments.truth",
			"suppression.no_send_after_purchase", "suppression.sends_to_abandoners", "suppression.message_content", "events.order"}},
	{defect: "duplicate-checkout", must: []string{"contract.duplicate_semantics", "contract.event_names"},
		may: []string{"events.duplicated"}},
	// Identify calls race events too: an event keyed by id can land before the
	// identify that carries the email (two profiles), anonymous events after
	// the late-merge window, and another product's view first (wrong content).
	{defect: "reorder", must: []string{"events.order"},
		may: []string{"suppression.no_send_after_purchase", "suppression.sends_to_abandoners", "suppression.message_content",
			"identity.anonymous_merge", "identity.duplicate_profiles", "profiles.attributes", "segments.truth"}},
	{defect: "email-in-events", must: []string{"contract.pii_in_events"},
		may: []string{"events.properties"}},
	{defect: "mixed-money", must: []string{"contract.money", "events.properties"},
		may: []string{"suppression.message_content"}},
}

// slowChecks hinge on timing: in compressed time (1 s = 1 shopper hour) a
// path slowed by retries can push an anonymous event past the 5-minute
// late-merge window (83 ms), a purchase past the cart delay, or reorder
// arrivals. They may fail for a correct but slow path; the others may not.
var slowChecks = []string{"identity.anonymous_merge", "suppression.no_send_after_purchase", "suppression.sends_to_abandoners",
	"suppression.message_content", "events.order", "segments.truth"}

func TestThroughCorrectRelay(t *testing.T) {
	requireThrough(t)
	bin := thRelayBinary(t, t.TempDir())
	for _, seed := range []string{"1", "2", "3"} {
		t.Run("seed"+seed, func(t *testing.T) {
			got := thRun(t, bin, throughCase{}, "--seed", seed)
			t.Logf("checks: %s", got.summary())
			if got.code != ExitOK || len(got.failed()) > 0 {
				t.Errorf("correct relay: exit %d, failed checks %v; want 0 and none\n%s", got.code, got.failed(), got.evidence())
			}
		})
	}
}

func TestThroughDefects(t *testing.T) {
	requireThrough(t)
	bin := thRelayBinary(t, t.TempDir())
	for _, tc := range throughDefects {
		t.Run(tc.defect, func(t *testing.T) {
			got := thRun(t, bin, tc, "--seed", "1")
			t.Logf("%s tripped: %s", tc.defect, got.failedCounts())
			if got.code != ExitCheck {
				t.Errorf("exit code %d; want %d (a check failed)\n%s", got.code, ExitCheck, got.evidence())
			}
			for _, name := range tc.must {
				c := got.check(name)
				switch {
				case c == nil:
					t.Errorf("check %s missing from the results", name)
				case c.Passed:
					t.Errorf("check %s passed; the defect should fail it", name)
				case len(c.Examples) == 0:
					t.Errorf("check %s failed without examples", name)
				}
			}
			for _, name := range got.failed() {
				if !slices.Contains(tc.must, name) && !slices.Contains(tc.may, name) {
					t.Errorf("check %s failed too; %s should not trip it\n%s", name, tc.defect, got.evidence())
				}
			}
		})
	}
}

// TestThroughFaults runs the relay against a mock that answers 503s, 429s
// with Retry-After and slow responses, and shows that the harness tells a
// slow path from a lossy one. The correct relay (with enough workers and
// settle time to drain its retries) loses and doubles nothing: the data
// checks pass and only delivery time grows, compared with a run without
// faults; checks that hinge on timing in compressed time (late merges,
// campaign due times, order) may fail, which is how slowness shows. The same
// relay with drop-on-429 under the same faults fails events.delivered.
func TestThroughFaults(t *testing.T) {
	requireThrough(t)
	bin := thRelayBinary(t, t.TempDir())
	faults := []string{"status=503,p=0.05", "status=429,p=0.05,retry-after=1s", "latency=10ms-100ms"}
	drain := []string{"--settle", "15s"}
	relay := []string{"--workers", "32"}
	base := thRun(t, bin, throughCase{ownMock: true, relay: relay}, "--seed", "4")
	slow := thRun(t, bin, throughCase{faults: faults, relay: relay, run: drain}, "--seed", "4")
	for _, name := range slow.failed() {
		if !slices.Contains(slowChecks, name) {
			t.Errorf("under faults the correct relay failed %s: data was lost or changed\n%s", name, slow.evidence())
		}
	}
	for _, name := range []string{"events.delivered", "events.duplicated", "events.properties", "profiles.attributes"} {
		if c := slow.check(name); c == nil || !c.Passed {
			t.Errorf("under faults %s did not pass for the correct relay\n%s", name, slow.evidence())
		}
	}
	b, f := base.sum.Delivery.DeliveryMS.P99, slow.sum.Delivery.DeliveryMS.P99
	if !(f > 2*b) {
		t.Errorf("delivery p99 %.1f ms under faults, %.1f ms without; want it clearly slower under faults", f, b)
	}
	t.Logf("delivery p99: %.1f ms without faults, %.1f ms with (ratio %.1f); timing checks failed under faults: %v",
		b, f, f/max(b, 1e-9), slow.failed())
	lossy := thRun(t, bin, throughCase{defect: "drop-on-429", faults: faults, relay: relay, run: drain}, "--seed", "4")
	if c := lossy.check("events.delivered"); c == nil || c.Passed {
		t.Errorf("drop-on-429 under the same faults: events.delivered passed; want it failed\n%s", lossy.evidence())
	}
}

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

// requireThrough skips until `cioharness run` with --target and the verifier
// exist, saying which part is missing.
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
		t.Skip("cioharness run is not implemented yet (issues 4 and 6): through-mode e2e tests are waiting for it")
	case !strings.Contains(usage, "--target") || !strings.Contains(usage, "--mock-addr"):
		t.Skip("cioharness run has no --target/--mock-addr yet: through-mode e2e tests are waiting for them")
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
		t.Skipf("cioharness run produced no conformance checks (only %q): the verifier (issue 6) is not wired into run yet", res.failedOrAll())
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
