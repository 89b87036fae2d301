package mockcio

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Segment is a truth segment: a condition over people, evaluated by GET
// /__mock/segments at the time of the call.
type Segment struct {
	Name        string    `json:"name" yaml:"name"`
	Description string    `json:"description,omitempty" yaml:"description,omitempty"`
	Where       Condition `json:"where" yaml:"where"`
	Line        int       `json:"-" yaml:"-"`
}

// Condition is one node of a segment or campaign-filter condition. Exactly one
// field is set: And, Or, Not, Performed, NotPerformed, Attribute or Event.
type Condition struct {
	And          []Condition     `json:"and,omitempty" yaml:"and,omitempty"`
	Or           []Condition     `json:"or,omitempty" yaml:"or,omitempty"`
	Not          *Condition      `json:"not,omitempty" yaml:"not,omitempty"`
	Performed    *EventCondition `json:"performed,omitempty" yaml:"performed,omitempty"`
	NotPerformed *EventCondition `json:"not_performed,omitempty" yaml:"not_performed,omitempty"`
	// Attribute tests a person attribute (or id, email, cio_id).
	Attribute *ValueCondition `json:"attribute,omitempty" yaml:"attribute,omitempty"`
	// Event tests the data of the triggering event: campaign filters only.
	Event *ValueCondition `json:"event,omitempty" yaml:"event,omitempty"`
	Line  int             `json:"-" yaml:"-"`
}

// EventCondition counts a person's events named Event whose timestamp lies
// within the past Within of shopper time (0: ever) and whose data match every
// Where condition. Performed matches when the count is at least MinCount
// (default 1) and, when MaxCount is set, at most MaxCount; NotPerformed
// matches when the count is zero.
type EventCondition struct {
	Event    string           `json:"event" yaml:"event"`
	Within   Duration         `json:"within,omitempty" yaml:"within,omitempty"`
	MinCount int              `json:"min_count,omitempty" yaml:"min_count,omitempty"`
	MaxCount *int             `json:"max_count,omitempty" yaml:"max_count,omitempty"`
	Where    []ValueCondition `json:"where,omitempty" yaml:"where,omitempty"`
	Line     int              `json:"-" yaml:"-"`
}

// ValueCondition compares one value (an attribute, or a dot path into event
// data) with Value using Op.
//
// Ops: equals, not_equals (JSON types kept: 10 is not "10"), exists,
// not_exists, gt, gte, lt, lte (numbers only; a number sent as a string does
// not match), contains (substring of a string, or element of a list), before,
// after (the value is a unix-seconds timestamp; Value is a shopper duration
// ago such as "30d", or a unix-seconds number), is_timestamp.
type ValueCondition struct {
	Name  string `json:"name" yaml:"name"`
	Op    string `json:"op" yaml:"op"`
	Value any    `json:"value,omitempty" yaml:"value,omitempty"`
	Line  int    `json:"-" yaml:"-"`
}

var valueOps = []string{"equals", "not_equals", "exists", "not_exists", "gt", "gte", "lt", "lte",
	"contains", "before", "after", "is_timestamp"}

// UnmarshalYAML records the line and rejects unknown keys.
func (s *Segment) UnmarshalYAML(n *yaml.Node) error {
	type plain Segment
	if err := decodeStrict(n, (*plain)(s)); err != nil {
		return err
	}
	s.Line = n.Line
	return nil
}

// UnmarshalYAML records the line and rejects unknown keys.
func (c *Condition) UnmarshalYAML(n *yaml.Node) error {
	type plain Condition
	if err := decodeStrict(n, (*plain)(c)); err != nil {
		return err
	}
	c.Line = n.Line
	return nil
}

// UnmarshalYAML records the line and rejects unknown keys; a bare string is
// the event name.
func (e *EventCondition) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*e = EventCondition{Event: n.Value, Line: n.Line}
		return nil
	}
	type plain EventCondition
	if err := decodeStrict(n, (*plain)(e)); err != nil {
		return err
	}
	e.Line = n.Line
	return nil
}

// UnmarshalYAML records the line and rejects unknown keys.
func (v *ValueCondition) UnmarshalYAML(n *yaml.Node) error {
	type plain ValueCondition
	if err := decodeStrict(n, (*plain)(v)); err != nil {
		return err
	}
	v.Line = n.Line
	return nil
}

// Validate checks one segment.
func (s *Segment) Validate() error {
	if strings.TrimSpace(s.Name) == "" {
		return errAt(s.Line, "segment: name is required")
	}
	if err := s.Where.validate(false); err != nil {
		return fmt.Errorf("segment %q: %w", s.Name, err)
	}
	return nil
}

// validate checks that exactly one field is set, recursively. inFilter allows
// Event conditions (campaign filters).
func (c *Condition) validate(inFilter bool) error {
	set := 0
	for _, b := range []bool{c.And != nil, c.Or != nil, c.Not != nil, c.Performed != nil,
		c.NotPerformed != nil, c.Attribute != nil, c.Event != nil} {
		if b {
			set++
		}
	}
	if set != 1 {
		return errAt(c.Line, "a condition needs exactly one of and, or, not, performed, not_performed, attribute, event (has %d)", set)
	}
	for i := range c.And {
		if err := c.And[i].validate(inFilter); err != nil {
			return err
		}
	}
	for i := range c.Or {
		if err := c.Or[i].validate(inFilter); err != nil {
			return err
		}
	}
	switch {
	case c.Not != nil:
		return c.Not.validate(inFilter)
	case c.Performed != nil:
		return c.Performed.validate()
	case c.NotPerformed != nil:
		return c.NotPerformed.validate()
	case c.Attribute != nil:
		return c.Attribute.validate()
	case c.Event != nil:
		if !inFilter {
			return errAt(c.Line, "event conditions apply to a campaign's trigger event: use them in a campaign filter")
		}
		return c.Event.validate()
	}
	return nil
}

func (e *EventCondition) validate() error {
	if strings.TrimSpace(e.Event) == "" {
		return errAt(e.Line, "event condition: event is required")
	}
	if e.Within < 0 || e.MinCount < 0 || (e.MaxCount != nil && *e.MaxCount < e.MinCount) {
		return errAt(e.Line, "event condition on %q: within, min_count and max_count must be ≥ 0 and max ≥ min", e.Event)
	}
	for i := range e.Where {
		if err := e.Where[i].validate(); err != nil {
			return err
		}
	}
	return nil
}

func (v *ValueCondition) validate() error {
	if strings.TrimSpace(v.Name) == "" {
		return errAt(v.Line, "value condition: name is required")
	}
	if !slices.Contains(valueOps, v.Op) {
		return errAt(v.Line, "value condition on %q: unknown op %q (known: %s)", v.Name, v.Op, strings.Join(valueOps, ", "))
	}
	switch v.Op {
	case "gt", "gte", "lt", "lte":
		if _, ok := toFloat(v.Value); !ok {
			return errAt(v.Line, "value condition on %q: %s needs a number value", v.Name, v.Op)
		}
	case "before", "after":
		if _, _, err := timeRef(v.Value); err != nil {
			return errAt(v.Line, "value condition on %q: %v", v.Name, err)
		}
	case "equals", "not_equals", "contains":
		if v.Value == nil {
			return errAt(v.Line, "value condition on %q: %s needs a value", v.Name, v.Op)
		}
	}
	return nil
}
