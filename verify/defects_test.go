package verify

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cioharness/cioharness/cio"
	"github.com/cioharness/cioharness/scenarios"
)

// pickEvent returns the first ledger event (and its person) that ok accepts.
func pickEvent(led *scenarios.Ledger, ok func(e *scenarios.Expected, ev *scenarios.ExpectedEvent) bool) (*scenarios.Expected, *scenarios.ExpectedEvent) {
	for _, e := range led.People() {
		for i := range e.Events {
			if ev := &e.Events[i]; ok(e, ev) {
				return e, ev
			}
		}
	}
	return nil, nil
}

// direct accepts an event sent by an identified shopper during the run.
func direct(name string) func(*scenarios.Expected, *scenarios.ExpectedEvent) bool {
	return func(e *scenarios.Expected, ev *scenarios.ExpectedEvent) bool {
		return ev.Name == name && ev.Via == scenarios.ViaDirect && ev.Offset >= 0 && e.ID != ""
	}
}

// pickOutcome returns the first outcome of campaign that ok accepts.
func pickOutcome(led *scenarios.Ledger, campaign string, ok func(e *scenarios.Expected, o *scenarios.Outcome) bool) (*scenarios.Expected, *scenarios.Outcome) {
	for _, e := range led.People() {
		for i := range e.Campaigns {
			if o := &e.Campaigns[i]; o.Campaign == campaign && ok(e, o) {
				return e, o
			}
		}
	}
	return nil, nil
}

// editData rewrites a call's JSON data.
func editData(c *cio.Call, fn func(m map[string]any)) {
	m := map[string]any{}
	_ = json.Unmarshal(c.Data, &m)
	fn(m)
	c.Data, _ = json.Marshal(m)
}

// newID derives a distinct id of the same shape.
func newID(id string) string {
	last := id[len(id)-1]
	if last == '0' {
		return id[:len(id)-1] + "1"
	}
	return id[:len(id)-1] + "0"
}

// onEvent applies fn to the sends of the event with id.
func onEvent(id string, fn func(s send) []send) twist {
	return func(_ *scenarios.Record, s send) []send {
		if s.call.ID == id && s.call.Kind.IsEvent() {
			return fn(s)
		}
		return []send{s}
	}
}

func editEvent(id string, fn func(c *cio.Call)) twist {
	return onEvent(id, func(s send) []send { fn(&s.call); return []send{s} })
}

type defect struct {
	name  string
	check string
	mk    func(led *scenarios.Ledger) twist // nil when the traffic has no target
	want  string                            // a phrase the first example must contain
}

// TestEachCheckFailsOnDefectiveTraffic feeds the mock the generated d2c
// traffic with one defect per run (all runs at once: they mostly sleep) and
// expects the check the defect breaks to fail with an example naming the
// shopper, what was expected and what the mock holds.
func TestEachCheckFailsOnDefectiveTraffic(t *testing.T) {
	t.Parallel()
	for _, d := range defects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			sum := runTraffic(t, 1, 40, d.mk).verifyHTTP(t)
			c := checkOf(sum, d.check)
			if c == nil {
				t.Fatalf("no check %s", d.check)
			}
			if c.Passed || c.Failed == 0 || len(c.Examples) == 0 {
				t.Fatalf("%s: passed=%v failed=%d examples=%d, want a failure with evidence (note %q)", d.check, c.Passed, c.Failed, len(c.Examples), c.Note)
			}
			ex := c.Examples[0]
			got := ex.Shopper + " | " + ex.Event + " | " + ex.Attribute + " | " + ex.Expected + " | " + ex.Actual
			if ex.Shopper == "" || ex.Expected == "" || ex.Actual == "" || !strings.Contains(got, d.want) {
				t.Errorf("example %q: want shopper, expected, actual and %q", got, d.want)
			}
		})
	}
}
