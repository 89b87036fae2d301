package load

import (
	"sync"
	"sync/atomic"
	"time"
)

// LateAfter is how late a step may be sent, by the harness's own doing,
// before it counts as late (SPEC.md §3.6).
const LateAfter = 100 * time.Millisecond

// Stats is a snapshot of a run's progress and of the harness's own timing.
// Counts are this shard's.
type Stats struct {
	Planned   uint64 // journeys this shard plans to start
	Started   uint64 // journeys started
	Completed uint64 // journeys whose every step got an answer (any status)
	Steps     uint64 // steps sent (a batch request carries several)
	Skipped   uint64 // steps the wire format cannot express (not sent)
	Requests  uint64 // requests answered or failed
	Errors    uint64 // requests without a 2xx answer
	InFlight  int64  // requests in flight now

	// LateSteps counts steps the harness sent more than LateAfter after they
	// were eligible: due, the shopper's previous step answered, and a sender
	// free. MaxLag is the largest such delay.
	LateSteps uint64
	MaxLag    time.Duration
	// QueuedSteps counts steps sent more than LateAfter after their intended
	// time because every sender was busy or the shopper's previous step had
	// not been answered: the target's slowness, which latency_ms carries.
	QueuedSteps uint64

	PlannedRate  float64       // planned mean start rate, journeys per second
	AchievedRate float64       // achieved mean start rate over the start phase
	Elapsed      time.Duration // since the run started
	CPU          time.Duration // process user+sys CPU during the run (includes an embedded mock)
	Done         bool          // the run has ended
	Err          error         // an error that ended the run early
}

// counters are the engine's live figures, written by the scheduler and the
// senders and read by Stats at any time.
type counters struct {
	planned                         uint64
	started, completed, steps, skip atomic.Uint64
	requests, errors, late, queued  atomic.Uint64
	inflight                        atomic.Int64
	maxLag                          atomic.Int64
	begin                           atomic.Int64 // unix ns of the start
	// start phase: the intended and actual offsets of the latest start
	lastDue, lastActual atomic.Int64
	admitting           atomic.Bool
	done                atomic.Bool
	window              time.Duration
	cpu0, cpu1          time.Duration

	mu  sync.Mutex
	end time.Duration
	err error
}

func (c *counters) setErr(err error) {
	c.mu.Lock()
	if c.err == nil {
		c.err = err
	}
	c.mu.Unlock()
}

func (c *counters) lag(d time.Duration) {
	for {
		old := c.maxLag.Load()
		if int64(d) <= old || c.maxLag.CompareAndSwap(old, int64(d)) {
			return
		}
	}
}

// Stats returns a snapshot; safe to call at any time, final once the result
// channel is closed.
func (e *Engine) Stats() Stats {
	c := &e.st
	s := Stats{
		Planned: c.planned, Started: c.started.Load(), Completed: c.completed.Load(),
		Steps: c.steps.Load(), Skipped: c.skip.Load(), Requests: c.requests.Load(),
		Errors: c.errors.Load(), InFlight: c.inflight.Load(), LateSteps: c.late.Load(),
		MaxLag: time.Duration(c.maxLag.Load()), QueuedSteps: c.queued.Load(),
		PlannedRate: e.cfg.Plan.PlannedRate(), Done: c.done.Load(),
	}
	if b := c.begin.Load(); b != 0 {
		s.Elapsed = time.Since(time.Unix(0, b))
	}
	c.mu.Lock()
	s.Err = c.err
	if s.Done {
		s.Elapsed, s.CPU = c.end, c.cpu1-c.cpu0
	}
	c.mu.Unlock()
	s.AchievedRate = c.achieved(s.Started, s.Elapsed)
	return s
}

// achieved is the mean start rate over the start phase. Once starting is
// over, the phase ends at the actual time of the last start plus the planned
// tail after it, so a harness that kept to the plan scores exactly the
// planned rate; as for steps, a last start up to LateAfter late is on time
// (short runs would otherwise fail on one scheduling hiccup). While starting,
// it is the rate so far.
func (c *counters) achieved(started uint64, elapsed time.Duration) float64 {
	if started == 0 {
		return 0
	}
	w := elapsed
	if !c.admitting.Load() {
		late := max(0, time.Duration(c.lastActual.Load()-c.lastDue.Load())-LateAfter)
		w = c.window + late
	}
	if w <= 0 {
		return 0
	}
	return float64(started) / w.Seconds()
}
