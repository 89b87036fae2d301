package main

// End-to-end proof of `through` mode (issue 8): the reference relay in
// testdata/relay sits between `cioharness run` and the mock; the correct
// relay passes every check at several seeds, each --defect fails the checks a
// retention engineer would expect (and only those, plus their documented
// consequences), and under the mock's fault injection the harness tells a
// path that lost data from a path that was only slow.

import (
	"slices"
	"testing"
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
// README.md ("Through an ingestion path").
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

// TestThroughCorrectRelay: the correct relay passes every check, forwarding
// to Track v1 at three seeds and to Track v2 (batches) at one.
func TestThroughCorrectRelay(t *testing.T) {
	requireThrough(t)
	bin := thRelayBinary(t, t.TempDir())
	cases := []struct {
		name, seed string
		relay      []string
	}{
		{"track/seed1", "1", nil},
		{"track/seed2", "2", nil},
		{"track/seed3", "3", nil},
		{"track-v2/seed5", "5", []string{"--upstream-api", "track-v2"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := thRun(t, bin, throughCase{relay: tc.relay}, "--seed", tc.seed)
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
