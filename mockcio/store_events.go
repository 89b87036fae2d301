package mockcio

import (
	"github.com/cioharness/cioharness/cio"
)

// anonBucket holds the events (and Pipelines traits) sent for an anonymous
// id that no identify has merged yet, or that arrived after the late-merge
// window closed.
type anonBucket struct {
	events []event
	seen   map[string]struct{}
	traits map[string]attr
}

// expire drops events first stored more than keep nanoseconds before now.
// Events are appended in arrival order.
func (b *anonBucket) expire(now, keep int64) {
	i := 0
	for i < len(b.events) && now-b.events[i].recv > keep {
		if b.events[i].id != "" {
			delete(b.seen, b.events[i].id)
		}
		i++
	}
	if i > 0 {
		b.events = append(b.events[:0:0], b.events[i:]...)
	}
}

// newEvent builds the stored form of an incoming event received at now.
func (s *store) newEvent(in *eventIn, now int64, via uint8) event {
	ts := in.ts
	if ts == 0 {
		ts = now
	}
	return event{id: in.id, data: string(in.data), ts: ts, recv: now, landed: now,
		name: s.names.id(in.name), typ: in.typ, via: via, api: in.api}
}

// track records an event on the person c.who, creating the person when the
// identifier is an id or email nobody has (an unknown cio_id drops it).
// Events whose id the person already holds are dropped as duplicates.
func (s *store) track(c *command) bool {
	k := identKey(c.who)
	var newCio string
	applied := false
	_ = s.run([]string{k}, func(t *txn) error {
		p, err := t.personFor(c, k, true, &newCio)
		if p == nil {
			return err
		}
		applied = t.land(p, s.newEvent(&c.event, t.now, viaDirect), true)
		return nil
	})
	if !applied {
		s.nIgnored.Add(1)
	}
	return applied
}

// personFor finds, inside a transaction, the person c.who (store key k)
// names. For an unknown id or email it creates one when create is set (an
// unknown cio_id never is). It returns nil and no error when the call is to be
// dropped (a suppressed identifier, nobody to update), and errRetry when the
// transaction must first lock more keys; *newCio keeps the cio_id chosen for
// a new person across those retries.
func (t *txn) personFor(c *command, k string, create bool, newCio *string) (*person, error) {
	if !t.need(k) {
		return nil, errRetry
	}
	if t.blocked(k) {
		return nil, nil
	}
	if p := t.lookup(k); p != nil {
		return p, nil
	}
	if !create || c.who.Type == cio.IDCioID {
		return nil, nil
	}
	if *newCio == "" {
		*newCio = t.s.newCioID()
	}
	if !t.has(keyCio(*newCio)) {
		return nil, errRetry
	}
	p := t.create(*newCio)
	t.rekey(p, c, []cio.Identifier{c.who})
	return p, nil
}

// land adds e to p, counts it and queues the hooks; accepted says whether
// EventAccepted fires too (a new event, not one moving). It reports false for
// a duplicate.
func (t *txn) land(p *person, e event, accepted bool) bool {
	p.mu.Lock()
	ok := p.addEvent(e)
	p.mu.Unlock()
	if !ok {
		t.s.nDuplicates.Add(1)
		return false
	}
	t.s.nEvents.Add(1)
	ref, ev := p.ref(), t.s.eventView(&e)
	t.hook(func(r Retention) {
		if accepted {
			r.EventAccepted(ref, ev)
		}
		r.EventLanded(ref, ev)
	})
	return true
}

// trackAnon records an event for anonymous id c.anonID: on the person it was
// merged into when it arrives inside the late-merge window (5 shopper
// minutes after the merge), else kept under the anonymous id.
func (s *store) trackAnon(c *command) bool {
	k := keyAnon(c.anonID)
	applied := false
	_ = s.run([]string{k}, func(t *txn) error {
		if !t.need(k) {
			return errRetry
		}
		if p := t.lookup(k); p != nil && t.inWindow(p, c.anonID) {
			applied = t.land(p, s.newEvent(&c.event, t.now, viaAnonMerge), true)
			return nil
		}
		st := &t.s.stripes[stripeOf(k)]
		b := st.anon[k]
		if b == nil {
			b = &anonBucket{}
			st.anon[k] = b
		}
		n := len(b.events)
		b.expire(t.now, s.retention())
		e := s.newEvent(&c.event, t.now, viaNone)
		if e.id != "" {
			if _, dup := b.seen[e.id]; dup {
				s.nAnonEvents.Add(int64(len(b.events) - n))
				s.nDuplicates.Add(1)
				return nil
			}
			if b.seen == nil {
				b.seen = map[string]struct{}{}
			}
			b.seen[e.id] = struct{}{}
		}
		b.events = append(b.events, e)
		s.nAnonEvents.Add(int64(len(b.events) - n))
		ref, ev := PersonRef{AnonymousID: c.anonID}, s.eventView(&e)
		t.hook(func(r Retention) { r.EventAccepted(ref, ev) })
		applied = true
		return nil
	})
	if !applied {
		s.nIgnored.Add(1)
	}
	return applied
}

// inWindow reports whether now is inside the late-merge window of p's link
// to aid.
func (t *txn) inWindow(p *person, aid string) bool {
	for _, a := range p.anon {
		if a.id == aid {
			return t.now-a.at <= t.s.lateWindow()
		}
	}
	return false
}

// identifyAnon keeps Pipelines traits sent for an anonymous id alone; a
// later merge fills the person's blank attributes with them. If the id is
// already merged the traits go to the person.
func (s *store) identifyAnon(c *command) bool {
	k := keyAnon(c.anonID)
	_ = s.run([]string{k}, func(t *txn) error {
		if !t.need(k) {
			return errRetry
		}
		if p := t.lookup(k); p != nil {
			t.applyAttrs(p, c)
			return nil
		}
		st := &t.s.stripes[stripeOf(k)]
		b := st.anon[k]
		if b == nil {
			b = &anonBucket{}
			st.anon[k] = b
		}
		if b.traits == nil {
			b.traits = map[string]attr{}
		}
		for _, a := range c.attrs {
			b.traits[s.names.canon(a.name)] = attr{val: string(a.val), ts: t.now}
		}
		return nil
	})
	return true
}

// device adds, updates or (remove) deletes a device of c.who. Adding to an
// unknown id or email creates the person, as an event does.
func (s *store) device(c *command, remove bool) bool {
	k := identKey(c.who)
	var newCio string
	applied := false
	_ = s.run([]string{k}, func(t *txn) error {
		p, err := t.personFor(c, k, !remove, &newCio)
		if p == nil {
			return err
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		p.updated = t.now
		d := c.device
		for i := range p.devices {
			if p.devices[i].token == d.token {
				if remove {
					p.devices = append(p.devices[:i], p.devices[i+1:]...)
				} else {
					p.devices[i] = s.newDevice(&d, t.now)
				}
				applied = true
				return nil
			}
		}
		if !remove {
			p.devices = append(p.devices, s.newDevice(&d, t.now))
			applied = true
		}
		return nil
	})
	return applied
}

func (s *store) newDevice(d *deviceIn, now int64) device {
	lu := d.lastUsed
	if lu == 0 {
		lu = now
	}
	return device{token: d.token, platform: d.platform, lastUsed: lu, attrs: string(d.attrs)}
}
