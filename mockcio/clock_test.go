package mockcio

import (
	"math"
	"testing"
	"time"
)

// TestDefaultTimeScale: every place that falls back to a default scale uses
// DefaultTimeScale, which is SPEC.md §5's 60.
func TestDefaultTimeScale(t *testing.T) {
	t.Parallel()
	if DefaultTimeScale != 60 {
		t.Fatalf("DefaultTimeScale = %v, want 60 (SPEC.md §5)", DefaultTimeScale)
	}
	opts, err := Options{}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	set := NewClock(2, nil)
	set.SetScale(-1)
	cases := []struct {
		name string
		got  float64
	}{
		{"Options{}", opts.TimeScale},
		{"NewClock(0)", NewClock(0, nil).Scale()},
		{"NewClock(NaN)", NewClock(math.NaN(), nil).Scale()},
		{"NewClock(+Inf)", NewClock(math.Inf(1), nil).Scale()},
		{"SetScale(-1)", set.Scale()},
		{"ClockFrom(scale 0)", ClockFrom(nil, func() float64 { return 0 }).Scale()},
	}
	for _, tc := range cases {
		if tc.got != DefaultTimeScale {
			t.Errorf("%s: scale %v, want %v", tc.name, tc.got, DefaultTimeScale)
		}
	}
}

// TestStoreWindowsFollowScale: the store's anonymous retention and late-merge
// window are Customer.io's shopper windows in real time at the server's
// current scale.
func TestStoreWindowsFollowScale(t *testing.T) {
	t.Parallel()
	s, err := NewHandler(Options{Retention: NopRetention{}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		scale           float64
		retention, late time.Duration
	}{
		{DefaultTimeScale, 12 * time.Hour, 5 * time.Second},
		{1, AnonymousRetention, LateMergeWindow},
		{3600, 12 * time.Minute, 5 * time.Minute / 3600},
	}
	for _, tc := range cases {
		if err := s.SetTimeScale(tc.scale); err != nil {
			t.Fatal(err)
		}
		if got := time.Duration(s.store.retention()); got != tc.retention {
			t.Errorf("scale %v: retention %v, want %v", tc.scale, got, tc.retention)
		}
		if got := time.Duration(s.store.lateWindow()); got != tc.late {
			t.Errorf("scale %v: late-merge window %v, want %v", tc.scale, got, tc.late)
		}
	}
}
