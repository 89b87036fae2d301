package mockcio

import (
	"encoding/json"
	"strings"

	"github.com/cioharness/cioharness/cio"
)

// identKey is the index key of a typed identifier.
func identKey(i cio.Identifier) string {
	switch i.Type {
	case cio.IDID:
		return keyID(i.Value)
	case cio.IDEmail:
		return keyEmail(i.Value)
	case cio.IDCioID:
		return keyCio(i.Value)
	case cio.IDPhone:
		return keyPhone(i.Value)
	}
	return ""
}

// field returns p's identifier of type t.
func (p *person) field(t cio.IDType) string {
	switch t {
	case cio.IDID:
		return p.id
	case cio.IDEmail:
		return p.email
	case cio.IDPhone:
		return p.phone
	case cio.IDCioID:
		return p.cioID
	}
	return ""
}

func (p *person) setField(t cio.IDType, v string) {
	switch t {
	case cio.IDID:
		p.id = v
	case cio.IDEmail:
		p.email = v
	case cio.IDPhone:
		p.phone = v
	}
}

func sameIdent(t cio.IDType, a, b string) bool {
	if t == cio.IDEmail {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// identifyIdents lists the identifiers an identify names: the addressed one
// first, then the body's.
func identifyIdents(c *command) []cio.Identifier {
	ids := []cio.Identifier{c.who}
	add := func(t cio.IDType, v string) {
		if v != "" && !(c.who.Type == t && sameIdent(t, c.who.Value, v)) {
			ids = append(ids, cio.Identifier{Type: t, Value: v})
		}
	}
	add(cio.IDID, c.bodyID)
	add(cio.IDEmail, c.bodyEmail)
	add(cio.IDPhone, c.bodyPhone)
	return ids
}

// identify applies an identify (Track v1 §2.2 rules, v2 identify, Pipelines
// identify and alias). It reports whether the command changed anything.
func (s *store) identify(c *command) bool {
	ids := identifyIdents(c)
	keys := make([]string, 0, len(ids)+2)
	for _, i := range ids {
		keys = append(keys, identKey(i))
	}
	if c.anonID != "" {
		keys = append(keys, keyAnon(c.anonID))
	}
	var newCio string
	applied := false
	_ = s.run(keys, func(t *txn) error {
		if !t.need(keys...) {
			return errRetry
		}
		for _, k := range keys[:len(ids)] {
			if t.blocked(k) {
				return nil // suppressed identifier: ignored
			}
		}
		p, ok := t.resolve(c, ids)
		if !ok {
			return nil // conflict, unknown cio_id or _update without a match
		}
		if p == nil {
			if newCio == "" {
				newCio = s.newCioID()
			}
			if !t.has(keyCio(newCio)) {
				return errRetry
			}
			p = t.create(newCio)
		}
		if !t.need(p.keys()...) {
			return errRetry
		}
		if !t.canLink(p, c.anonID) {
			c.anonID = "" // anonymous ids are not reusable: keep the first link
		}
		t.rekey(p, c, ids)
		t.applyAttrs(p, c)
		if c.anonID != "" {
			t.link(p, c.anonID)
		}
		applied = true
		return nil
	})
	if !applied {
		s.nIgnored.Add(1)
	}
	return applied
}

// resolve finds the one person an identify addresses. ok=false means the
// call must change nothing; p=nil with ok means create.
func (t *txn) resolve(c *command, ids []cio.Identifier) (p *person, ok bool) {
	if c.who.Type == cio.IDCioID {
		p = t.lookup(identKey(c.who))
		if p == nil {
			return nil, false // unknown cio_id: dropped
		}
		for _, i := range ids[1:] { // changing identifiers: they must be free
			if q := t.lookup(identKey(i)); q != nil && q != p {
				return nil, false
			}
		}
		return p, true
	}
	for _, i := range ids {
		q := t.lookup(identKey(i))
		if q == nil {
			continue
		}
		if p != nil && q != p {
			return nil, false // path and body identifiers name two people
		}
		p = q
	}
	if p == nil {
		return nil, !c.update
	}
	for _, i := range ids { // the person gains identifiers it lacks, never changes them
		if cur := p.field(i.Type); cur != "" && !sameIdent(i.Type, cur, i.Value) {
			return nil, false
		}
	}
	return p, true
}

// create adds a new person holding only its cio_id.
func (t *txn) create(cioID string) *person {
	p := &person{cioID: cioID, created: t.now, updated: t.now}
	t.s.stripes[stripeOf(keyCio(cioID))].people[keyCio(cioID)] = p
	t.s.nPeople.Add(1)
	return p
}

// rekey gives p the identifiers of c it lacks (or, addressed by cio_id, the
// new values). The stripes of p and of every identifier of c are held.
func (t *txn) rekey(p *person, c *command, ids []cio.Identifier) {
	for _, i := range ids {
		if i.Type == cio.IDCioID {
			continue
		}
		cur := p.field(i.Type)
		if cur != "" && sameIdent(i.Type, cur, i.Value) {
			continue
		}
		if cur != "" {
			delete(t.s.stripes[stripeOf(identKey(cio.Identifier{Type: i.Type, Value: cur}))].people,
				identKey(cio.Identifier{Type: i.Type, Value: cur}))
		}
		p.setField(i.Type, i.Value)
		k := identKey(i)
		t.s.stripes[stripeOf(k)].people[k] = p
		p.mu.Lock()
		p.setAttr(i.Type.JSONKey(), cio.AppendString(nil, i.Value), t.now)
		p.mu.Unlock()
	}
}

// applyAttrs writes c's attributes to p in _timestamp order and queues the
// Identified hook.
func (t *txn) applyAttrs(p *person, c *command) {
	ts := c.attrTS
	if ts == 0 {
		ts = t.now
	}
	p.mu.Lock()
	for _, a := range c.attrs {
		if root, path, ok := strings.Cut(a.name, "."); ok && root == subscriptionPrefs {
			p.setNested(root, strings.Split(path, "."), a.val, ts)
			continue
		}
		p.setAttr(t.s.names.canon(a.name), a.val, ts)
	}
	p.updated = t.now
	p.mu.Unlock()
	ref, at := p.ref(), nanoTime(t.now)
	attrs := make(map[string]json.RawMessage, len(c.attrs))
	for _, a := range c.attrs {
		attrs[a.name] = json.RawMessage(a.val)
	}
	t.hook(func(r Retention) { r.Identified(ref, attrs, at) })
}

// canLink reports whether anonymous id aid may be linked to p: it is linked
// to no one else. The stripe of aid is held.
func (t *txn) canLink(p *person, aid string) bool {
	if aid == "" {
		return false
	}
	q := t.lookup(keyAnon(aid))
	return q == nil || q == p
}

// link merges anonymous id aid into p: its kept events move to p
// (anonymous_merge), its traits fill p's blanks, and later anonymous events
// inside the late-merge window land on p too.
func (t *txn) link(p *person, aid string) {
	k := keyAnon(aid)
	st := &t.s.stripes[stripeOf(k)]
	if st.people[k] == p {
		return
	}
	st.people[k] = p
	p.anon = append(p.anon, anonLink{id: aid, at: t.now})
	b := st.anon[k]
	if b == nil {
		return
	}
	delete(st.anon, k)
	b.expire(t.now, t.s.retention())
	t.s.nAnonEvents.Add(-int64(len(b.events)))
	ref := p.ref()
	p.mu.Lock()
	for name, a := range b.traits {
		if cur, ok := p.attrs[name]; !ok || cur.val == "" {
			p.setAttr(name, []byte(a.val), a.ts)
		}
	}
	var landed []EventView
	for _, e := range b.events {
		e.via, e.landed = viaAnonMerge, t.now
		if p.addEvent(e) {
			landed = append(landed, t.s.eventView(&e))
		}
	}
	p.mu.Unlock()
	t.s.nEvents.Add(int64(len(landed)))
	t.hook(func(r Retention) {
		for _, ev := range landed {
			r.EventLanded(ref, ev)
		}
	})
}

// retention is how long anonymous events are kept, in real nanoseconds:
// AnonymousRetention of shopper time.
func (s *store) retention() int64 { return int64(s.clock.Real(AnonymousRetention)) }

// lateWindow is how long after a merge anonymous events still follow it, in
// real nanoseconds: LateMergeWindow of shopper time.
func (s *store) lateWindow() int64 { return int64(s.clock.Real(LateMergeWindow)) }
