package mockcio

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/cioharness/cioharness/cio"
)

// Contract rule names, matching the checks of SPEC.md §8.
const (
	RuleEventNames         = "contract.event_names"
	RulePropertyTypes      = "contract.property_types"
	RuleRequiredProperties = "contract.required_properties"
	RuleDuplicateSemantics = "contract.duplicate_semantics"
	RulePIIInEvents        = "contract.pii_in_events"
	RuleMoney              = "contract.money"
)

// identifyEvent labels attribute violations, which belong to no event.
const identifyEvent = "(identify)"

// checker is a compiled Plan. It is immutable; the mutable state (violations,
// duplicate tracking) is passed in.
type checker struct {
	plan        *Plan
	events      map[string]*EventSpec // canonical name → spec
	aliases     map[string]string     // alias → canonical name
	pii         map[string]bool       // normalized PII keys
	money       *MoneySpec            // with defaults; nil: no money rule
	amounts     map[string]bool
	pairs       map[string][]int    // event name → indexes into plan.Duplicates
	props       map[string]*propSet // canonical event name → compiled properties
	schemas     map[string]*jsonschema.Schema
	attrs       *propSet
	flagUnknown bool
}

func compilePlan(p *Plan) *checker {
	c := &checker{
		plan: p, events: map[string]*EventSpec{}, aliases: map[string]string{},
		pii: map[string]bool{}, amounts: map[string]bool{}, pairs: map[string][]int{},
		props: map[string]*propSet{}, attrs: compileProps(p.Attributes), schemas: map[string]*jsonschema.Schema{},
		flagUnknown: p.UnknownEvents != "allow",
	}
	for i := range p.Events {
		e := &p.Events[i]
		c.events[e.Name] = e
		c.props[e.Name] = compileProps(e.Properties)
		if e.Schema != nil {
			if sch, err := compileSchema(e.Name, e.Schema); err == nil { // Validate compiled it already
				c.schemas[e.Name] = sch
			}
		}
		for _, a := range e.Aliases {
			c.aliases[a] = e.Name
		}
	}
	for _, k := range p.PIIKeys {
		c.pii[normalizeKey(k)] = true
	}
	if p.Money != nil {
		m := *p.Money
		m.Currency = orDefault(m.Currency, "currency")
		m.Total = orDefault(m.Total, "value")
		m.Items = orDefault(m.Items, "items")
		m.Quantity = orDefault(m.Quantity, "quantity")
		c.money = &m
		for _, a := range m.Amounts {
			c.amounts[a] = true
		}
	}
	for i, d := range p.Duplicates {
		for _, n := range d.Events {
			c.pairs[n] = append(c.pairs[n], i)
		}
	}
	return c
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// normalizeKey folds case, '_', '-' and spaces, so firstName, first_name and
// First-Name are one key.
func normalizeKey(k string) string {
	b := make([]byte, 0, len(k))
	return string(appendNormalized(b, []byte(k)))
}

func appendNormalized(b []byte, k []byte) []byte {
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c == '_' || c == '-' || c == ' ':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// isPII looks k up without allocating.
func (c *checker) isPII(k []byte) bool {
	var buf [64]byte
	return c.pii[string(appendNormalized(buf[:0], k))]
}

// finding is one violation found while checking a call.
type finding struct {
	rule, event, property, msg string
	value                      json.RawMessage
}

// propSet is a compiled PropertyMap.
type propSet struct {
	byName   map[string]*propRule
	required []string
}

type propRule struct {
	spec  *PropertySpec
	items *propRule
	props *propSet
}

func compileProps(m PropertyMap) *propSet {
	if len(m) == 0 {
		return nil
	}
	ps := &propSet{byName: map[string]*propRule{}}
	for name, spec := range m {
		ps.byName[name] = compileRule(spec)
		if spec.Required {
			ps.required = append(ps.required, name)
		}
	}
	slices.Sort(ps.required)
	return ps
}

func compileRule(s *PropertySpec) *propRule {
	r := &propRule{spec: s, props: compileProps(s.Properties)}
	if s.Items != nil {
		r.items = compileRule(s.Items)
	}
	return r
}

// checkEvent checks one accepted event's name, properties, PII and money.
func (c *checker) checkEvent(ev *EventView, out []finding) []finding {
	var props *propSet
	if ev.Type == "event" || ev.Type == "" {
		spec, ok := c.events[ev.Name]
		if !ok {
			if canon, isAlias := c.aliases[ev.Name]; isAlias {
				out = append(out, finding{RuleEventNames, ev.Name, "", fmt.Sprintf("alias of %q: send the canonical name", canon), nil})
				spec = c.events[canon]
			} else if c.flagUnknown {
				out = append(out, finding{RuleEventNames, ev.Name, "", "event not in the tracking plan", nil})
			}
		}
		if spec != nil {
			props = c.props[spec.Name]
			if sch := c.schemas[spec.Name]; sch != nil {
				out = checkSchema(ev.Name, sch, ev.Data, out)
			}
		}
	}
	out = c.walkObject(ev.Name, "", props, ev.Data, 0, out)
	if c.money != nil {
		out = c.checkMoney(ev.Name, ev.Data, out)
	}
	return out
}

// checkAttributes checks an identify's attributes against the plan's types.
func (c *checker) checkAttributes(attrs map[string]json.RawMessage, out []finding) []finding {
	if c.attrs == nil {
		return out
	}
	noPII := *c // PII keys are fine in a profile: only event data must not hold them
	noPII.pii = nil
	for name, raw := range attrs {
		r := c.attrs.byName[name]
		if r == nil || rawNull(raw) {
			continue
		}
		out = noPII.checkValue(identifyEvent, name, nil, r, raw, 0, out)
	}
	return out
}

// walkObject visits each member of an object once: PII keys, the rules of
// props, and (below depth 4) PII inside nested values; then reports the
// required properties that were missing.
func (c *checker) walkObject(event, prefix string, props *propSet, raw []byte, depth int, out []finding) []finding {
	present := 0
	cio.EachMember(raw, func(k, v []byte) {
		if len(c.pii) > 0 && c.isPII(k) {
			out = append(out, finding{RulePIIInEvents, event, prefix + cio.MemberKey(k), "PII key in event data", nil})
			return
		}
		var r *propRule
		if props != nil {
			r = props.byName[string(k)]
		}
		switch {
		case r != nil && !rawNull(v):
			if r.spec.Required {
				present++
			}
			out = c.checkValue(event, prefix, k, r, v, depth, out)
		case depth < 4 && len(c.pii) > 0 && len(v) > 0 && (v[0] == '{' || v[0] == '['):
			out = c.checkValue(event, prefix, k, nil, v, depth, out)
		}
	})
	if props != nil && present < len(props.required) {
		for _, name := range props.required {
			if v, ok := cio.MemberValue(raw, name); !ok || rawNull(v) {
				out = append(out, finding{RuleRequiredProperties, event, prefix + name, "required property missing", nil})
			}
		}
	}
	return out
}

// checkValue checks one present value against its rule (nil: PII only),
// recursing into arrays and objects. Its path is prefix + key, built only
// when needed: a valid call allocates no path strings for scalar members.
func (c *checker) checkValue(event, prefix string, key []byte, r *propRule, raw []byte, depth int, out []finding) []finding {
	if r != nil && !typeOK(r.spec.Type, raw) {
		return append(out, finding{RulePropertyTypes, event, prefix + cio.MemberKey(key),
			fmt.Sprintf("want %s, got %s", r.spec.Type, jsonKind(raw)), clip(raw)})
	}
	switch raw[0] {
	case '[':
		var items *propRule
		if r != nil {
			items = r.items
		}
		if items == nil && (len(c.pii) == 0 || depth >= 4) {
			return out
		}
		elemPath := prefix + cio.MemberKey(key) + "[]"
		cio.EachElem(raw, func(el []byte) {
			if !rawNull(el) {
				out = c.checkValue(event, elemPath, nil, items, el, depth+1, out)
			}
		})
	case '{':
		var props *propSet
		if r != nil {
			props = r.props
		}
		if props == nil && (len(c.pii) == 0 || depth >= 4) {
			return out
		}
		out = c.walkObject(event, prefix+cio.MemberKey(key)+".", props, raw, depth+1, out)
	}
	return out
}

// typeOK reports whether raw (non-null JSON) has the plan type t.
func typeOK(t string, raw json.RawMessage) bool {
	switch t {
	case "", "any":
		return true
	case "string":
		return raw[0] == '"'
	case "boolean":
		return raw[0] == 't' || raw[0] == 'f'
	case "object":
		return raw[0] == '{'
	case "array":
		return raw[0] == '['
	case "number":
		return isNumber(raw)
	case "integer":
		return isInteger(raw)
	case "timestamp":
		return isTimestamp(raw)
	}
	return false
}

func rawNull(raw json.RawMessage) bool { return len(raw) == 0 || raw[0] == 'n' }

func isNumber(raw json.RawMessage) bool {
	return len(raw) > 0 && (raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'))
}

func isInteger(raw json.RawMessage) bool {
	return isNumber(raw) && !bytes.ContainsAny(raw, ".eE")
}

// isTimestamp accepts unix seconds (an integer of at most 10 digits: 13-digit
// milliseconds are an error) or an RFC 3339 string (Pipelines' format).
func isTimestamp(raw json.RawMessage) bool {
	if isInteger(raw) {
		return len(bytes.TrimPrefix(raw, []byte("-"))) <= 10
	}
	var s string
	if raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return false
	}
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}

func jsonKind(raw json.RawMessage) string {
	switch {
	case raw[0] == '"':
		return "string"
	case raw[0] == 't' || raw[0] == 'f':
		return "boolean"
	case raw[0] == '{':
		return "object"
	case raw[0] == '[':
		return "array"
	case isInteger(raw) && len(bytes.TrimPrefix(raw, []byte("-"))) > 10:
		return "integer (milliseconds?)"
	case isInteger(raw):
		return "integer"
	case isNumber(raw):
		return "number"
	}
	return "null"
}

// clip bounds a sample value's size.
func clip(raw json.RawMessage) json.RawMessage {
	if len(raw) <= 200 {
		return raw
	}
	b, _ := json.Marshal(string(raw[:200]) + "…")
	return b
}
