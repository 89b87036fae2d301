package scenarios

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/cioharness/cioharness/cio"
)

// pstate is a person during the simulation.
type pstate struct {
	exp    *Expected
	merged *pstate // set when merged away into another person
	gone   bool    // deleted or suppressed
}

// anonState is an anonymous id during the simulation.
type anonState struct {
	id       string
	pending  []ExpectedEvent // not (yet) on a person
	traits   []member
	linked   *pstate
	linkedAt time.Duration
}

// sim replays one journey's calls under Customer.io's identity rules.
type sim struct {
	rec     *Record
	j       *Journey
	people  []*pstate
	byID    map[string]*pstate
	byEmail map[string]*pstate
	anon    map[string]*anonState
	anonSeq []*anonState
	blocked map[string][]string // blocked identifier keys → their group
}

// simulate derives a journey's record. Calls arrive in step order; a step with
// a negative offset (history) is sent at the start, so it arrives at offset 0.
func simulate(j *Journey, start time.Time, scale float64, campaigns []Campaign) *Record {
	s := &sim{
		rec: &Record{Index: j.Index, Scenario: j.Scenario, Start: start, TimeScale: scale,
			Calls: make([]CallRecord, 0, len(j.Steps))},
		j: j, byID: map[string]*pstate{}, byEmail: map[string]*pstate{}, anon: map[string]*anonState{},
	}
	var last time.Duration
	for i := range j.Steps {
		st := &j.Steps[i]
		arr := max(st.Offset, 0)
		last = max(last, arr)
		c := &st.Call
		s.rec.Calls = append(s.rec.Calls, CallRecord{Offset: st.Offset, At: s.at(st.Offset), Device: st.Device,
			AnonymousID: c.AnonymousID, Kind: c.Kind, Name: c.Name, ID: c.ID, UserID: c.UserID, Email: c.Email})
		s.apply(st, arr)
	}
	for _, p := range s.people {
		if p.merged != nil || p.gone {
			continue
		}
		sort.SliceStable(p.exp.Events, func(a, b int) bool { return p.exp.Events[a].Offset < p.exp.Events[b].Offset })
		for _, c := range campaigns {
			p.exp.Campaigns = append(p.exp.Campaigns, s.outcomes(p.exp, c)...)
		}
		s.rec.People = append(s.rec.People, p.exp)
	}
	for _, a := range s.anonSeq {
		var keep []ExpectedEvent
		for _, ev := range a.pending {
			if last-ev.Landed <= AnonymousRetention {
				keep = append(keep, ev)
			}
		}
		if len(keep) > 0 {
			s.rec.Anonymous = append(s.rec.Anonymous, AnonymousRecord{AnonymousID: a.id, Events: keep})
		}
	}
	return s.rec
}

// at converts a shopper offset to real time.
func (s *sim) at(off time.Duration) time.Time {
	return s.rec.Start.Add(time.Duration(float64(off) / s.rec.TimeScale))
}

func (s *sim) apply(st *Step, arr time.Duration) {
	c := &st.Call
	switch {
	case c.Kind == cio.KindIdentify:
		s.identify(st, arr)
	case c.Kind.IsEvent():
		s.event(st, arr)
	case c.Kind == cio.KindMerge:
		s.merge(c, arr)
	case c.Kind == cio.KindDelete, c.Kind == cio.KindSuppress:
		p := s.find(c.Person())
		if c.Kind == cio.KindSuppress {
			s.block(c.Person(), p)
		}
		if p != nil {
			p.gone = true
			s.unindex(p)
		}
	case c.Kind == cio.KindUnsuppress:
		for _, k := range s.blocked[c.Person().Key()] { // frees what was blocked together
			delete(s.blocked, k)
		}
	}
}

// block blocks the identifiers of p (or the one named, when nobody has it)
// as one group.
func (s *sim) block(named cio.Identifier, p *pstate) {
	if s.blocked == nil {
		s.blocked = map[string][]string{}
	}
	group := []string{named.Key()}
	if p != nil {
		group = group[:0]
		for _, id := range idents(&cio.Call{UserID: p.exp.ID, Email: p.exp.Email}) {
			group = append(group, id.Key())
		}
	}
	for _, k := range group {
		s.blocked[k] = group
	}
}

func (s *sim) anonOf(id string) *anonState {
	a := s.anon[id]
	if a == nil {
		a = &anonState{id: id}
		s.anon[id] = a
		s.anonSeq = append(s.anonSeq, a)
	}
	return a
}

// live follows merges to the surviving person.
func live(p *pstate) *pstate {
	for p != nil && p.merged != nil {
		p = p.merged
	}
	if p != nil && p.gone {
		return nil
	}
	return p
}

// find returns the person an identifier addresses, or nil.
func (s *sim) find(id cio.Identifier) *pstate {
	switch id.Type {
	case cio.IDID:
		return s.byID[id.Value]
	case cio.IDEmail:
		return s.byEmail[strings.ToLower(id.Value)]
	}
	return nil
}

func (s *sim) newPerson() *pstate {
	p := &pstate{exp: &Expected{Journey: s.j.Index, Attributes: make(map[string]json.RawMessage, 12),
		Events: make([]ExpectedEvent, 0, len(s.j.Steps))}}
	s.people = append(s.people, p)
	return p
}

func (s *sim) unindex(p *pstate) {
	if p.exp.ID != "" && s.byID[p.exp.ID] == p {
		delete(s.byID, p.exp.ID)
	}
	if k := strings.ToLower(p.exp.Email); k != "" && s.byEmail[k] == p {
		delete(s.byEmail, k)
	}
}

// idents lists the identifiers a call names: the external id, then the email.
func idents(c *cio.Call) []cio.Identifier {
	var out []cio.Identifier
	if c.UserID != "" {
		out = append(out, cio.Identifier{Type: cio.IDID, Value: c.UserID})
	}
	if c.Email != "" {
		out = append(out, cio.Identifier{Type: cio.IDEmail, Value: c.Email})
	}
	return out
}

// resolveIdentify finds the one person an identify names, as the mock does
// (Track v1 §2.2): if its identifiers name two people, or the person already
// has a different value for one of them (changing an identifier needs the
// cio_id), the call changes nothing (ok false). p nil with ok: create.
func (s *sim) resolveIdentify(ids []cio.Identifier) (p *pstate, ok bool) {
	for _, id := range ids {
		if s.blocked[id.Key()] != nil {
			return nil, false
		}
		q := s.find(id)
		if q == nil {
			continue
		}
		if p != nil && q != p {
			return nil, false
		}
		p = q
	}
	if p == nil {
		return nil, true
	}
	for _, id := range ids {
		cur := p.exp.ID
		if id.Type == cio.IDEmail {
			cur = p.exp.Email
		}
		if cur != "" && cur != id.Value && !(id.Type == cio.IDEmail && strings.EqualFold(cur, id.Value)) {
			return nil, false
		}
	}
	return p, true
}

// gain gives p the identifiers it lacks (also as the id and email attributes).
func (s *sim) gain(p *pstate, ids []cio.Identifier) {
	for _, id := range ids {
		switch {
		case id.Type == cio.IDID && p.exp.ID == "":
			p.exp.ID = id.Value
			p.exp.Attributes["id"] = json.RawMessage(cio.AppendString(nil, id.Value))
			s.byID[id.Value] = p
		case id.Type == cio.IDEmail && p.exp.Email == "":
			p.exp.Email = id.Value
			p.exp.Attributes["email"] = json.RawMessage(cio.AppendString(nil, id.Value))
			s.byEmail[strings.ToLower(id.Value)] = p
		}
	}
}

func (s *sim) identify(st *Step, arr time.Duration) {
	c := &st.Call
	var attrs []member
	cio.EachMember(c.Data, func(k, v []byte) { attrs = append(attrs, member{cio.MemberKey(k), v}) })
	ids := idents(c)
	if len(ids) == 0 { // traits for an anonymous id alone: kept for its merge
		if c.AnonymousID != "" {
			a := s.anonOf(c.AnonymousID)
			if p := live(a.linked); p != nil {
				setAttrs(p, attrs)
			} else {
				a.traits = append(a.traits, attrs...)
			}
		}
		return
	}
	p, ok := s.resolveIdentify(ids)
	if !ok {
		return
	}
	if p == nil {
		p = s.newPerson()
	}
	s.gain(p, ids)
	setAttrs(p, attrs)
	if c.AnonymousID != "" {
		s.link(p, st, arr)
	}
}

// member is one top-level member of a JSON object.
type member struct {
	key string
	val json.RawMessage
}

func setAttrs(p *pstate, attrs []member) {
	for _, m := range attrs {
		p.exp.Attributes[m.key] = m.val
	}
}

// link links the step's anonymous id to p, once: its events kept under the
// id (received no more than AnonymousRetention ago) move to p, its traits
// fill p's blanks.
func (s *sim) link(p *pstate, st *Step, arr time.Duration) {
	a := s.anonOf(st.Call.AnonymousID)
	if a.linked != nil {
		return // an anonymous id is not reusable: the first link stands
	}
	a.linked, a.linkedAt = p, arr
	p.exp.AnonymousIDs = append(p.exp.AnonymousIDs, a.id)
	s.rec.Linked = append(s.rec.Linked, Identification{AnonymousID: a.id, Device: st.Device, Offset: arr, At: s.at(arr), Person: p.exp.Key()})
	for _, ev := range a.pending {
		if arr-ev.Landed <= AnonymousRetention {
			ev.Via, ev.Landed = ViaAnonymousMerge, arr
			p.exp.Events = append(p.exp.Events, ev)
		}
	}
	for _, t := range a.traits {
		if cur, ok := p.exp.Attributes[t.key]; !ok || isBlank(cur) {
			p.exp.Attributes[t.key] = t.val
		}
	}
	a.pending, a.traits = nil, nil
}

func (s *sim) event(st *Step, arr time.Duration) {
	c := &st.Call
	ev := ExpectedEvent{Name: c.Name, Type: c.Kind.EventType(), ID: c.ID, Data: c.Data, Offset: st.Offset,
		Timestamp: s.at(st.Offset), AnonymousID: c.AnonymousID, Device: st.Device, Landed: arr}
	if !c.Anonymous() {
		who := c.Person() // the id when known, else the email
		if s.blocked[who.Key()] != nil {
			return
		}
		p := s.find(who)
		if p == nil {
			p = s.newPerson()
			s.gain(p, []cio.Identifier{who})
		}
		ev.Via = ViaDirect
		p.exp.Events = append(p.exp.Events, ev)
		return
	}
	a := s.anonOf(c.AnonymousID)
	if p := live(a.linked); p != nil && arr-a.linkedAt <= LateMergeWindow {
		ev.Via = ViaAnonymousMerge
		p.exp.Events = append(p.exp.Events, ev)
		return
	}
	a.pending = append(a.pending, ev)
}

// merge applies merge_customers as the mock does: the primary keeps its
// values and fills blanks (identifiers included) from the secondary, takes
// all its events (profile_merge; Customer.io moves the last 30 days at once
// and older ones later) and its anonymous ids; the secondary goes.
func (s *sim) merge(c *cio.Call, arr time.Duration) {
	pri, sec := s.find(c.Primary), s.find(c.Secondary)
	if pri == nil || sec == nil || pri == sec {
		return
	}
	s.unindex(sec)
	s.gain(pri, idents(&cio.Call{UserID: sec.exp.ID, Email: sec.exp.Email}))
	for k, v := range sec.exp.Attributes {
		if cur, ok := pri.exp.Attributes[k]; !isBlank(v) && (!ok || isBlank(cur)) {
			pri.exp.Attributes[k] = v
		}
	}
	for _, ev := range sec.exp.Events {
		ev.Via, ev.Landed = ViaProfileMerge, arr
		pri.exp.Events = append(pri.exp.Events, ev)
	}
	for _, id := range sec.exp.AnonymousIDs {
		s.anon[id].linked = pri
	}
	pri.exp.AnonymousIDs = append(pri.exp.AnonymousIDs, sec.exp.AnonymousIDs...)
	sec.merged = pri
}

func isBlank(v json.RawMessage) bool {
	t := string(bytes.TrimSpace(v))
	return t == "" || t == "null" || t == `""`
}
