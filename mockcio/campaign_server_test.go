package mockcio

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cioharness/cioharness/cio"
)

// TestRetentionOverHTTP drives a listening mock with the built-in
// configuration at time scale 3600 (the one-hour cart delay lasts a real
// second) through Track v1, and reads campaigns, segments, violations, stats
// and metrics back through the inspection Client.
func TestRetentionOverHTTP(t *testing.T) {
	t.Parallel()
	s, err := NewServer(Options{TimeScale: 3600})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := t.Context()
	post := func(method, path, body string) { t.Helper(); trackCall(t, s.URL, method, path, body) }
	cart := `{"name":"Added to Cart","data":` + validCart + `}`
	post("PUT", "/api/v1/customers/buyer", `{"email":"buyer@x.test"}`)
	post("PUT", "/api/v1/customers/aband", `{"email":"aband@x.test"}`)
	post("POST", "/api/v1/customers/buyer/events", cart)
	post("POST", "/api/v1/customers/aband/events", cart)
	time.Sleep(300 * time.Millisecond)
	post("POST", "/api/v1/customers/buyer/events",
		`{"name":"Order Placed","data":{"order_id":"o1","cart_id":"c1","value":21,"currency":"USD","items":[{"sku":"S1","price":10.5,"quantity":2}]}}`)

	c := NewClient(s.URL, nil)
	waitNoPending(t, c)
	msgs, err := c.Messages(ctx, "cart_abandonment", "")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, m := range msgs {
		p, _, _ := c.Person(ctx, "cio_"+m.Person)
		got[p.ID] = m.Outcome
		if p.ID == "aband" {
			var content map[string]any
			_ = json.Unmarshal(m.Content, &content)
			if content["cart_id"] != "c1" || content["email"] != "aband@x.test" || content["currency"] != "USD" {
				t.Errorf("content: got %s, want cart c1, USD, aband@x.test", m.Content)
			}
		}
	}
	if got["buyer"] != "exited" || got["aband"] != "sent" || len(got) != 2 {
		t.Errorf("outcomes: got %v, want buyer exited and aband sent", got)
	}
	if v, _ := c.Violations(ctx); len(v) != 0 {
		t.Errorf("violations of valid traffic: %s", mustMarshal(v))
	}
	seg, ok, err := c.Segment(ctx, "cart_abandoners", true)
	if err != nil || !ok || seg.Count != 1 || len(seg.Members) != 1 {
		t.Errorf("cart_abandoners: got %+v ok=%v err=%v, want the one abandoner", seg, ok, err)
	}
	post("POST", "/api/v1/customers/aband/events", `{"name":"Cart Viewed","data":{"email":"a@b.c"}}`)
	v, _ := c.Violations(ctx)
	rules := map[string]int64{}
	for _, r := range v {
		rules[r.Rule] = r.Count
	}
	if rules[RuleEventNames] != 1 || rules[RulePIIInEvents] != 1 {
		t.Errorf("violations: got %v, want one event_names and one pii_in_events", rules)
	}
	st, _ := c.Stats(ctx)
	if r := st.Retention; r == nil || r.MessagesSent != 1 || r.MessagesExited != 1 || r.Violations != 2 {
		t.Errorf("stats retention: got %+v, want 1 sent, 1 exited, 2 violations", r)
	}
	checkMetrics(t, s.URL, "cioharness_mock_messages_sent_total 1", "cioharness_mock_messages_exited_total 1",
		`cioharness_mock_violations_total{rule="contract.event_names"} 1`)
}

// trackCall sends one authorized Track request and requires a 200.
func trackCall(t *testing.T, base, method, path, body string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), method, base+path, strings.NewReader(body))
	req.Header.Set("Authorization", cio.TestCredentials.TrackAuthorization())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
}

// waitNoPending polls the stats until no campaign timer is pending (≤ 5 s).
func waitNoPending(t *testing.T, c *Client) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := c.Stats(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if st.PendingTimers == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d campaign timers still pending after 5s", st.PendingTimers)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// checkMetrics requires each line in GET /metrics.
func checkMetrics(t *testing.T, base string, lines ...string) {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, line := range lines {
		if !strings.Contains(string(body), line+"\n") {
			t.Errorf("/metrics lacks %q", line)
		}
	}
}
