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
	out := s.peopleAfter(after)
	sort.Slice(out, func(i, j int) bool { return out[i].cioID < out[j].cioID })
	return out
}

// peopleAfter returns every person with a cio_id after after, in no order.
func (s *store) peopleAfter(after string) []*person {
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
// cursor of the following page, "" at the end. A page sorts only the people
// it takes (plus a few, for people removed meanwhile), not all after the
// cursor, so reading every page costs O(pages × people + people × log limit).
func (s *store) people(after string, limit int, full bool) (page []PersonView, next string) {
	cursor := after
	for {
		batch, more := s.peopleFirst(cursor, limit-len(page)+16)
		if page == nil {
			page = make([]PersonView, 0, min(limit, len(batch)))
		}
		for _, p := range batch {
			if len(page) == limit {
				return page, cursor
			}
			if v, ok := s.snapshot(p, full); ok {
				page = append(page, v)
			}
			cursor = p.cioID
		}
		if !more {
			return page, ""
		}
		if len(page) == limit {
			return page, cursor
		}
	}
}

// peopleFirst returns, in cio_id order, the (at most) k people with the
// smallest cio_ids after the cio_id after, and whether more follow them.
func (s *store) peopleFirst(after string, k int) ([]*person, bool) {
	all := s.peopleAfter(after)
	more := len(all) > k
	if more {
		selectSmallest(all, k)
		all = all[:k]
	}
	sort.Slice(all, func(i, j int) bool { return all[i].cioID < all[j].cioID })
	return all, more
}

// selectSmallest reorders ps so that ps[:k] hold the k smallest cio_ids, in
// no order (quickselect; 0 < k < len(ps); cio_ids are unique).
func selectSmallest(ps []*person, k int) {
	lo, hi := 0, len(ps)-1
	for lo < hi {
		pivot := ps[lo+(hi-lo)/2].cioID
		i, j := lo, hi
		for i <= j {
			for ps[i].cioID < pivot {
				i++
			}
			for ps[j].cioID > pivot {
				j--
			}
			if i <= j {
				ps[i], ps[j] = ps[j], ps[i]
				i, j = i+1, j-1
			}
		}
		switch { // ps[lo..j] ≤ pivot ≤ ps[i..hi]
		case k-1 <= j:
			hi = j
		case k-1 >= i:
			lo = i
		default:
			return
		}
	}
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
