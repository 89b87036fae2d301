package main

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cioharness/cioharness/load"
)

func TestProgressDrawsTheRun(t *testing.T) {
	t.Parallel()
	var started atomic.Uint64
	stats := func() load.Stats {
		n := started.Add(40)
		return load.Stats{Planned: 100, Started: min(n, 100), Requests: 8 * n, Errors: 1, InFlight: 3, MaxLag: 12 * time.Millisecond}
	}
	out := &syncBuffer{}
	pr := startProgress(out, true, 100, stats)
	time.Sleep(3 * progressEvery)
	pr.Stop()
	pr.Stop() // idempotent
	got := out.String()
	for _, want := range []string{"journeys", "/ 100", "req/s", "1 err", "3 in flight", "lag 12ms", "100 / 100"} {
		if !strings.Contains(got, want) {
			t.Errorf("progress output lacks %q:\n%s", want, got)
		}
	}
}

func TestProgressOffWritesNothing(t *testing.T) {
	t.Parallel()
	out := &syncBuffer{}
	pr := startProgress(out, false, 10, func() load.Stats { return load.Stats{} })
	pr.Stop()
	if out.String() != "" {
		t.Errorf("disabled progress wrote %q", out.String())
	}
	if isTerminal(out) {
		t.Error("a buffer is not a terminal")
	}
}
