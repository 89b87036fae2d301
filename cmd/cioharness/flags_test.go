package main

import (
	"testing"
	"time"

	"github.com/cioharness/cioharness/load"
)

func TestParseStartRate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in      string
		want    float64
		wantErr bool
	}{
		{"10/s", 10, false},
		{"2.5/s", 2.5, false},
		{"600/m", 10, false},
		{"3600/h", 1, false},
		{"7", 7, false},
		{"0/s", 0, false},
		{"ten/s", 0, true},
		{"5/d", 0, true},
		{"-1/s", 0, true},
		{"", 0, true},
	}
	for _, c := range cases {
		got, err := parseStartRate(c.in)
		if (err != nil) != c.wantErr || got != c.want {
			t.Errorf("parseStartRate(%q) = %v, %v; want %v, error %v", c.in, got, err, c.want, c.wantErr)
		}
	}
}

func TestRampFlag(t *testing.T) {
	t.Parallel()
	var f rampFlag
	if err := f.Set("30s:50/s,2m:50/s,30s:0/s"); err != nil {
		t.Fatal(err)
	}
	want := []load.Stage{{Duration: 30 * time.Second, Target: 50}, {Duration: 2 * time.Minute, Target: 50}, {Duration: 30 * time.Second, Target: 0}}
	if len(f.ramp.Stages) != len(want) {
		t.Fatalf("stages %v, want %v", f.ramp.Stages, want)
	}
	for i := range want {
		if f.ramp.Stages[i] != want[i] {
			t.Errorf("stage %d = %v, want %v", i, f.ramp.Stages[i], want[i])
		}
	}
	if got := f.String(); got != "30s:50/s,2m0s:50/s,30s:0/s" {
		t.Errorf("String() = %q", got)
	}
	for _, bad := range []string{"30s", "x:5/s", "0s:5/s", "10s:abc", "10s:0/s"} {
		if err := new(rampFlag).Set(bad); err == nil {
			t.Errorf("Set(%q): want an error", bad)
		}
	}
}

func TestHeaderAndShardFlags(t *testing.T) {
	t.Parallel()
	var h headerFlag
	for _, v := range []string{"X-Env: staging", "x-env: blue", "Authorization: Bearer t"} {
		if err := h.Set(v); err != nil {
			t.Fatal(err)
		}
	}
	if got := h.h.Values("X-Env"); len(got) != 2 || got[0] != "staging" || got[1] != "blue" {
		t.Errorf("X-Env = %v, want [staging blue]", got)
	}
	for _, bad := range []string{"novalue", "Bad Name: v", ": v"} {
		if err := new(headerFlag).Set(bad); err == nil {
			t.Errorf("header Set(%q): want an error", bad)
		}
	}
	var s shardFlag
	if err := s.Set("2/4"); err != nil || s.shard != (load.Shard{Index: 2, Count: 4}) {
		t.Errorf("shard 2/4 = %v, %v", s.shard, err)
	}
	for _, bad := range []string{"0/4", "5/4", "2", "a/b", "1/0"} {
		if err := new(shardFlag).Set(bad); err == nil {
			t.Errorf("shard Set(%q): want an error", bad)
		}
	}
}

func TestRunPlanFromFlags(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		args        []string
		wantTotal   uint64
		wantPlanned uint64
		wantWindow  time.Duration
	}{
		{"defaults: 10/s for 30s", nil, 300, 300, 30 * time.Second},
		{"-n alone runs N journeys", []string{"-n", "50"}, 50, 50, 5 * time.Second},
		{"-n with -d: whichever first", []string{"-n", "500", "-d", "10s"}, 100, 100, 10 * time.Second},
		{"ramp: the stages' total", []string{"--ramp", "2s:10/s,2s:10/s"}, 30, 30, 4 * time.Second},
		{"shard 2/3 of 30", []string{"-n", "30", "--shard", "2/3"}, 30, 10, 3 * time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o, err := parseRunFlags(c.args, &Env{Stderr: new(syncBuffer)})
			if err != nil {
				t.Fatal(err)
			}
			if got := o.plan.Total(); got != c.wantTotal {
				t.Errorf("total %d, want %d", got, c.wantTotal)
			}
			if got := o.plan.Planned(); got != c.wantPlanned {
				t.Errorf("planned %d, want %d", got, c.wantPlanned)
			}
			if got := o.plan.Window(); got != c.wantWindow {
				t.Errorf("window %v, want %v", got, c.wantWindow)
			}
		})
	}
}

func TestSettleDerived(t *testing.T) {
	t.Parallel()
	o, err := parseRunFlags([]string{"--time-scale", "3600"}, &Env{Stderr: new(syncBuffer)})
	if err != nil {
		t.Fatal(err)
	}
	scaled := time.Duration(float64(o.maxDelay) / 3600)
	if o.maxDelay <= 0 || o.settleTime() != scaled+scaled/10+time.Second {
		t.Errorf("settle %v for the longest campaign delay %v at 3600×: want delay/3600 + 10%% + 1s", o.settleTime(), o.maxDelay)
	}
	o2, _ := parseRunFlags([]string{"--settle", "0"}, &Env{Stderr: new(syncBuffer)})
	if o2.settleTime() != 0 {
		t.Errorf("--settle 0 gave %v", o2.settleTime())
	}
}
