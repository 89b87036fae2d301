package load

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Shard selects every Count-th journey of the seed's sequence, starting with
// global index Index-1: shard i of n runs the journeys j with j % n == i-1.
// The zero Shard means 1/1.
type Shard struct {
	Index, Count int
}

func (s Shard) norm() Shard {
	if s == (Shard{}) {
		return Shard{1, 1}
	}
	return s
}

// String returns the flag spelling, e.g. "2/3".
func (s Shard) String() string {
	s = s.norm()
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// Validate reports a shard outside 1..Count.
func (s Shard) Validate() error {
	s = s.norm()
	if s.Count < 1 || s.Index < 1 || s.Index > s.Count {
		return fmt.Errorf("shard %d/%d: want 1 <= i <= n", s.Index, s.Count)
	}
	return nil
}

// Plan says which journeys a run starts and when. The pacer's rate is the
// total over all shards: every shard follows the same global schedule and
// starts only its own journeys, so each one paces at rate/n and the shards
// together reproduce the single-machine run.
type Plan struct {
	Pacer    Pacer
	Duration time.Duration // stop starting at this offset; 0 = no time limit
	Journeys uint64        // stop after this many journeys over all shards; 0 = no limit
	Shard    Shard
}

// ErrUnbounded is returned for a plan that would never stop starting journeys.
var ErrUnbounded = errors.New("plan: needs a duration, a journey count or a ramp")

// Validate checks the plan is finite and its shard valid.
func (p Plan) Validate() error {
	if p.Pacer == nil {
		return errors.New("plan: no pacer")
	}
	if p.Duration < 0 {
		return fmt.Errorf("plan: negative duration %v", p.Duration)
	}
	if _, ramp := p.Pacer.(Ramp); p.Duration == 0 && p.Journeys == 0 && !ramp {
		return ErrUnbounded
	}
	if r, ok := p.Pacer.(Ramp); ok {
		if err := r.Validate(); err != nil {
			return fmt.Errorf("plan: %w", err)
		}
	}
	return p.Shard.Validate()
}

// end returns the offset before which journeys may start.
func (p Plan) end() time.Duration {
	end := time.Duration(math.MaxInt64)
	if r, ok := p.Pacer.(Ramp); ok {
		end = r.Length()
	}
	if p.Duration > 0 && p.Duration < end {
		end = p.Duration
	}
	return end
}

// Total returns how many journeys the whole run (all shards) starts.
func (p Plan) Total() uint64 {
	var n uint64 = math.MaxUint64
	if end := p.end(); end != math.MaxInt64 {
		n = p.Pacer.Hits(end - 1)
	}
	if p.Journeys > 0 && p.Journeys < n {
		n = p.Journeys
	}
	return n
}

// Planned returns how many journeys this shard starts.
func (p Plan) Planned() uint64 {
	s := p.Shard.norm()
	total, first := p.Total(), uint64(s.Index-1)
	if total <= first {
		return 0
	}
	return (total-first-1)/uint64(s.Count) + 1
}

// Journey returns the global index of this shard's k-th journey and when it is
// due; ok is false past the end of the plan.
func (p Plan) Journey(k uint64) (index uint64, at time.Duration, ok bool) {
	if k >= p.Planned() {
		return 0, 0, false
	}
	s := p.Shard.norm()
	index = k*uint64(s.Count) + uint64(s.Index-1)
	at, ok = p.Pacer.Due(index)
	return index, at, ok
}

// Window returns the planned length of the start phase: the offset at which
// the first journey beyond the plan would be due, or the end of the plan.
func (p Plan) Window() time.Duration {
	end := p.end()
	if at, ok := p.Pacer.Due(p.Total()); ok && at < end {
		return at
	}
	if end == math.MaxInt64 {
		return 0
	}
	return end
}

// PlannedRate returns this shard's planned mean start rate per second.
func (p Plan) PlannedRate() float64 {
	w := p.Window()
	if w <= 0 {
		return 0
	}
	return float64(p.Planned()) / w.Seconds()
}
