package verify

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/cioharness/cioharness/report"
	"github.com/cioharness/cioharness/scenarios"
)

// TrackResolution is the coarsest timestamp a wire format carries (Track:
// unix seconds); events.timestamps allows it on top of the plan's skew.
const TrackResolution = time.Second

// checkDelivered: every event a shopper produced reached the mock.
func (v *verifier) checkDelivered() report.Check {
	t := newTally(CheckDelivered, "")
	for _, l := range v.x.levs {
		if len(l.copies) > 0 {
			t.ok()
			continue
		}
		t.fail(report.Example{Shopper: shopperOf(l), Event: eventLabel(l.ev),
			Expected: fmt.Sprintf("stored (%s, action at %s)", l.where(), l.ev.Timestamp.Format(time.RFC3339Nano)),
			Actual:   "not stored on any person or anonymous id"})
	}
	if t.c.Expected == 0 {
		// An empty run proves nothing: say so by failing.
		c := t.done()
		c.Passed = false
		c.Note = NotApplicable + " (the ledger holds no event: an empty run proves nothing)"
		return c
	}
	if v.x.extraIDs > 0 {
		t.notef("%d stored events carried an id the shoppers did not send and were matched by name and time", v.x.extraIDs)
	}
	var strays []copyAt
	for _, c := range v.x.strays {
		if !v.foreign(c.h) {
			strays = append(strays, c)
		}
	}
	if n := len(strays); n > 0 {
		t.notef("%d stored events match nothing the shoppers did (e.g. %s on %s)", n, strays[0].ev.Name, strays[0].h.name())
	}
	return t.done()
}

// foreign reports whether a mock person or anonymous id belongs to another
// shard of the run: in a sharded run, one the ledger does not know that
// holds none of its events. A whole run has no foreign holders: everything
// the mock holds is the run's own.
func (v *verifier) foreign(h *holder) bool {
	if !v.opt.sharded() || len(h.held) > 0 {
		return false
	}
	if h.anon != nil {
		return len(v.x.byAnonID[h.anon.AnonymousID]) == 0
	}
	return h.owner == nil
}

// checkDuplicated: no event is stored more than once.
func (v *verifier) checkDuplicated() report.Check {
	t := newTally(CheckDuplicated, "no event reached the mock")
	for _, l := range v.x.levs {
		switch {
		case len(l.copies) == 1:
			t.ok()
		case len(l.copies) > 1:
			var where []string
			for _, c := range l.copies {
				where = append(where, "id "+c.ev.ID+" on "+c.h.name())
			}
			t.fail(report.Example{Shopper: shopperOf(l), Event: eventLabel(l.ev), Expected: "stored once",
				Actual: fmt.Sprintf("stored %d times: %s", len(l.copies), strings.Join(where, "; "))})
		}
	}
	return t.done()
}

// checkProperties: each stored event carries exactly the data the shopper
// sent, compared as JSON values.
func (v *verifier) checkProperties() report.Check {
	t := newTally(CheckProperties, "no event reached the mock")
	for _, l := range v.x.levs {
		if len(l.copies) == 0 {
			continue
		}
		if sameData(l.ev.Data, l.copies[0].ev.Data) {
			t.ok()
			continue
		}
		want, err1 := decodeJSON(l.ev.Data)
		got, err2 := decodeJSON(l.copies[0].ev.Data)
		var diffs []string
		switch {
		case err1 != nil || err2 != nil:
			diffs = []string{fmt.Sprintf("undecodable data: %v %v", err1, err2)}
		default:
			diffs = diffJSON(want, got)
		}
		if len(diffs) == 0 {
			t.ok()
			continue
		}
		t.fail(report.Example{Shopper: shopperOf(l), Event: eventLabel(l.ev), Attribute: propNames(diffs),
			Expected: clip(string(l.ev.Data), 300), Actual: strings.Join(diffs, "; ")})
	}
	return t.done()
}

// sameData is the fast path of the properties check: byte-equal data (or
// both empty) need no decoding.
func sameData(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	empty := func(x []byte) bool {
		x = bytes.TrimSpace(x)
		return len(x) == 0 || string(x) == "{}" || string(x) == "null"
	}
	return empty(a) && empty(b)
}

// propNames extracts the property paths named by diff phrases.
func propNames(diffs []string) string {
	var out []string
	for _, d := range diffs {
		_, rest, _ := strings.Cut(d, " ")
		name, _, _ := strings.Cut(rest, ":")
		name, _, _ = strings.Cut(name, " ")
		out = append(out, name)
	}
	return strings.Join(out, ", ")
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n-3] + "..."
	}
	return s
}

// allowedSkew is the plan's largest timestamp skew in real time for r, plus
// the Track resolution.
func (v *verifier) allowedSkew(r *scenarios.Record) time.Duration {
	var skew time.Duration
	if p := v.obs.Config.Plan; p != nil {
		skew = realOffset(r, time.Duration(p.MaxTimestampSkew))
	}
	return skew + TrackResolution
}

// checkTimestamps: each stored event's timestamp is the shopper's action time
// within the allowed skew.
func (v *verifier) checkTimestamps() report.Check {
	t := newTally(CheckTimestamps, "no event reached the mock")
	for _, l := range v.x.levs {
		if len(l.copies) == 0 {
			continue
		}
		got := l.copies[0].ev.Timestamp
		skew := got.Sub(l.ev.Timestamp)
		if allowed := v.allowedSkew(l.rec); absDur(skew) <= allowed {
			t.ok()
			continue
		} else {
			t.fail(report.Example{Shopper: shopperOf(l), Event: eventLabel(l.ev),
				Expected: fmt.Sprintf("%s (within %v)", l.ev.Timestamp.Format(time.RFC3339Nano), allowed),
				Actual:   fmt.Sprintf("%s (off by %v)", got.Format(time.RFC3339Nano), skew.Round(time.Millisecond))})
		}
	}
	return t.done()
}

// checkOrder: for each campaign the ledger predicts, the trigger event and
// every exit event landed on the person in the order the shopper's steps
// imply; an inversion changes which of them can stop the message.
func (v *verifier) checkOrder() report.Check {
	t := newTally(CheckOrder, "no campaign trigger with an exit event on one person")
	borderline := 0
	for _, e := range v.x.ledPeople() {
		h := v.x.match(e)
		if h == nil {
			continue
		}
		for _, o := range e.Campaigns {
			trig := v.x.byID[o.TriggerEventID]
			if trig == nil {
				continue
			}
			tc, ok := trig.copyOn(h)
			if !ok {
				continue
			}
			for _, l := range v.x.byJourney[trig.rec.Index] {
				if l.person != e || !v.isExit(o.Campaign, l.ev.Name) {
					continue
				}
				xc, ok := l.copyOn(h)
				if !ok {
					continue
				}
				gap := realOffset(l.rec, l.ev.Landed-trig.ev.Landed)
				if absDur(gap) < v.opt.Tolerance {
					// Either order is accepted; still an item, so that the
					// count does not hinge on the tolerance (the harness's lag).
					borderline++
					t.ok()
					continue
				}
				stored := xc.ev.LandedAt.Sub(tc.ev.LandedAt)
				if (gap > 0) == (stored > 0) {
					t.ok()
					continue
				}
				t.fail(report.Example{Shopper: e.Key(), Event: eventLabel(l.ev) + " vs trigger " + eventLabel(trig.ev),
					Expected: fmt.Sprintf("%s lands %v %s the %s trigger", l.ev.Name, absDur(gap), afterBefore(gap), o.Campaign),
					Actual:   fmt.Sprintf("landed %v %s it", absDur(stored), afterBefore(stored))})
			}
		}
	}
	if borderline > 0 {
		t.notef("%d pairs within %v of each other accepted in either order", borderline, v.opt.Tolerance)
	}
	return t.done()
}

func afterBefore(d time.Duration) string {
	if d > 0 {
		return "after"
	}
	return "before"
}
