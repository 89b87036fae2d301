package scenarios

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// parseDuration parses a Go duration ("90s", "1h30m") or a number of days
// ("3d", "-120d", "1.5d"). Durations are shopper time.
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		f, err := strconv.ParseFloat(n, 64)
		if err != nil {
			return 0, fmt.Errorf("bad duration %q", s)
		}
		return time.Duration(f * float64(24*time.Hour)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("bad duration %q (want e.g. 90s, 5m, 2h, 3d)", s)
	}
	return d, nil
}

// formatDuration prints d compactly, using days for whole days.
func formatDuration(d time.Duration) string {
	day := 24 * time.Hour
	if d != 0 && d%day == 0 {
		return strconv.FormatInt(int64(d/day), 10) + "d"
	}
	s := d.String()
	s = strings.Replace(s, "m0s", "m", 1)
	return strings.Replace(s, "h0m", "h", 1)
}

// splitRange splits "a-b" at the dash that is not a sign. ok is false when s
// has no such dash.
func splitRange(s string) (a, b string, ok bool) {
	s = strings.TrimSpace(s)
	for i := 1; i < len(s); i++ {
		if s[i] == '-' && s[i-1] != 'e' && s[i-1] != '-' {
			return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:]), true
		}
	}
	return s, s, false
}

// intRange is an inclusive range of integers, "2" or "1-3".
type intRange struct{ lo, hi int }

func parseIntRange(s string) (intRange, error) {
	a, b, _ := splitRange(s)
	lo, err1 := strconv.Atoi(a)
	hi, err2 := strconv.Atoi(b)
	if err := errors.Join(err1, err2); err != nil || lo < 0 || hi < lo {
		return intRange{}, fmt.Errorf("bad count %q (want N or LO-HI, 0 ≤ LO ≤ HI)", s)
	}
	return intRange{lo, hi}, nil
}

func (r intRange) sample(g *rng) int { return g.between(r.lo, r.hi) }

// Distribution kinds of a wait.
const (
	distFixed   = "fixed"
	distUniform = "uniform"
	distExp     = "exponential"
	distNormal  = "normal"
	distLogN    = "lognormal"
)

// dist is a distribution of durations in shopper time: fixed ("5m"), uniform
// ("2m-10m"), or a map {dist: exponential|normal|lognormal, mean, stddev,
// sigma, min, max}. For lognormal, mean is the median and sigma the shape.
// Samples are clamped to [min, max].
type dist struct {
	kind     string
	a, b     time.Duration // fixed: a; uniform: [a, b]; others: mean (a), stddev (b)
	sigma    float64       // lognormal shape
	min, max time.Duration // clamp; max 0 means none
}

func parseDistScalar(s string) (dist, error) {
	a, b, isRange := splitRange(s)
	lo, err := parseDuration(a)
	if err != nil {
		return dist{}, err
	}
	if !isRange {
		return dist{kind: distFixed, a: lo}, nil
	}
	hi, err := parseDuration(b)
	if err != nil {
		return dist{}, err
	}
	if hi < lo {
		return dist{}, fmt.Errorf("bad range %q: upper bound below lower", s)
	}
	return dist{kind: distUniform, a: lo, b: hi}, nil
}

// sample draws one duration, rounded to the second (to the millisecond for
// distributions that stay under 10s) so timelines read well.
func (d dist) sample(r *rng) time.Duration {
	v := d.draw(r)
	if d.upper() >= 10*time.Second {
		return v.Round(time.Second)
	}
	return v.Round(time.Millisecond)
}

func (d dist) draw(r *rng) time.Duration {
	var v time.Duration
	switch d.kind {
	case distFixed:
		return d.a
	case distUniform:
		if d.b <= d.a {
			return d.a
		}
		return d.a + time.Duration(r.next()%uint64(d.b-d.a+1))
	case distExp:
		v = time.Duration(float64(d.a) * r.exp())
	case distNormal:
		v = d.a + time.Duration(float64(d.b)*r.norm())
	case distLogN:
		v = time.Duration(float64(d.a) * math.Exp(d.sigma*r.norm()))
	}
	if v < d.min {
		v = d.min
	}
	if d.max > 0 && v > d.max {
		v = d.max
	}
	return v
}

// upper is the largest value the distribution can return (for span checks).
func (d dist) upper() time.Duration {
	switch d.kind {
	case distFixed:
		return d.a
	case distUniform:
		return d.b
	}
	if d.max > 0 {
		return d.max
	}
	return math.MaxInt64
}
