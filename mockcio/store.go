package mockcio

import (
	"errors"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// nStripes is the number of lock stripes of the identity index. A person's
// identifiers (cio_id, id, email, phone, anonymous ids) hash to stripes;
// a command locks only the stripes of the identifiers it touches, so there is
// no global lock on the request path.
const nStripes = 128

// stripe is one shard of the identity index.
type stripe struct {
	mu      sync.Mutex
	people  map[string]*person      // identifier key → person
	anon    map[string]*anonBucket  // anonymous id key → events kept anonymously
	blocked map[string]*suppression // identifier key → suppression record
}

// suppression is the set of identifier keys one suppress call blocked.
type suppression struct {
	keys []string
}

// store holds every person and anonymous event.
//
// Locking invariants:
//   - stripe(k).mu guards the index entries of key k;
//   - a person's identifiers (and so its keys) change only while the stripes
//     of all its old and new keys are held, so holding any one of them
//     freezes its identifier set;
//   - person.mu guards a person's data (attributes, events, devices); it is
//     taken after stripes, never before.
type store struct {
	stripes [nStripes]stripe
	seq     atomic.Uint64 // cio_id counter
	names   interner

	nPeople     atomic.Int64
	nEvents     atomic.Int64 // events on people
	nAnonEvents atomic.Int64 // events kept under anonymous ids
	nDuplicates atomic.Int64 // events dropped as duplicates
	nIgnored    atomic.Int64 // commands ignored (suppressed, conflict, unknown)

	now   func() time.Time
	clock *Clock // shopper windows to real time at the server's current scale
	hooks func() Retention
}

func newStore(now func() time.Time, scale func() float64, hooks func() Retention) *store {
	s := &store{now: now, clock: ClockFrom(now, scale), hooks: hooks}
	s.reset()
	return s
}

// reset empties the store. It locks every stripe.
func (s *store) reset() {
	for i := range s.stripes {
		s.stripes[i].mu.Lock()
	}
	for i := range s.stripes {
		st := &s.stripes[i]
		st.people = map[string]*person{}
		st.anon = map[string]*anonBucket{}
		st.blocked = map[string]*suppression{}
	}
	s.seq.Store(0)
	s.nPeople.Store(0)
	s.nEvents.Store(0)
	s.nAnonEvents.Store(0)
	s.nDuplicates.Store(0)
	s.nIgnored.Store(0)
	for i := range s.stripes {
		s.stripes[i].mu.Unlock()
	}
}

func stripeOf(key string) int {
	h := uint32(2166136261)
	for i := 0; i < len(key); i++ {
		h ^= uint32(key[i])
		h *= 16777619
	}
	return int(h % nStripes)
}

// Identifier keys in the index.
func keyCio(v string) string   { return "cio_id:" + v }
func keyAnon(v string) string  { return "anon:" + v }
func keyID(v string) string    { return "id:" + v }
func keyPhone(v string) string { return "phone:" + v }

// newCioID returns the next cio_id: 12 lower-case hex digits, in creation
// order, so that the order of cio_ids is the order of creation.
func (s *store) newCioID() string {
	n := s.seq.Add(1)
	b := strconv.AppendUint(make([]byte, 0, 12), n, 16)
	for len(b) < 12 {
		b = append([]byte{'0'}, b...)
	}
	return string(b)
}

// errRetry tells store.run that the transaction needs more stripes.
var errRetry = errors.New("retry with more stripes")

// txn is one store transaction: the stripes it holds, the keys it found
// missing, and the hook calls to make after unlocking.
type txn struct {
	s     *store
	held  [nStripes]bool
	want  []string
	now   int64
	calls []func(Retention)
}

// has reports whether the stripe of key is held, recording it as wanted if not.
func (t *txn) has(key string) bool {
	if t.held[stripeOf(key)] {
		return true
	}
	t.want = append(t.want, key)
	return false
}

// need reports whether all stripes of keys are held.
func (t *txn) need(keys ...string) bool {
	ok := true
	for _, k := range keys {
		if k != "" && !t.has(k) {
			ok = false
		}
	}
	return ok
}

// lookup returns the person holding key. The stripe must be held (see has).
func (t *txn) lookup(key string) *person {
	if key == "" {
		return nil
	}
	return t.s.stripes[stripeOf(key)].people[key]
}

func (t *txn) blocked(key string) bool {
	if key == "" {
		return false
	}
	return t.s.stripes[stripeOf(key)].blocked[key] != nil
}

// hook queues a Retention call for after the locks are released.
func (t *txn) hook(f func(Retention)) { t.calls = append(t.calls, f) }

// run executes fn holding the stripes of keys. fn must check (with has or
// need) every key it reads or writes before changing anything, and return
// errRetry when one is missing: run then retries holding more stripes, and
// after a few attempts holds them all.
func (s *store) run(keys []string, fn func(t *txn) error) error {
	t := &txn{s: s, now: s.now().UnixNano()}
	for attempt := 0; ; attempt++ {
		var idx []int
		if attempt >= 3 {
			idx = make([]int, nStripes)
			for i := range idx {
				idx[i] = i
			}
		} else {
			idx = stripeSet(keys)
		}
		t.held = [nStripes]bool{}
		t.want, t.calls = t.want[:0], t.calls[:0]
		for _, i := range idx {
			s.stripes[i].mu.Lock()
			t.held[i] = true
		}
		err := fn(t)
		for j := len(idx) - 1; j >= 0; j-- {
			s.stripes[idx[j]].mu.Unlock()
		}
		if errors.Is(err, errRetry) {
			keys = append(keys, t.want...)
			continue
		}
		if len(t.calls) > 0 {
			h := s.hooks()
			for _, c := range t.calls {
				c(h)
			}
		}
		return err
	}
}

// stripeSet returns the sorted distinct stripes of keys.
func stripeSet(keys []string) []int {
	idx := make([]int, 0, len(keys))
	for _, k := range keys {
		if k != "" {
			idx = append(idx, stripeOf(k))
		}
	}
	sort.Ints(idx)
	out := idx[:0]
	for i, v := range idx {
		if i == 0 || v != idx[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// interner keeps one copy of each event and attribute name, so that a stored
// event holds a 4-byte index instead of a string.
type interner struct {
	mu    sync.Mutex
	n     uint32
	ids   sync.Map // name → uint32
	names sync.Map // uint32 → name
}

// id returns the index of name, adding it if new.
func (n *interner) id(name string) uint32 {
	if v, ok := n.ids.Load(name); ok {
		return v.(uint32)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if v, ok := n.ids.Load(name); ok {
		return v.(uint32)
	}
	name = string([]byte(name)) // own the bytes
	id := n.n
	n.n++
	n.names.Store(id, name)
	n.ids.Store(name, id)
	return id
}

// name returns the name of index id.
func (n *interner) name(id uint32) string {
	if v, ok := n.names.Load(id); ok {
		return v.(string)
	}
	return ""
}

// canon returns the interned copy of s.
func (n *interner) canon(s string) string {
	if v, ok := n.ids.Load(s); ok {
		return n.name(v.(uint32))
	}
	return n.name(n.id(s))
}
