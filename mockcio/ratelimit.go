package mockcio

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RateLimiter is the mock's soft rate limit: a token bucket refilled at
// perSecond tokens a second holding at most one second's worth (at least one
// token). Customer.io documents its limits as "not strictly enforced"; the
// mock answers requests over the limit with 429 and Retry-After, as the real
// service may. It is safe for concurrent use; a nil *RateLimiter allows all.
type RateLimiter struct {
	mu     sync.Mutex
	rate   float64 // tokens per second
	burst  float64
	tokens float64
	last   time.Time
}

// NewRateLimiter returns a limiter of perSecond requests a second, starting
// full. perSecond <= 0 returns nil: no limit.
func NewRateLimiter(perSecond float64) *RateLimiter {
	if perSecond <= 0 {
		return nil
	}
	burst := perSecond
	if burst < 1 {
		burst = 1
	}
	return &RateLimiter{rate: perSecond, burst: burst, tokens: burst}
}

// Rate is the limit in requests per second (0 for a nil limiter).
func (l *RateLimiter) Rate() float64 {
	if l == nil {
		return 0
	}
	return l.rate
}

// Allow takes a token for a request arriving at now. When none is left it
// returns ok=false and how long until the next token.
func (l *RateLimiter) Allow(now time.Time) (ok bool, retryAfter time.Duration) {
	if l == nil {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last.IsZero() {
		l.last = now
	}
	if now.After(l.last) {
		l.tokens += now.Sub(l.last).Seconds() * l.rate
		if l.tokens > l.burst {
			l.tokens = l.burst
		}
		l.last = now
	}
	if l.tokens >= 1 {
		l.tokens--
		return true, 0
	}
	need := (1 - l.tokens) / l.rate
	return false, time.Duration(need * float64(time.Second))
}

// RetryAfterHeader renders d as a Retry-After value: whole seconds, rounded
// up, at least 1.
func RetryAfterHeader(d time.Duration) string {
	s := int64((d + time.Second - 1) / time.Second)
	if s < 1 {
		s = 1
	}
	return strconv.FormatInt(s, 10)
}

// ParseRate reads a rate limit like "100/s", "100", "6000/m" or "0.5/s" and
// returns requests per second.
func ParseRate(s string) (float64, error) {
	num, unit, hasUnit := strings.Cut(strings.TrimSpace(s), "/")
	n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("rate %q: want a positive number like 100/s", s)
	}
	if !hasUnit {
		return n, nil
	}
	per := map[string]float64{"s": 1, "1s": 1, "sec": 1, "m": 60, "1m": 60, "min": 60, "h": 3600, "1h": 3600}
	d, ok := per[strings.TrimSpace(unit)]
	if !ok {
		return 0, fmt.Errorf("rate %q: unit %q, want /s, /m or /h", s, unit)
	}
	return n / d, nil
}
