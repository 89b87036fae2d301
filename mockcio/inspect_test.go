package mockcio

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestInspectPeople(t *testing.T) {
	m := newTMock(t, Options{})
	m.ok("PUT", "/api/v1/customers/u1", `{"email":"a@x.com","n":1}`)
	m.ok("POST", "/api/v1/customers/u1/events", `{"name":"E","data":{"k":"v"}}`)
	cid := m.person("u1").CioID
	for _, id := range []string{"u1", "a%40x.com", "A@X.COM", "cio_" + cid} {
		t.Run(id, func(t *testing.T) {
			code, body := m.call("GET", "/__mock/people/"+id, "")
			if code != 200 {
				t.Fatalf("%d %s", code, body)
			}
			var p PersonView
			if err := json.Unmarshal([]byte(body), &p); err != nil {
				t.Fatal(err)
			}
			if p.CioID != cid || p.ID != "u1" || len(p.Events) != 1 || string(p.Attributes["n"]) != "1" {
				t.Fatalf("person %s", body)
			}
			for _, key := range []string{`"anonymous_ids":[]`, `"devices":[]`, `"messages":[]`, `"suppressed":false`,
				`"received_at":`, `"via":"direct"`, `"data":{"k":"v"}`, `"timestamp":`} {
				if !strings.Contains(body, key) {
					t.Errorf("body lacks %s: %s", key, body)
				}
			}
		})
	}
	if code, body := m.call("GET", "/__mock/people/nobody", ""); code != 404 || !strings.Contains(body, `"error"`) {
		t.Fatalf("unknown person: %d %s", code, body)
	}
}

func TestInspectPeoplePaging(t *testing.T) {
	m := newTMock(t, Options{})
	for i := range 7 {
		m.ok("PUT", fmt.Sprintf("/api/v1/customers/u%d", i), `{"k":1}`)
		m.ok("POST", fmt.Sprintf("/api/v1/customers/u%d/events", i), `{"name":"E"}`)
	}
	for _, full := range []bool{false, true} {
		var ids []string
		after := ""
		for pages := 0; ; pages++ {
			q := "/__mock/people?limit=3&after=" + after
			if full {
				q += "&full=1"
			}
			code, body := m.call("GET", q, "")
			var page PeoplePage
			if code != 200 || json.Unmarshal([]byte(body), &page) != nil {
				t.Fatalf("%d %s", code, body)
			}
			for _, p := range page.People {
				ids = append(ids, p.ID)
				if p.EventCount != 1 || (len(p.Events) == 1) != full || (p.Attributes != nil) != full {
					t.Fatalf("full=%v person %+v", full, p)
				}
			}
			if page.Next == "" {
				break
			}
			if pages > 5 {
				t.Fatal("paging does not end")
			}
			after = page.Next
		}
		want := []string{"u0", "u1", "u2", "u3", "u4", "u5", "u6"}
		if !reflect.DeepEqual(ids, want) {
			t.Fatalf("full=%v ids %v, want %v (creation order, no repeats)", full, ids, want)
		}
	}
}

func TestInspectStatsJournalAndMetrics(t *testing.T) {
	m := newTMock(t, Options{JournalSize: 3})
	m.ok("PUT", "/api/v1/customers/u1", `{}`)
	m.ok("POST", "/api/v1/customers/u1/events", `{"name":"E"}`)
	m.ok("POST", "/api/v1/events", `{"name":"A","anonymous_id":"a"}`)
	m.call("POST", "/api/v1/customers/u1/events", `{}`) // 400
	m.call("PUT", "/api/v1/customers/u1", `{}`, "Authorization", "")
	st := m.stats()
	want := map[string]map[string]int64{
		"v1.identify": {"200": 1, "401": 1}, "v1.event": {"200": 1, "400": 1}, "v1.anonymous_event": {"200": 1},
	}
	if !reflect.DeepEqual(st.Requests, want) || st.TotalRequests != 5 || st.People != 1 || st.Events != 1 || st.AnonymousEvents != 1 {
		t.Fatalf("stats %+v", st)
	}
	code, body := m.call("GET", "/__mock/requests?limit=10", "")
	var reqs []RequestView
	if code != 200 || json.Unmarshal([]byte(body), &reqs) != nil {
		t.Fatalf("%d %s", code, body)
	}
	if len(reqs) != 3 || reqs[0].Seq != 3 || reqs[2].Status != 401 || reqs[1].Note == "" {
		t.Fatalf("journal %s: want the last 3 of 5, oldest first", body)
	}
	_, metrics := m.call("GET", "/metrics", "")
	for _, line := range []string{
		`cioharness_mock_requests_total{endpoint="v1.event",status="400"} 1`,
		`cioharness_mock_people 1`, `cioharness_mock_events 1`, `cioharness_mock_anonymous_events 1`,
		`# TYPE cioharness_mock_requests_total counter`,
	} {
		if !strings.Contains(metrics, line+"\n") {
			t.Errorf("metrics lack %q:\n%s", line, metrics)
		}
	}
	m.ok("POST", "/api/v1/customers/u2/events", `{"name":"E"}`)
	if code, _ := m.call("POST", "/__mock/reset", ""); code != 200 {
		t.Fatal("reset failed")
	}
	if st := m.stats(); st.People != 0 || st.Events != 0 || st.TotalRequests != 0 || st.AnonymousEvents != 0 {
		t.Fatalf("after reset: %+v", st)
	}
	m.absent("u1")
}

func TestInspectConfigAndRetentionRoutes(t *testing.T) {
	m := newTMock(t, Options{})
	if code, body := m.call("PUT", "/__mock/config", `{"time_scale":3600}`); code != 200 || !strings.Contains(body, `"time_scale":3600`) {
		t.Fatalf("%d %s", code, body)
	}
	if m.s.TimeScale() != 3600 {
		t.Fatalf("time scale %v", m.s.TimeScale())
	}
	for _, body := range []string{`{"time_scale":-1}`, `{"campaigns":[{"name":"x"}]}`, `nope`} {
		if code, got := m.call("PUT", "/__mock/config", body); code != 400 || !strings.Contains(got, `"error"`) {
			t.Fatalf("PUT config %s: %d %s, want 400", body, code, got)
		}
	}
	if m.s.TimeScale() != 3600 {
		t.Fatal("a rejected config changed the time scale")
	}
	for _, path := range []string{"/__mock/messages?campaign=x", "/__mock/segments", "/__mock/violations"} {
		if code, body := m.call("GET", path, ""); code != 200 || body != "[]\n" {
			t.Fatalf("%s: %d %q, want []", path, code, body)
		}
	}
	if code, _ := m.call("GET", "/__mock/segments/nope", ""); code != 404 {
		t.Fatalf("unknown segment: %d", code)
	}
	if code, _ := m.call("GET", "/__mock/reset", ""); code != 405 {
		t.Fatalf("GET reset: %d, want 405", code)
	}
	if code, _ := m.call("GET", "/__mock/unknown", ""); code != 404 {
		t.Fatalf("unknown route: %d", code)
	}
}

func TestFaultsChangeNoState(t *testing.T) {
	m := newTMock(t, Options{})
	if code, body := m.call("PUT", "/__mock/faults", `["status=503,p=1,path=/api/v1/customers"]`); code != 200 || !strings.Contains(body, "503") {
		t.Fatalf("PUT faults: %d %s", code, body)
	}
	code, _ := m.call("PUT", "/api/v1/customers/u1", `{"k":1}`)
	if code != 503 {
		t.Fatalf("status %d, want the injected 503", code)
	}
	m.absent("u1")
	m.ok("POST", "/v1/identify", `{"userId":"u2"}`) // other path: not faulted
	st := m.stats()
	if st.Faulted["v1.identify"]["status=503"] != 1 || st.Requests["v1.identify"]["503"] != 1 {
		t.Fatalf("stats %+v", st)
	}
	reqs, _ := m.s.Requests(t.Context(), 2)
	if reqs[0].Fault != "status=503" || reqs[1].Fault != "" {
		t.Fatalf("journal %+v", reqs)
	}
	if code, _ := m.call("PUT", "/__mock/faults", `["bogus=1"]`); code != 400 {
		t.Fatalf("bad rule: %d, want 400", code)
	}
	if code, body := m.call("PUT", "/__mock/faults", `{"rules":[]}`); code != 200 || body != "[]\n" {
		t.Fatalf("%d %q", code, body)
	}
	if code, body := m.call("GET", "/__mock/faults", ""); code != 200 || body != "[]\n" {
		t.Fatalf("%d %q", code, body)
	}
	m.ok("PUT", "/api/v1/customers/u1", `{"k":1}`)
}

func TestRateLimitAnswers429(t *testing.T) {
	m := newTMock(t, Options{RateLimit: NewRateLimiter(1)})
	m.ok("PUT", "/api/v1/customers/u1", `{}`)
	w := m.raw("PUT", "/api/v1/customers/u2", `{}`)
	if w.Code != 429 || w.Header().Get("Retry-After") != "1" || !strings.Contains(w.Body.String(), `"meta":{"errors"`) {
		t.Fatalf("got %d %q %s", w.Code, w.Header().Get("Retry-After"), w.Body)
	}
	m.absent("u2")
	m.clk.Add(time.Second)
	m.ok("PUT", "/api/v1/customers/u2", `{}`)
}

// TestClientMatchesServer drives a listening mock through Client and checks
// that it sees what the in-process Inspector sees.
func TestClientMatchesServer(t *testing.T) {
	s, err := NewServer(Options{Retention: NopRetention{}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := NewClient(s.URL, &http.Client{Timeout: 5 * time.Second})
	ctx := t.Context()
	for _, call := range [][3]string{
		{"PUT", "/api/v1/customers/u1", `{"email":"a@x.com","n":1}`},
		{"POST", "/api/v1/customers/u1/events", `{"name":"E","id":"01A"}`},
		{"POST", "/api/v1/events", `{"name":"A","anonymous_id":"an"}`},
	} {
		req, _ := http.NewRequest(call[0], s.URL+call[1], strings.NewReader(call[2]))
		req.Header.Set("Authorization", tmAuth(call[1]))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	var ins []Inspector = []Inspector{s, c}
	var got [2]string
	for i, in := range ins {
		p, ok, err := in.Person(ctx, "a@x.com")
		if err != nil || !ok {
			t.Fatalf("%T Person: %v %v", in, ok, err)
		}
		a, ok, err := in.Anonymous(ctx, "an")
		if err != nil || !ok || len(a.Events) != 1 {
			t.Fatalf("%T Anonymous: %+v %v", in, a, err)
		}
		page, err := in.People(ctx, PageRequest{Full: true})
		if err != nil || len(page.People) != 1 {
			t.Fatalf("%T People: %+v %v", in, page, err)
		}
		b, _ := json.Marshal([]any{p, a, page})
		got[i] = string(b)
	}
	if got[0] != got[1] {
		t.Fatalf("server and client views differ:\n%s\n%s", got[0], got[1])
	}
	testClientCalls(t, c)
}

// testClientCalls drives every other Client method against a live mock.
func testClientCalls(t *testing.T, c *Client) {
	ctx := t.Context()
	if _, ok, err := c.Person(ctx, "nobody"); ok || err != nil {
		t.Fatalf("unknown person: ok=%v err=%v", ok, err)
	}
	st, err := c.Stats(ctx)
	if err != nil || st.People != 1 || st.Events != 1 || st.AnonymousEvents != 1 {
		t.Fatalf("stats %+v %v", st, err)
	}
	if reqs, err := c.Requests(ctx, 2); err != nil || len(reqs) != 2 {
		t.Fatalf("requests %+v %v", reqs, err)
	}
	if err := c.PutConfig(ctx, ConfigView{TimeScale: 120}); err != nil {
		t.Fatal(err)
	}
	if cfg, err := c.Config(ctx); err != nil || cfg.TimeScale != 120 {
		t.Fatalf("config %+v %v", cfg, err)
	}
	if err := c.PutConfig(ctx, ConfigView{TimeScale: -3}); err == nil {
		t.Fatal("a negative time scale was accepted")
	}
	rule, _ := ParseFaultRule("latency=1ms")
	if err := c.PutFaults(ctx, []FaultRule{rule}); err != nil {
		t.Fatal(err)
	}
	if rules, err := c.Faults(ctx); err != nil || len(rules) != 1 {
		t.Fatalf("faults %+v %v", rules, err)
	}
	for _, f := range []func() error{
		func() error { _, err := c.Messages(ctx, "", ""); return err },
		func() error { _, err := c.Segments(ctx); return err },
		func() error { _, err := c.Violations(ctx); return err },
		func() error { _, ok, err := c.Segment(ctx, "x", true); return wantFalse(ok, err) },
	} {
		if err := f(); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if st, _ := c.Stats(ctx); st.People != 0 {
		t.Fatalf("after reset: %+v", st)
	}
}

func wantFalse(ok bool, err error) error {
	if ok {
		return fmt.Errorf("ok = true, want false")
	}
	return err
}

func TestFaultsFromOptions(t *testing.T) {
	rule, err := ParseFaultRule("status=500,path=/v1/")
	if err != nil {
		t.Fatal(err)
	}
	m := newTMock(t, Options{Faults: NewFaults(1, []FaultRule{rule})})
	if code, _ := m.call("POST", "/v1/track", `{"userId":"u1","event":"E"}`); code != 500 {
		t.Fatalf("status %d, want the injected 500", code)
	}
	m.ok("PUT", "/api/v1/customers/u1", `{}`)
	if st := m.stats(); st.Events != 0 || st.People != 1 {
		t.Fatalf("stats %+v", st)
	}
}
