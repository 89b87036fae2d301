package scenarios

import (
	"encoding/json"
	"slices"

	"github.com/cioharness/cioharness/cio"
	"sort"
	"time"
)

// outcomes predicts campaign c for person e. Trigger events enter the person
// when they land, in landing order (then action order), unless moved by a
// profile merge or older than TriggerWindow when they land, and as the
// re-entry rule allows. The message is due Delay after entry; an exit event
// performed at or after the trigger's action that lands between entry and
// the due time exits the person.
func (s *sim) outcomes(e *Expected, c Campaign) []Outcome {
	var trigs []*ExpectedEvent
	for i := range e.Events {
		ev := &e.Events[i]
		if ev.Name == c.Trigger && ev.Via != ViaProfileMerge && ev.Landed-ev.Offset <= TriggerWindow {
			trigs = append(trigs, ev)
		}
	}
	sort.SliceStable(trigs, func(a, b int) bool { return landsBefore(trigs[a], trigs[b]) })
	var out []Outcome
	var busyUntil time.Duration
	for _, t := range trigs {
		if len(out) > 0 && (c.Reentry == ReentryOnce || c.Reentry != ReentryAlways && t.Landed <= busyUntil) {
			continue
		}
		due := t.Landed + c.Delay
		o := Outcome{Campaign: c.Name, Outcome: OutcomeSent, TriggerEventID: t.ID, TriggerAt: t.Timestamp,
			TriggeredAt: s.at(t.Landed), DueAt: s.at(due)}
		var exit *ExpectedEvent
		for i := range e.Events {
			x := &e.Events[i]
			if !slices.Contains(c.Exit, x.Name) || x.Via == ViaProfileMerge || x.Offset < t.Offset || x.Landed > due {
				continue
			}
			o.Converted = true
			if !landsBefore(x, t) && (exit == nil || landsBefore(x, exit)) {
				exit = x
			}
		}
		if exit != nil {
			o.Outcome, o.ExitEventID, o.ExitEventAt = OutcomeExited, exit.ID, s.at(exit.Landed)
		} else {
			o.Content = content(t.Data, c.Content) // only a sent message has content
		}
		out = append(out, o)
		busyUntil = due
	}
	return out
}

// landsBefore orders events by landing, then by action time.
func landsBefore(a, b *ExpectedEvent) bool {
	if a.Landed != b.Landed {
		return a.Landed < b.Landed
	}
	return a.Offset < b.Offset
}

// content keeps the members of a trigger's data a message shows, in the
// order of keys.
func content(data json.RawMessage, keys []string) json.RawMessage {
	if len(keys) == 0 {
		return nil
	}
	vals := make([][]byte, len(keys))
	if !cio.EachMember(data, func(k, v []byte) {
		if i := slices.Index(keys, cio.MemberKey(k)); i >= 0 {
			vals[i] = v
		}
	}) {
		return nil
	}
	out := append(make([]byte, 0, len(data)), '{')
	for i, k := range keys {
		if vals[i] == nil {
			continue
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(cio.AppendString(out, k), ':')
		out = append(out, vals[i]...)
	}
	return append(out, '}')
}

// Segment is a truth segment over events: a person is a member when every
// Performed condition holds and no NotPerformed condition does.
type Segment struct {
	Name         string
	Performed    []EventWindow
	NotPerformed []EventWindow
}

// EventWindow is "performed Event at least MinCount times (default 1)
// within the past Within" (shopper time; zero Within means ever).
type EventWindow struct {
	Event    string
	Within   time.Duration
	MinCount int
}

// SegmentMembers returns the expected people in segment seg at real time at:
// an event counts once it has landed on the person by then and its action
// time lies within the window (scaled by the journey's time scale). The
// "profile must be older than the window" rule of negative conditions is not
// modelled.
func (l *Ledger) SegmentMembers(seg Segment, at time.Time) []*Expected {
	var out []*Expected
	for _, r := range l.Records() {
		for _, p := range r.People {
			if r.member(p, seg, at) {
				out = append(out, p)
			}
		}
	}
	return out
}

func (r *Record) member(p *Expected, seg Segment, at time.Time) bool {
	for _, w := range seg.Performed {
		if !r.performed(p, w, at) {
			return false
		}
	}
	for _, w := range seg.NotPerformed {
		if r.performed(p, w, at) {
			return false
		}
	}
	return true
}

func (r *Record) performed(p *Expected, w EventWindow, at time.Time) bool {
	n := 0
	for _, ev := range p.Events {
		if ev.Name != w.Event || r.Real(ev.Landed).After(at) || ev.Timestamp.After(at) {
			continue
		}
		if w.Within == 0 || !ev.Timestamp.Before(at.Add(-time.Duration(float64(w.Within)/r.TimeScale))) {
			n++
		}
	}
	return n >= max(w.MinCount, 1)
}

// Real converts a shopper-time offset of the record's journey to real time.
func (r *Record) Real(off time.Duration) time.Time {
	return r.Start.Add(time.Duration(float64(off) / r.TimeScale))
}

// PersonAt returns p as the mock must hold them at real time at: only the
// events that have landed by then (attributes are the final ones). Use it to
// evaluate a segment at a moment, e.g. with mockcio's Segment.Match.
func (r *Record) PersonAt(p *Expected, at time.Time) *Expected {
	cp := *p
	cp.Events = make([]ExpectedEvent, 0, len(p.Events))
	for _, ev := range p.Events {
		if !r.Real(ev.Landed).After(at) {
			cp.Events = append(cp.Events, ev)
		}
	}
	return &cp
}
