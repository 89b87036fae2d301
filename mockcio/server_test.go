package mockcio

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cioharness/cioharness/cio"
)

// tmClock is an injectable clock for tests.
type tmClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *tmClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *tmClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var tmStart = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

// tmock is a mock served in process with a fake clock and NopRetention.
type tmock struct {
	t   *testing.T
	s   *Server
	clk *tmClock
}

func newTMock(t *testing.T, opts Options) *tmock {
	t.Helper()
	clk := &tmClock{t: tmStart}
	if opts.Now == nil {
		opts.Now = clk.Now
	}
	if opts.Retention == nil {
		opts.Retention = NopRetention{}
	}
	s, err := NewHandler(opts)
	if err != nil {
		t.Fatal(err)
	}
	return &tmock{t: t, s: s, clk: clk}
}

// tmAuth is the right Authorization for a path.
func tmAuth(path string) string {
	if strings.HasPrefix(path, "/v1/") {
		return cio.TestCredentials.PipelinesAuthorization()
	}
	return cio.TestCredentials.TrackAuthorization()
}

// call serves one request with the right credentials; hdr holds extra
// header pairs ("Authorization", "" removes it).
func (m *tmock) call(method, path, body string, hdr ...string) (int, string) {
	m.t.Helper()
	w := m.raw(method, path, body, hdr...)
	return w.Code, w.Body.String()
}

func (m *tmock) raw(method, path, body string, hdr ...string) *httptest.ResponseRecorder {
	var rd *bytes.Reader
	if body != "" {
		rd = bytes.NewReader([]byte(body))
	}
	var r *http.Request
	if rd != nil {
		r = httptest.NewRequest(method, "http://mock"+path, rd)
	} else {
		r = httptest.NewRequest(method, "http://mock"+path, nil)
	}
	r.Header.Set("Authorization", tmAuth(path))
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			r.Header.Del(hdr[i])
		} else {
			r.Header.Set(hdr[i], hdr[i+1])
		}
	}
	w := httptest.NewRecorder()
	m.s.ServeHTTP(w, r)
	return w
}

// ok asserts a 200 {} answer.
func (m *tmock) ok(method, path, body string, hdr ...string) {
	m.t.Helper()
	code, got := m.call(method, path, body, hdr...)
	if code != 200 || got != "{}" {
		m.t.Fatalf("%s %s: got %d %s, want 200 {}", method, path, code, got)
	}
}

// person returns a person, failing the test if there is none.
func (m *tmock) person(identifier string) PersonView {
	m.t.Helper()
	p, ok, err := m.s.Person(m.t.Context(), identifier)
	if err != nil || !ok {
		m.t.Fatalf("person %q: ok=%v err=%v", identifier, ok, err)
	}
	return p
}

func (m *tmock) absent(identifier string) {
	m.t.Helper()
	if p, ok, _ := m.s.Person(m.t.Context(), identifier); ok {
		m.t.Fatalf("person %q exists: %+v", identifier, p)
	}
}

func (m *tmock) stats() StatsView {
	v, _ := m.s.Stats(m.t.Context())
	return v
}

// names lists the event names of p with their via.
func tmNames(p PersonView) []string {
	var out []string
	for _, e := range p.Events {
		out = append(out, e.Name+"/"+e.Via)
	}
	return out
}

func tmAttr(p PersonView, name string) string { return string(p.Attributes[name]) }

func jsonEq(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("got %q is not JSON: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want %q is not JSON: %v", want, err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if !bytes.Equal(gb, wb) {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestNewServerListensAndCloses(t *testing.T) {
	s, err := NewServer(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		t.Fatalf("URL = %q, want http://127.0.0.1:port", s.URL)
	}
	req, _ := http.NewRequest("PUT", s.URL+"/api/v1/customers/u1", strings.NewReader(`{"plan":"gold"}`))
	req.Header.Set("Authorization", cio.TestCredentials.TrackAuthorization())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(s.URL + "/__mock/stats"); err == nil {
		t.Fatal("server still answers after Close")
	}
}

func TestOptionsValidation(t *testing.T) {
	tests := []struct {
		name string
		opts Options
	}{
		{"negative scale", Options{TimeScale: -1}},
		{"negative journal", Options{JournalSize: -5}},
		{"partial credentials", Options{Credentials: cio.Credentials{SiteID: "s"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewHandler(tt.opts); err == nil {
				t.Fatal("got nil error")
			}
		})
	}
	s, err := NewHandler(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.TimeScale(); got != 60 {
		t.Fatalf("default time scale = %v, want 60", got)
	}
}
