package mockcio

import (
	"testing"
	"time"
)

func TestRateLimiterBurstAndRefill(t *testing.T) {
	l := NewRateLimiter(10)
	t0 := time.Unix(1_700_000_000, 0)
	for i := range 10 {
		if ok, _ := l.Allow(t0); !ok {
			t.Fatalf("request %d of the first second's burst refused", i+1)
		}
	}
	ok, retry := l.Allow(t0)
	if ok || retry < 99*time.Millisecond || retry > 101*time.Millisecond {
		t.Fatalf("11th request: ok=%v retry=%v, want refused with about 100ms", ok, retry)
	}
	if ok, _ := l.Allow(t0.Add(50 * time.Millisecond)); ok {
		t.Error("allowed after 50ms with half a token")
	}
	if ok, _ := l.Allow(t0.Add(100 * time.Millisecond)); !ok {
		t.Error("refused after 100ms with a full token")
	}
}

func TestRateLimiterSustainedRate(t *testing.T) {
	tests := []struct {
		rate float64
		want int // allowed of 10 s of a request every ms: burst + 10 s of refill, at most 10000
	}{
		{100, 100 + 1000},
		{1000, 10000}, // one request a millisecond is exactly the rate: all pass
		{0.5, 1 + 5},
	}
	for _, tt := range tests {
		l := NewRateLimiter(tt.rate)
		t0 := time.Unix(1_700_000_000, 0)
		got := 0
		for ms := range 10000 {
			if ok, _ := l.Allow(t0.Add(time.Duration(ms) * time.Millisecond)); ok {
				got++
			}
		}
		if got < tt.want-2 || got > tt.want+2 {
			t.Errorf("rate %v: %d allowed in 10s, want %d", tt.rate, got, tt.want)
		}
	}
}

func TestRateLimiterNil(t *testing.T) {
	if l := NewRateLimiter(0); l != nil {
		t.Fatalf("NewRateLimiter(0) = %v, want nil (no limit)", l)
	}
	var l *RateLimiter
	if ok, _ := l.Allow(time.Now()); !ok {
		t.Error("nil limiter refused a request")
	}
}

func TestRetryAfterHeader(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{0, "1"}, {time.Millisecond, "1"}, {time.Second, "1"}, {1001 * time.Millisecond, "2"}, {30 * time.Second, "30"},
	}
	for _, tt := range tests {
		if got := RetryAfterHeader(tt.in); got != tt.want {
			t.Errorf("RetryAfterHeader(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseRate(t *testing.T) {
	tests := []struct {
		in      string
		want    float64
		wantErr bool
	}{
		{"100/s", 100, false}, {"100", 100, false}, {"6000/m", 100, false}, {"0.5/s", 0.5, false},
		{"3600/h", 1, false}, {"0/s", 0, true}, {"-1/s", 0, true}, {"fast", 0, true}, {"10/d", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseRate(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseRate(%q) = %v, %v; want %v (error %v)", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}
