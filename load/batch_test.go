package load

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cioharness/cioharness/cio"
	"github.com/cioharness/cioharness/scenarios"
)

// countingServer counts requests per path and calls per batch body.
type countingServer struct {
	mu       sync.Mutex
	requests map[string]int
	calls    int
	maxBatch int
}

func (c *countingServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	n := 1
	if strings.HasSuffix(r.URL.Path, "/batch") {
		var b struct{ Batch []json.RawMessage }
		_ = json.Unmarshal(body, &b)
		n = len(b.Batch)
	}
	c.mu.Lock()
	if c.requests == nil {
		c.requests = map[string]int{}
	}
	c.requests[r.URL.Path]++
	c.calls += n
	c.maxBatch = max(c.maxBatch, n)
	c.mu.Unlock()
}

func TestEngineWireFormats(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		api       cio.API
		batch     int
		wantPath  string
		wantCalls int
	}{
		{"pipelines single", cio.APIPipelines, 1, "/v1/track", 60},
		{"pipelines batch 8", cio.APIPipelines, 8, "/v1/batch", 60},
		{"track v1", cio.APITrack, 1, "/api/v1/customers/u0/events", 3},
		{"track-v2 entity", cio.APITrackV2, 1, "/api/v2/entity", 60},
		{"track-v2 batch 8", cio.APITrackV2, 8, "/api/v2/batch", 60},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv := &countingServer{}
			ts := httptest.NewServer(srv)
			defer ts.Close()
			cfg := baseConfig(ts.URL, fakeSource{steps: 3}, Plan{Pacer: Constant{400}, Journeys: 20})
			cfg.API, cfg.Batch = c.api, c.batch
			res, st := mustRun(t, cfg)
			srv.mu.Lock()
			defer srv.mu.Unlock()
			if c.batch <= 1 && srv.calls != 60 || c.batch > 1 && srv.calls != 60 {
				t.Errorf("server saw %d calls, want 60", srv.calls)
			}
			if got := srv.requests[c.wantPath]; c.batch <= 1 && got != c.wantCalls || c.batch > 1 && got == 0 {
				t.Errorf("%s: %d requests (all: %v)", c.wantPath, got, srv.requests)
			}
			if srv.maxBatch > max(c.batch, 1) {
				t.Errorf("a batch carried %d calls, want <= %d", srv.maxBatch, c.batch)
			}
			calls := 0
			for _, r := range res {
				calls += r.Calls
			}
			if calls != 60 || st.Steps != 60 || uint64(len(res)) != st.Requests || st.Errors != 0 {
				t.Errorf("results carry %d calls, stats %d steps, %d requests (%d results), %d errors; want 60 calls, no errors",
					calls, st.Steps, st.Requests, len(res), st.Errors)
			}
		})
	}
}

func TestEngineSkipsWhatTheFormatCannotSay(t *testing.T) {
	t.Parallel()
	srv := &countingServer{}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	// alias is not expressible on Track v1: every step is skipped, journeys complete.
	cfg := baseConfig(ts.URL, fakeSource{steps: 2, kind: cio.KindAlias}, Plan{Pacer: Constant{100}, Journeys: 5})
	cfg.API = cio.APITrack
	res, st := mustRun(t, cfg)
	if len(res) != 0 || st.Skipped != 10 || st.Completed != 5 {
		t.Errorf("results %d, skipped %d, completed %d; want 0, 10, 5", len(res), st.Skipped, st.Completed)
	}
}

func TestEngineShard(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(&countingServer{})
	defer ts.Close()
	cfg := baseConfig(ts.URL, fakeSource{steps: 1}, Plan{Pacer: Constant{300}, Journeys: 30, Shard: Shard{2, 3}})
	var mu sync.Mutex
	var starts []uint64
	cfg.OnStart = func(j *scenarios.Journey, _ time.Time) {
		mu.Lock()
		starts = append(starts, j.Index)
		mu.Unlock()
	}
	res, st := mustRun(t, cfg)
	if st.Planned != 10 || st.Started != 10 || len(res) != 10 {
		t.Fatalf("planned %d, started %d, results %d; want 10 each", st.Planned, st.Started, len(res))
	}
	for i, idx := range starts {
		if want := uint64(3*i + 1); idx != want {
			t.Errorf("start %d: journey %d, want %d", i, idx, want)
		}
	}
}

func TestEngineCancel(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(&countingServer{})
	defer ts.Close()
	e, err := New(baseConfig(ts.URL, fakeSource{steps: 2, gap: time.Second}, Plan{Pacer: Constant{100}, Duration: time.Hour}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	n := 0
	for range e.Run(ctx) {
		n++
	}
	st := e.Stats()
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("run ended %v after the start, want soon after the cancellation at 200ms", d)
	}
	if !st.Done || st.Started == 0 || uint64(n) != st.Requests || st.InFlight != 0 {
		t.Errorf("stats %+v after %d results: want done, some started, one result per request, none in flight", st, n)
	}
}

func TestConfigValidateNamesTheField(t *testing.T) {
	t.Parallel()
	good := baseConfig("http://127.0.0.1:1", fakeSource{steps: 1}, Plan{Pacer: Constant{1}, Duration: time.Second})
	cases := []struct {
		field string
		edit  func(c *Config)
	}{
		{"concurrency", func(c *Config) { c.Concurrency = 0 }},
		{"time-scale", func(c *Config) { c.TimeScale = 0 }},
		{"target", func(c *Config) { c.Target = "ftp://x" }},
		{"batch", func(c *Config) { c.API, c.Batch = cio.APITrack, 5 }},
		{"rate", func(c *Config) { c.Plan.Duration = 0 }},
		{"api", func(c *Config) { c.API = 0 }},
	}
	for _, c := range cases {
		cfg := good
		c.edit(&cfg)
		err := cfg.Validate()
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Field != c.field {
			t.Errorf("%s: Validate() = %v, want a ConfigError for %q", c.field, err, c.field)
		}
	}
	if err := good.Validate(); err != nil {
		t.Errorf("good config: %v", err)
	}
}
