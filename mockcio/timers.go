package mockcio

import (
	"sync"
	"time"
)

// Timers holds pending campaign timers in one min-heap served by one goroutine:
// a million pending timers cost a million 24-byte heap entries, not a million
// goroutines or runtime timers. A timer is a key and a due time; fire is called
// with the key once the due time has passed (within a few milliseconds: the
// goroutine sleeps on one runtime timer set to the earliest due time). The
// goroutine starts with the first Schedule and ends when no timer is left, so
// idle Timers hold no goroutine.
//
// Timers cannot be cancelled: the owner of the keys ignores keys it no longer
// holds. That keeps scheduling at one heap push under a mutex.
type Timers struct {
	mu      sync.Mutex
	heap    timerHeap
	seq     uint64
	running bool // the goroutine is serving
	stopped bool
	manual  bool // never start the goroutine (RunDue by hand)

	now  func() time.Time
	fire func(key uint64, due time.Time)

	wake chan struct{}
	stop chan struct{}
	done chan struct{} // closed by the goroutine when it ends; nil if none
}

type timerItem struct {
	due int64 // UnixNano
	seq uint64
	key uint64
}

// NewTimers returns timers calling fire for each due key; now is the real
// clock (nil means time.Now).
func NewTimers(now func() time.Time, fire func(key uint64, due time.Time)) *Timers {
	if now == nil {
		now = time.Now
	}
	return &Timers{now: now, fire: fire, wake: make(chan struct{}, 1), stop: make(chan struct{})}
}

// Schedule adds a timer for key at due.
func (t *Timers) Schedule(due time.Time, key uint64) {
	t.mu.Lock()
	t.seq++
	it := timerItem{due: due.UnixNano(), seq: t.seq, key: key}
	t.heap.push(it)
	earliest := t.heap[0].seq == it.seq
	start := !t.running && !t.manual && !t.stopped
	if start {
		t.running = true
		t.done = make(chan struct{})
	}
	t.mu.Unlock()
	switch {
	case start:
		go t.loop(t.done)
	case earliest:
		select {
		case t.wake <- struct{}{}:
		default:
		}
	}
}

// Len returns the number of pending timers.
func (t *Timers) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.heap)
}

// Clear drops every pending timer.
func (t *Timers) Clear() {
	t.mu.Lock()
	t.heap = nil
	t.mu.Unlock()
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// RunDue fires, in due order, every timer due at or before now and returns how
// many fired. fire runs without the lock held, so it may Schedule.
func (t *Timers) RunDue(now time.Time) int {
	n := 0
	limit := now.UnixNano()
	batch := make([]timerItem, 0, 64)
	for {
		batch = batch[:0]
		t.mu.Lock()
		for len(t.heap) > 0 && t.heap[0].due <= limit && len(batch) < 1024 {
			batch = append(batch, t.heap.pop())
		}
		t.mu.Unlock()
		if len(batch) == 0 {
			return n
		}
		for _, it := range batch {
			t.fire(it.key, time.Unix(0, it.due))
		}
		n += len(batch)
	}
}

// Stop ends the goroutine, if any, and waits for it; later timers are only
// fired by RunDue. Stop is idempotent.
func (t *Timers) Stop() {
	t.mu.Lock()
	if !t.stopped {
		t.stopped = true
		close(t.stop)
	}
	done := t.done
	t.mu.Unlock()
	if done != nil {
		<-done
	}
}

func (t *Timers) loop(done chan struct{}) {
	defer close(done)
	rt := time.NewTimer(time.Hour)
	defer rt.Stop()
	for {
		t.RunDue(t.now())
		t.mu.Lock()
		if len(t.heap) == 0 {
			t.running = false
			t.mu.Unlock()
			return
		}
		wait := time.Duration(t.heap[0].due - t.now().UnixNano())
		t.mu.Unlock()
		rt.Reset(max(wait, 0))
		select {
		case <-t.stop:
			return
		case <-t.wake:
		case <-rt.C:
		}
	}
}

// timerHeap is a binary min-heap ordered by (due, seq), written out rather than
// through container/heap to avoid interface calls on the hot path.
type timerHeap []timerItem

func (h timerHeap) less(i, j int) bool {
	if h[i].due != h[j].due {
		return h[i].due < h[j].due
	}
	return h[i].seq < h[j].seq
}

func (h *timerHeap) push(it timerItem) {
	*h = append(*h, it)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if !s.less(i, p) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

func (h *timerHeap) pop() timerItem {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s = s[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(s) && s.less(l, m) {
			m = l
		}
		if r < len(s) && s.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
	return top
}
