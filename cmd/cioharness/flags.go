package main

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cioharness/cioharness/cio"
	"github.com/cioharness/cioharness/load"
)

// parseStartRate parses "N/s" (also N/m, N/h, or a bare N per second) into
// journeys per second.
func parseStartRate(s string) (float64, error) {
	num, unit, found := strings.Cut(strings.TrimSpace(s), "/")
	per := time.Second
	if found {
		switch unit {
		case "s":
		case "m", "min":
			per = time.Minute
		case "h":
			per = time.Hour
		default:
			return 0, fmt.Errorf("rate %q: unit %q, want /s, /m or /h", s, unit)
		}
	}
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || n < 0 || math.IsInf(n, 0) || math.IsNaN(n) {
		return 0, fmt.Errorf("rate %q: want a number >= 0 followed by /s, e.g. 10/s", s)
	}
	return n / per.Seconds(), nil
}

// startRateFlag is -r/--rate N/s.
type startRateFlag struct {
	perSecond float64
	set       bool
}

func (f *startRateFlag) String() string { return load.FormatRate(f.perSecond) }
func (*startRateFlag) Type() string     { return "N/s" }

func (f *startRateFlag) Set(v string) error {
	n, err := parseStartRate(v)
	if err != nil {
		return err
	}
	if n == 0 {
		return errors.New("rate 0/s starts nothing; use a positive rate")
	}
	f.perSecond, f.set = n, true
	return nil
}

// rampFlag is --ramp "30s:50/s,2m:50/s,30s:0/s": linear stages of the start
// rate, each reaching its rate at the end of its duration, from 0/s.
type rampFlag struct{ ramp load.Ramp }

func (f *rampFlag) Type() string { return "STAGES" }

func (f *rampFlag) String() string {
	parts := make([]string, len(f.ramp.Stages))
	for i, s := range f.ramp.Stages {
		parts[i] = s.Duration.String() + ":" + load.FormatRate(s.Target)
	}
	return strings.Join(parts, ",")
}

func (f *rampFlag) Set(v string) error {
	var r load.Ramp
	for i, part := range strings.Split(v, ",") {
		d, rate, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok {
			return fmt.Errorf("stage %d %q: want DURATION:RATE, e.g. 30s:50/s", i+1, part)
		}
		dur, err := time.ParseDuration(d)
		if err != nil || dur <= 0 {
			return fmt.Errorf("stage %d %q: duration %q: want e.g. 30s or 2m", i+1, part, d)
		}
		n, err := parseStartRate(rate)
		if err != nil {
			return fmt.Errorf("stage %d: %w", i+1, err)
		}
		r.Stages = append(r.Stages, load.Stage{Duration: dur, Target: n})
	}
	if err := r.Validate(); err != nil {
		return err
	}
	f.ramp = r
	return nil
}

// headerFlag is the repeatable -H/--header 'K: V'.
type headerFlag struct{ h http.Header }

func (f *headerFlag) Type() string { return "'K: V'" }

func (f *headerFlag) String() string {
	var parts []string
	for k, vs := range f.h {
		for _, v := range vs {
			parts = append(parts, k+": "+v)
		}
	}
	return strings.Join(parts, ", ")
}

func (f *headerFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, ":")
	k, val = strings.TrimSpace(k), strings.TrimSpace(val)
	if !ok || k == "" || strings.ContainsAny(k, " \t\r\n") || strings.ContainsAny(val, "\r\n") {
		return fmt.Errorf("header %q: want 'Name: value'", v)
	}
	if f.h == nil {
		f.h = http.Header{}
	}
	f.h.Add(k, val)
	return nil
}

// shardFlag is --shard i/n.
type shardFlag struct{ shard load.Shard }

func (f *shardFlag) Type() string   { return "i/n" }
func (f *shardFlag) String() string { return f.shard.String() }

func (f *shardFlag) Set(v string) error {
	a, b, ok := strings.Cut(v, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil {
		return fmt.Errorf("shard %q: want i/n, e.g. 2/4", v)
	}
	s := load.Shard{Index: i, Count: n}
	if err := s.Validate(); err != nil {
		return err
	}
	f.shard = s
	return nil
}

// apiFlag is --api pipelines|track|track-v2.
type apiFlag struct{ api cio.API }

func (f *apiFlag) Type() string   { return "API" }
func (f *apiFlag) String() string { return f.api.String() }

func (f *apiFlag) Set(v string) error {
	a, err := cio.ParseAPI(v)
	if err != nil {
		return err
	}
	f.api = a
	return nil
}

// settleFlag is --settle D; unset, the run derives it from the campaigns.
type settleFlag struct {
	d   time.Duration
	set bool
}

func (f *settleFlag) Type() string { return "D" }

func (f *settleFlag) String() string {
	if !f.set {
		return "derived"
	}
	return f.d.String()
}

func (f *settleFlag) Set(v string) error {
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return fmt.Errorf("settle %q: want a duration >= 0, e.g. 5s", v)
	}
	f.d, f.set = d, true
	return nil
}
