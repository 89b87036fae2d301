package main

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/cioharness/cioharness/verify"
)

// TestRunVerifiesCleanTraffic runs the default d2c mix through the embedded
// mock at seeds 1 to 5 (compressed: 40 journeys at time scale 1200, so that a
// seed takes about ten seconds) and expects every conformance check with zero
// failures and exit code 0.
func TestRunVerifiesCleanTraffic(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time runs")
	}
	t.Parallel()
	for seed := 1; seed <= 5; seed++ {
		t.Run("seed "+strconv.Itoa(seed), func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "results.json")
			code, _, stderr := runCLI(t, "run", "--seed", strconv.Itoa(seed), "-n", "40", "-r", "20/s",
				"--time-scale", "1200", "-q", "--no-progress", "-o", out)
			sum := mustLoadSummary(t, out)
			if code == ExitInvalid {
				t.Skipf("the harness fell behind on this machine (exit 5): %v", sum.Harness.Problems)
			}
			if code != ExitOK {
				t.Errorf("exit %d, want 0; verdict %+v; stderr:\n%s", code, sum.Verdict, stderr)
			}
			names := map[string]bool{}
			for _, c := range sum.Checks {
				names[c.Name] = true
				if !c.Passed || c.Failed != 0 {
					t.Errorf("%s: failed %d, note %q, examples %+v", c.Name, c.Failed, c.Note, c.Examples)
				}
			}
			for _, want := range append([]string{verify.CheckAnonymousMerge, verify.CheckCrossContamination,
				verify.CheckDuplicateProfiles, verify.CheckPrimaryID, verify.CheckDelivered, verify.CheckDuplicated,
				verify.CheckProperties, verify.CheckTimestamps, verify.CheckOrder, verify.CheckAttributes,
				verify.CheckNoSendAfterBuy, verify.CheckSendsToAbandoners, verify.CheckMessageContent,
				verify.CheckSegmentsTruth, verify.CheckHarnessValidity}, verify.ContractRules...) {
				if !names[want] {
					t.Errorf("no check %s in the results", want)
				}
			}
			if sum.Delivery.Delivered == 0 || sum.Delivery.NeverDelivered != 0 || sum.Suppression.Purchases == 0 {
				t.Errorf("delivery %+v suppression %+v: want events delivered, none lost, purchases timed",
					sum.Delivery.DeliveryMS, sum.Suppression)
			}
		})
	}
}

// TestRunExitsOneWhenACheckFails gives the run a tracking plan that requires
// a property no shopper sends: contract.required_properties fails with
// evidence and the run exits 1.
func TestRunExitsOneWhenACheckFails(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	plan := filepath.Join(dir, "plan.yaml")
	if err := os.WriteFile(plan, []byte("name: strict\nunknown_events: allow\nevents:\n  - name: Viewed Product\n    properties:\n      gift_wrap: {type: boolean, required: true}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "results.json")
	code, _, stderr := runCLI(t, "run", "--seed", "3", "-n", "10", "-r", "50/s", "--time-scale", "3600",
		"--contract", plan, "-q", "--no-progress", "-o", out)
	sum := mustLoadSummary(t, out)
	if code == ExitInvalid {
		t.Skipf("the harness fell behind on this machine (exit 5): %v", sum.Harness.Problems)
	}
	if code != ExitCheck {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, ExitCheck, stderr)
	}
	for _, c := range sum.Checks {
		if c.Name == "contract.required_properties" {
			if c.Passed || c.Failed == 0 || len(c.Examples) == 0 || c.Examples[0].Attribute != "gift_wrap" {
				t.Errorf("%+v: want a failure naming gift_wrap", c)
			}
			return
		}
	}
	t.Error("no contract.required_properties check")
}
