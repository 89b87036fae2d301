package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/cioharness/cioharness/load"
)

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progress draws one mpb bar on stderr while the engine runs: journeys
// started of planned, requests per second, errors, requests in flight and the
// harness's worst lag. It polls the engine's Stats; it never sees results.
type progress struct {
	p        *mpb.Progress
	bar      *mpb.Bar
	stats    func() load.Stats
	line     atomic.Pointer[string]
	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
}

const progressEvery = 250 * time.Millisecond

// startProgress starts the bar when enabled; otherwise it returns a progress
// whose Stop does nothing.
func startProgress(w io.Writer, enabled bool, planned uint64, stats func() load.Stats) *progress {
	pr := &progress{stats: stats, stop: make(chan struct{}), done: make(chan struct{})}
	if !enabled {
		close(pr.done)
		return pr
	}
	empty := ""
	pr.line.Store(&empty)
	pr.p = mpb.New(mpb.WithOutput(w), mpb.WithRefreshRate(progressEvery), mpb.WithAutoRefresh())
	pr.bar = pr.p.AddBar(int64(planned),
		mpb.PrependDecorators(decor.Name("journeys "), decor.CountersNoUnit("%d / %d", decor.WCSyncSpace)),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string { return *pr.line.Load() })),
	)
	go pr.poll()
	return pr
}

func (pr *progress) poll() {
	defer close(pr.done)
	t := time.NewTicker(progressEvery)
	defer t.Stop()
	var last uint64
	lastAt := time.Now()
	for {
		select {
		case <-pr.stop:
			if st := pr.stats(); st.Started >= st.Planned {
				pr.bar.SetCurrent(int64(st.Started)) // completes the bar
			} else {
				pr.bar.Abort(false) // interrupted: leave it where it stopped
			}
			pr.p.Wait()
			return
		case now := <-t.C:
			st := pr.stats()
			rps := float64(st.Requests-last) / now.Sub(lastAt).Seconds()
			last, lastAt = st.Requests, now
			line := progressLine(st, rps)
			pr.line.Store(&line)
			pr.bar.SetCurrent(int64(st.Started))
		}
	}
}

// progressLine is the text after the bar.
func progressLine(st load.Stats, rps float64) string {
	return fmt.Sprintf("%.0f req/s, %d err, %d in flight, lag %v",
		rps, st.Errors, st.InFlight, st.MaxLag.Round(time.Millisecond))
}

// Stop completes the bar and waits until it is drawn; safe to call twice.
func (pr *progress) Stop() {
	pr.stopOnce.Do(func() { close(pr.stop) })
	<-pr.done
}
