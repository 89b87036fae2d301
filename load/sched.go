package load

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cioharness/cioharness/cio"
	"github.com/cioharness/cioharness/report"
	"github.com/cioharness/cioharness/scenarios"
)

// jstate is one started journey: the scheduler's per-shopper state.
type jstate struct {
	j     *scenarios.Journey
	start time.Duration // intended start, as an offset from the run's start
}

// item is one pending step. A journey has at most one item at a time: its
// next step enters the heap only once the previous one was answered.
type item struct {
	js       *jstate
	step     int
	due      time.Duration // intended send time
	prevDone time.Duration // when the shopper's previous step was answered
}

// task is one request: a single step or a batch of steps.
type task struct {
	items    []item
	batch    bool
	eligible time.Duration // when the harness could first have sent it
	due      time.Duration // earliest intended time among items
	done     time.Duration // set by the sender: when the answer ended
}

// scheduler owns the timeline. Only its goroutine touches the heap, the
// journey states and the batch; senders talk to it through ready and done.
type scheduler struct {
	e     *Engine
	out   chan report.Result
	t0    time.Time
	heap  stepHeap
	ready chan *task
	done  chan *task
	feed  chan *scenarios.Journey
	timer *time.Timer

	next         uint64        // next shard-local journey to start
	nextAt       time.Duration // when it is due
	nextOK       bool          // false once the plan is exhausted
	inflight     int
	workers      int
	slotFree     time.Duration // when a sender last became free after all were busy
	batch        []item
	deadline     time.Duration // when the partial batch must go
	free         []*task
	reqCtx       context.Context
	cancelReq    context.CancelFunc
	wg           sync.WaitGroup
	seq          atomic.Uint64 // Result.Seq
	cancelled    bool
	maxAdmitIter int
}

func newScheduler(e *Engine, out chan report.Result) *scheduler {
	reqCtx, cancel := context.WithCancel(context.Background())
	return &scheduler{
		e: e, out: out,
		ready:        make(chan *task),
		done:         make(chan *task, e.cfg.Concurrency+1),
		feed:         make(chan *scenarios.Journey, 256),
		timer:        time.NewTimer(time.Hour),
		reqCtx:       reqCtx,
		cancelReq:    cancel,
		maxAdmitIter: 256,
	}
}

func (s *scheduler) now() time.Duration { return time.Since(s.t0) }

func (s *scheduler) run(ctx context.Context) {
	st := &s.e.st
	st.window = s.e.cfg.Plan.Window()
	st.cpu0 = cpuTime()
	s.t0 = time.Now()
	st.begin.Store(s.t0.UnixNano())
	st.admitting.Store(true)
	_, s.nextAt, s.nextOK = s.e.cfg.Plan.Journey(0)
	feedCtx, stopFeed := context.WithCancel(ctx)
	go s.feeder(feedCtx)

	s.loop(ctx)

	stopFeed()
	st.admitting.Store(false)
	s.shutdown(ctx)
	st.mu.Lock()
	st.end, st.cpu1 = s.now(), cpuTime()
	st.mu.Unlock()
	st.done.Store(true)
	close(s.out)
}

func (s *scheduler) loop(ctx context.Context) {
	for {
		s.drain()
		if !s.admit(ctx) {
			return
		}
		s.dispatch(s.now())
		if !s.nextOK && len(s.heap) == 0 && len(s.batch) == 0 && s.inflight == 0 {
			return
		}
		if !s.wait(ctx) {
			return
		}
	}
}

// feeder generates this shard's journeys in order, ahead of their due time,
// so that generation never delays a start.
func (s *scheduler) feeder(ctx context.Context) {
	for k := uint64(0); ; k++ {
		idx, _, ok := s.e.cfg.Plan.Journey(k)
		if !ok {
			return
		}
		j := s.e.cfg.Source.Journey(idx)
		select {
		case s.feed <- j:
		case <-ctx.Done():
			return
		}
	}
}

var errNilJourney = errors.New("load: source returned no journey")

// admit starts the journeys that are due, at most maxAdmitIter per call so
// that catching up never starves dispatching.
func (s *scheduler) admit(ctx context.Context) bool {
	st := &s.e.st
	for n := 0; s.nextOK && n < s.maxAdmitIter && s.nextAt <= s.now(); n++ {
		var j *scenarios.Journey
		select {
		case j = <-s.feed:
		case <-ctx.Done():
			s.cancelled = true
			return false
		}
		if j == nil {
			st.setErr(errNilJourney)
			return false
		}
		js := &jstate{j: j, start: s.nextAt}
		st.started.Add(1)
		st.lastDue.Store(int64(s.nextAt))
		st.lastActual.Store(int64(s.now()))
		if f := s.e.cfg.OnStart; f != nil {
			f(j, s.t0.Add(s.nextAt))
		}
		s.advance(js, -1, 0)
		s.next++
		_, s.nextAt, s.nextOK = s.e.cfg.Plan.Journey(s.next)
	}
	if !s.nextOK {
		st.admitting.Store(false)
	}
	return true
}

// advance queues the step after step (or completes the journey).
func (s *scheduler) advance(js *jstate, step int, doneAt time.Duration) {
	next := step + 1
	if next >= len(js.j.Steps) {
		s.e.st.completed.Add(1)
		if f := s.e.cfg.OnFinish; f != nil {
			f(js.j)
		}
		return
	}
	s.heap.push(item{js: js, step: next, due: s.stepDue(js, next), prevDone: doneAt})
}

// stepDue is start + Offset/time-scale; history steps (negative offsets) are
// due at the start.
func (s *scheduler) stepDue(js *jstate, k int) time.Duration {
	off := js.j.Steps[k].Offset
	if off <= 0 {
		return js.start
	}
	return js.start + time.Duration(float64(off)/s.e.cfg.TimeScale)
}

// supported reports whether api can express c at all (cio.ErrUnsupported).
func supported(api cio.API, c *cio.Call) bool {
	switch c.Kind {
	case cio.KindAlias:
		return api == cio.APIPipelines
	case cio.KindMerge:
		return api != cio.APIPipelines
	}
	return true
}

// dispatch hands due steps to senders while one is free.
func (s *scheduler) dispatch(now time.Duration) {
	cfg := &s.e.cfg
	for s.inflight < cfg.Concurrency && len(s.heap) > 0 && s.heap[0].due <= now {
		it := s.heap.pop()
		c := &it.js.j.Steps[it.step].Call
		if !supported(cfg.API, c) {
			s.e.st.skip.Add(1)
			s.advance(it.js, it.step, now)
			continue
		}
		if cfg.Batch > 1 && cio.Batchable(cfg.API, c) {
			if len(s.batch) == 0 {
				s.deadline = now + cfg.FlushDelay
			}
			s.batch = append(s.batch, it)
			if len(s.batch) >= cfg.Batch {
				s.flush(true)
			}
			continue
		}
		t := s.task()
		t.items = append(t.items, it)
		t.due, t.eligible = it.due, max(it.due, it.prevDone, s.slotFree)
		s.send(t)
	}
	if len(s.batch) > 0 && s.inflight < cfg.Concurrency &&
		(now >= s.deadline || !s.nextOK && len(s.heap) == 0 && s.inflight == 0) {
		s.flush(false)
	}
}

// flush sends the pending batch. A full batch was eligible when its last
// step was; a partial one also waited for its flush deadline by design.
func (s *scheduler) flush(full bool) {
	t := s.task()
	t.batch = true
	t.due = s.batch[0].due
	for _, it := range s.batch {
		t.items = append(t.items, it)
		t.due = min(t.due, it.due)
		t.eligible = max(t.eligible, it.due, it.prevDone)
	}
	t.eligible = max(t.eligible, s.slotFree)
	if !full {
		t.eligible = max(t.eligible, s.deadline)
	}
	s.batch = s.batch[:0]
	s.send(t)
}

func (s *scheduler) task() *task {
	if n := len(s.free); n > 0 {
		t := s.free[n-1]
		s.free = s.free[:n-1]
		return t
	}
	return &task{items: make([]item, 0, s.e.cfg.Batch)}
}

// send hands t to a sender, starting one if none is idle (never more than
// Concurrency).
func (s *scheduler) send(t *task) {
	s.inflight++
	s.e.st.inflight.Add(1)
	select {
	case s.ready <- t:
		return
	default:
	}
	if s.workers < s.e.cfg.Concurrency {
		s.workers++
		s.wg.Add(1)
		go s.sender()
	}
	s.ready <- t
}

// complete takes back a finished task: frees its slot and queues each
// shopper's next step.
func (s *scheduler) complete(t *task) {
	if s.inflight == s.e.cfg.Concurrency {
		s.slotFree = t.done
	}
	s.inflight--
	s.e.st.inflight.Add(-1)
	for _, it := range t.items {
		s.advance(it.js, it.step, t.done)
	}
	*t = task{items: t.items[:0]}
	s.free = append(s.free, t)
}

func (s *scheduler) drain() {
	for {
		select {
		case t := <-s.done:
			s.complete(t)
		default:
			return
		}
	}
}

// wait sleeps until the next start, the next due step (when a sender is
// free), the batch deadline or a completion. It returns false when ctx ends.
func (s *scheduler) wait(ctx context.Context) bool {
	const never = time.Duration(1<<63 - 1)
	wake := never
	if s.nextOK {
		wake = s.nextAt
	}
	if s.inflight < s.e.cfg.Concurrency {
		if len(s.heap) > 0 {
			wake = min(wake, s.heap[0].due)
		}
		if len(s.batch) > 0 {
			wake = min(wake, s.deadline)
		}
	}
	d := wake - s.now()
	if d <= 0 {
		return true
	}
	if d <= spinFor {
		return s.spin(ctx, wake)
	}
	s.timer.Reset(d - spinFor/2)
	select {
	case t := <-s.done:
		s.complete(t)
	case <-s.timer.C:
	case <-ctx.Done():
		s.cancelled = true
		return false
	}
	return true
}

// spinFor is how early the scheduler's timer fires before a step is due:
// Go timers on Linux fire 0.3-1 ms late (epoll's millisecond timeout), so the
// scheduler wakes this much early and sleeps the rest precisely (nanosleep),
// which removes most of the timer's lag without burning CPU.
const spinFor = 2 * time.Millisecond

// spin sleeps precisely until wake (at most spinFor), then takes any
// completion that arrived meanwhile.
func (s *scheduler) spin(ctx context.Context, wake time.Duration) bool {
	if d := wake - s.now(); d > 0 {
		preciseSleep(d)
	}
	if ctx.Err() != nil {
		s.cancelled = true
		return false
	}
	return true
}

// shutdown lets in-flight requests finish (aborting them Grace after a
// cancellation), then stops the senders.
func (s *scheduler) shutdown(ctx context.Context) {
	if ctx.Err() != nil {
		stop := time.AfterFunc(s.e.cfg.Grace, s.cancelReq)
		defer stop.Stop()
	}
	for s.inflight > 0 {
		s.complete(<-s.done)
	}
	close(s.ready)
	s.wg.Wait()
	s.cancelReq()
	s.timer.Stop()
}
