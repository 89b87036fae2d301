package mockcio

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Campaign is an event-triggered campaign: a person who performs Trigger (and
// matches Filter) enters, waits Delay of shopper time, and at the due time is
// either sent a message carrying Content or, when one of the Exit events (the
// goal) landed on them meanwhile, exits.
type Campaign struct {
	Name    string     `json:"name" yaml:"name"`
	Trigger string     `json:"trigger" yaml:"trigger"`
	Filter  *Condition `json:"filter,omitempty" yaml:"filter,omitempty"`
	Delay   Duration   `json:"delay" yaml:"delay"`
	Exit    []string   `json:"exit,omitempty" yaml:"exit,omitempty"`
	// Reentry decides whether a person may enter again: "after_exit" (the
	// default: not while waiting in this campaign, again once the journey
	// ended), "once" (never again) or "always" (every trigger enters, even
	// while waiting).
	Reentry string `json:"reentry,omitempty" yaml:"reentry,omitempty"`
	// Content maps message fields to sources: "event.<path>" reads the
	// trigger event's data when the person enters, "person.<attribute>"
	// (or person.email, person.id, person.cio_id) reads the profile at the
	// due time. Empty: every top-level field of the trigger event's data,
	// plus email from the profile.
	Content map[string]string `json:"content,omitempty" yaml:"content,omitempty"`
	Line    int               `json:"-" yaml:"-"`
}

// Re-entry rules (Campaign.Reentry).
const (
	ReentryAfterExit = "after_exit"
	ReentryOnce      = "once"
	ReentryAlways    = "always"
)

// UnmarshalYAML records the line and rejects unknown keys; exit may be one
// event name or a list.
func (c *Campaign) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if v := n.Content[i+1]; n.Content[i].Value == "exit" && v.Kind == yaml.ScalarNode {
				n.Content[i+1] = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: v.Line, Content: []*yaml.Node{v}}
			}
		}
	}
	type plain Campaign
	if err := decodeStrict(n, (*plain)(c)); err != nil {
		return err
	}
	c.Line = n.Line
	return nil
}

// Validate checks one campaign.
func (c *Campaign) Validate() error {
	if strings.TrimSpace(c.Name) == "" {
		return errAt(c.Line, "campaign: name is required")
	}
	if strings.TrimSpace(c.Trigger) == "" {
		return errAt(c.Line, "campaign %q: trigger event is required", c.Name)
	}
	if c.Delay < 0 {
		return errAt(c.Line, "campaign %q: delay must be ≥ 0", c.Name)
	}
	if c.Reentry != "" && !slices.Contains([]string{ReentryAfterExit, ReentryOnce, ReentryAlways}, c.Reentry) {
		return errAt(c.Line, "campaign %q: reentry %q: want after_exit, once or always", c.Name, c.Reentry)
	}
	for k, src := range c.Content {
		if !strings.HasPrefix(src, "event.") && !strings.HasPrefix(src, "person.") {
			return errAt(c.Line, "campaign %q: content %q: source %q must start with event. or person.", c.Name, k, src)
		}
	}
	if c.Filter != nil {
		if err := c.Filter.validate(true); err != nil {
			return fmt.Errorf("campaign %q filter: %w", c.Name, err)
		}
	}
	return nil
}

// validateCampaigns checks campaigns and segments, and that names are unique.
func validateCampaigns(cs []Campaign, ss []Segment) error {
	seen := map[string]bool{}
	for i := range cs {
		if err := cs[i].Validate(); err != nil {
			return err
		}
		if seen[cs[i].Name] {
			return errAt(cs[i].Line, "campaign %q defined twice", cs[i].Name)
		}
		seen[cs[i].Name] = true
	}
	seen = map[string]bool{}
	for i := range ss {
		if err := ss[i].Validate(); err != nil {
			return err
		}
		if seen[ss[i].Name] {
			return errAt(ss[i].Line, "segment %q defined twice", ss[i].Name)
		}
		seen[ss[i].Name] = true
	}
	return nil
}

// campaignRT is a validated campaign ready to run.
type campaignRT struct {
	Campaign
	delay        time.Duration
	exit         map[string]bool
	eventFields  []contentField      // captured at entry
	topLevel     map[string][]string // event data key → content keys, for paths without dots
	personFields []contentField      // captured at the due time
	needsPerson  bool                // the filter reads the profile
}

type contentField struct {
	key, path string
}

func compileCampaign(c Campaign) *campaignRT {
	rt := &campaignRT{Campaign: c, delay: time.Duration(c.Delay), exit: map[string]bool{}}
	for _, e := range c.Exit {
		rt.exit[e] = true
	}
	if rt.Reentry == "" {
		rt.Reentry = ReentryAfterExit
	}
	keys := make([]string, 0, len(c.Content))
	for k := range c.Content {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		src := c.Content[k]
		if p, ok := strings.CutPrefix(src, "event."); ok {
			rt.eventFields = append(rt.eventFields, contentField{k, p})
			if !strings.Contains(p, ".") {
				if rt.topLevel == nil {
					rt.topLevel = map[string][]string{}
				}
				rt.topLevel[p] = append(rt.topLevel[p], k)
			}
		} else {
			rt.personFields = append(rt.personFields, contentField{k, strings.TrimPrefix(src, "person.")})
		}
	}
	if len(c.Content) == 0 {
		rt.eventFields = []contentField{{"*", ""}}
		rt.personFields = []contentField{{"email", "email"}}
	}
	rt.needsPerson = c.Filter != nil && c.Filter.readsPerson()
	return rt
}

// readsPerson reports whether evaluating c needs the person's profile.
func (c *Condition) readsPerson() bool {
	switch {
	case c.Performed != nil, c.NotPerformed != nil, c.Attribute != nil:
		return true
	case c.Not != nil:
		return c.Not.readsPerson()
	}
	for _, s := range [][]Condition{c.And, c.Or} {
		for i := range s {
			if s[i].readsPerson() {
				return true
			}
		}
	}
	return false
}
