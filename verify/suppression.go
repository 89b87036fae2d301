package verify

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/cioharness/cioharness/mockcio"
	"github.com/cioharness/cioharness/report"
	"github.com/cioharness/cioharness/scenarios"
)

// nearestMessage returns the person's message of campaign c whose trigger
// time is closest to at, or nil.
func nearestMessage(msgs []*mockcio.MessageView, c string, at time.Time) *mockcio.MessageView {
	var best *mockcio.MessageView
	for _, m := range msgs {
		if m.Campaign != c {
			continue
		}
		if best == nil || absDur(m.TriggeredAt.Sub(at)) < absDur(best.TriggeredAt.Sub(at)) {
			best = m
		}
	}
	return best
}

// dueBorderline reports whether the ledger's exit landed within tol of the
// message's due time, so that either outcome is fair.
func (v *verifier) dueBorderline(e *scenarios.Expected, o *scenarios.Outcome) bool {
	x := v.x.byID[o.ExitEventID]
	if x == nil {
		// sent: is there an exit event that landed just after the due time?
		for _, l := range v.x.byJourney[e.Journey] {
			if l.person == e && l.ev.Type == "event" && l.ev.Offset >= 0 && v.isExit(o.Campaign, l.ev.Name) &&
				absDur(l.rec.Start.Add(realOffset(l.rec, l.ev.Landed)).Sub(o.DueAt)) < v.opt.Tolerance {
				return true
			}
		}
		return false
	}
	return absDur(x.rec.Start.Add(realOffset(x.rec, x.ev.Landed)).Sub(o.DueAt)) < v.opt.Tolerance
}

// landedJustLate reports whether the exit event of an exited outcome landed
// on the person less than the tolerance after the mock's due time: the
// intended margin was eaten by the path's ordinary delay, magnified by the
// time compression (a send the mock had to make, not a lost purchase).
func (v *verifier) landedJustLate(h *holder, o *scenarios.Outcome, m *mockcio.MessageView) bool {
	x := v.x.byID[o.ExitEventID]
	if x == nil || m == nil {
		return false
	}
	c, ok := x.copyOn(h)
	if !ok {
		return false
	}
	late := c.ev.LandedAt.Sub(m.DueAt)
	return late >= 0 && late < v.opt.Tolerance
}

// justBefore reports whether a message exited by an event that landed less
// than tol before its due time.
func justBefore(m *mockcio.MessageView, tol time.Duration) bool {
	if m == nil || m.ExitEventAt.IsZero() {
		return false
	}
	early := m.DueAt.Sub(m.ExitEventAt)
	return early >= 0 && early < tol
}

func (v *verifier) isExit(campaign, name string) bool {
	for _, c := range v.campaigns {
		if c.Name == campaign && slices.Contains(c.Exit, name) {
			return true
		}
	}
	return false
}

// suppressionRun is the state of checkSuppression.
type suppressionRun struct {
	noSend, sends, content    *tally
	border, noProfile, notDue int
	byPerson                  map[string][]*mockcio.MessageView
}

// checkSuppression compares each campaign outcome the ledger predicts with
// the mock's message: no send after a purchase within the delay, a send to
// every abandoner, the right content. It records the margins too.
func (v *verifier) checkSuppression() []report.Check {
	r := &suppressionRun{
		noSend:   newTally(CheckNoSendAfterBuy, "no shopper bought within a campaign's delay"),
		sends:    newTally(CheckSendsToAbandoners, "no shopper abandoned"),
		content:  newTally(CheckMessageContent, "no message was due"),
		byPerson: map[string][]*mockcio.MessageView{},
	}
	for i := range v.obs.Messages {
		m := &v.obs.Messages[i]
		r.byPerson[m.Person] = append(r.byPerson[m.Person], m)
	}
	for _, e := range v.x.ledPeople() {
		h := v.x.match(e)
		for i := range e.Campaigns {
			if h == nil {
				r.noProfile++
				continue
			}
			v.judgeOutcome(r, e, h, &e.Campaigns[i])
		}
	}
	for _, t := range []*tally{r.noSend, r.sends} {
		if r.border > 0 {
			t.notef("%d outcomes within %v of the due time accepted either way", r.border, v.opt.Tolerance)
		}
		if r.noProfile > 0 {
			t.notef("%d outcomes skipped: the shopper has no profile", r.noProfile)
		}
		if r.notDue > 0 {
			t.notef("%d outcomes not due yet when the mock was read (raise --settle)", r.notDue)
		}
	}
	v.propagation()
	return []report.Check{r.noSend.done(), r.sends.done(), r.content.done()}
}

// judgeOutcome compares one expected outcome with the person's message.
func (v *verifier) judgeOutcome(r *suppressionRun, e *scenarios.Expected, h *holder, o *scenarios.Outcome) {
	m := nearestMessage(r.byPerson[h.person.CioID], o.Campaign, o.TriggeredAt)
	sent := m != nil && m.Outcome == scenarios.OutcomeSent
	if o.Outcome == scenarios.OutcomeExited {
		v.margin(h, o, m)
	}
	if readAt := v.obs.ReadAt; !readAt.IsZero() && o.DueAt.After(readAt.Add(-v.opt.Tolerance)) && !sent {
		r.notDue++ // not decided yet when the mock was read
		return
	}
	ex := report.Example{Shopper: e.Key(), Event: o.Campaign + " triggered by " + o.TriggerEventID}
	sup := &v.sum.Suppression
	switch {
	case o.Outcome == scenarios.OutcomeExited && !sent:
		r.noSend.ok()
	case o.Outcome == scenarios.OutcomeExited && (v.dueBorderline(e, o) || v.landedJustLate(h, o, m)):
		r.border++
		r.noSend.ok()
	case o.Outcome == scenarios.OutcomeExited:
		sup.FalseSends++
		ex.Expected = fmt.Sprintf("no message: bought (%s) before the message was due at %s", o.ExitEventID, o.DueAt.Format(time.RFC3339Nano))
		ex.Actual = "message sent at " + m.DueAt.Format(time.RFC3339Nano)
		r.noSend.fail(ex)
	case sent:
		r.sends.ok()
		v.compareContent(r.content, e, o, m)
	case v.dueBorderline(e, o) || justBefore(m, v.opt.Tolerance):
		r.border++
		r.sends.ok()
	default:
		sup.MissedSends++
		ex.Expected = "message sent at " + o.DueAt.Format(time.RFC3339Nano)
		ex.Actual = "no message"
		if m != nil {
			ex.Actual = "message " + m.Outcome
		}
		r.sends.fail(ex)
	}
}

// compareContent checks a sent message's cart against the trigger's, and its
// email against the shopper's.
func (v *verifier) compareContent(t *tally, e *scenarios.Expected, o *scenarios.Outcome, m *mockcio.MessageView) {
	want, err1 := decodeJSON(o.Content)
	got, err2 := decodeJSON(m.Content)
	wm, _ := want.(map[string]any)
	gm, _ := got.(map[string]any)
	var diffs []string
	if err1 != nil || err2 != nil || gm == nil {
		diffs = append(diffs, "undecodable content "+clip(string(m.Content), 80))
	} else {
		keys := make([]string, 0, len(wm))
		for k := range wm {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if g, ok := gm[k]; !ok {
				diffs = append(diffs, "lost "+k)
			} else {
				diffAt("."+k, wm[k], g, &diffs)
			}
		}
		if g, ok := gm["email"].(string); ok && e.Email != "" && !strings.EqualFold(g, e.Email) {
			diffs = append(diffs, fmt.Sprintf("changed email: %q -> %q", e.Email, g))
		}
	}
	if len(diffs) == 0 {
		t.ok()
		return
	}
	t.fail(report.Example{Shopper: e.Key(), Event: o.Campaign + " triggered by " + o.TriggerEventID, Attribute: propNames(diffs),
		Expected: clip(string(o.Content), 300), Actual: strings.Join(diffs, "; ")})
}

// margin records due time minus the exit event's arrival on the person.
func (v *verifier) margin(h *holder, o *scenarios.Outcome, m *mockcio.MessageView) {
	x := v.x.byID[o.ExitEventID]
	if x == nil {
		return
	}
	c, ok := x.copyOn(h)
	if !ok {
		return
	}
	due := o.DueAt
	if m != nil && !m.DueAt.IsZero() {
		due = m.DueAt
	}
	v.sum.RecordMargin(due.Sub(c.ev.LandedAt))
}

// propagation records, for every purchase, the time from the shopper's
// action to the Order Placed stored on the right person.
func (v *verifier) propagation() {
	for _, l := range v.x.levs {
		if l.ev.Name != scenarios.EventOrderPlaced || l.person == nil || l.ev.Offset < 0 {
			continue
		}
		v.sum.Suppression.Purchases++
		h := v.x.match(l.person)
		if h == nil {
			continue
		}
		if c, ok := l.copyOn(h); ok {
			v.sum.RecordPropagation(max(c.ev.LandedAt.Sub(l.intended), 0))
		}
	}
}

// timeDelivery records every event's delivery time (intended start to first
// stored) and counts those never delivered.
func (v *verifier) timeDelivery() {
	for _, l := range v.x.levs {
		if len(l.copies) == 0 {
			v.sum.Delivery.NeverDelivered++
			continue
		}
		first := l.copies[0].ev.ReceivedAt
		for _, c := range l.copies[1:] {
			if c.ev.ReceivedAt.Before(first) {
				first = c.ev.ReceivedAt
			}
		}
		v.sum.RecordDelivery(deliveryName(l.ev), max(first.Sub(l.intended), 0))
	}
}

// deliveryName is the per-event delivery histogram of an event: its name for
// track events; pages and screens (named after paths) share "(page)" and
// "(screen)".
func deliveryName(ev *scenarios.ExpectedEvent) string {
	if ev.Type == "event" || ev.Type == "" {
		return ev.Name
	}
	return "(" + ev.Type + ")"
}

// warnCompression warns when the shortest scaled campaign delay is under ten
// times the purchase propagation p99 (SPEC.md §5).
func (v *verifier) warnCompression() {
	scale := v.obs.Config.TimeScale
	for _, r := range v.x.recs {
		scale = r.TimeScale
		break
	}
	var shortest time.Duration
	for _, c := range v.campaigns {
		if d := time.Duration(float64(c.Delay) / scale); scale > 0 && (shortest == 0 || d < shortest) {
			shortest = d
		}
	}
	if shortest > 0 {
		v.sum.WarnCompression(shortest)
	}
}
