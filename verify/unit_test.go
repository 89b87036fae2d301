package verify

import (
	"strings"
	"testing"

	"github.com/cioharness/cioharness/cio"
	"github.com/cioharness/cioharness/mockcio"
	"github.com/cioharness/cioharness/report"
	"github.com/cioharness/cioharness/scenarios"
)

func TestDiffJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		want, got string
		diffs     []string
	}{
		{"equal with other key order and number spelling", `{"a":1,"b":{"c":[1,2]}}`, `{"b":{"c":[1.0,2]},"a":1e0}`, nil},
		{"lost", `{"sku":"S1","price":10}`, `{"price":10}`, []string{`lost sku ("S1")`}},
		{"renamed", `{"sku":"S1"}`, `{"product_sku":"S1"}`, []string{"renamed sku -> product_sku"}},
		{"truncated", `{"name":"Blue Shirt"}`, `{"name":"Blue"}`, []string{`truncated name: "Blue Shirt" -> "Blue"`}},
		{"re-typed", `{"value":10}`, `{"value":"10"}`, []string{`re-typed value: number 10 -> string "10"`}},
		{"changed in an array", `{"items":[{"q":1}]}`, `{"items":[{"q":2}]}`, []string{"changed items[0].q: 1 -> 2"}},
		{"added", `{}`, `{"email":"a@b.c"}`, []string{`added email ("a@b.c")`}},
		{"empty data is an empty object", ``, `{}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := decodeJSON([]byte(tt.want))
			if err != nil {
				t.Fatal(err)
			}
			g, err := decodeJSON([]byte(tt.got))
			if err != nil {
				t.Fatal(err)
			}
			if got := diffJSON(w, g); strings.Join(got, "|") != strings.Join(tt.diffs, "|") {
				t.Errorf("got %q, want %q", got, tt.diffs)
			}
		})
	}
}

// TestEmptyRunSaysSo: with nothing sent, no check passes silently.
func TestEmptyRunSaysSo(t *testing.T) {
	t.Parallel()
	srv, _, clk, err := newMock(testScale, testEpoch)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	sum := report.New()
	if err := Run(t.Context(), srv, scenarios.NewLedger(), sum, Options{Now: clk.now}); err != nil {
		t.Fatal(err)
	}
	for _, c := range sum.Checks {
		if !strings.HasPrefix(c.Note, NotApplicable) {
			t.Errorf("%s: note %q, want it to start with %q", c.Name, c.Note, NotApplicable)
		}
	}
	if c := checkOf(sum, CheckDelivered); c == nil || c.Passed {
		t.Errorf("%s on an empty run: %+v, want a failure", CheckDelivered, c)
	}
	if len(sum.Warnings) == 0 {
		t.Error("no warning about checks with nothing to check")
	}
	sum.Finish(nil)
	if sum.Verdict.ExitCode != 1 {
		t.Errorf("verdict %+v, want exit code 1", sum.Verdict)
	}
}

// TestHarnessValidity: the load engine's figures decide harness.validity.
func TestHarnessValidity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		h        report.Harness
		passed   bool
		exitCode int
	}{
		{"kept up", report.Harness{PlannedRate: 10, AchievedRate: 9.9, Steps: 1000, LateSteps: 2}, true, 0},
		{"fell behind", report.Harness{PlannedRate: 10, AchievedRate: 5, Steps: 1000, LateSteps: 200}, false, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := runTraffic(t, 2, 10, nil)
			sum := report.New()
			sum.Harness = tt.h // the load engine fills it before verification
			if _, err := tr.verifyInto(sum); err != nil {
				t.Fatal(err)
			}
			sum.Finish(nil)
			c := checkOf(sum, CheckHarnessValidity)
			if c == nil || c.Passed != tt.passed || sum.Verdict.ExitCode != tt.exitCode {
				t.Fatalf("check %+v verdict %+v, want passed=%v exit %d", c, sum.Verdict, tt.passed, tt.exitCode)
			}
			if !tt.passed && len(c.Examples) == 0 {
				t.Error("no example for an invalid run")
			}
		})
	}
}

// TestCleanTrafficPassesEveryAPI: Track v1 (second-resolution timestamps)
// and Track v2 carry the same traffic without a failed check.
func TestCleanTrafficPassesEveryAPI(t *testing.T) {
	t.Parallel()
	for _, api := range []cio.API{cio.APITrack, cio.APITrackV2} {
		t.Run(api.String(), func(t *testing.T) {
			t.Parallel()
			tr, err := startTraffic(3, 40, testScale, api, nil, testSettle)
			if tr != nil {
				defer tr.srv.Close()
			}
			if err != nil {
				t.Fatal(err)
			}
			sum := tr.verifyHTTP(t)
			for _, c := range sum.Checks {
				if !c.Passed {
					t.Errorf("%s: failed=%d note=%q examples=%+v", c.Name, c.Failed, c.Note, c.Examples)
				}
			}
		})
	}
}

// TestInProcessAndHTTPAgree: the same mock read in process and over HTTP
// gives the same checks.
func TestInProcessAndHTTPAgree(t *testing.T) {
	t.Parallel()
	tr := runTraffic(t, 4, 30, nil)
	viaHTTP := tr.verifyHTTP(t)
	inProc := report.New()
	if err := Run(t.Context(), mockcio.Inspector(tr.srv), tr.led, inProc, Options{Now: tr.clock.now}); err != nil {
		t.Fatal(err)
	}
	if got, want := len(inProc.Checks), len(viaHTTP.Checks); got != want {
		t.Fatalf("in process %d checks, over HTTP %d", got, want)
	}
	for i := range inProc.Checks {
		a, b := inProc.Checks[i], viaHTTP.Checks[i]
		if a.Name != b.Name || a.Expected != b.Expected || a.Observed != b.Observed || a.Failed != b.Failed {
			t.Errorf("in process %+v, over HTTP %+v", a, b)
		}
	}
}
