package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cioharness/cioharness/cio"
	"github.com/cioharness/cioharness/mockcio"
	"github.com/cioharness/cioharness/scenarios"
)

// observed is what a run through the relay left in the mock, reduced to the
// figures each defect moves. It is compared with a control run of the
// correct relay over the same journeys, not with hand-counted values.
type observed struct {
	violations map[string]int64 // the mock's contract violations by rule
	events     int              // events stored, on people and under anonymous ids
	anonymous  int              // events still under an anonymous id (never merged)
	noID       int              // people without an external id
	duplicated int              // events stored twice on one person
	skewed     int              // events whose timestamp is over 1 s from the shopper's action
}

// TestDefectsAtTheMock drives generated d2c journeys through the relay into
// the real mock, once with the correct relay and once per defect, and checks
// that each defect moves the figure a user would look at, in the mock's own
// state and contract violations. (slow-flush and reorder are about timing and
// campaign outcomes; their unit tests and the end-to-end run cover them.)
func TestDefectsAtTheMock(t *testing.T) {
	t.Parallel()
	journeys := genJourneys(t, 3, 20)
	control := runThrough(t, journeys, "", "")
	t.Run("control", func(t *testing.T) {
		var total int64
		for _, n := range control.violations {
			total += n
		}
		if total != 0 || control.duplicated != 0 || control.skewed != 0 {
			t.Errorf("correct relay: %d contract violations %v, %d duplicated, %d skewed; want none",
				total, control.violations, control.duplicated, control.skewed)
		}
		if control.events == 0 || control.anonymous >= control.events {
			t.Errorf("correct relay stored %d events, %d still anonymous: the journeys did not merge", control.events, control.anonymous)
		}
	})
	t.Run("control under faults", func(t *testing.T) {
		for _, f := range []string{"status=503,p=0.1", "status=429,p=0.1"} {
			got := runThrough(t, journeys, "", f)
			if got.events != control.events || got.duplicated != 0 || got.anonymous != control.anonymous {
				t.Errorf("%s: %d events (%d anonymous, %d duplicated); want %d (%d anonymous, 0 duplicated)",
					f, got.events, got.anonymous, got.duplicated, control.events, control.anonymous)
			}
		}
	})
	cases := atMockCases()
	runs := map[string]observed{} // one run per defect, shared by its figures
	for _, tc := range cases {
		if _, ok := runs[tc.defect]; !ok {
			runs[tc.defect] = runThrough(t, journeys, tc.defect, tc.fault)
		}
	}
	for _, tc := range cases {
		t.Run(tc.defect+"/"+tc.what, func(t *testing.T) {
			got := runs[tc.defect]
			want, have := tc.figure(control), tc.figure(got)
			if (tc.less && have >= want) || (!tc.less && have <= want) {
				t.Errorf("%s: %d with the defect, %d with the correct relay; want it %s", tc.what, have, want,
					map[bool]string{true: "lower", false: "higher"}[tc.less])
			}
		})
	}
}

// atMockCase is a defect, the mock fault it needs, and the figure it moves.
type atMockCase struct {
	defect, fault, what string
	figure              func(observed) int64
	less                bool // the defect lowers the figure
}

func atMockCases() []atMockCase {
	const faults503, faults429 = "status=503,p=0.1", "status=429,p=0.1"
	rule := func(r string) func(o observed) int64 { return func(o observed) int64 { return o.violations[r] } }
	return []atMockCase{
		{defDropAnonymousID, "", "events left anonymous", func(o observed) int64 { return int64(o.anonymous) }, false},
		{defKeyByEmail, "", "people without an external id", func(o observed) int64 { return int64(o.noID) }, false},
		{defStringMoney, "", "contract.property_types", rule(mockcio.RulePropertyTypes), false},
		{defRenameSKU, "", "contract.required_properties", rule(mockcio.RuleRequiredProperties), false},
		{defFlushTimestamps, "", "events with a skewed timestamp", func(o observed) int64 { return int64(o.skewed) }, false},
		{defRetryNewID, faults503, "events stored twice", func(o observed) int64 { return int64(o.duplicated) }, false},
		{defDropOn429, faults429, "events stored", func(o observed) int64 { return int64(o.events) }, true},
		{defDuplicateCheckout, "", "contract.duplicate_semantics", rule(mockcio.RuleDuplicateSemantics), false},
		{defDuplicateCheckout, "", "contract.event_names", rule(mockcio.RuleEventNames), false},
		{defEmailInEvents, "", "contract.pii_in_events", rule(mockcio.RulePIIInEvents), false},
		{defMixedMoney, "", "contract.money", rule(mockcio.RuleMoney), false},
	}
}

// runThrough sends the journeys through a relay with defect (may be "") into
// a fresh mock with fault (may be "") and observes the mock.
func runThrough(t *testing.T, journeys []*scenarios.Journey, defect, fault string) observed {
	t.Helper()
	opts := mockcio.Options{TimeScale: 60}
	if fault != "" {
		r, err := mockcio.ParseFaultRule(fault)
		if err != nil {
			t.Fatal(err)
		}
		opts.Faults = mockcio.NewFaults(1, []mockcio.FaultRule{r})
	}
	mock, err := mockcio.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer mock.Close()
	tr := startRelay(t, nil, func(c *config) {
		c.Upstream, c.BatchSize, c.FlushInterval, c.MaxRetries = mock.URL, 10, 10*time.Millisecond, 20
		if defect != "" {
			c.Defects = map[string]bool{defect: true}
		}
	})
	for _, j := range journeys {
		for _, st := range j.Steps {
			req, err := cio.Encode(cio.APIPipelines, &st.Call)
			if err != nil {
				t.Fatal(err)
			}
			tr.mustPost(t, req.Path, string(req.Body))
		}
	}
	tr.drain(t)
	return observe(t, mock, journeys)
}

func observe(t *testing.T, mock *mockcio.Server, journeys []*scenarios.Journey) observed {
	t.Helper()
	ctx := context.Background()
	sent := map[string]time.Time{} // event id → shopper's action time
	for _, j := range journeys {
		for _, st := range j.Steps {
			if st.Call.ID != "" {
				sent[st.Call.ID] = st.Call.Timestamp
			}
		}
	}
	o := observed{violations: map[string]int64{}}
	vs, err := mock.Violations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		o.violations[v.Rule] += v.Count
	}
	countEvents := func(evs []mockcio.EventView) {
		seen := map[string]string{} // content → event id
		for _, e := range evs {
			o.events++
			// Two events with the same content are one event stored twice
			// when they share an id or one has none (the shopper's events
			// all carry distinct ids).
			key := fmt.Sprintf("%s|%d|%s", e.Name, e.Timestamp.Unix(), canonJSON(e.Data))
			if id, ok := seen[key]; ok && (id == e.ID || id == "" || e.ID == "") {
				o.duplicated++
			}
			seen[key] = e.ID
			if at, ok := sent[e.ID]; ok && e.Timestamp.Sub(at).Abs() >= time.Second {
				o.skewed++
			}
		}
	}
	mock.EachPerson(func(p *mockcio.PersonView) bool {
		if p.ID == "" {
			o.noID++
		}
		countEvents(p.Events)
		return true
	})
	for _, j := range journeys {
		for _, d := range j.Shopper.Devices {
			if a, ok, _ := mock.Anonymous(ctx, d.AnonymousID); ok {
				o.anonymous += len(a.Events)
				countEvents(a.Events)
			}
		}
	}
	return o
}
