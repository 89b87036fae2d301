package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cioharness/cioharness/cio"
)

// recorded is one request the fake upstream received.
type recorded struct {
	Method, Path, Auth string
	Body               string
	Status             int // what the upstream answered
	At                 time.Time
}

// upstream is a fake Track API that records every request and answers with
// reply (200 {} when reply is nil). n counts requests from 0.
type upstream struct {
	srv   *httptest.Server
	mu    sync.Mutex
	reqs  []recorded
	reply func(n int, r *http.Request) (status int, header http.Header)
}

func newUpstream(t *testing.T, reply func(n int, r *http.Request) (int, http.Header)) *upstream {
	t.Helper()
	u := &upstream{reply: reply}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		u.mu.Lock()
		n := len(u.reqs)
		status, hdr := http.StatusOK, http.Header(nil)
		if u.reply != nil {
			status, hdr = u.reply(n, r)
		}
		u.reqs = append(u.reqs, recorded{r.Method, r.URL.EscapedPath(), r.Header.Get("Authorization"), string(body), status, time.Now()})
		u.mu.Unlock()
		for k, vs := range hdr {
			w.Header()[k] = vs
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, "{}")
	}))
	t.Cleanup(u.srv.Close)
	return u
}

func (u *upstream) requests() []recorded {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]recorded(nil), u.reqs...)
}

// stored returns the requests the upstream answered 2xx.
func (u *upstream) stored() []recorded {
	var out []recorded
	for _, r := range u.requests() {
		if r.Status < 300 {
			out = append(out, r)
		}
	}
	return out
}

// waitRequests waits until the upstream has seen at least n requests.
func (u *upstream) waitRequests(t *testing.T, n int) []recorded {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := u.requests()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("upstream saw %d requests, want at least %d: %+v", len(got), n, got)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// testRelay is a relay served by httptest in front of an upstream.
type testRelay struct {
	*relay
	url string
}

// startRelay starts a relay forwarding to up with a fast test configuration
// (one call per flush, millisecond backoff), changed by edit. With a nil up,
// edit must set the upstream.
func startRelay(t *testing.T, up *upstream, edit func(*config)) *testRelay {
	t.Helper()
	cfg := defaultConfig()
	if up != nil {
		cfg.Upstream = up.srv.URL
	}
	cfg.BatchSize = 1
	cfg.FlushInterval = 5 * time.Millisecond
	cfg.RetryBase = time.Millisecond
	cfg.RetryMax = 2 * time.Second
	cfg.Timeout = 5 * time.Second
	if edit != nil {
		edit(&cfg)
	}
	r, err := newRelay(cfg)
	if err != nil {
		t.Fatalf("newRelay: %v", err)
	}
	srv := httptest.NewServer(r.Handler())
	t.Cleanup(func() {
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		r.Close(ctx)
	})
	return &testRelay{r, srv.URL}
}

// post sends a Pipelines call to the relay with the test key and returns the
// status and body.
func (tr *testRelay) post(t *testing.T, path, body string) (int, string) {
	t.Helper()
	return postAuth(t, tr.url+path, cio.TestCredentials.PipelinesAuthorization(), body)
}

func postAuth(t *testing.T, url, auth, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("POST", url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// mustPost posts and fails the test unless the relay answered 200 {}.
func (tr *testRelay) mustPost(t *testing.T, path, body string) {
	t.Helper()
	if code, got := tr.post(t, path, body); code != 200 || got != "{}" {
		t.Fatalf("POST %s = %d %s; want 200 {}", path, code, got)
	}
}

// drain closes the relay, flushing its queues.
func (tr *testRelay) drain(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tr.Close(ctx)
}

// object decodes a JSON object body; numbers keep their text.
func object(t *testing.T, body string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(body)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	return m
}

// field walks a decoded object by keys, e.g. field(m, "data", "price").
func field(m map[string]any, keys ...string) any {
	var v any = m
	for _, k := range keys {
		o, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = o[k]
	}
	return v
}

const (
	ts1    = "2026-11-28T10:00:00.250Z" // unix 1795860000
	ts1Sec = "1795860000"
	ulid1  = "01KB5M1ZHA0000000000000001"
	ulid2  = "01KB5M1ZHA0000000000000002"
	ulid3  = "01KB5M1ZHA0000000000000003"
)
