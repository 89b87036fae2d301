package verify

import (
	"strings"
	"time"

	"github.com/cioharness/cioharness/mockcio"
	"github.com/cioharness/cioharness/scenarios"
)

// holder is one place the mock keeps events: a person or an anonymous id.
type holder struct {
	person *mockcio.PersonView
	anon   *mockcio.AnonymousView
	owner  *scenarios.Expected // the ledger person a mock person stands for; nil when none
	held   []*lev              // ledger events with a copy here
}

// name names the holder in examples.
func (h *holder) name() string {
	if h.anon != nil {
		return "anonymous id " + h.anon.AnonymousID
	}
	return describePerson(h.person)
}

func describePerson(p *mockcio.PersonView) string {
	var parts []string
	if p.ID != "" {
		parts = append(parts, "id="+p.ID)
	}
	if p.Email != "" {
		parts = append(parts, "email="+p.Email)
	}
	s := "person cio_" + p.CioID
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	return s
}

// copyAt is one stored copy of a ledger event.
type copyAt struct {
	h        *holder
	ev       *mockcio.EventView
	fallback bool // matched by name and time, not by id
}

// lev is one event of the ledger and where the mock stored it.
type lev struct {
	ev       *scenarios.ExpectedEvent
	rec      *scenarios.Record
	person   *scenarios.Expected // nil: it must stay under ev.AnonymousID
	intended time.Time           // the step's intended real start
	copies   []copyAt
}

// where says where the ledger wants the event.
func (l *lev) where() string {
	if l.person == nil {
		return "anonymous id " + l.ev.AnonymousID
	}
	return "shopper " + l.person.Key()
}

// index joins the ledger with an observation.
type index struct {
	led        *scenarios.Ledger
	recs       []*scenarios.Record
	levs       []*lev
	byID       map[string]*lev
	byJourney  map[uint64][]*lev
	byAnonID   map[string][]*lev
	mockByID   map[string]*holder // mock people by external id
	mockByMail map[string]*holder // by lower-case email
	mockByCio  map[string]*holder
	people     []*holder
	anon       map[string]*holder
	strays     []copyAt // stored events matching nothing the shoppers did
	extraIDs   int      // stored events with unknown ids matched by name and time
}

func realOffset(r *scenarios.Record, off time.Duration) time.Duration {
	return time.Duration(float64(off) / r.TimeScale)
}

// newIndex indexes the ledger's events.
func newIndex(led *scenarios.Ledger) *index {
	x := &index{led: led, recs: led.Records(), byID: map[string]*lev{}, byJourney: map[uint64][]*lev{}, byAnonID: map[string][]*lev{},
		mockByID: map[string]*holder{}, mockByMail: map[string]*holder{}, mockByCio: map[string]*holder{}, anon: map[string]*holder{}}
	add := func(r *scenarios.Record, p *scenarios.Expected, evs []scenarios.ExpectedEvent) {
		for i := range evs {
			ev := &evs[i]
			l := &lev{ev: ev, rec: r, person: p, intended: r.Start.Add(realOffset(r, max(ev.Offset, 0)))}
			x.levs = append(x.levs, l)
			if ev.ID != "" {
				x.byID[ev.ID] = l
			}
			x.byJourney[r.Index] = append(x.byJourney[r.Index], l)
			if ev.AnonymousID != "" {
				x.byAnonID[ev.AnonymousID] = append(x.byAnonID[ev.AnonymousID], l)
			}
		}
	}
	for _, r := range x.recs {
		for _, p := range r.People {
			add(r, p, p.Events)
		}
		for _, a := range r.Anonymous {
			add(r, nil, a.Events)
		}
	}
	return x
}

// addPeople indexes the mock's people and their events.
func (x *index) addPeople(people []mockcio.PersonView) {
	x.people = make([]*holder, len(people))
	for i := range people {
		p := &people[i]
		h := &holder{person: p}
		x.people[i] = h
		x.mockByCio[p.CioID] = h
		if p.ID != "" {
			x.mockByID[p.ID] = h
		}
		if k := strings.ToLower(p.Email); k != "" {
			if _, dup := x.mockByMail[k]; !dup {
				x.mockByMail[k] = h
			}
		}
		h.owner = x.ownerOf(p)
	}
	for _, h := range x.people {
		x.addEvents(h, h.person.Events)
	}
}

// ownerOf finds the ledger person a mock person stands for: by external id,
// else by email.
func (x *index) ownerOf(p *mockcio.PersonView) *scenarios.Expected {
	if p.ID != "" {
		if e := x.led.Person(p.ID); e != nil && e.ID == p.ID {
			return e
		}
	}
	if p.Email != "" {
		if e := x.led.Person(p.Email); e != nil && strings.EqualFold(e.Email, p.Email) && (p.ID == "" || e.ID == "") {
			return e
		}
	}
	return nil
}

// addAnonymous indexes one anonymous id's events.
func (x *index) addAnonymous(v *mockcio.AnonymousView) {
	h := &holder{anon: v}
	x.anon[v.AnonymousID] = h
	x.addEvents(h, v.Events)
}

func (x *index) addEvents(h *holder, evs []mockcio.EventView) {
	var unknown []*mockcio.EventView
	for i := range evs {
		ev := &evs[i]
		if l := x.byID[ev.ID]; l != nil && ev.ID != "" {
			l.copies = append(l.copies, copyAt{h: h, ev: ev})
			h.held = append(h.held, l)
			continue
		}
		unknown = append(unknown, ev)
	}
	for _, ev := range unknown {
		x.matchUnknown(h, ev)
	}
}

// matchUnknown pairs a stored event whose id the ledger does not know with
// the closest-in-time ledger event of the same name and journey (ingestion
// paths that drop or regenerate ids); the rest are strays.
func (x *index) matchUnknown(h *holder, ev *mockcio.EventView) {
	var cands []*lev
	switch {
	case h.owner != nil:
		cands = x.byJourney[h.owner.Journey]
	case h.anon != nil:
		cands = x.byAnonID[h.anon.AnonymousID]
	}
	var best *lev
	var bestGap time.Duration
	for _, l := range cands {
		if l.ev.Name != ev.Name || l.ev.Type != ev.Type {
			continue
		}
		gap := absDur(l.ev.Timestamp.Sub(ev.Timestamp))
		if gap > 2*time.Second {
			continue
		}
		if best == nil || better(l, best, gap, bestGap) {
			best, bestGap = l, gap
		}
	}
	if best == nil {
		x.strays = append(x.strays, copyAt{h: h, ev: ev})
		return
	}
	x.extraIDs++
	best.copies = append(best.copies, copyAt{h: h, ev: ev, fallback: true})
	h.held = append(h.held, best)
}

// better prefers an event not stored yet, then the closest in time.
func better(l, b *lev, gap, bestGap time.Duration) bool {
	if lu, bu := len(l.copies) == 0, len(b.copies) == 0; lu != bu {
		return lu
	}
	return gap < bestGap
}

// match returns the mock person standing for ledger person e: by external
// id, else (keyed by email only, or no id) by email.
func (x *index) match(e *scenarios.Expected) *holder {
	if e.ID != "" {
		if h := x.mockByID[e.ID]; h != nil {
			return h
		}
	}
	if e.Email != "" {
		return x.mockByMail[strings.ToLower(e.Email)]
	}
	return nil
}

// copyOn returns l's first copy on h.
func (l *lev) copyOn(h *holder) (copyAt, bool) {
	for _, c := range l.copies {
		if c.h == h {
			return c, true
		}
	}
	return copyAt{}, false
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// ledPeople returns every ledger person, by journey.
func (x *index) ledPeople() []*scenarios.Expected {
	var out []*scenarios.Expected
	for _, r := range x.recs {
		out = append(out, r.People...)
	}
	return out
}
