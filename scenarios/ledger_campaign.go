package scenarios

import (
	"encoding/json"
	"time"
)

// outcome predicts campaign c for person e. The first trigger event that can
// trigger (not moved by a profile merge, and no older than TriggerWindow when
// it lands) enters the person when it lands; the message is due Delay later.
// The person exits if an exit event performed at or after the trigger's
// action has landed by then. A person enters a campaign once.
func (s *sim) outcome(e *Expected, c Campaign) (Outcome, bool) {
	var trig *ExpectedEvent
	for i := range e.Events {
		ev := &e.Events[i]
		if ev.Name != c.Trigger || ev.Type != "event" || ev.Via == ViaProfileMerge || ev.Landed-ev.Offset > TriggerWindow {
			continue
		}
		if trig == nil || ev.Landed < trig.Landed {
			trig = ev
		}
	}
	if trig == nil {
		return Outcome{}, false
	}
	due := trig.Landed + c.Delay
	o := Outcome{Campaign: c.Name, Outcome: OutcomeSent, TriggerEventID: trig.ID,
		TriggeredAt: s.at(trig.Landed), DueAt: s.at(due), Content: content(trig.Data)}
	var exit *ExpectedEvent
	for i := range e.Events {
		ev := &e.Events[i]
		if ev.Name == c.Exit && ev.Via != ViaProfileMerge && ev.Offset >= trig.Offset && ev.Landed <= due &&
			(exit == nil || ev.Landed < exit.Landed) {
			exit = ev
		}
	}
	if exit != nil {
		o.Outcome, o.ExitEventID, o.ExitEventAt = OutcomeExited, exit.ID, exit.Timestamp
	}
	return o, true
}

// content keeps the members of a trigger's data a message shows.
func content(data json.RawMessage) json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) != nil {
		return nil
	}
	keep := map[string]json.RawMessage{}
	for _, k := range []string{"cart_id", "items", "value", "currency"} {
		if v, ok := m[k]; ok {
			keep[k] = v
		}
	}
	b, _ := json.Marshal(keep)
	return b
}

// Segment is a truth segment over events: a person is a member when every
// Performed condition holds and no NotPerformed condition does.
type Segment struct {
	Name         string
	Performed    []EventWindow
	NotPerformed []EventWindow
}

// EventWindow is "performed Event within the past Within" (shopper time;
// zero Within means ever).
type EventWindow struct {
	Event  string
	Within time.Duration
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
	real := func(off time.Duration) time.Time { return r.Start.Add(time.Duration(float64(off) / r.TimeScale)) }
	for _, ev := range p.Events {
		if ev.Name != w.Event || real(ev.Landed).After(at) || ev.Timestamp.After(at) {
			continue
		}
		if w.Within == 0 || !ev.Timestamp.Before(at.Add(-time.Duration(float64(w.Within)/r.TimeScale))) {
			return true
		}
	}
	return false
}
