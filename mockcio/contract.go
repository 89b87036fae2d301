package mockcio

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Plan is a tracking plan (SPEC.md §7): the events and attributes an
// ingestion path should send, and how.
type Plan struct {
	Name string `json:"name,omitempty" yaml:"name,omitempty"`
	// UnknownEvents is "flag" (default: an event not in the plan is a
	// contract.event_names violation) or "allow".
	UnknownEvents string      `json:"unknown_events,omitempty" yaml:"unknown_events,omitempty"`
	Events        []EventSpec `json:"events" yaml:"events"`
	Attributes    PropertyMap `json:"attributes,omitempty" yaml:"attributes,omitempty"`
	PIIKeys       []string    `json:"pii_keys,omitempty" yaml:"pii_keys,omitempty"`
	Money         *MoneySpec  `json:"money,omitempty" yaml:"money,omitempty"`
	Duplicates    []Duplicate `json:"duplicates,omitempty" yaml:"duplicates,omitempty"`
	// MaxTimestampSkew is the largest allowed difference between an event's
	// timestamp and the shopper's action time (the verifier's
	// events.timestamps check reads it; the mock cannot know action times).
	MaxTimestampSkew Duration `json:"max_timestamp_skew,omitempty" yaml:"max_timestamp_skew,omitempty"`
	Line             int      `json:"-" yaml:"-"`
}

// EventSpec is one canonical event: its properties (or a JSON Schema), and the
// aliases that name the same behaviour (each an event_names violation when
// sent).
type EventSpec struct {
	Name       string      `json:"name" yaml:"name"`
	Aliases    []string    `json:"aliases,omitempty" yaml:"aliases,omitempty"`
	Properties PropertyMap `json:"properties,omitempty" yaml:"properties,omitempty"`
	// Schema is an optional JSON Schema (draft 2020-12 unless $schema says
	// otherwise) for the event's data, checked in addition to Properties.
	Schema any `json:"schema,omitempty" yaml:"schema,omitempty"`
	Line   int `json:"-" yaml:"-"`
}

// PropertyMap maps property names to rules.
type PropertyMap map[string]*PropertySpec

// PropertySpec is the rule for one property or attribute. Type is one of
// string, number, integer, boolean, timestamp, object, array or any (empty:
// any). Items is the rule for array elements; Properties the rules for an
// object's fields.
type PropertySpec struct {
	Type       string        `json:"type,omitempty" yaml:"type,omitempty"`
	Required   bool          `json:"required,omitempty" yaml:"required,omitempty"`
	Items      *PropertySpec `json:"items,omitempty" yaml:"items,omitempty"`
	Properties PropertyMap   `json:"properties,omitempty" yaml:"properties,omitempty"`
	Line       int           `json:"-" yaml:"-"`
}

// MoneySpec is the money convention: Convention "major" (decimal amounts in
// the currency's major unit, e.g. 49.99) or "minor" (integer amounts in its
// minor unit, e.g. 4999), with the currency code in Currency.
type MoneySpec struct {
	Convention string `json:"convention" yaml:"convention"`
	// Amounts are the property names holding money, at the top level of
	// event data and inside the objects of Items.
	Amounts []string `json:"amounts" yaml:"amounts"`
	// Currency is the property carrying the ISO-4217 code (default
	// "currency"); required on events with a top-level amount.
	Currency string `json:"currency,omitempty" yaml:"currency,omitempty"`
	// Total is the top-level amount compared with the line items (default
	// "value"); Items the list of line items (default "items"); Quantity the
	// item count field (default "quantity").
	Total    string `json:"total,omitempty" yaml:"total,omitempty"`
	Items    string `json:"items,omitempty" yaml:"items,omitempty"`
	Quantity string `json:"quantity,omitempty" yaml:"quantity,omitempty"`
	Line     int    `json:"-" yaml:"-"`
}

// Duplicate is a duplicate-semantics pair: two event names for one behaviour.
// Both arriving for one person or anonymous id within Window of shopper time,
// or with the same value of Key (e.g. cart_id), is a
// contract.duplicate_semantics violation.
type Duplicate struct {
	Events []string `json:"events" yaml:"events"`
	Window Duration `json:"window,omitempty" yaml:"window,omitempty"`
	Key    string   `json:"key,omitempty" yaml:"key,omitempty"`
	Line   int      `json:"-" yaml:"-"`
}

var propertyTypes = []string{"", "any", "string", "number", "integer", "boolean", "timestamp", "object", "array"}

// UnmarshalYAML records the line and rejects unknown keys.
func (p *Plan) UnmarshalYAML(n *yaml.Node) error {
	type plain Plan
	p.Line = n.Line
	return decodeStrict(n, (*plain)(p))
}

// UnmarshalYAML records the line and rejects unknown keys.
func (e *EventSpec) UnmarshalYAML(n *yaml.Node) error {
	type plain EventSpec
	e.Line = n.Line
	return decodeStrict(n, (*plain)(e))
}

// UnmarshalYAML records the line and rejects unknown keys; a bare string is
// the type ("number").
func (s *PropertySpec) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*s = PropertySpec{Type: n.Value, Line: n.Line}
		return nil
	}
	type plain PropertySpec
	s.Line = n.Line
	return decodeStrict(n, (*plain)(s))
}

// UnmarshalYAML records the line and rejects unknown keys.
func (m *MoneySpec) UnmarshalYAML(n *yaml.Node) error {
	type plain MoneySpec
	m.Line = n.Line
	return decodeStrict(n, (*plain)(m))
}

// UnmarshalYAML records the line and rejects unknown keys; a bare list is
// the pair of names.
func (d *Duplicate) UnmarshalYAML(n *yaml.Node) error {
	d.Line = n.Line
	if n.Kind == yaml.SequenceNode {
		return n.Decode(&d.Events)
	}
	type plain Duplicate
	return decodeStrict(n, (*plain)(d))
}

// Validate checks the plan.
func (p *Plan) Validate() error {
	if p.UnknownEvents != "" && p.UnknownEvents != "flag" && p.UnknownEvents != "allow" {
		return errAt(p.Line, "unknown_events %q: want flag or allow", p.UnknownEvents)
	}
	names := map[string]string{}
	for i := range p.Events {
		e := &p.Events[i]
		if strings.TrimSpace(e.Name) == "" {
			return errAt(e.Line, "event: name is required")
		}
		for _, n := range append([]string{e.Name}, e.Aliases...) {
			if prev, dup := names[n]; dup {
				return errAt(e.Line, "event name %q already used by %q", n, prev)
			}
			names[n] = e.Name
		}
		if err := e.Properties.validate(e.Name); err != nil {
			return err
		}
		if e.Schema != nil {
			if _, err := compileSchema(e.Name, e.Schema); err != nil {
				return errAt(e.Line, "event %q: %v", e.Name, err)
			}
		}
	}
	if err := p.Attributes.validate("attributes"); err != nil {
		return err
	}
	if m := p.Money; m != nil {
		if m.Convention != "major" && m.Convention != "minor" {
			return errAt(m.Line, "money: convention %q: want major or minor", m.Convention)
		}
		if len(m.Amounts) == 0 {
			return errAt(m.Line, "money: amounts lists no property")
		}
	}
	for _, d := range p.Duplicates {
		if len(d.Events) != 2 || d.Events[0] == d.Events[1] {
			return errAt(d.Line, "duplicates: a pair needs two different event names")
		}
		if d.Window <= 0 && d.Key == "" {
			return errAt(d.Line, "duplicates %v: give a window, a key or both", d.Events)
		}
	}
	return nil
}

func (m PropertyMap) validate(where string) error {
	for name, s := range m {
		if s == nil {
			return fmt.Errorf("%s: property %q has no rule", where, name)
		}
		if err := s.validate(where + "." + name); err != nil {
			return err
		}
	}
	return nil
}

func (s *PropertySpec) validate(where string) error {
	if !slices.Contains(propertyTypes, s.Type) {
		return errAt(s.Line, "%s: unknown type %q (known: %s)", where, s.Type, strings.Join(propertyTypes[1:], ", "))
	}
	if s.Items != nil {
		if s.Type != "array" {
			return errAt(s.Line, "%s: items given for type %q", where, s.Type)
		}
		if err := s.Items.validate(where + "[]"); err != nil {
			return err
		}
	}
	return s.Properties.validate(where)
}
