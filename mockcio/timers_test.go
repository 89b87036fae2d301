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

// TestTimersGoroutinePrecision checks the one goroutine fires timers within
// 10 ms of their due time (the median, on a machine shared with other test
// processes; idle, the worst case is about 1 ms) and ends when no timer is left.
func TestTimersGoroutinePrecision(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	late := map[uint64]time.Duration{}
	done := make(chan struct{})
	const n = 50
	tm := NewTimers(nil, func(key uint64, due time.Time) {
		mu.Lock()
		late[key] = time.Since(due)
		if len(late) == n {
			close(done)
		}
		mu.Unlock()
	})
	start := time.Now()
	for k := uint64(0); k < n; k++ {
		tm.Schedule(start.Add(time.Duration(20+(k*37)%200)*time.Millisecond), k)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("timers did not all fire within 5s")
	}
	mu.Lock()
	lates := make([]time.Duration, 0, n)
	for _, l := range late {
		lates = append(lates, l)
	}
	mu.Unlock()
	slices.Sort(lates)
	// The heap sets its one runtime timer to the exact due time, so lateness
	// is the scheduler's alone; allow a loaded 2-core machine (and -race)
	// the odd straggler, but not a systematic delay.
	if med := lates[n/2]; lates[0] < 0 || med > 10*time.Millisecond || lates[n-1] > 250*time.Millisecond {
		t.Errorf("lateness: min %v, median %v, max %v; want ≥ 0, median ≤ 10ms, max ≤ 250ms", lates[0], med, lates[n-1])
	}
	t.Logf("lateness: median %v, p90 %v, max %v", lates[n/2], lates[n*9/10], lates[n-1])
	tm.Stop()
	tm.mu.Lock()
	running := tm.running
	tm.mu.Unlock()
	if running {
		t.Error("goroutine still marked running with no timers left")
	}
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
