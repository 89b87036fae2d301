package mockcio

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/cioharness/cioharness/cio"
)

// lookupKeys lists the index keys an inspection identifier may mean: its
// typed key first (cio_<id>, email, id), then the other readings.
func lookupKeys(s string) []string {
	i := cio.ParsePathIdentifier(s)
	keys := []string{identKey(i)}
	if i.Type != cio.IDID {
		keys = append(keys, keyID(s))
	}
	if i.Type == cio.IDID && !strings.HasPrefix(s, "cio_") {
		keys = append(keys, keyCio(s), keyPhone(s))
	}
	return keys
}

// person returns a full snapshot of the person an identifier names. A
// suppressed identifier with no person gives a view with only the
// identifier and Suppressed set.
func (s *store) person(identifier string) (PersonView, bool) {
	var suppressed string
	for _, k := range lookupKeys(identifier) {
		st := &s.stripes[stripeOf(k)]
		st.mu.Lock()
		p := st.people[k]
		var v PersonView
		if p != nil {
			v = s.view(p, true)
		} else if st.blocked[k] != nil && suppressed == "" {
			suppressed = k
		}
		st.mu.Unlock()
		if p != nil {
			return v, true
		}
	}
	if suppressed == "" {
		return PersonView{}, false
	}
	v := PersonView{Suppressed: true, AnonymousIDs: []string{}}
	typ, val, _ := strings.Cut(suppressed, ":")
	switch typ {
	case "id":
		v.ID = val
	case "email":
		v.Email = identifier
	case "cio_id":
		v.CioID = val
	case "phone":
		v.Phone = val
	}
	return v, true
}

// peopleSorted returns every person in creation (cio_id) order after the
// cio_id after.
func (s *store) peopleSorted(after string) []*person {
	var out []*person
	for i := range s.stripes {
		st := &s.stripes[i]
		st.mu.Lock()
		for k, p := range st.people {
			if strings.HasPrefix(k, "cio_id:") && p.cioID > after {
				out = append(out, p)
			}
		}
		st.mu.Unlock()
	}
	sort.Slice(out, func(i, j int) bool { return out[i].cioID < out[j].cioID })
	return out
}

// snapshot renders p if it still exists, holding the stripe of its cio_id.
func (s *store) snapshot(p *person, full bool) (PersonView, bool) {
	k := keyCio(p.cioID)
	st := &s.stripes[stripeOf(k)]
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.people[k] != p {
		return PersonView{}, false
	}
	return s.view(p, full), true
}

// people returns one page of people after the cio_id after; next is the
// cursor of the following page, "" at the end.
func (s *store) people(after string, limit int, full bool) (page []PersonView, next string) {
	all := s.peopleSorted(after)
	page = make([]PersonView, 0, min(limit, len(all)))
	for i, p := range all {
		if len(page) == limit {
			return page, all[i-1].cioID
		}
		if v, ok := s.snapshot(p, full); ok {
			page = append(page, v)
		}
	}
	return page, ""
}

// eachPerson calls fn with a full snapshot of every person in creation order.
func (s *store) eachPerson(fn func(*PersonView) bool) {
	for _, p := range s.peopleSorted("") {
		if v, ok := s.snapshot(p, true); ok && !fn(&v) {
			return
		}
	}
}

// anonymous returns the events kept under an anonymous id.
func (s *store) anonymous(aid string) (AnonymousView, bool) {
	k := keyAnon(aid)
	st := &s.stripes[stripeOf(k)]
	st.mu.Lock()
	defer st.mu.Unlock()
	v := AnonymousView{AnonymousID: aid, Events: []EventView{}}
	p, b := st.people[k], st.anon[k]
	if p == nil && b == nil {
		return v, false
	}
	if p != nil {
		v.MergedInto = p.cioID
		for _, a := range p.anon {
			if a.id == aid {
				v.MergedAt = nanoTime(a.at)
			}
		}
	}
	if b != nil {
		for i := range b.events {
			v.Events = append(v.Events, s.eventView(&b.events[i]))
		}
		if len(b.traits) > 0 {
			m := make(map[string]json.RawMessage, len(b.traits))
			for k, a := range b.traits {
				m[k] = json.RawMessage(a.val)
			}
			v.Traits, _ = json.Marshal(m)
		}
	}
	return v, true
}
