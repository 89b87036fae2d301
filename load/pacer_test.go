package load

import (
	"fmt"
	"testing"
	"time"
)

func TestConstantHits(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		rate    float64
		elapsed time.Duration
		want    uint64
	}{
		{"before the start nothing is due", 10, -time.Millisecond, 0},
		{"hit 0 is due at the start", 10, 0, 1},
		{"just before the second hit", 10, 99 * time.Millisecond, 1},
		{"the second hit at 1/rate", 10, 100 * time.Millisecond, 2},
		{"one second at 10/s includes hit 10", 10, time.Second, 11},
		{"fractional rate 0.5/s", 0.5, 3 * time.Second, 2},
		{"high rate 20k/s after 1.5s", 20000, 1500 * time.Millisecond, 30001},
		{"rate 3/s does not drift after a minute", 3, time.Minute, 181},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := (Constant{c.rate}).Hits(c.elapsed); got != c.want {
				t.Errorf("Hits(%v) at %v/s = %d, want %d", c.elapsed, c.rate, got, c.want)
			}
		})
	}
}

func TestPace(t *testing.T) {
	t.Parallel()
	p := Constant{10}
	cases := []struct {
		name     string
		elapsed  time.Duration
		hits     uint64
		wantWait time.Duration
	}{
		{"first hit now", 0, 0, 0},
		{"on time: wait for the next slot", 50 * time.Millisecond, 1, 50 * time.Millisecond},
		{"behind: negative wait, catch up", time.Second, 5, -500 * time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wait, stop := Pace(p, c.elapsed, c.hits)
			if stop || wait != c.wantWait {
				t.Errorf("Pace(%v, %d) = %v, %v; want %v, false", c.elapsed, c.hits, wait, stop, c.wantWait)
			}
		})
	}
	if _, stop := Pace(Ramp{[]Stage{{time.Second, 2}}}, 0, 100); !stop {
		t.Error("Pace past the end of a ramp: want stop")
	}
}

// rampCases: 0→10/s over 2s (10 hits), 2s at 10/s (20 hits), 10→0/s over 2s
// (10 hits): 40 hits in all, hit n due where the integral of the rate is n.
var rampStages = []Stage{{2 * time.Second, 10}, {2 * time.Second, 10}, {2 * time.Second, 0}}

func TestRampHits(t *testing.T) {
	t.Parallel()
	r := Ramp{rampStages}
	cases := []struct {
		name    string
		elapsed time.Duration
		want    uint64
	}{
		{"start: hit 0", 0, 1},
		// integral at 1s is 10/2/2*1² = 2.5: hits 0, 1, 2
		{"mid ramp-up, quadratic", time.Second, 3},
		{"end of ramp-up: 10 due, hit 10 exactly at 2s", 2 * time.Second, 11},
		{"mid plateau: 10 + 10", 3 * time.Second, 21},
		{"end of plateau", 4 * time.Second, 31},
		// ramp-down: 30 + 10*1 - 10*1²/(2*2) = 37.5
		{"mid ramp-down", 5 * time.Second, 38},
		{"after the end: 40 hits, the last one before 6s", 10 * time.Second, 40},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := r.Hits(c.elapsed); got != c.want {
				t.Errorf("Hits(%v) = %d, want %d", c.elapsed, got, c.want)
			}
		})
	}
}

func TestRampDueMatchesIntegral(t *testing.T) {
	t.Parallel()
	r := Ramp{rampStages}
	for n := uint64(0); n < 40; n++ {
		at, ok := r.Due(n)
		if !ok {
			t.Fatalf("Due(%d) not ok", n)
		}
		if got := r.integral(at); got < float64(n)-1e-6 || got > float64(n)+1e-6 {
			t.Errorf("integral(Due(%d)=%v) = %v, want %d", n, at, got, n)
		}
		if n > 0 {
			prev, _ := r.Due(n - 1)
			if at <= prev {
				t.Errorf("Due(%d)=%v not after Due(%d)=%v", n, at, n-1, prev)
			}
		}
	}
	if _, ok := r.Due(40); ok {
		t.Error("Due(40): want past the end")
	}
}

func TestRampLeadingZeroStage(t *testing.T) {
	t.Parallel()
	// 1s at 0/s then a jump: nothing starts until the first non-zero stage.
	r := Ramp{[]Stage{{time.Second, 0}, {time.Second, 0}, {time.Second, 4}}}
	at, ok := r.Due(0)
	if !ok || at != 2*time.Second {
		t.Errorf("Due(0) = %v, %v; want 2s, true", at, ok)
	}
	if got := r.Hits(1999 * time.Millisecond); got != 0 {
		t.Errorf("Hits(1.999s) = %d, want 0", got)
	}
}

func TestRampValidate(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		r    Ramp
		ok   bool
	}{
		{"empty", Ramp{}, false},
		{"all zero", Ramp{[]Stage{{time.Second, 0}}}, false},
		{"zero duration", Ramp{[]Stage{{0, 5}}}, false},
		{"negative rate", Ramp{[]Stage{{time.Second, -1}}}, false},
		{"ok", Ramp{rampStages}, true},
	} {
		if err := c.r.Validate(); (err == nil) != c.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", c.name, err, c.ok)
		}
	}
}

func TestPlanShards(t *testing.T) {
	t.Parallel()
	cases := []struct {
		plan        Plan
		wantTotal   uint64
		wantPlanned uint64
		wantFirst   uint64 // global index of the shard's first journey
		wantWindow  time.Duration
	}{
		{Plan{Pacer: Constant{10}, Duration: 30 * time.Second}, 300, 300, 0, 30 * time.Second},
		{Plan{Pacer: Constant{10}, Duration: 30 * time.Second, Journeys: 42}, 42, 42, 0, 4200 * time.Millisecond},
		{Plan{Pacer: Constant{10}, Duration: 30 * time.Second, Shard: Shard{2, 3}}, 300, 100, 1, 30 * time.Second},
		{Plan{Pacer: Constant{10}, Journeys: 10, Shard: Shard{3, 4}}, 10, 2, 2, time.Second},
		{Plan{Pacer: Constant{10}, Journeys: 2, Shard: Shard{3, 4}}, 2, 0, 0, 200 * time.Millisecond},
		{Plan{Pacer: Ramp{rampStages}}, 40, 40, 0, 6 * time.Second},
		{Plan{Pacer: Ramp{rampStages}, Duration: 3 * time.Second}, 20, 20, 0, 3 * time.Second},
	}
	for _, c := range cases {
		name := fmt.Sprintf("%v d=%v n=%d shard=%v", c.plan.Pacer, c.plan.Duration, c.plan.Journeys, c.plan.Shard)
		t.Run(name, func(t *testing.T) {
			if err := c.plan.Validate(); err != nil {
				t.Fatal(err)
			}
			if got := c.plan.Total(); got != c.wantTotal {
				t.Errorf("Total = %d, want %d", got, c.wantTotal)
			}
			if got := c.plan.Planned(); got != c.wantPlanned {
				t.Errorf("Planned = %d, want %d", got, c.wantPlanned)
			}
			if got := c.plan.Window(); got != c.wantWindow {
				t.Errorf("Window = %v, want %v", got, c.wantWindow)
			}
			if c.wantPlanned == 0 {
				return
			}
			idx, at, ok := c.plan.Journey(0)
			due, _ := c.plan.Pacer.Due(idx)
			if !ok || idx != c.wantFirst || at != due {
				t.Errorf("Journey(0) = %d, %v, %v; want %d at the global schedule's %v", idx, at, ok, c.wantFirst, due)
			}
			if _, _, ok := c.plan.Journey(c.wantPlanned); ok {
				t.Errorf("Journey(%d): want past the plan", c.wantPlanned)
			}
		})
	}
}

func TestPlanShardsPartitionTheRun(t *testing.T) {
	t.Parallel()
	base := Plan{Pacer: Constant{7}, Duration: 5 * time.Second}
	seen := map[uint64]int{}
	for i := 1; i <= 3; i++ {
		p := base
		p.Shard = Shard{i, 3}
		for k := uint64(0); ; k++ {
			idx, _, ok := p.Journey(k)
			if !ok {
				break
			}
			seen[idx]++
		}
	}
	if got, want := uint64(len(seen)), base.Total(); got != want {
		t.Fatalf("shards cover %d journeys, want %d", got, want)
	}
	for idx, n := range seen {
		if n != 1 || idx >= base.Total() {
			t.Errorf("journey %d started %d times", idx, n)
		}
	}
}

func TestPlanValidate(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		p    Plan
	}{
		{"unbounded constant", Plan{Pacer: Constant{10}}},
		{"no pacer", Plan{Duration: time.Second}},
		{"shard 0/2", Plan{Pacer: Constant{1}, Duration: time.Second, Shard: Shard{0, 2}}},
		{"shard 3/2", Plan{Pacer: Constant{1}, Duration: time.Second, Shard: Shard{3, 2}}},
	} {
		if err := c.p.Validate(); err == nil {
			t.Errorf("%s: Validate() = nil, want an error", c.name)
		}
	}
}
