package mockcio

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"
)

// evalCtx is what a condition is evaluated against: a person, optionally the
// data of the event that triggers a campaign, at real time now.
type evalCtx struct {
	now    time.Time
	clock  *Clock
	person *PersonView
	event  map[string]any // decoded trigger event data; nil outside filters
}

// match evaluates c.
func (c *Condition) match(x *evalCtx) bool {
	switch {
	case c.And != nil:
		for i := range c.And {
			if !c.And[i].match(x) {
				return false
			}
		}
		return true
	case c.Or != nil:
		for i := range c.Or {
			if c.Or[i].match(x) {
				return true
			}
		}
		return false
	case c.Not != nil:
		return !c.Not.match(x)
	case c.Performed != nil:
		n := c.Performed.count(x)
		lo := max(c.Performed.MinCount, 1)
		return n >= lo && (c.Performed.MaxCount == nil || n <= *c.Performed.MaxCount)
	case c.NotPerformed != nil:
		return c.NotPerformed.count(x) == 0
	case c.Attribute != nil:
		v, ok := x.attribute(c.Attribute.Name)
		return c.Attribute.test(v, ok, x)
	case c.Event != nil:
		v, ok := lookupPath(x.event, c.Event.Name)
		return c.Event.test(v, ok, x)
	}
	return false
}

// count counts the person's matching events (capped at what MaxCount needs).
func (e *EventCondition) count(x *evalCtx) int {
	if x.person == nil {
		return 0
	}
	n := 0
	for i := range x.person.Events {
		ev := &x.person.Events[i]
		if ev.Name != e.Event {
			continue
		}
		if e.Within > 0 && x.clock.Age(ev.Timestamp, x.now) > time.Duration(e.Within) {
			continue
		}
		if len(e.Where) > 0 {
			data := decodeObject(ev.Data)
			if !allMatch(e.Where, data, x) {
				continue
			}
		}
		n++
	}
	return n
}

func allMatch(conds []ValueCondition, data map[string]any, x *evalCtx) bool {
	for i := range conds {
		v, ok := lookupPath(data, conds[i].Name)
		if !conds[i].test(v, ok, x) {
			return false
		}
	}
	return true
}

// attribute returns a person's attribute; id, email and cio_id are the
// identifiers when not stored as attributes.
func (x *evalCtx) attribute(name string) (any, bool) {
	p := x.person
	if p == nil {
		return nil, false
	}
	if raw, ok := p.Attributes[name]; ok {
		var v any
		if json.Unmarshal(raw, &v) == nil {
			return v, true
		}
	}
	switch name {
	case "id":
		return p.ID, p.ID != ""
	case "email":
		return p.Email, p.Email != ""
	case "cio_id":
		return p.CioID, p.CioID != ""
	}
	if head, rest, ok := strings.Cut(name, "."); ok {
		if v, ok := x.attribute(head); ok {
			if m, isMap := v.(map[string]any); isMap {
				return lookupPath(m, rest)
			}
		}
	}
	return nil, false
}

// test applies the op to value v (present when ok).
func (v *ValueCondition) test(got any, ok bool, x *evalCtx) bool {
	switch v.Op {
	case "exists":
		return ok && got != nil
	case "not_exists":
		return !ok || got == nil
	}
	if !ok {
		return false
	}
	switch v.Op {
	case "equals":
		return jsonEqual(got, v.Value)
	case "not_equals":
		return !jsonEqual(got, v.Value)
	case "contains":
		return contains(got, v.Value)
	case "gt", "gte", "lt", "lte":
		a, aok := got.(float64)
		b, _ := toFloat(v.Value)
		return aok && compare(v.Op, a, b)
	case "is_timestamp":
		_, isTS := unixSeconds(got)
		return isTS
	case "before", "after":
		ts, isTS := unixSeconds(got)
		if !isTS {
			return false
		}
		ref := timeRefAt(v.Value, x)
		if v.Op == "before" {
			return ts.Before(ref)
		}
		return ts.After(ref)
	}
	return false
}

func compare(op string, a, b float64) bool {
	switch op {
	case "gt":
		return a > b
	case "gte":
		return a >= b
	case "lt":
		return a < b
	}
	return a <= b
}

// jsonEqual compares a decoded JSON value with a configured one: numbers by
// value, everything else by type and value.
func jsonEqual(got, want any) bool {
	if a, ok := got.(float64); ok {
		b, bok := toFloat(want)
		return bok && a == b
	}
	if _, ok := toFloat(want); ok {
		return false
	}
	return reflect.DeepEqual(got, normalizeYAML(want))
}

func contains(got, want any) bool {
	switch g := got.(type) {
	case string:
		s, ok := want.(string)
		return ok && strings.Contains(g, s)
	case []any:
		for _, e := range g {
			if jsonEqual(e, want) {
				return true
			}
		}
	}
	return false
}

// normalizeYAML turns YAML-decoded maps and lists into JSON-decoded shapes.
func normalizeYAML(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = normalizeYAML(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = normalizeYAML(e)
		}
		return out
	}
	if f, ok := toFloat(v); ok {
		return f
	}
	return v
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// unixSeconds reads a Customer.io timestamp: a JSON number of unix seconds.
// Milliseconds (13 digits), ISO-8601 and numeric strings never match, as in
// Customer.io's segment builder.
func unixSeconds(v any) (time.Time, bool) {
	f, ok := v.(float64)
	if !ok || f < 0 || f >= 1e11 || math.IsNaN(f) {
		return time.Time{}, false
	}
	return time.Unix(int64(f), 0), true
}

// timeRef parses a before/after value: a duration ago (string) or unix seconds.
func timeRef(v any) (ago time.Duration, abs float64, err error) {
	if s, ok := v.(string); ok {
		d, err := ParseDuration(s)
		return d, 0, err
	}
	if f, ok := toFloat(v); ok {
		return 0, f, nil
	}
	return 0, 0, fmt.Errorf("before/after needs a duration ago (e.g. 30d) or unix seconds, got %v", v)
}

func timeRefAt(v any, x *evalCtx) time.Time {
	ago, abs, _ := timeRef(v)
	if _, isStr := v.(string); isStr {
		return x.clock.Ago(x.now, ago)
	}
	return time.Unix(int64(abs), 0)
}

// lookupPath follows a dot path (e.g. "items.0.sku" is not supported; "a.b"
// is) into decoded JSON.
func lookupPath(m map[string]any, path string) (any, bool) {
	if m == nil {
		return nil, false
	}
	if v, ok := m[path]; ok {
		return v, true
	}
	head, rest, ok := strings.Cut(path, ".")
	if !ok {
		return nil, false
	}
	sub, isMap := m[head].(map[string]any)
	if !isMap {
		return nil, false
	}
	return lookupPath(sub, rest)
}

// decodeObject decodes raw JSON object bytes; anything else gives nil.
func decodeObject(raw json.RawMessage) map[string]any {
	if len(raw) == 0 {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m
}
