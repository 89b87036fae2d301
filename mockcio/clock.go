package mockcio

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Customer.io's own windows, in shopper time (SPEC.md §5).
const (
	// TriggerWindow: only events timestamped within this age trigger campaigns.
	TriggerWindow = 72 * time.Hour
	// AnonymousRetention: anonymous events older than this are not merged.
	AnonymousRetention = 30 * 24 * time.Hour
	// LateMergeWindow: anonymous events arriving this long after an identify
	// with their anonymous id still merge.
	LateMergeWindow = 5 * time.Minute
)

// DefaultTimeScale is the time scale of a mock configured with none
// (Options.TimeScale, NewClock, SetScale): 60 shopper seconds per real
// second, one real second is one shopper minute (SPEC.md §5).
const DefaultTimeScale = 60.0

// Clock converts between real (wall-clock) time and shopper time. Wire
// timestamps are real times; durations in campaigns, segments and Customer.io's
// windows are shopper durations, and one real second is Scale shopper seconds.
//
// A Clock is safe for concurrent use; the scale may change while it is read.
type Clock struct {
	scale   atomic.Uint64 // math.Float64bits of the scale
	scaleFn func() float64
	now     func() time.Time
}

// NewClock returns a clock with the given scale (≤ 0 means DefaultTimeScale)
// reading real time from now (nil means time.Now).
func NewClock(scale float64, now func() time.Time) *Clock {
	if now == nil {
		now = time.Now
	}
	c := &Clock{now: now}
	c.SetScale(scale)
	return c
}

// ClockFrom returns a clock that reads the real time from now and the scale
// from scale on every use (the mock's Host); SetScale has no effect on it.
func ClockFrom(now func() time.Time, scale func() float64) *Clock {
	c := NewClock(DefaultTimeScale, now)
	c.scaleFn = scale
	return c
}

// Now returns the real time.
func (c *Clock) Now() time.Time { return c.now() }

// Scale returns shopper seconds per real second.
func (c *Clock) Scale() float64 {
	if c.scaleFn != nil {
		if s := c.scaleFn(); s > 0 && !math.IsInf(s, 0) {
			return s
		}
		return DefaultTimeScale
	}
	return math.Float64frombits(c.scale.Load())
}

// SetScale changes the scale; a value ≤ 0, NaN or Inf sets DefaultTimeScale.
func (c *Clock) SetScale(scale float64) {
	if !(scale > 0) || math.IsInf(scale, 0) {
		scale = DefaultTimeScale
	}
	c.scale.Store(math.Float64bits(scale))
}

// Real converts a shopper duration to real time (d / scale).
func (c *Clock) Real(d time.Duration) time.Duration {
	return clampDuration(float64(d) / c.Scale())
}

// Shopper converts a real duration to shopper time (d × scale).
func (c *Clock) Shopper(d time.Duration) time.Duration {
	return clampDuration(float64(d) * c.Scale())
}

// Age is the shopper-time age at real time at of something timestamped ts
// (negative when ts is after at).
func (c *Clock) Age(ts, at time.Time) time.Duration { return c.Shopper(at.Sub(ts)) }

// Ago is the real time that lies shopper duration d before at.
func (c *Clock) Ago(at time.Time, d time.Duration) time.Time { return at.Add(-c.Real(d)) }

func clampDuration(f float64) time.Duration {
	switch {
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return time.Duration(f)
}

// Duration is a time.Duration that reads and writes as a string such as "90m",
// "2h" or "30d" (d = 24 h, w = 7 d) in YAML and JSON; a bare number is seconds.
type Duration time.Duration

// ParseDuration parses Go duration syntax extended with the units d and w, e.g.
// "30d", "1d12h", "2w".
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return clampDuration(f * float64(time.Second)), nil
	}
	var total time.Duration
	rest := s
	for rest != "" {
		i := strings.IndexAny(rest, "dw")
		if i < 0 {
			d, err := time.ParseDuration(rest)
			if err != nil {
				return 0, fmt.Errorf("duration %q: %w", s, err)
			}
			return total + d, nil
		}
		n, err := strconv.ParseFloat(rest[:i], 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("duration %q: bad number before %q", s, rest[i:i+1])
		}
		unit := 24 * time.Hour
		if rest[i] == 'w' {
			unit *= 7
		}
		total += clampDuration(n * float64(unit))
		rest = rest[i+1:]
	}
	return total, nil
}

// String formats d as a Go duration, using days when d is a whole number of
// them.
func (d Duration) String() string {
	td := time.Duration(d)
	if td != 0 && td%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(td/(24*time.Hour)), 10) + "d"
	}
	return td.String()
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// UnmarshalJSON accepts a duration string or a number of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	return d.UnmarshalText([]byte(strings.Trim(string(b), `"`)))
}
