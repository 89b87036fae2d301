package load

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// A Pacer is the arrival plan of journey starts: a pure function from a hit
// number to the moment it is due. Hits are counted over the whole run (all
// shards), from 0, and offsets are measured from the start of the run, so an
// engine that stalls catches up instead of shifting the plan (open model).
// Implementations must be safe for concurrent use.
type Pacer interface {
	// Due returns when hit n is due, as an offset from the start of the run;
	// ok is false when the plan ends before hit n.
	Due(n uint64) (at time.Duration, ok bool)
	// Hits returns how many hits are due by elapsed (inclusive): the count of
	// n with Due(n) <= elapsed.
	Hits(elapsed time.Duration) uint64
	// Rate returns the planned start rate per second at elapsed.
	Rate(elapsed time.Duration) float64
}

// Pace is the pacing rule as a pure function of (elapsed, hits): how long to
// wait before hit number hits is due, or stop when the plan has ended. A
// negative wait means the hit is already late by that much.
func Pace(p Pacer, elapsed time.Duration, hits uint64) (wait time.Duration, stop bool) {
	at, ok := p.Due(hits)
	if !ok {
		return 0, true
	}
	return at - elapsed, false
}

// Constant starts journeys at a fixed rate: hit n is due at n/PerSecond.
type Constant struct {
	PerSecond float64
}

var _ Pacer = Constant{}

// Due implements Pacer.
func (c Constant) Due(n uint64) (time.Duration, bool) {
	if c.PerSecond <= 0 {
		return 0, false
	}
	return time.Duration(math.Round(float64(n) / c.PerSecond * 1e9)), true
}

// Hits implements Pacer.
func (c Constant) Hits(elapsed time.Duration) uint64 {
	if elapsed < 0 || c.PerSecond <= 0 {
		return 0
	}
	return settle(c, uint64(elapsed.Seconds()*c.PerSecond)+1, elapsed)
}

// Rate implements Pacer.
func (c Constant) Rate(time.Duration) float64 { return c.PerSecond }

// String returns the flag spelling, e.g. "10/s".
func (c Constant) String() string { return FormatRate(c.PerSecond) }

// settle corrects a floating-point estimate h of p.Hits(elapsed) so that
// Due(h-1) <= elapsed < Due(h).
func settle(p Pacer, h uint64, elapsed time.Duration) uint64 {
	for h > 0 {
		if at, ok := p.Due(h - 1); ok && at <= elapsed {
			break
		}
		h--
	}
	for {
		at, ok := p.Due(h)
		if !ok || at > elapsed {
			return h
		}
		h++
	}
}

// FormatRate spells a per-second rate as the flags do: "10/s", "0.5/s".
func FormatRate(perSecond float64) string {
	return fmt.Sprintf("%g/s", perSecond)
}

// Stage is one linear segment of a Ramp: over Duration the start rate moves
// from the previous stage's target (0 for the first stage) to Target.
type Stage struct {
	Duration time.Duration
	Target   float64 // journeys per second at the end of the stage
}

// Ramp starts journeys at a piecewise-linear rate, like k6's
// ramping-arrival-rate executor starting from 0/s. Hit n is due when the
// integral of the rate reaches n; the plan ends with the last stage.
type Ramp struct {
	Stages []Stage
}

var _ Pacer = Ramp{}

// ErrEmptyRamp is returned by Ramp.Validate for a ramp without stages.
var ErrEmptyRamp = errors.New("ramp has no stages")

// Validate reports a ramp that can never start a journey or has a bad stage.
func (r Ramp) Validate() error {
	if len(r.Stages) == 0 {
		return ErrEmptyRamp
	}
	total := 0.0
	for i, s := range r.Stages {
		if s.Duration <= 0 || s.Target < 0 || math.IsNaN(s.Target) || math.IsInf(s.Target, 0) {
			return fmt.Errorf("ramp stage %d: want a positive duration and a finite rate >= 0", i+1)
		}
		total += s.Target
	}
	if total == 0 {
		return errors.New("ramp: every stage has rate 0/s")
	}
	return nil
}

// Length returns the total duration of the stages.
func (r Ramp) Length() time.Duration {
	var d time.Duration
	for _, s := range r.Stages {
		d += s.Duration
	}
	return d
}

// Rate implements Pacer.
func (r Ramp) Rate(elapsed time.Duration) float64 {
	from := 0.0
	for _, s := range r.Stages {
		if elapsed < s.Duration {
			return from + (s.Target-from)*elapsed.Seconds()/s.Duration.Seconds()
		}
		elapsed -= s.Duration
		from = s.Target
	}
	return 0
}

// integral returns the expected number of hits by elapsed (a real number).
func (r Ramp) integral(elapsed time.Duration) float64 {
	sum, from := 0.0, 0.0
	for _, s := range r.Stages {
		d := s.Duration.Seconds()
		if elapsed < s.Duration {
			t := elapsed.Seconds()
			return sum + from*t + (s.Target-from)*t*t/(2*d)
		}
		sum += (from + s.Target) / 2 * d
		elapsed -= s.Duration
		from = s.Target
	}
	return sum
}

// Due implements Pacer: the earliest t with integral(t) >= n, before the end.
func (r Ramp) Due(n uint64) (time.Duration, bool) {
	want, base, from := float64(n), time.Duration(0), 0.0
	for _, s := range r.Stages {
		d := s.Duration.Seconds()
		area := (from + s.Target) / 2 * d
		if want <= area+1e-9 && (want > 0 || from > 0 || s.Target > 0) {
			t := solveLinear(from, s.Target, d, want)
			return base + time.Duration(math.Round(t*1e9)), base+time.Duration(math.Round(t*1e9)) < r.Length()
		}
		want -= area
		base += s.Duration
		from = s.Target
	}
	return 0, false
}

// solveLinear returns t in [0, d] with a*t + (b-a)*t²/(2d) = m: the time at
// which m hits have been due within a stage moving from rate a to rate b.
func solveLinear(a, b, d, m float64) float64 {
	if m <= 0 {
		return 0
	}
	k := (b - a) / (2 * d) // coefficient of t²
	if math.Abs(k) < 1e-12 {
		return math.Min(m/a, d)
	}
	disc := a*a + 4*k*m
	if disc < 0 {
		disc = 0
	}
	t := (-a + math.Sqrt(disc)) / (2 * k)
	return math.Max(0, math.Min(t, d))
}

// Hits implements Pacer.
func (r Ramp) Hits(elapsed time.Duration) uint64 {
	if elapsed < 0 {
		return 0
	}
	return settle(r, uint64(r.integral(elapsed))+1, elapsed)
}
