package load

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cioharness/cioharness/cio"
	"github.com/cioharness/cioharness/scenarios"
)

// cachedSource replays pre-generated d2c journeys under new indexes, so that
// the benchmark measures the engine, not journey generation.
type cachedSource struct{ js []*scenarios.Journey }

func (c cachedSource) Journey(i uint64) *scenarios.Journey {
	j := *c.js[i%uint64(len(c.js))]
	j.Index = i
	return &j
}

func newCachedSource(tb testing.TB, n int) (cachedSource, float64) {
	tb.Helper()
	mix, err := scenarios.LoadMix([]string{"d2c"})
	if err != nil {
		tb.Fatal(err)
	}
	g, err := scenarios.NewGenerator(mix, scenarios.Options{Seed: 1})
	if err != nil {
		tb.Fatal(err)
	}
	var c cachedSource
	steps := 0
	for i := 0; i < n; i++ {
		j := g.Journey(uint64(i))
		steps += len(j.Steps)
		c.js = append(c.js, j)
	}
	return c, float64(steps) / float64(n)
}

// benchTarget returns the server the benchmarks send to: the one named by
// CIOHARNESS_BENCH_TARGET (bench/bench.sh passes its out-of-process server, so
// that cpu-us/req is the client's alone), else an in-process discard server
// (cpu-us/req then includes the server).
func benchTarget(b *testing.B) string {
	if t := os.Getenv("CIOHARNESS_BENCH_TARGET"); t != "" {
		return t
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = w.Write([]byte("{}"))
	}))
	b.Cleanup(srv.Close)
	return srv.URL
}

const benchConns = 50

// BenchmarkEngine drives real d2c journey payloads (Pipelines) at a start
// rate far above what loopback sustains, with 50 requests in flight, against
// a discard server (see benchTarget). Journeys are generated before the
// timer starts. One op is one request; cpu-us/req is the process's user+sys
// CPU per request. Compare it with BenchmarkBaselineClient from the same run.
func BenchmarkEngine(b *testing.B) { benchEngine(b, false) }

// BenchmarkEngineStdClient is BenchmarkEngine over net/http (as for https).
func BenchmarkEngineStdClient(b *testing.B) { benchEngine(b, true) }

func benchEngine(b *testing.B, std bool) {
	src, stepsPerJourney := newCachedSource(b, 500)
	target := benchTarget(b)
	journeys := uint64(float64(b.N)/stepsPerJourney) + 1
	cfg := Config{Source: src, Plan: Plan{Pacer: Constant{1e6}, Journeys: journeys}, TimeScale: 1e7,
		Target: target, API: cio.APIPipelines, Credentials: cio.TestCredentials, Concurrency: benchConns, StdClient: std}
	e, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0, t0 := cpuTime(), time.Now()
	var n, errs int
	for r := range e.Run(context.Background()) {
		n++
		if !r.OK() {
			errs++
		}
	}
	b.StopTimer()
	reportBench(b, n, errs, cpuTime()-cpu0, time.Since(t0))
}

func reportBench(b *testing.B, n, errs int, cpu, wall time.Duration) {
	if errs > 0 {
		b.Fatalf("%d of %d requests failed", errs, n)
	}
	b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-us/req")
	b.ReportMetric(float64(n)/wall.Seconds(), "req/s")
}

// BenchmarkBaselineClient is the yardstick: a minimal closed-loop net/http
// client (50 goroutines, tuned transport) posting one d2c payload to the same
// kind of server.
func BenchmarkBaselineClient(b *testing.B) {
	src, _ := newCachedSource(b, 1)
	c := src.js[0].Steps[len(src.js[0].Steps)-1].Call
	req, err := cio.Encode(cio.APIPipelines, &c)
	if err != nil {
		b.Fatal(err)
	}
	target := benchTarget(b)
	client := &http.Client{Transport: NewTransport(benchConns, time.Minute)}
	auth := cio.TestCredentials.PipelinesAuthorization()
	var left atomic.Int64
	left.Store(int64(b.N))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0, t0 := cpuTime(), time.Now()
	var wg sync.WaitGroup
	var errs atomic.Int64
	for i := 0; i < benchConns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for left.Add(-1) >= 0 {
				r, _ := http.NewRequest(req.Method, target+req.Path, bytes.NewReader(req.Body))
				r.Header.Set("Content-Type", "application/json")
				r.Header.Set("Authorization", auth)
				resp, err := client.Do(r)
				if err != nil {
					errs.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	reportBench(b, b.N, int(errs.Load()), cpuTime()-cpu0, time.Since(t0))
}
