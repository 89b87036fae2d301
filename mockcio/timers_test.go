package mockcio

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestTimersFireInDueOrder(t *testing.T) {
	t.Parallel()
	var got []uint64
	tm := NewTimers(func() time.Time { return t0 }, func(key uint64, _ time.Time) { got = append(got, key) })
	tm.manual = true
	r := rand.New(rand.NewPCG(1, 2))
	dues := map[uint64]int64{}
	for k := uint64(0); k < 5000; k++ {
		d := r.Int64N(1000)
		dues[k] = d
		tm.Schedule(t0.Add(time.Duration(d)*time.Millisecond), k)
	}
	if n := tm.RunDue(t0.Add(499 * time.Millisecond)); n != len(got) {
		t.Fatalf("RunDue returned %d, fired %d", n, len(got))
	}
	for _, k := range got {
		if dues[k] > 499 {
			t.Fatalf("fired key %d due at %dms before its time", k, dues[k])
		}
	}
	tm.RunDue(t0.Add(time.Second))
	if len(got) != 5000 || tm.Len() != 0 {
		t.Fatalf("fired %d, pending %d; want 5000, 0", len(got), tm.Len())
	}
	if !slices.IsSortedFunc(got, func(a, b uint64) int {
		if dues[a] != dues[b] {
			return int(dues[a] - dues[b])
		}
		return int(a) - int(b) // equal due times fire in scheduling order
	}) {
		t.Error("timers did not fire in (due, scheduling) order")
	}
}

// TestTimersGoroutinePrecision checks the one goroutine fires timers on time
// and ends when no timer is left. Lateness is judged against a baseline
// measured in the same run: one runtime timer (time.AfterFunc) per key with
// the same due times, which suffers the same scheduling delays on a loaded
// machine or under -race. Never early; the median may exceed the baseline's
// by at most 10 ms and the 90th percentile by at most 50 ms, so a tenth of
// the timers may straggle (the precise figure is BenchmarkTimers' business).
// Idle, both medians are under a millisecond.
func TestTimersGoroutinePrecision(t *testing.T) {
	t.Parallel()
	// Due times 15 ms apart (more than the bound), scheduled out of order: a
	// systematic delay shows in every timer instead of being absorbed by a
	// clump that fires together.
	const n, gap = 60, 15 * time.Millisecond
	var heap, base lateness
	heap.init(n)
	base.init(n)
	tm := NewTimers(nil, func(_ uint64, due time.Time) { heap.add(time.Since(due)) })
	start := time.Now()
	for k := uint64(0); k < n; k++ {
		due := start.Add(20*time.Millisecond + time.Duration((k*37)%n)*gap)
		tm.Schedule(due, k)
		time.AfterFunc(time.Until(due), func() { base.add(time.Since(due)) })
	}
	for _, l := range []*lateness{&heap, &base} {
		select {
		case <-l.done:
		case <-time.After(10 * time.Second):
			t.Fatal("timers did not all fire within 10s")
		}
	}
	h, b := heap.sorted(), base.sorted()
	t.Logf("lateness: heap median %v, p90 %v, max %v; baseline median %v, p90 %v, max %v",
		h[n/2], h[n*9/10], h[n-1], b[n/2], b[n*9/10], b[n-1])
	if h[0] < 0 {
		t.Errorf("a timer fired %v early", -h[0])
	}
	if got, limit := h[n/2], b[n/2]+10*time.Millisecond; got > limit {
		t.Errorf("median lateness %v, want ≤ %v (baseline median + 10ms)", got, limit)
	}
	if got, limit := h[n*9/10], b[n*9/10]+50*time.Millisecond; got > limit {
		t.Errorf("p90 lateness %v, want ≤ %v (baseline p90 + 50ms)", got, limit)
	}
	tm.Stop()
	tm.mu.Lock()
	running := tm.running
	tm.mu.Unlock()
	if running {
		t.Error("goroutine still marked running with no timers left")
	}
}

// lateness collects how late n timers fired; done closes at the n-th.
type lateness struct {
	mu   sync.Mutex
	n    int
	all  []time.Duration
	done chan struct{}
}

func (l *lateness) init(n int) { l.n, l.done = n, make(chan struct{}) }

func (l *lateness) add(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.all = append(l.all, d)
	if len(l.all) == l.n {
		close(l.done)
	}
}

func (l *lateness) sorted() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := slices.Clone(l.all)
	slices.Sort(out)
	return out
}

// BenchmarkTimers schedules and fires timers while a million others are
// pending, with the mock's heap and, as the baseline in the same run, with one
// runtime timer per key (time.AfterFunc). Reported: timers per second
// (scheduled and fired) and the heap's ratio to the baseline.
func BenchmarkTimers(b *testing.B) {
	const pending = 1_000_000
	far := time.Now().Add(time.Hour)
	var baseline float64
	b.Run("afterfunc", func(b *testing.B) {
		keep := make([]*time.Timer, 0, pending)
		for i := 0; i < pending; i++ {
			keep = append(keep, time.AfterFunc(time.Hour, func() {}))
		}
		var wg sync.WaitGroup
		wg.Add(b.N)
		b.ResetTimer()
		start := time.Now()
		for i := 0; i < b.N; i++ {
			time.AfterFunc(0, wg.Done)
		}
		wg.Wait()
		baseline = float64(b.N) / time.Since(start).Seconds()
		b.ReportMetric(baseline, "timers/s")
		b.StopTimer()
		for _, t := range keep {
			t.Stop()
		}
	})
	b.Run("heap", func(b *testing.B) {
		fired := 0
		tm := NewTimers(nil, func(uint64, time.Time) { fired++ })
		tm.manual = true
		for i := 0; i < pending; i++ {
			tm.Schedule(far.Add(time.Duration(i)), uint64(i))
		}
		now := time.Now()
		b.ResetTimer()
		start := time.Now()
		for i := 0; i < b.N; i++ {
			tm.Schedule(now, uint64(pending+i))
			if i%64 == 63 {
				tm.RunDue(now)
			}
		}
		tm.RunDue(now)
		rate := float64(b.N) / time.Since(start).Seconds()
		if fired != b.N || tm.Len() != pending {
			b.Fatalf("fired %d of %d, %d pending", fired, b.N, tm.Len())
		}
		b.ReportMetric(rate, "timers/s")
		if baseline > 0 {
			b.ReportMetric(rate/baseline, "x-afterfunc")
		}
	})
}
