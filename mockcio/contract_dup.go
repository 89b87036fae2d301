package mockcio

import (
	"sync"
	"time"
)

// dupTracker remembers recent events of duplicate-semantics pairs, by subject
// (cio_id or anonymous id) and by the pair's key value, to spot both names of
// a pair arriving for one behaviour.
type dupTracker struct {
	mu        sync.Mutex
	bySubject map[string][]dupSeen
	byKey     map[string]dupSeen // pair index + key value → last seen
	sweepAt   int
}

type dupSeen struct {
	pair int
	name string
	ts   time.Time
}

// keyRetention bounds how long key values are remembered (shopper time).
const keyRetention = 24 * time.Hour

// check records ev for subject and returns a finding when the other name of
// one of its pairs was seen for the same subject within the window or with the
// same key value.
func (d *dupTracker) check(c *checker, clock *Clock, subject string, ev *EventView, out []finding) []finding {
	pairs := c.pairs[ev.Name]
	if len(pairs) == 0 {
		return out
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.bySubject == nil {
		d.bySubject = map[string][]dupSeen{}
		d.byKey = map[string]dupSeen{}
	}
	var data map[string]any
	for _, pi := range pairs {
		pair := &c.plan.Duplicates[pi]
		other := pair.Events[0]
		if other == ev.Name {
			other = pair.Events[1]
		}
		hit := false
		if pair.Window > 0 && subject != "" {
			hit = d.seenNear(subject, pi, other, ev.Timestamp, clock, time.Duration(pair.Window))
		}
		keyID := ""
		if pair.Key != "" {
			if data == nil {
				data = decodeObject(ev.Data)
			}
			if v, ok := data[pair.Key].(string); ok && v != "" {
				keyID = string(rune('0'+pi)) + "\x00" + v
				if s, seen := d.byKey[keyID]; seen && s.name == other {
					hit = true
				}
			}
		}
		if hit {
			out = append(out, finding{RuleDuplicateSemantics, ev.Name, pair.Key,
				"both " + pair.Events[0] + " and " + pair.Events[1] + " arrived for one behaviour", nil})
		}
		seen := dupSeen{pair: pi, name: ev.Name, ts: ev.Timestamp}
		if subject != "" {
			d.bySubject[subject] = append(d.prune(subject, clock, pair, ev.Timestamp), seen)
		}
		if keyID != "" {
			d.byKey[keyID] = seen
		}
	}
	d.sweep(clock, ev.Timestamp)
	return out
}

func (d *dupTracker) seenNear(subject string, pi int, other string, ts time.Time, clock *Clock, window time.Duration) bool {
	for _, s := range d.bySubject[subject] {
		if s.pair != pi || s.name != other {
			continue
		}
		age := clock.Shopper(ts.Sub(s.ts))
		if age <= window && age >= -window {
			return true
		}
	}
	return false
}

// prune drops the subject's entries older than the longest window.
func (d *dupTracker) prune(subject string, clock *Clock, pair *Duplicate, now time.Time) []dupSeen {
	list := d.bySubject[subject][:0]
	for _, s := range d.bySubject[subject] {
		if clock.Shopper(now.Sub(s.ts)) <= max(time.Duration(pair.Window), time.Hour) {
			list = append(list, s)
		}
	}
	return list
}

// sweep bounds memory: when the maps have doubled since the last sweep, drop
// entries older than keyRetention.
func (d *dupTracker) sweep(clock *Clock, now time.Time) {
	n := len(d.bySubject) + len(d.byKey)
	if n < 1024 || n < 2*d.sweepAt {
		return
	}
	for k, list := range d.bySubject {
		if len(list) == 0 || clock.Shopper(now.Sub(list[len(list)-1].ts)) > keyRetention {
			delete(d.bySubject, k)
		}
	}
	for k, s := range d.byKey {
		if clock.Shopper(now.Sub(s.ts)) > keyRetention {
			delete(d.byKey, k)
		}
	}
	d.sweepAt = len(d.bySubject) + len(d.byKey)
}

func (d *dupTracker) reset() {
	d.mu.Lock()
	d.bySubject, d.byKey, d.sweepAt = nil, nil, 0
	d.mu.Unlock()
}
