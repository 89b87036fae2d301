package mockcio

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cioharness/cioharness/cio"
)

// Tests driven by Customer.io's own npm clients (testdata/clients, pinned by
// package-lock.json): @customerio/cdp-analytics-node@0.5.9 for Pipelines and
// customerio-node@4.4.0 for Track v1. They skip, saying why, where node or
// the installed packages are missing: run `npm ci --prefix testdata/clients`.
// With CIOHARNESS_REQUIRE_CLIENTS=1 (CI) they fail instead.

var clientsDir = filepath.Join("..", "testdata", "clients")

// runClient runs `node script args...` in testdata/clients and returns its
// stdout, stderr and error (an *exec.ExitError for a non-zero exit).
func runClient(t *testing.T, script string, args ...string) (string, string, error) {
	t.Helper()
	skip := t.Skipf
	if os.Getenv("CIOHARNESS_REQUIRE_CLIENTS") != "" {
		skip = t.Fatalf // CI: a missing client is a failure, not a skip
	}
	node, err := exec.LookPath("node")
	if err != nil {
		skip("node not found in PATH: the real-client tests need Node 20")
	}
	for _, pkg := range []string{"customerio-node", "@customerio/cdp-analytics-node"} {
		if _, err := os.Stat(filepath.Join(clientsDir, "node_modules", pkg, "package.json")); err != nil {
			skip("testdata/clients/node_modules/%s missing: run npm ci --prefix testdata/clients", pkg)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, append([]string{script}, args...)...)
	cmd.Dir = clientsDir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	return stdout.String(), stderr.String(), err
}

func startMock(t *testing.T, opts Options) *Server {
	t.Helper()
	s, err := NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// getPerson reads GET /__mock/people/{identifier}; ok=false for 404.
func getPerson(t *testing.T, s *Server, identifier string) (PersonView, bool) {
	t.Helper()
	var p PersonView
	code := getJSON(t, s, "/__mock/people/"+url.PathEscape(identifier), &p)
	if code != 200 && code != 404 {
		t.Fatalf("GET person %q: %d", identifier, code)
	}
	return p, code == 200
}

func getJSON(t *testing.T, s *Server, path string, v any) int {
	t.Helper()
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("GET", "http://mock"+path, nil))
	if w.Code == 200 {
		if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
			t.Fatalf("GET %s: %v (%s)", path, err, w.Body)
		}
	}
	return w.Code
}

func statsOf(t *testing.T, s *Server) StatsView {
	t.Helper()
	var st StatsView
	if code := getJSON(t, s, "/__mock/stats", &st); code != 200 {
		t.Fatalf("GET /__mock/stats: %d", code)
	}
	return st
}

// eventsNamed returns p's events called name.
func eventsNamed(p PersonView, name string) []EventView {
	var out []EventView
	for _, e := range p.Events {
		if e.Name == name {
			out = append(out, e)
		}
	}
	return out
}

// wantEvent checks that p holds exactly one event name with typ and via, and
// that its data contains every key of wantData with the same JSON value.
func wantEvent(t *testing.T, p PersonView, name, typ, via string, wantData map[string]string) {
	t.Helper()
	evs := eventsNamed(p, name)
	if len(evs) != 1 {
		t.Errorf("%s: %d events %q, want 1 (events: %v)", p.ID, len(evs), name, eventNames(p))
		return
	}
	e := evs[0]
	if e.Type != typ || e.Via != via {
		t.Errorf("%s: event %q type %q via %q, want %q via %q", p.ID, name, e.Type, e.Via, typ, via)
	}
	var data map[string]json.RawMessage
	if err := json.Unmarshal(e.Data, &data); err != nil {
		t.Errorf("%s: event %q data %s: %v", p.ID, name, e.Data, err)
	}
	for k, v := range wantData {
		if got := string(data[k]); got != v {
			t.Errorf("%s: event %q data[%s] = %s, want %s", p.ID, name, k, got, v)
		}
	}
}

func eventNames(p PersonView) []string {
	var n []string
	for _, e := range p.Events {
		n = append(n, e.Name+"/"+e.Via)
	}
	return n
}

func wantAttrs(t *testing.T, p PersonView, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got := string(p.Attributes[k]); got != v {
			t.Errorf("%s: attribute %s = %s, want %s (JSON type kept)", p.ID, k, got, v)
		}
	}
}

func TestClientPipelinesJourney(t *testing.T) {
	s := startMock(t, Options{})
	out, errOut, err := runClient(t, "pipelines.js", s.URL, cio.TestCredentials.PipelinesKey, "journey")
	if err != nil {
		t.Fatalf("pipelines.js: %v\nstdout: %s\nstderr: %s", err, out, errOut)
	}
	p, ok := getPerson(t, s, "user-p1")
	if !ok {
		t.Fatalf("person user-p1 not found after the client's identify; stats %+v", statsOf(t, s))
	}
	if p.Email != "p1@example.com" || !slices.Contains(p.AnonymousIDs, "anon-p1") {
		t.Errorf("user-p1: email %q anonymous_ids %v, want p1@example.com and anon-p1", p.Email, p.AnonymousIDs)
	}
	wantAttrs(t, p, map[string]string{"first_name": `"Pat"`, "orders_count": "1", "vip": "false"})
	wantEvent(t, p, "Viewed Product", "event", ViaAnonymousMerge, map[string]string{"product_id": `"sku-1"`, "price": "19.99"})
	wantEvent(t, p, "Product", "page", ViaAnonymousMerge, map[string]string{"path": `"/p/sku-1"`})
	wantEvent(t, p, "Order Placed", "event", ViaDirect, map[string]string{"value": "42.5", "currency": `"USD"`, "items": `[{"sku":"sku-1","qty":2}]`})
	wantEvent(t, p, "Thank You", "page", ViaDirect, nil)
	wantEvent(t, p, "Coupon Applied", "event", ViaDirect, map[string]string{"code": `"TEN"`}) // sent twice, one messageId
	var anon AnonymousView
	if code := getJSON(t, s, "/__mock/anonymous/anon-p1", &anon); code == 200 && len(anon.Events) != 0 {
		t.Errorf("anon-p1 still holds %d unmerged events", len(anon.Events))
	}
	st := statsOf(t, s)
	if got := st.Requests[cio.EndpointPipelinesBatch]["200"]; got < 3 {
		t.Errorf("pipelines.batch answered 200 %d times, want >= 3 (7 calls, maxEventsInBatch 3)", got)
	}
}

func TestClientTrackV1(t *testing.T) {
	s := startMock(t, Options{})
	c := cio.TestCredentials
	out, errOut, err := runClient(t, "track.js", s.URL, c.SiteID, c.APIKey)
	if err != nil {
		t.Fatalf("track.js: %v\nstdout: %s\nstderr: %s", err, out, errOut)
	}
	p, ok := getPerson(t, s, "user-t1")
	if !ok {
		t.Fatal("person user-t1 not found")
	}
	if !strings.EqualFold(p.Email, "t1@example.com") || !slices.Contains(p.AnonymousIDs, "anon-t1") {
		t.Errorf("user-t1: email %q anonymous_ids %v, want t1@example.com and anon-t1", p.Email, p.AnonymousIDs)
	}
	wantAttrs(t, p, map[string]string{"first_name": `"Tess"`, "orders_count": "2", "loyalty": `"gold"`})
	wantEvent(t, p, "Order Placed", "event", ViaDirect, map[string]string{"value": "10.5", "currency": `"EUR"`})
	wantEvent(t, p, "Viewed Product", "event", ViaAnonymousMerge, map[string]string{"product_id": `"sku-9"`})
	wantEvent(t, p, "Signed Up", "event", ViaProfileMerge, map[string]string{"source": `"footer"`})
	wantEvent(t, p, "/checkout/thanks", "page", ViaDirect, nil)
	if len(p.Devices) != 1 || p.Devices[0].Token != "tok-t1" || p.Devices[0].Platform != "ios" {
		t.Errorf("user-t1 devices %+v, want tok-t1 on ios", p.Devices)
	}
	for _, gone := range []string{"user-t2", "t2@example.com"} {
		if _, ok := getPerson(t, s, gone); ok {
			t.Errorf("%s exists, want it merged away", gone)
		}
	}
	// Suppressed: the profile is deleted, the identifier blocked, and the
	// identify that followed was answered 200 but ignored.
	if sup, ok := getPerson(t, s, "user-t3"); ok && (!sup.Suppressed || sup.CioID != "" || sup.Attributes["first_name"] != nil) {
		t.Errorf("user-t3 after suppress then identify: %+v, want only a suppressed marker", sup)
	}
	if plus, ok := getPerson(t, s, "shopper+1@example.com"); !ok {
		t.Error("shopper+1@example.com (sent percent-encoded) not found")
	} else {
		wantAttrs(t, plus, map[string]string{"first_name": `"Plus"`})
	}
}

// firstFaultSeed returns a seed whose first decision for rules is a fault,
// so that the first request the mock sees is refused whatever the order.
func firstFaultSeed(t *testing.T, rules []FaultRule) int64 {
	for seed := int64(1); seed < 1000; seed++ {
		w := httptest.NewRecorder()
		if fault, _ := NewFaults(seed, rules).Apply(w, httptest.NewRequest("POST", "/v1/batch", nil)); fault != "" {
			return seed
		}
	}
	t.Fatal("no seed under 1000 faults the first request")
	return 0
}

func TestClientPipelinesRetries429(t *testing.T) {
	rules := []FaultRule{{Status: http.StatusTooManyRequests, P: 0.3, RetryAfter: time.Second, Path: "/v1/"}}
	s := startMock(t, Options{Faults: NewFaults(firstFaultSeed(t, rules), rules)})
	out, errOut, err := runClient(t, "pipelines.js", s.URL, cio.TestCredentials.PipelinesKey, "retry")
	if err != nil {
		t.Fatalf("pipelines.js retry: %v\nstdout: %s\nstderr: %s", err, out, errOut)
	}
	st := statsOf(t, s)
	if st.Requests[cio.EndpointPipelinesBatch]["429"] < 1 || st.Faulted[cio.EndpointPipelinesBatch]["status=429"] < 1 {
		t.Errorf("no 429 recorded for pipelines.batch: requests %v faulted %v", st.Requests, st.Faulted)
	}
	for _, id := range []string{"user-r1", "user-r2", "user-r3"} {
		p, ok := getPerson(t, s, id)
		if !ok {
			t.Errorf("%s missing after the client's retries", id)
			continue
		}
		wantEvent(t, p, "Retry Event", "event", ViaDirect, nil)
	}
}

func TestClientTrackV1Sees429(t *testing.T) {
	s := startMock(t, Options{Faults: NewFaults(1, []FaultRule{{Status: 429, RetryAfter: 2 * time.Second, Path: "/api/v1/"}})})
	c := cio.TestCredentials
	_, errOut, err := runClient(t, "track.js", s.URL, c.SiteID, c.APIKey)
	if _, isExit := err.(*exec.ExitError); !isExit || !strings.Contains(errOut, "429") {
		t.Fatalf("customerio-node against a 429: err %v, stderr %q; want exit 1 naming 429 (4.4.0 never retries)", err, errOut)
	}
	if _, ok := getPerson(t, s, "user-t1"); ok {
		t.Error("user-t1 exists although its identify was answered 429")
	}
	if got := statsOf(t, s).Requests[cio.EndpointV1Identify]["429"]; got != 1 {
		t.Errorf("v1.identify 429 count %d, want 1 (sent once, no retry)", got)
	}
}
