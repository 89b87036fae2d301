package mockcio

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Bounds on what violations keep: samples per (rule, event, property) group,
// and groups in all (later groups fold into event "(other)").
const (
	maxSamples = 3
	maxGroups  = 2000
)

type violationKey struct{ rule, event, property string }

type violationGroup struct {
	count   int64
	samples []json.RawMessage
}

// violations counts contract violations per rule, event and property and
// keeps a few samples of each. Checking takes no lock unless a call violates.
type violations struct {
	total  atomic.Int64
	mu     sync.Mutex
	groups map[violationKey]*violationGroup
}

// violationSample is one sample's JSON.
type violationSample struct {
	Person      string          `json:"person,omitempty"` // cio_id
	AnonymousID string          `json:"anonymous_id,omitempty"`
	Event       string          `json:"event,omitempty"`
	Property    string          `json:"property,omitempty"`
	Message     string          `json:"message"`
	Value       json.RawMessage `json:"value,omitempty"`
	At          time.Time       `json:"at"`
}

func (v *violations) add(p PersonRef, at time.Time, fs []finding) {
	if len(fs) == 0 {
		return
	}
	v.total.Add(int64(len(fs)))
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.groups == nil {
		v.groups = map[violationKey]*violationGroup{}
	}
	for _, f := range fs {
		k := violationKey{f.rule, f.event, f.property}
		g := v.groups[k]
		if g == nil && len(v.groups) >= maxGroups {
			k = violationKey{f.rule, "(other)", ""}
			g = v.groups[k]
		}
		if g == nil {
			g = &violationGroup{}
			v.groups[k] = g
		}
		g.count++
		if len(g.samples) < maxSamples {
			s, _ := json.Marshal(violationSample{
				Person: p.CioID, AnonymousID: p.AnonymousID, Event: f.event,
				Property: f.property, Message: f.msg, Value: f.value, At: at,
			})
			g.samples = append(g.samples, s)
		}
	}
}

func (v *violations) reset() {
	v.mu.Lock()
	v.groups = nil
	v.total.Store(0)
	v.mu.Unlock()
}

// views returns the violations by rule (sorted), each with its groups sorted
// by count, and the first samples of its largest groups.
func (v *violations) views() []ViolationView {
	v.mu.Lock()
	byRule := map[string]*ViolationView{}
	for k, g := range v.groups {
		rv := byRule[k.rule]
		if rv == nil {
			rv = &ViolationView{Rule: k.rule}
			byRule[k.rule] = rv
		}
		rv.Count += g.count
		rv.Groups = append(rv.Groups, ViolationGroup{
			Event: k.event, Property: k.property, Count: g.count, Samples: slices.Clone(g.samples),
		})
	}
	v.mu.Unlock()
	out := make([]ViolationView, 0, len(byRule))
	for _, rv := range byRule {
		slices.SortFunc(rv.Groups, func(a, b ViolationGroup) int {
			if a.Count != b.Count {
				return int(b.Count - a.Count)
			}
			return strings.Compare(a.Event+"\x00"+a.Property, b.Event+"\x00"+b.Property)
		})
		for _, g := range rv.Groups {
			if len(rv.Samples) < maxSamples {
				rv.Samples = append(rv.Samples, g.Samples[0])
			}
		}
		out = append(out, *rv)
	}
	slices.SortFunc(out, func(a, b ViolationView) int { return strings.Compare(a.Rule, b.Rule) })
	return out
}
