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
	blocked map[string]bool
}

// simulate derives a journey's record. Calls arrive in step order; a step with
// a negative offset (history) is sent at the start, so it arrives at offset 0.
func simulate(j *Journey, start time.Time, scale float64, campaigns []Campaign) *Record {
	s := &sim{
		rec: &Record{Index: j.Index, Scenario: j.Scenario, Start: start, TimeScale: scale},
		j:   j, byID: map[string]*pstate{}, byEmail: map[string]*pstate{}, anon: map[string]*anonState{},
		blocked: map[string]bool{},
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
			if last-ev.Offset <= AnonymousRetention {
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
		if p := s.find(c.Person()); p != nil {
			p.gone = true
			s.unindex(p)
			if c.Kind == cio.KindSuppress {
				s.blocked[idKey(c.Person())] = true
			}
		}
	case c.Kind == cio.KindUnsuppress:
		delete(s.blocked, idKey(c.Person()))
	}
}

func idKey(id cio.Identifier) string { return id.Key() }

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

func (s *sim) newPerson(id, email string) *pstate {
	p := &pstate{exp: &Expected{Journey: s.j.Index, ID: id, Attributes: map[string]json.RawMessage{}, Events: []ExpectedEvent{}}}
	s.people = append(s.people, p)
	if id != "" {
		s.byID[id] = p
	}
	if email != "" {
		s.setEmail(p, email)
	}
	return p
}

// setEmail gives p an email unless another person holds it (then Customer.io
// logs an attribute update failure and keeps the old one).
func (s *sim) setEmail(p *pstate, email string) {
	k := strings.ToLower(email)
	if q := s.byEmail[k]; q != nil && q != p {
		return
	}
	if p.exp.Email != "" {
		delete(s.byEmail, strings.ToLower(p.exp.Email))
	}
	p.exp.Email = email
	p.exp.Attributes["email"] = json.RawMessage(cio.AppendString(nil, email))
	s.byEmail[k] = p
}

func (s *sim) unindex(p *pstate) {
	if p.exp.ID != "" && s.byID[p.exp.ID] == p {
		delete(s.byID, p.exp.ID)
	}
	if k := strings.ToLower(p.exp.Email); k != "" && s.byEmail[k] == p {
		delete(s.byEmail, k)
	}
}

// resolve finds or creates the person a call addresses (v1 upsert rules).
func (s *sim) resolve(c *cio.Call) *pstate {
	if s.blocked[idKey(c.Person())] {
		return nil
	}
	if c.UserID == "" {
		p := s.byEmail[strings.ToLower(c.Email)]
		if p == nil {
			p = s.newPerson("", c.Email)
		}
		return p
	}
	p := s.byID[c.UserID]
	if p == nil && c.Email != "" {
		// Rule 3: an unknown id with a known email updates that person, who gains the id.
		if q := s.byEmail[strings.ToLower(c.Email)]; q != nil && q.exp.ID == "" {
			p = q
			p.exp.ID = c.UserID
			s.byID[c.UserID] = p
		}
	}
	if p == nil {
		p = s.newPerson(c.UserID, "")
	}
	if c.Email != "" && !strings.EqualFold(c.Email, p.exp.Email) {
		s.setEmail(p, c.Email)
	}
	return p
}

func (s *sim) identify(st *Step, arr time.Duration) {
	c := &st.Call
	p := s.resolve(c)
	if p == nil {
		return
	}
	var attrs map[string]json.RawMessage
	if len(bytes.TrimSpace(c.Data)) > 0 && json.Unmarshal(c.Data, &attrs) == nil {
		for k, v := range attrs {
			p.exp.Attributes[k] = v
		}
	}
	if c.AnonymousID == "" {
		return
	}
	a := s.anonOf(c.AnonymousID)
	if a.linked != nil {
		return // an anonymous id is not reusable: the first link stands
	}
	a.linked, a.linkedAt = p, arr
	p.exp.AnonymousIDs = append(p.exp.AnonymousIDs, a.id)
	s.rec.Linked = append(s.rec.Linked, Identification{AnonymousID: a.id, Device: st.Device, Offset: arr, At: s.at(arr), Person: p.exp.Key()})
	for _, ev := range a.pending {
		if arr-ev.Offset <= AnonymousRetention {
			ev.Via, ev.Landed = ViaAnonymousMerge, arr
			p.exp.Events = append(p.exp.Events, ev)
		}
	}
	a.pending = nil
}

func (s *sim) event(st *Step, arr time.Duration) {
	c := &st.Call
	ev := ExpectedEvent{Name: c.Name, Type: c.Kind.EventType(), ID: c.ID, Data: c.Data, Offset: st.Offset,
		Timestamp: s.at(st.Offset), AnonymousID: c.AnonymousID, Device: st.Device, Landed: arr}
	if !c.Anonymous() {
		if p := s.resolve(c); p != nil {
			ev.Via = ViaDirect
			p.exp.Events = append(p.exp.Events, ev)
		}
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

// merge applies merge_customers: the primary survives, keeps its values and
// fills blanks; the secondary's recent events move over; the secondary goes.
func (s *sim) merge(c *cio.Call, arr time.Duration) {
	pri, sec := s.find(c.Primary), s.find(c.Secondary)
	if pri == nil || sec == nil || pri == sec {
		return
	}
	for k, v := range sec.exp.Attributes {
		if cur, ok := pri.exp.Attributes[k]; !ok || isBlank(cur) {
			pri.exp.Attributes[k] = v
		}
	}
	if pri.exp.Email == "" && sec.exp.Email != "" {
		email := sec.exp.Email
		s.unindex(sec)
		s.setEmail(pri, email)
	}
	for _, ev := range sec.exp.Events {
		if arr-ev.Offset <= MergeEventWindow {
			ev.Via, ev.Landed = ViaProfileMerge, arr
			pri.exp.Events = append(pri.exp.Events, ev)
		}
	}
	pri.exp.AnonymousIDs = append(pri.exp.AnonymousIDs, sec.exp.AnonymousIDs...)
	s.unindex(sec)
	sec.merged = pri
}

func isBlank(v json.RawMessage) bool {
	t := string(bytes.TrimSpace(v))
	return t == "" || t == "null" || t == `""`
}
