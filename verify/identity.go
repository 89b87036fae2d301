package verify

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/cioharness/cioharness/report"
	"github.com/cioharness/cioharness/scenarios"
)

func eventLabel(ev *scenarios.ExpectedEvent) string { return ev.Name + " (id " + ev.ID + ")" }

// lateMergeBorderline reports whether an anonymous event's placement hinges
// on the 5-minute late-merge window closer than tol in real time.
func lateMergeBorderline(l *lev, tol time.Duration) bool {
	for _, id := range l.rec.Linked {
		if id.AnonymousID != l.ev.AnonymousID {
			continue
		}
		gap := max(l.ev.Offset, 0) - id.Offset
		return gap > 0 && absDur(realOffset(l.rec, gap-scenarios.LateMergeWindow)) < tol
	}
	return false
}

// checkAnonymousMerge: anonymous events Customer.io merges must be on the
// identified person; those it does not merge must stay anonymous.
func (v *verifier) checkAnonymousMerge() report.Check {
	t := newTally(CheckAnonymousMerge, "no shopper browsed anonymously")
	undelivered, borderline := 0, 0
	for _, l := range v.x.levs {
		if l.ev.AnonymousID == "" || (l.person != nil && l.ev.Via == scenarios.ViaDirect) {
			continue
		}
		if len(l.copies) == 0 {
			undelivered++
			continue
		}
		c := l.copies[0]
		var good bool
		var want string
		if l.person != nil {
			h := v.x.match(l.person)
			good = h != nil && c.h == h
			want = "on the identified person " + l.person.Key() + " (merged from anonymous id " + l.ev.AnonymousID + ")"
		} else {
			good = c.h.anon != nil && c.h.anon.AnonymousID == l.ev.AnonymousID
			want = "kept under anonymous id " + l.ev.AnonymousID + " (not merged by Customer.io's rules)"
		}
		switch {
		case good:
			t.ok()
		case lateMergeBorderline(l, v.opt.Tolerance) || v.arrivedAtWindowEdge(l, c):
			borderline++
			t.ok()
		default:
			t.fail(report.Example{Shopper: shopperOf(l), Event: eventLabel(l.ev), Expected: want, Actual: "on " + c.h.name()})
		}
	}
	if undelivered > 0 {
		t.notef("%d anonymous events never arrived (see %s)", undelivered, CheckDelivered)
	}
	if borderline > 0 {
		t.notef("%d placements within %v of the late-merge window accepted either way", borderline, v.opt.Tolerance)
	}
	return t.done()
}

// arrivedAtWindowEdge reports whether an event kept under its anonymous id
// actually arrived within the tolerance of the end of the late-merge window
// after the id was merged (the path's delay, not a lost merge).
func (v *verifier) arrivedAtWindowEdge(l *lev, c copyAt) bool {
	a := c.h.anon
	if a == nil || a.MergedAt.IsZero() {
		return false
	}
	gap := c.ev.ReceivedAt.Sub(a.MergedAt)
	return gap > 0 && absDur(gap-realOffset(l.rec, scenarios.LateMergeWindow)) < v.opt.Tolerance
}

// shopperOf names the shopper of a ledger event.
func shopperOf(l *lev) string {
	if l.person != nil {
		return l.person.Key()
	}
	for _, p := range l.rec.People {
		return p.Key()
	}
	return fmt.Sprintf("journey %d (anonymous %s)", l.rec.Index, l.ev.AnonymousID)
}

// checkCrossContamination: a mock person holds only its own shopper's events
// and identifiers.
func (v *verifier) checkCrossContamination() report.Check {
	t := newTally(CheckCrossContamination, "the mock holds no person")
	for _, h := range v.x.people {
		if h.owner == nil && len(h.held) == 0 {
			continue
		}
		journey, who := uint64(0), ""
		if h.owner != nil {
			journey, who = h.owner.Journey, h.owner.Key()
		} else {
			journey, who = h.held[0].rec.Index, shopperOf(h.held[0])
		}
		var bad *report.Example
		for _, l := range h.held {
			if l.rec.Index != journey {
				bad = &report.Example{Shopper: who, Event: eventLabel(l.ev),
					Expected: "only events of shopper " + who, Actual: describePerson(h.person) + " holds an event of shopper " + shopperOf(l)}
				break
			}
		}
		if e := v.x.led.Person(h.person.Email); bad == nil && h.person.Email != "" && e != nil && e.Journey != journey {
			bad = &report.Example{Shopper: who, Attribute: "email",
				Expected: "the email of shopper " + who, Actual: describePerson(h.person) + " carries the email of shopper " + e.Key()}
		}
		if bad != nil {
			t.fail(*bad)
		} else {
			t.ok()
		}
	}
	return t.done()
}

// checkDuplicateProfiles: each ledger person is one mock person.
func (v *verifier) checkDuplicateProfiles() report.Check {
	t := newTally(CheckDuplicateProfiles, "no shopper was identified")
	missing := 0
	for _, r := range v.x.recs {
		for _, e := range r.People {
			set := map[*holder]bool{}
			if h := v.x.match(e); h != nil {
				set[h] = true
			}
			if h := v.x.mockByMail[strings.ToLower(e.Email)]; h != nil && e.Email != "" && h.owner == e {
				set[h] = true
			}
			for _, l := range v.x.byJourney[r.Index] {
				if l.person != e {
					continue
				}
				for _, c := range l.copies {
					if c.h.person != nil && (c.h.owner == nil || c.h.owner == e) {
						set[c.h] = true
					}
				}
			}
			switch len(set) {
			case 0:
				missing++
			case 1:
				t.ok()
			default:
				var names []string
				for h := range set {
					names = append(names, h.name())
				}
				sort.Strings(names)
				t.fail(report.Example{Shopper: e.Key(), Expected: "one profile",
					Actual: fmt.Sprintf("%d profiles: %s", len(names), strings.Join(names, "; "))})
			}
		}
	}
	if missing > 0 {
		t.notef("%d shoppers have no profile at all (see %s)", missing, CheckAttributes)
	}
	return t.done()
}

// checkPrimaryID: a shopper with an external id is keyed by it, not by email.
func (v *verifier) checkPrimaryID() report.Check {
	t := newTally(CheckPrimaryID, "no shopper has an external id")
	missing := 0
	for _, e := range v.x.ledPeople() {
		if e.ID == "" {
			continue
		}
		if v.x.mockByID[e.ID] != nil {
			t.ok()
			continue
		}
		h := v.x.mockByMail[strings.ToLower(e.Email)]
		if h == nil || e.Email == "" {
			missing++
			continue
		}
		got := "keyed by email only: " + h.name()
		if h.person.ID != "" {
			got = "keyed by another id: " + h.name()
		}
		t.fail(report.Example{Shopper: e.Key(), Attribute: "id", Expected: "profile keyed by id " + e.ID, Actual: got})
	}
	if missing > 0 {
		t.notef("%d shoppers with an id have no profile at all", missing)
	}
	return t.done()
}
