package load

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/cioharness/cioharness/report"
)

// stallServer answers at once, except that every request arriving during
// [first+after, first+after+stall) is held until the stall ends, first being
// the arrival of the first request: a whole-server pause (GC, failover).
type stallServer struct {
	after, stall time.Duration
	mu           sync.Mutex
	from, to     time.Time
}

func (s *stallServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	s.mu.Lock()
	if s.from.IsZero() {
		s.from = now.Add(s.after)
		s.to = s.from.Add(s.stall)
	}
	from, to := s.from, s.to
	s.mu.Unlock()
	if !now.Before(from) && now.Before(to) {
		time.Sleep(to.Sub(now))
	}
	_, _ = io.Copy(io.Discard, r.Body)
}

// TestEngineStallCorrectedVsRaw checks the wrk2 model. At rate R with a
// stall of S and C senders, the B = R·S requests due during the stall all end
// after it: the k-th of them, due k/R into the stall, has corrected latency
// between S − k/R (the rest of the stall) and S − k/R + D, D being how long
// the backlog took to drain once the server resumed (measured in the run). So
// at least R·S/2 of them exceed S/2 and at most R·(S/2 + D) do, and their
// mean lies between S/2 and S/2 + D. Only the C requests in flight when the
// server paused see the stall in their raw service time: the other R·S − C
// were not written until it ended. The stall is
// shortened to 400ms (from 1s every 10s) to keep the test fast; the model is
// linear in S.
func TestEngineStallCorrectedVsRaw(t *testing.T) {
	const (
		rate  = 200.0
		stall = 400 * time.Millisecond
		conc  = 4
	)
	srv := &stallServer{after: 300 * time.Millisecond, stall: stall}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	cfg := baseConfig(ts.URL, fakeSource{steps: 1}, Plan{Pacer: Constant{rate}, Duration: 1200 * time.Millisecond})
	cfg.Concurrency = conc
	res, st := mustRun(t, cfg)

	srv.mu.Lock()
	from, to := srv.from, srv.to
	srv.mu.Unlock()
	half := stall / 2
	f := measureStall(t, res, from, to, half)
	due, overHalf, inFlight := f.due, f.overHalf, f.inFlight
	S, B, D := stall.Seconds(), rate*stall.Seconds(), f.lastEnd.Sub(to).Seconds()
	t.Logf("R=%v/s S=%v C=%d: %d due during the stall, drained %.1fms after it", rate, stall, conc, due, D*1e3)
	if d := float64(due); d < B-2 || d > B+2 {
		t.Errorf("%d requests due during the stall, want R·S = %.0f ± 2", due, B)
	}
	if lo, hi := rate*S/2-1, min(B, rate*(S/2+D))+1; float64(overHalf) < lo || float64(overHalf) > hi {
		t.Errorf("%d of them with corrected latency > %v, want between R·S/2 = %.0f and R·(S/2+D) = %.0f", overHalf, half, lo, hi)
	}
	if due > 0 {
		mean := (f.sum / time.Duration(due)).Seconds()
		if lo, hi := S/2-1/rate, S/2+D+1/rate; mean < lo || mean > hi {
			t.Errorf("mean corrected latency of requests due during the stall %.1fms, want between S/2 = %.1fms and S/2+D = %.1fms", mean*1e3, lo*1e3, hi*1e3)
		}
	}
	if inFlight != conc {
		t.Errorf("%d requests in flight over the stall, want --concurrency = %d", inFlight, conc)
	}
	// Steps due more than LateAfter before the stall ended, beyond the C in
	// flight, waited for a sender: the target's slowness, not harness lag.
	if want := rate*(S-LateAfter.Seconds()) - conc - 1; float64(st.QueuedSteps) < want {
		t.Errorf("%d steps counted as queued behind the stalled target, want >= %.0f", st.QueuedSteps, want)
	}
	if float64(st.LateSteps) > 0.01*float64(st.Steps) {
		t.Errorf("%d of %d steps counted late by the harness: the stall is the target's", st.LateSteps, st.Steps)
	}
}

// stallFigures are what TestEngineStallCorrectedVsRaw measures.
type stallFigures struct {
	due, overHalf, inFlight int
	sum                     time.Duration // corrected latencies of the requests due during the stall
	lastEnd                 time.Time     // when the last of them was answered
}

// measureStall counts the requests due during [from, to), those of them
// over half the stall, and the requests in flight over it, checking that
// each carries the stall as the model says.
func measureStall(t *testing.T, res []report.Result, from, to time.Time, half time.Duration) stallFigures {
	t.Helper()
	var f stallFigures
	for _, r := range res {
		// Raw service time carries the stall only for the requests in
		// flight when the server paused: written before it ended and
		// answered after, each of them at least for its stalled part.
		if r.Sent.Before(to) && !r.Sent.Add(r.Service).Before(to) {
			f.inFlight++
			if r.Service < to.Sub(r.Sent) {
				t.Errorf("request in flight over the stall: service %v, want >= %v", r.Service, to.Sub(r.Sent))
			}
		}
		if r.Intended.Before(from) || !r.Intended.Before(to) {
			continue
		}
		if r.Latency > half {
			f.overHalf++
		}
		f.due++
		f.sum += r.Latency
		end := r.Intended.Add(r.Latency)
		if end.Before(to) {
			t.Errorf("request due %v into the stall ended %v before the stall did: latency %v does not carry it",
				r.Intended.Sub(from), to.Sub(end), r.Latency)
		}
		if end.After(f.lastEnd) {
			f.lastEnd = end
		}
	}
	return f
}
