package mockcio

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
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
	pairs       map[string][]int // event name → indexes into plan.Duplicates
	flagUnknown bool
}

func compilePlan(p *Plan) *checker {
	c := &checker{
		plan: p, events: map[string]*EventSpec{}, aliases: map[string]string{},
		pii: map[string]bool{}, amounts: map[string]bool{}, pairs: map[string][]int{},
		flagUnknown: p.UnknownEvents != "allow",
	}
	for i := range p.Events {
		e := &p.Events[i]
		c.events[e.Name] = e
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
	k = strings.ToLower(k)
	return strings.NewReplacer("_", "", "-", "", " ", "").Replace(k)
}

// finding is one violation found while checking a call.
type finding struct {
	rule, event, property, msg string
	value                      json.RawMessage
}

// checkEvent checks one accepted event's name, properties, PII and money.
func (c *checker) checkEvent(ev *EventView, out []finding) []finding {
	data := decodeRawObject(ev.Data)
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
			out = c.checkProps(ev.Name, "", spec.Properties, data, out)
		}
	}
	if len(c.pii) > 0 {
		out = c.checkPII(ev.Name, "", data, 0, out)
	}
	if c.money != nil {
		out = c.checkMoney(ev.Name, data, out)
	}
	return out
}

// checkAttributes checks an identify's attributes against the plan's types.
func (c *checker) checkAttributes(attrs map[string]json.RawMessage, out []finding) []finding {
	for name, raw := range attrs {
		spec := c.plan.Attributes[name]
		if spec == nil || rawNull(raw) {
			continue
		}
		out = c.checkValue(identifyEvent, name, spec, raw, out)
	}
	return out
}

func (c *checker) checkProps(event, prefix string, specs PropertyMap, data map[string]json.RawMessage, out []finding) []finding {
	for name, spec := range specs {
		raw, ok := data[name]
		if !ok || rawNull(raw) {
			if spec.Required {
				out = append(out, finding{RuleRequiredProperties, event, prefix + name, "required property missing", nil})
			}
			continue
		}
		out = c.checkValue(event, prefix+name, spec, raw, out)
	}
	return out
}

// checkValue checks one present value against its rule, recursing into
// arrays and objects.
func (c *checker) checkValue(event, path string, spec *PropertySpec, raw json.RawMessage, out []finding) []finding {
	if !typeOK(spec.Type, raw) {
		return append(out, finding{RulePropertyTypes, event, path,
			fmt.Sprintf("want %s, got %s", spec.Type, jsonKind(raw)), clip(raw)})
	}
	switch {
	case spec.Items != nil:
		var elems []json.RawMessage
		if json.Unmarshal(raw, &elems) != nil {
			return out
		}
		for _, el := range elems {
			if rawNull(el) {
				continue
			}
			out = c.checkValue(event, path+"[]", spec.Items, el, out)
		}
	case len(spec.Properties) > 0:
		if obj := decodeRawObject(raw); obj != nil {
			out = c.checkProps(event, path+".", spec.Properties, obj, out)
		}
	}
	return out
}

// checkPII reports keys of data (at any depth up to 4) that the plan lists as PII.
func (c *checker) checkPII(event, prefix string, data map[string]json.RawMessage, depth int, out []finding) []finding {
	for k, raw := range data {
		if c.pii[normalizeKey(k)] {
			out = append(out, finding{RulePIIInEvents, event, prefix + k, "PII key in event data", nil})
			continue
		}
		if depth >= 4 || len(raw) == 0 {
			continue
		}
		switch raw[0] {
		case '{':
			out = c.checkPII(event, prefix+k+".", decodeRawObject(raw), depth+1, out)
		case '[':
			var elems []json.RawMessage
			if json.Unmarshal(raw, &elems) == nil {
				for _, el := range elems {
					if len(el) > 0 && el[0] == '{' {
						out = c.checkPII(event, prefix+k+"[].", decodeRawObject(el), depth+1, out)
					}
				}
			}
		}
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

func decodeRawObject(raw json.RawMessage) map[string]json.RawMessage {
	if len(raw) == 0 || raw[0] != '{' {
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m
}
