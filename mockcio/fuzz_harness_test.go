package mockcio

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cioharness/cioharness/cio"
)

// The harness of the fuzz targets in fuzz_test.go.

var fuzzNow = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// fuzzMock is a mock with a fixed clock and a small journal, reset to the
// same prelude before every input.
type fuzzMock struct {
	s *Server
}

func newFuzzMock(t testing.TB) *fuzzMock {
	s, err := NewHandler(Options{JournalSize: 16, Now: func() time.Time { return fuzzNow }})
	if err != nil {
		t.Fatal(err)
	}
	return &fuzzMock{s: s}
}

// prelude is the state every input starts from: two people, events, an
// anonymous event, a device, a Pipelines event.
var prelude = []struct{ method, path, body string }{
	{"PUT", "/api/v1/customers/user-1", `{"email":"one@example.com","plan":"gold","orders":3}`},
	{"POST", "/api/v1/customers/user-1/events", `{"name":"Viewed","id":"01HZX3J7Z0Y2W5V8N4K6M1Q9RT","data":{"a":1}}`},
	{"POST", "/api/v1/events", `{"name":"Browse","anonymous_id":"anon-1","data":{}}`},
	{"PUT", "/api/v1/customers/user-2", `{"email":"two@example.com"}`},
	{"PUT", "/api/v1/customers/user-2/devices", `{"device":{"id":"tok-2","platform":"ios"}}`},
	{"POST", "/v1/track", `{"userId":"user-2","event":"Tracked","messageId":"m-1","properties":{}}`},
}

func (m *fuzzMock) reset(t *testing.T) {
	t.Helper()
	if w := m.do("POST", "/__mock/reset", "", nil, nil); w.Code/100 != 2 {
		t.Fatalf("reset: %d %s", w.Code, w.Body)
	}
	for _, p := range prelude {
		if w := m.do(p.method, p.path, authFor(p.path), []byte(p.body), nil); w.Code != 200 {
			t.Fatalf("prelude %s %s: %d %s", p.method, p.path, w.Code, w.Body)
		}
	}
}

func authFor(path string) string {
	if strings.HasPrefix(path, "/v1/") {
		return cio.TestCredentials.PipelinesAuthorization()
	}
	return cio.TestCredentials.TrackAuthorization()
}

// do serves one request; path is already escaped.
func (m *fuzzMock) do(method, path, auth string, body []byte, hdr http.Header) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "http://mock"+path, bytes.NewReader(body))
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	r.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	m.s.ServeHTTP(w, r)
	return w
}

func (m *fuzzMock) stats(t *testing.T) StatsView {
	t.Helper()
	var v StatsView
	w := m.do("GET", "/__mock/stats", "", nil, nil)
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("stats: %v (%s)", err, w.Body)
	}
	return v
}

// state is everything a request could change: the counts and every person.
func (m *fuzzMock) state(t *testing.T) string {
	t.Helper()
	st := m.stats(t)
	var people []PersonView
	m.s.EachPerson(func(p *PersonView) bool {
		people = append(people, normPerson(*p))
		return true
	})
	slices.SortFunc(people, func(a, b PersonView) int { return strings.Compare(a.ID+"\x00"+a.Email, b.ID+"\x00"+b.Email) })
	b, err := json.Marshal(struct {
		People, Events, Anonymous int64
		Persons                   []PersonView
	}{st.People, st.Events, st.AnonymousEvents, people})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// normPerson drops what depends on creation order only.
func normPerson(p PersonView) PersonView {
	p.CioID = ""
	p.Messages = nil
	return p
}

var documented = map[int]bool{200: true, 400: true, 401: true, 404: true, 405: true, 413: true}

// check applies the invariants to one answer. items is -1 for a single call,
// else the number of calls in a batch body (-2 when it does not decode).
// A request is rejected when it is answered non-2xx, or when every call it
// carried was counted invalid (permissive Pipelines answers 200 regardless).
func (m *fuzzMock) check(t *testing.T, w *httptest.ResponseRecorder, before string, beforeInvalid int64, items int) {
	t.Helper()
	if !documented[w.Code] && !(items != -1 && w.Code == 207) {
		t.Fatalf("status %d is not a documented answer; body %s", w.Code, w.Body)
	}
	if w.Code != 200 && w.Code != 207 && !json.Valid(w.Body.Bytes()) {
		t.Errorf("status %d with a body that is not JSON: %q", w.Code, w.Body)
	}
	invalid := invalidTotal(m.stats(t)) - beforeInvalid
	rejected := w.Code/100 != 2
	switch {
	case items == -1:
		rejected = rejected || invalid > 0
	case items >= 0:
		rejected = rejected || invalid >= int64(items)
	}
	if rejected {
		if after := m.state(t); after != before {
			t.Fatalf("rejected request (%d, %d of %d calls invalid) changed state:\nbefore %s\nafter  %s", w.Code, invalid, items, before, after)
		}
	}
}

// batchItems counts the calls of a batch body, -2 if it does not decode.
func batchItems(body []byte) int {
	var b struct {
		Batch []json.RawMessage `json:"batch"`
	}
	if json.Unmarshal(body, &b) != nil {
		return -2
	}
	return len(b.Batch)
}

func invalidTotal(v StatsView) int64 {
	var n int64
	for _, c := range v.Invalid {
		n += c
	}
	return n
}

// fuzzOne runs one request against the prelude state and checks it.
func fuzzOne(t *testing.T, m *fuzzMock, method, path, auth string, body []byte, hdr http.Header) *httptest.ResponseRecorder {
	m.reset(t)
	before, inv := m.state(t), invalidTotal(m.stats(t))
	w := m.do(method, path, auth, body, hdr)
	items := -1
	if path == "/v1/batch" {
		items = batchItems(body)
	}
	m.check(t, w, before, inv, items)
	return w
}

// pathSeg escapes a fuzzed identifier as one path segment.
func pathSeg(s string) string { return url.PathEscape(s) }
