package mockcio

import (
	"sync"
	"sync/atomic"
	"time"
)

// RequestView is one journal entry (GET /__mock/requests).
type RequestView struct {
	Seq        uint64    `json:"seq"`
	Time       time.Time `json:"time"`
	Method     string    `json:"method"`
	Path       string    `json:"path"`
	Endpoint   string    `json:"endpoint"`
	Status     int       `json:"status"`
	Fault      string    `json:"fault,omitempty"` // the injected fault, if any
	Note       string    `json:"note,omitempty"`  // why a call was rejected or not processed
	DurationMS float64   `json:"duration_ms"`
}

// journal is a bounded ring of the latest requests. Writers take a slot with
// an atomic counter and lock only that slot.
type journal struct {
	n     atomic.Uint64
	slots []journalSlot
}

type journalSlot struct {
	mu sync.Mutex
	v  RequestView
}

func newJournal(size int) *journal { return &journal{slots: make([]journalSlot, size)} }

func (j *journal) add(v RequestView) {
	seq := j.n.Add(1)
	v.Seq = seq
	sl := &j.slots[(seq-1)%uint64(len(j.slots))]
	sl.mu.Lock()
	if sl.v.Seq < seq {
		sl.v = v
	}
	sl.mu.Unlock()
}

// last returns up to limit of the latest entries, oldest first.
func (j *journal) last(limit int) []RequestView {
	n := j.n.Load()
	if limit <= 0 || limit > len(j.slots) {
		limit = len(j.slots)
	}
	if uint64(limit) > n {
		limit = int(n)
	}
	out := make([]RequestView, 0, limit)
	for seq := n - uint64(limit) + 1; seq <= n; seq++ {
		sl := &j.slots[(seq-1)%uint64(len(j.slots))]
		sl.mu.Lock()
		v := sl.v
		sl.mu.Unlock()
		if v.Seq == seq {
			out = append(out, v)
		}
	}
	return out
}

func (j *journal) reset() {
	for i := range j.slots {
		j.slots[i].mu.Lock()
		j.slots[i].v = RequestView{}
		j.slots[i].mu.Unlock()
	}
	j.n.Store(0)
}
