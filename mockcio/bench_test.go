package mockcio

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cioharness/cioharness/cio"
)

// Benchmarks of the mock against a trivial net/http server on the same
// machine, in the same run (DESIGN.md "Rules that keep it fast"):
//
//	go test ./mockcio -run '^$' -bench 'Throughput|StoreMemory' -benchtime 2s
//
// BenchmarkThroughput sends Pipelines track and Track v1 event requests over
// loopback HTTP with 32 concurrent clients, in alternating rounds to a
// baseline handler that only decodes the same JSON into a map and answers
// 200 {}, and to the mock with every rule on (auth, limits, identity, dedup,
// the retention engines with the built-in campaigns, segments and plan, a
// fault rule and the rate limiter that never fire). It reports the mock's
// req/s and CPU per request, the baseline's, and their ratios (goal: req/s
// ratio >= 0.6 or CPU ratio <= 1.7). CPU is the whole process's (getrusage),
// clients included, for both.

const benchClients = 32

// benchBody builds the i-th request of api: a unique event on one of 10,000
// people, as the generator would send it.
func benchBody(api cio.API, i uint64) cio.Request {
	c := &cio.Call{
		Kind:      cio.KindTrack,
		UserID:    "user-" + strconv.FormatUint(i%10000, 10),
		Name:      "Added to Cart",
		ID:        cio.MakeULID(time.Unix(1_764_000_000, 0), 7, i).String(),
		Timestamp: time.Unix(1_764_000_000+int64(i%3600), 0),
		Data:      json.RawMessage(`{"product_id":"sku-` + strconv.FormatUint(i%500, 10) + `","price":19.99,"quantity":1,"currency":"USD","cart_id":"c-` + strconv.FormatUint(i, 10) + `"}`),
	}
	req, err := cio.Encode(api, c)
	if err != nil {
		panic(err)
	}
	return req
}

func benchClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		MaxIdleConns: 2 * benchClients, MaxIdleConnsPerHost: 2 * benchClients, MaxConnsPerHost: 2 * benchClients,
		DisableCompression: true, IdleConnTimeout: time.Minute,
		DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
	}, Timeout: 10 * time.Second}
}

// baselineHandler decodes the body into a map and answers 200 {}.
func baselineHandler(w http.ResponseWriter, r *http.Request) {
	var m map[string]any
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
		http.Error(w, `{"meta":{"error":"bad json"}}`, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte("{}"))
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// load is the elapsed time and process CPU of some requests.
type load struct {
	n         int
	wall, cpu time.Duration
}

func (l load) reqPerSec() float64 { return float64(l.n) / l.wall.Seconds() }
func (l load) cpuPerReq() float64 { return float64(l.cpu.Nanoseconds()) / float64(l.n) }

// drive sends n requests of api to base from benchClients goroutines; ids
// continue from *next so that no event repeats.
func drive(b *testing.B, client *http.Client, base string, api cio.API, auth string, n int, next *atomic.Uint64) load {
	var failed atomic.Int64
	var wg sync.WaitGroup
	end := next.Load() + uint64(n)
	start, cpu0 := time.Now(), cpuTime()
	for range benchClients {
		wg.Go(func() {
			for i := next.Add(1); i <= end; i = next.Add(1) {
				req := benchBody(api, i)
				hr, _ := http.NewRequest(req.Method, base+req.Path, bytes.NewReader(req.Body))
				hr.Header.Set("Authorization", auth)
				hr.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(hr)
				if err != nil {
					failed.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	l := load{n: n, wall: time.Since(start), cpu: cpuTime() - cpu0}
	next.Store(end)
	if f := failed.Load(); f > 0 {
		b.Fatalf("%d of %d requests to %s failed", f, n, base)
	}
	return l
}

func newBenchMock(b *testing.B) *Server {
	s, err := NewServer(Options{
		Faults:    NewFaults(1, []FaultRule{{Status: 503, P: 0.5, Path: "/never/"}}),
		RateLimit: NewRateLimiter(1e9),
		TimeScale: 60,
	})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkThroughput alternates rounds of b.N/4 requests to the baseline
// and to the mock, so both see the same machine load, and reports the mock's
// figures with the baseline's and their ratios.
func BenchmarkThroughput(b *testing.B) {
	for _, api := range []struct {
		name string
		api  cio.API
	}{{"pipelines_track", cio.APIPipelines}, {"v1_event", cio.APITrack}} {
		b.Run(api.name, func(b *testing.B) {
			auth := cio.TestCredentials.Authorization(api.api)
			base := httptest.NewServer(http.HandlerFunc(baselineHandler))
			defer base.Close()
			mock := newBenchMock(b)
			defer mock.Close()
			client := benchClient()
			defer client.CloseIdleConnections()
			var next atomic.Uint64
			const rounds = 4
			per := max(1, b.N/rounds)
			var lb, lm load
			b.ResetTimer()
			for range rounds {
				x := drive(b, client, base.URL, api.api, auth, per, &next)
				y := drive(b, client, mock.URL, api.api, auth, per, &next)
				lb = load{lb.n + x.n, lb.wall + x.wall, lb.cpu + x.cpu}
				lm = load{lm.n + y.n, lm.wall + y.wall, lm.cpu + y.cpu}
			}
			b.StopTimer()
			b.ReportMetric(lm.reqPerSec(), "req/s")
			b.ReportMetric(lm.cpuPerReq()/1000, "cpu-µs/req")
			b.ReportMetric(lb.reqPerSec(), "base-req/s")
			b.ReportMetric(lb.cpuPerReq()/1000, "base-cpu-µs/req")
			b.ReportMetric(lm.reqPerSec()/lb.reqPerSec(), "x-base-req/s")
			b.ReportMetric(lm.cpuPerReq()/lb.cpuPerReq(), "x-base-cpu/req")
		})
	}
}

// discardWriter is a minimal ResponseWriter for in-process handler calls.
type discardWriter struct {
	h    http.Header
	code int
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(code int)        { d.code = code }

// serveOne calls the handler in process. The request is built by hand:
// httptest.NewRequest parses a request line, which would cost more than the
// mock's work.
func serveOne(b *testing.B, s *Server, req cio.Request, auth string) {
	u, err := url.Parse(req.Path)
	if err != nil {
		b.Fatal(err)
	}
	hr := (&http.Request{
		Method: req.Method, URL: u, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Host: "mock",
		Header:        http.Header{"Authorization": {auth}, "Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(req.Body)),
		ContentLength: int64(len(req.Body)), RemoteAddr: "127.0.0.1:1",
	}).WithContext(context.Background())
	w := &discardWriter{h: http.Header{}}
	s.ServeHTTP(w, hr)
	if w.code != 0 && w.code != 200 {
		b.Fatalf("%s %s: %d", req.Method, req.Path, w.code)
	}
}

func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkStoreMemory stores 10,000 people and 1,000,000 Track v1 events
// through the handler and reports the live heap per person and per event.
// It does the whole load once whatever b.N is (goal: under 400 B/event).
func BenchmarkStoreMemory(b *testing.B) {
	const people, events = 10_000, 1_000_000
	auth := cio.TestCredentials.TrackAuthorization()
	for range b.N {
		h0 := heapAfterGC()
		s, err := NewHandler(Options{JournalSize: 1000})
		if err != nil {
			b.Fatal(err)
		}
		for i := range people {
			c := &cio.Call{Kind: cio.KindIdentify, UserID: fmt.Sprintf("user-%d", i), Email: fmt.Sprintf("user-%d@example.com", i),
				Data: json.RawMessage(`{"first_name":"Pat","orders_count":3,"vip_tier":"gold","sms_consent":true}`)}
			req, err := cio.Encode(cio.APITrack, c)
			if err != nil {
				b.Fatal(err)
			}
			serveOne(b, s, req, auth)
		}
		h1 := heapAfterGC()
		for i := range uint64(events) {
			serveOne(b, s, benchBody(cio.APITrack, i), auth)
		}
		h2 := heapAfterGC()
		var st StatsView
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest("GET", "/__mock/stats", nil))
		if err := json.Unmarshal(w.Body.Bytes(), &st); err != nil || st.Events != events || st.People != people {
			b.Fatalf("stored %d events on %d people, want %d on %d (%v)", st.Events, st.People, events, people, err)
		}
		b.ReportMetric(float64(int64(h1)-int64(h0))/people, "B/person")
		b.ReportMetric(float64(int64(h2)-int64(h1))/events, "B/event")
		runtime.KeepAlive(s)
	}
}
