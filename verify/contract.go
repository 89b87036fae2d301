package verify

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cioharness/cioharness/mockcio"
	"github.com/cioharness/cioharness/report"
)

// ContractRules are the contract checks, named after the mock's rules.
var ContractRules = []string{mockcio.RuleEventNames, mockcio.RulePropertyTypes, mockcio.RuleRequiredProperties,
	mockcio.RuleDuplicateSemantics, mockcio.RulePIIInEvents, mockcio.RuleMoney}

// contractMeaning says what each rule wants, for examples.
var contractMeaning = map[string]string{
	mockcio.RuleEventNames:         "the canonical event name",
	mockcio.RulePropertyTypes:      "the type the plan gives",
	mockcio.RuleRequiredProperties: "every required property",
	mockcio.RuleDuplicateSemantics: "one name per behaviour",
	mockcio.RulePIIInEvents:        "no PII key in event data",
	mockcio.RuleMoney:              "the plan's money convention",
}

// checkContract turns the mock's violations into one check per rule (and one
// for any rule the mock reports beyond those), and lists them in the Summary.
func (v *verifier) checkContract() []report.Check {
	byRule := map[string]*mockcio.ViolationView{}
	rules := append([]string(nil), ContractRules...)
	for i := range v.obs.Violations {
		vv := &v.obs.Violations[i]
		if _, known := byRule[vv.Rule]; !known && !contains(ContractRules, vv.Rule) {
			rules = append(rules, vv.Rule)
		}
		byRule[vv.Rule] = vv
	}
	checked := v.obs.Stats.Events + v.obs.Stats.AnonymousEvents
	scope := ""
	if v.opt.sharded() {
		scope = report.ScopeMock // every shard reads the same mock-wide figures
	}
	var out []report.Check
	for _, rule := range rules {
		t := newTally(rule, "the mock has no tracking plan")
		if v.obs.Config.Plan == nil && byRule[rule] == nil {
			c := t.done()
			c.Scope = scope
			out = append(out, c)
			continue
		}
		vv := byRule[rule]
		c := report.Check{Name: rule, Expected: max(checked, 0), Scope: scope}
		if vv != nil {
			c.Failed = vv.Count
			c.Expected = max(c.Expected, vv.Count)
			c.Examples = v.contractExamples(vv)
			for _, g := range vv.Groups {
				v.sum.Violations = append(v.sum.Violations, report.Violation{Rule: rule, Event: g.Event,
					Property: g.Property, Count: g.Count, Samples: rawStrings(g.Samples), Scope: c.Scope})
			}
		}
		c.Observed = c.Expected - c.Failed
		c.Passed = c.Failed == 0
		switch {
		case c.Expected == 0:
			c.Note = NotApplicable + " (no event reached the mock)"
		case c.Failed > 0:
			c.Note = fmt.Sprintf("%d violations over the %d events the mock checked against the plan", c.Failed, checked)
		}
		if c.Scope == report.ScopeMock {
			c.Note = strings.TrimPrefix(c.Note+"; mock-wide: covers every shard's traffic", "; ")
		}
		out = append(out, c)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func rawStrings(rs []json.RawMessage) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}

// sample is the part of a mock violation sample an example shows.
type sample struct {
	Person      string          `json:"person"`
	AnonymousID string          `json:"anonymous_id"`
	Event       string          `json:"event"`
	Property    string          `json:"property"`
	Message     string          `json:"message"`
	Value       json.RawMessage `json:"value"`
}

// contractExamples takes up to MaxExamples samples across the rule's groups.
func (v *verifier) contractExamples(vv *mockcio.ViolationView) []report.Example {
	var out []report.Example
	add := func(raw json.RawMessage, ev, prop string) {
		var s sample
		_ = json.Unmarshal(raw, &s)
		who := "anonymous id " + s.AnonymousID
		if ls := v.x.byAnonID[s.AnonymousID]; s.AnonymousID != "" && len(ls) > 0 {
			who = shopperOf(ls[0]) + " (anonymous id " + s.AnonymousID + ")"
		}
		if h := v.x.mockByCio[s.Person]; h != nil {
			who = h.name()
			if h.owner != nil {
				who = h.owner.Key()
			}
		} else if s.Person != "" {
			who = "person cio_" + s.Person
		}
		ex := report.Example{Shopper: who, Event: firstNonEmpty(s.Event, ev), Attribute: firstNonEmpty(s.Property, prop),
			Expected: contractMeaning[vv.Rule], Actual: s.Message}
		if len(s.Value) > 0 {
			ex.Actual += " (value " + clip(string(s.Value), 80) + ")"
		}
		out = append(out, ex)
	}
	for _, g := range vv.Groups {
		for _, raw := range g.Samples {
			if len(out) < report.MaxExamples {
				add(raw, g.Event, g.Property)
			}
		}
	}
	if len(vv.Groups) == 0 {
		for _, raw := range vv.Samples {
			if len(out) < report.MaxExamples {
				add(raw, "", "")
			}
		}
	}
	return out
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
