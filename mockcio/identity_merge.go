package mockcio

import (
	"strings"

	"github.com/cioharness/cioharness/cio"
)

// merge merges the secondary person into the primary (Track v1
// merge_customers, v2 merge): the primary keeps its values and fills its
// blanks (identifiers included) from the secondary, takes its events
// (profile_merge), anonymous ids and devices; the secondary is deleted.
// Nothing happens if either is missing or both are the same person.
func (s *store) merge(c *command) bool {
	pk, sk := identKey(c.primary), identKey(c.secondary)
	applied := false
	_ = s.run([]string{pk, sk}, func(t *txn) error {
		if !t.need(pk, sk) {
			return errRetry
		}
		p, q := t.lookup(pk), t.lookup(sk)
		if p == nil || q == nil || p == q {
			return nil
		}
		if !t.need(append(p.keys(), q.keys()...)...) {
			return errRetry
		}
		t.unindex(q)
		for _, typ := range []cio.IDType{cio.IDID, cio.IDEmail, cio.IDPhone} {
			if v := q.field(typ); v != "" && p.field(typ) == "" {
				p.setField(typ, v)
				k := identKey(cio.Identifier{Type: typ, Value: v})
				t.s.stripes[stripeOf(k)].people[k] = p
			}
		}
		for _, a := range q.anon {
			k := keyAnon(a.id)
			t.s.stripes[stripeOf(k)].people[k] = p
			p.anon = append(p.anon, a)
		}
		t.moveData(p, q)
		applied = true
		return nil
	})
	if !applied {
		s.nIgnored.Add(1)
	}
	return applied
}

// moveData moves q's attributes (into blanks), events and devices to p and
// marks q gone; both are already out of or in the index as they must be.
func (t *txn) moveData(p, q *person) {
	pref, qref := p.ref(), q.ref()
	q.mu.Lock()
	q.gone = true
	attrs, events, devices := q.attrs, q.events, q.devices
	q.attrs, q.events, q.devices, q.seen = nil, nil, nil, nil
	q.mu.Unlock()
	t.s.nEvents.Add(-int64(len(events)))

	p.mu.Lock()
	for name, a := range attrs {
		if cur, ok := p.attrs[name]; a.val != "" && (!ok || cur.val == "" || isBlank([]byte(cur.val))) {
			p.setAttr(name, []byte(a.val), max(a.ts, cur.ts))
		}
	}
	var landed []EventView
	for _, e := range events {
		e.via, e.landed = viaProfileMerge, t.now
		if p.addEvent(e) {
			landed = append(landed, t.s.eventView(&e))
		}
	}
	for _, d := range devices {
		if !hasDevice(p.devices, d.token) {
			p.devices = append(p.devices, d)
		}
	}
	p.updated = t.now
	p.mu.Unlock()
	t.s.nEvents.Add(int64(len(landed)))
	t.hook(func(r Retention) {
		for _, ev := range landed {
			r.EventLanded(pref, ev)
		}
		r.PersonRemoved(qref, RemovedMerged, pref)
	})
}

func hasDevice(ds []device, token string) bool {
	for _, d := range ds {
		if d.token == token {
			return true
		}
	}
	return false
}

// unindex removes every key of p from the index and counts p gone. The
// stripes of all p's keys are held.
func (t *txn) unindex(p *person) {
	for _, k := range p.keys() {
		st := &t.s.stripes[stripeOf(k)]
		if st.people[k] == p {
			delete(st.people, k)
		}
	}
	t.s.nPeople.Add(-1)
}

// remove deletes the person addressed by c.who; with suppress it also blocks
// the person's identifiers (or c.who alone when nobody has it).
func (s *store) remove(c *command, suppress bool) bool {
	k := identKey(c.who)
	applied := false
	_ = s.run([]string{k}, func(t *txn) error {
		if !t.need(k) {
			return errRetry
		}
		p := t.lookup(k)
		if p == nil {
			if suppress && !t.blocked(k) {
				t.s.stripes[stripeOf(k)].blocked[k] = &suppression{keys: []string{k}}
				applied = true
			}
			return nil
		}
		keys := p.keys()
		if !t.need(keys...) {
			return errRetry
		}
		t.unindex(p)
		reason := RemovedDeleted
		if suppress {
			reason = RemovedSuppressed
			rec := &suppression{}
			for _, pk := range keys {
				if !strings.HasPrefix(pk, "anon:") {
					rec.keys = append(rec.keys, pk)
					t.s.stripes[stripeOf(pk)].blocked[pk] = rec
				}
			}
		}
		p.mu.Lock()
		p.gone = true
		n := len(p.events)
		p.mu.Unlock()
		t.s.nEvents.Add(-int64(n))
		ref := p.ref()
		t.hook(func(r Retention) { r.PersonRemoved(ref, reason, PersonRef{}) })
		applied = true
		return nil
	})
	if !applied {
		s.nIgnored.Add(1)
	}
	return applied
}

// unsuppress frees every identifier blocked together with c.who. The old
// profile is not restored.
func (s *store) unsuppress(c *command) bool {
	k := identKey(c.who)
	applied := false
	_ = s.run([]string{k}, func(t *txn) error {
		if !t.need(k) {
			return errRetry
		}
		rec := t.s.stripes[stripeOf(k)].blocked[k]
		if rec == nil {
			return nil
		}
		if !t.need(rec.keys...) {
			return errRetry
		}
		for _, bk := range rec.keys {
			st := &t.s.stripes[stripeOf(bk)]
			if st.blocked[bk] == rec {
				delete(st.blocked, bk)
			}
		}
		applied = true
		return nil
	})
	if !applied {
		s.nIgnored.Add(1)
	}
	return applied
}
