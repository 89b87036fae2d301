package mockcio

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cioharness/cioharness/cio"
)

func TestParseFaultRule(t *testing.T) {
	tests := []struct {
		in   string
		want FaultRule
	}{
		{"status=503,p=0.02", FaultRule{Status: 503, P: 0.02}},
		{"status=429,p=0.05,retry-after=2s", FaultRule{Status: 429, P: 0.05, RetryAfter: 2 * time.Second}},
		{"status=429,retry-after=3", FaultRule{Status: 429, RetryAfter: 3 * time.Second}},
		{"latency=50ms", FaultRule{Latency: 50 * time.Millisecond}},
		{"latency=20ms-200ms", FaultRule{Latency: 20 * time.Millisecond, LatencyMax: 200 * time.Millisecond}},
		{"reset,p=0.01", FaultRule{Reset: true, P: 0.01}},
		{"stall=1s,every=30s", FaultRule{Stall: time.Second, Every: 30 * time.Second}},
		{"status=500, path=/v1/", FaultRule{Status: 500, Path: "/v1/"}},
		{"latency=5ms,status=503,p=1", FaultRule{Latency: 5 * time.Millisecond, Status: 503, P: 1}},
		{"latency=0ms", FaultRule{}}, // a baseline's placeholder: valid, does nothing
		{"latency=5ms-5ms", FaultRule{Latency: 5 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseFaultRule(tt.in)
			if err != nil {
				t.Fatalf("ParseFaultRule(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseFaultRule(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			back, err := ParseFaultRule(got.String())
			if err != nil || back != normP(got) {
				t.Errorf("round trip via %q = %+v, %v; want %+v", got.String(), back, err, got)
			}
		})
	}
}

// normP maps P=1 to 0: both mean "always" and String omits p=1.
func normP(r FaultRule) FaultRule {
	if r.P == 1 {
		r.P = 0
	}
	return r
}

func TestParseFaultRuleErrors(t *testing.T) {
	tests := []struct{ in, wantErr string }{
		{"", "empty term"},
		{"status=abc", "status"},
		{"status=99", "status"},
		{"status=503,p=1.5", "p:"},
		{"status=503,p=0", "p:"},
		{"status=503,p=x", "p:"},
		{"latency=fast", "latency"},
		{"latency=200ms-20ms", "latency"},
		{"latency=-5ms", "latency"},
		{"status=503,retry-after=soon", "retry-after"},
		{"retry-after=2s", "retry-after"},
		{"stall=1s", "stall"},
		{"stall=2s,every=1s", "stall"},
		{"every=30s", "every"},
		{"status=503,path=v1", "path"},
		{"status=503,path=/\x80", "path"},
		{"status=503,reset", "reset"},
		{"reset=yes", "reset"},
		{"p=0.5", "no effect"},
		{"status=503,status=500", "twice"},
		{"status=503,colour=red", `unknown key "colour"`},
		{"status", "status: missing value"},
		{"status=503,,p=1", "empty term"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseFaultRule(tt.in)
			if err == nil {
				t.Fatalf("ParseFaultRule(%q) = nil error, want one mentioning %q", tt.in, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseFaultRule(%q) error = %q, want it to mention %q", tt.in, err, tt.wantErr)
			}
		})
	}
}

func TestFaultRuleJSON(t *testing.T) {
	rule := FaultRule{Status: 429, P: 0.5, RetryAfter: 2 * time.Second, Path: "/v1/"}
	b, err := json.Marshal(rule)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"retry_after":"2s"`) || !strings.Contains(string(b), `"spec":"status=429,p=0.5,retry-after=2s,path=/v1/"`) {
		t.Errorf("Marshal = %s, want duration strings and spec", b)
	}
	var got []FaultRule
	in := `[` + string(b) + `, "latency=20ms-200ms", {"stall":"1s","every":"30s"}]`
	if err := json.Unmarshal([]byte(in), &got); err != nil {
		t.Fatalf("Unmarshal(%s): %v", in, err)
	}
	want := []FaultRule{rule, {Latency: 20 * time.Millisecond, LatencyMax: 200 * time.Millisecond}, {Stall: time.Second, Every: 30 * time.Second}}
	if len(got) != len(want) {
		t.Fatalf("got %d rules, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("rule %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	for _, bad := range []string{`{}`, `{"p":0.5}`, `{"status":42}`, `{"latency":"soon"}`, `"reset,status=500"`, `{"status":"x"}`} {
		var r FaultRule
		if err := json.Unmarshal([]byte(bad), &r); err == nil {
			t.Errorf("Unmarshal(%s) = nil error, want one", bad)
		}
	}
}

// labels applies f to n requests on path with a recorder and returns the labels.
func labels(f *Faults, path string, n int) []string {
	out := make([]string, n)
	for i := range out {
		r := httptest.NewRequest(http.MethodPost, path, nil)
		out[i], _ = f.Apply(httptest.NewRecorder(), r)
	}
	return out
}

func TestFaultsSeededRepeatable(t *testing.T) {
	rules := []FaultRule{{Status: 503, P: 0.1}, {Status: 429, P: 0.1}}
	a := labels(NewFaults(7, rules), "/v1/track", 500)
	b := labels(NewFaults(7, rules), "/v1/track", 500)
	c := labels(NewFaults(8, rules), "/v1/track", 500)
	if strings.Join(a, "|") != strings.Join(b, "|") {
		t.Error("same seed, same requests: decisions differ")
	}
	if strings.Join(a, "|") == strings.Join(c, "|") {
		t.Error("seeds 7 and 8 gave identical decisions over 500 requests")
	}
	f := NewFaults(7, rules)
	labels(f, "/v1/track", 123)
	if err := f.Set(rules); err != nil {
		t.Fatal(err)
	}
	if got := labels(f, "/v1/track", 500); strings.Join(got, "|") != strings.Join(a, "|") {
		t.Error("after Set the decisions do not restart from the seed")
	}
}

func TestFaultsProbability(t *testing.T) {
	const n = 20000
	for _, p := range []float64{0.02, 0.1, 0.5} {
		f := NewFaults(1, []FaultRule{{Status: 503, P: p}})
		got := 0
		for _, l := range labels(f, "/v1/track", n) {
			if l == "status=503" {
				got++
			}
		}
		mean, sd := n*p, math.Sqrt(n*p*(1-p))
		if math.Abs(float64(got)-mean) > 5*sd {
			t.Errorf("p=%v: %d of %d faulted, want %.0f ± %.0f", p, got, n, mean, 5*sd)
		}
	}
}

func TestFaultsLatencyRange(t *testing.T) {
	lo, hi := 20*time.Millisecond, 200*time.Millisecond
	f := NewFaults(3, []FaultRule{{Latency: lo, LatencyMax: hi}})
	var minD, maxD time.Duration = hi, 0
	for range 2000 {
		d := f.decide("/v1/track", time.Now()).delay
		if d < lo || d > hi {
			t.Fatalf("latency %v outside [%v, %v]", d, lo, hi)
		}
		minD, maxD = min(minD, d), max(maxD, d)
	}
	if minD > lo+10*time.Millisecond || maxD < hi-10*time.Millisecond {
		t.Errorf("2000 draws span [%v, %v], want close to [%v, %v]", minD, maxD, lo, hi)
	}
}

func TestFaultsStatusAnswer(t *testing.T) {
	f := NewFaults(1, []FaultRule{{Status: 429, RetryAfter: 1500 * time.Millisecond}})
	w := httptest.NewRecorder()
	fault, handled := f.Apply(w, httptest.NewRequest(http.MethodPost, "/api/v1/events", nil))
	if fault != "status=429" || !handled {
		t.Fatalf("Apply = %q, %v; want status=429, true", fault, handled)
	}
	if w.Code != 429 || w.Header().Get("Retry-After") != "2" {
		t.Errorf("answer %d Retry-After %q, want 429 and 2", w.Code, w.Header().Get("Retry-After"))
	}
	var body struct {
		Meta struct{ Error string } `json:"meta"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Meta.Error == "" {
		t.Errorf("body %q: want {\"meta\":{\"error\":...}} (%v)", w.Body, err)
	}
}

func TestFaultsPathPrefix(t *testing.T) {
	f := NewFaults(1, []FaultRule{{Status: 503, Path: "/v1/"}})
	tests := []struct{ path, want string }{
		{"/v1/track", "status=503"},
		{"/v1/batch", "status=503"},
		{"/api/v1/customers/a", ""},
		{"/api/v2/batch", ""},
	}
	for _, tt := range tests {
		if got := labels(f, tt.path, 1)[0]; got != tt.want {
			t.Errorf("%s: fault %q, want %q", tt.path, got, tt.want)
		}
	}
}

// TestFaultsStall: requests arriving in the stall window are held until it
// ends. The window is wide (300 ms left) so a loaded machine still gets the
// requests in; the hold is judged against the window's end, not a duration.
func TestFaultsStall(t *testing.T) {
	const stall, every = 400 * time.Millisecond, 800 * time.Millisecond
	f := NewFaults(1, []FaultRule{{Stall: stall, Every: every}})
	if got := labels(f, "/v1/track", 1)[0]; got != "" {
		t.Fatalf("right after start (outside the window): fault %q, want none", got)
	}
	f.mu.Lock()
	f.start = time.Now().Add(-500 * time.Millisecond) // 100 ms into the window, 300 ms left
	end := f.start.Add(every)
	f.mu.Unlock()
	var wg sync.WaitGroup
	done := make([]time.Time, 4)
	for i := range done {
		wg.Go(func() {
			w := httptest.NewRecorder()
			fault, handled := f.Apply(w, httptest.NewRequest(http.MethodPost, "/v1/track", nil))
			if fault != "stall" || handled {
				t.Errorf("Apply = %q, %v; want stall, false", fault, handled)
			}
			done[i] = time.Now()
		})
	}
	wg.Wait()
	for i, d := range done {
		if late := d.Sub(end); late < 0 || late > 2*time.Second {
			t.Errorf("request %d released %v after the window's end, want ≥ 0 (held until it ends)", i, late)
		}
	}
}

func TestFaultsContextCancel(t *testing.T) {
	f := NewFaults(1, []FaultRule{{Latency: time.Hour}})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	r := httptest.NewRequest(http.MethodPost, "/v1/track", nil).WithContext(ctx)
	fault, handled := f.Apply(httptest.NewRecorder(), r)
	if fault != "latency" || !handled {
		t.Errorf("Apply after the client left = %q, %v; want latency, true", fault, handled)
	}
}

func TestFaultsResetClosesConnection(t *testing.T) {
	f := NewFaults(1, []FaultRule{{Reset: true, Path: "/v1/"}})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, handled := f.Apply(w, r); handled {
			return
		}
		io.WriteString(w, "{}")
	}))
	defer srv.Close()
	c := srv.Client()
	c.Timeout = 5 * time.Second
	if resp, err := c.Post(srv.URL+"/v1/track", "application/json", strings.NewReader("{}")); err == nil {
		resp.Body.Close()
		t.Errorf("reset fault: got answer %s, want a connection error", resp.Status)
	}
	resp, err := c.Post(srv.URL+"/api/v1/events", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatalf("unfaulted path: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("unfaulted path: %s, want 200", resp.Status)
	}
}

func TestFaultsSetValidatesAndNil(t *testing.T) {
	f := NewFaults(1, []FaultRule{{Status: 503}})
	if err := f.Set([]FaultRule{{Status: 503}, {Every: time.Second}}); err == nil || !strings.Contains(err.Error(), "rule 2") {
		t.Errorf("Set with a bad rule: %v, want an error naming rule 2", err)
	}
	if got := f.Rules(); len(got) != 1 || got[0].Status != 503 {
		t.Errorf("after a rejected Set, Rules() = %+v, want the old rules", got)
	}
	var nf *Faults
	if fault, handled := nf.Apply(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil)); fault != "" || handled {
		t.Errorf("nil Faults: Apply = %q, %v", fault, handled)
	}
}

func TestFaultsConcurrent(t *testing.T) {
	f := NewFaults(5, []FaultRule{{Status: 503, P: 0.5}, {Latency: time.Microsecond}})
	var wg sync.WaitGroup
	var mu sync.Mutex
	count := map[string]int{}
	for range 8 {
		wg.Go(func() {
			for _, l := range labels(f, "/v1/track", 250) {
				mu.Lock()
				count[l]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if count["status=503"]+count["latency"] != 2000 || count["status=503"] < 800 || count["status=503"] > 1200 {
		t.Errorf("labels over 2000 concurrent requests = %v, want about half status=503, rest latency", count)
	}
}

func TestFaultsNoEffectRule(t *testing.T) {
	r, err := ParseFaultRule("latency=0ms")
	if err != nil {
		t.Fatal(err)
	}
	if got := labels(NewFaults(1, []FaultRule{r}), "/v1/track", 20); strings.Join(got, "") != "" {
		t.Errorf("latency=0ms faulted requests: %q", got)
	}
}

// TestServerResetFault checks a reset through the whole Server: the client
// sees a broken connection, the journal and stats mark it, nothing is stored.
func TestServerResetFault(t *testing.T) {
	s, err := NewServer(Options{Faults: NewFaults(1, []FaultRule{{Reset: true, Path: "/api/v1/"}})})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	req, _ := http.NewRequest("PUT", s.URL+"/api/v1/customers/u1", strings.NewReader(`{"a":1}`))
	req.Header.Set("Authorization", cio.TestCredentials.TrackAuthorization())
	c := &http.Client{Timeout: 5 * time.Second}
	if resp, err := c.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("reset fault: got %s, want a connection error", resp.Status)
	}
	// The client sees the broken connection before the server's handler
	// has recorded it: read stats and journal until both show it (≤ 5 s).
	var st StatsView
	var reqs []RequestView
	var body []byte
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest("GET", "/__mock/stats", nil))
		if err := json.Unmarshal(w.Body.Bytes(), &st); err != nil {
			t.Fatal(err)
		}
		w = httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest("GET", "/__mock/requests?limit=5", nil))
		body = w.Body.Bytes()
		if err := json.Unmarshal(body, &reqs); err != nil {
			t.Fatalf("journal %s: %v", body, err)
		}
		if (st.Faulted[cio.EndpointV1Identify]["reset"] != 0 && len(reqs) != 0) || time.Now().After(deadline) {
			break
		}
	}
	if st.Faulted[cio.EndpointV1Identify]["reset"] != 1 || st.People != 0 {
		t.Errorf("after a reset: faulted %v, people %d; want one reset on v1.identify and nobody stored", st.Faulted, st.People)
	}
	if len(reqs) != 1 || reqs[0].Fault != "reset" {
		t.Errorf("journal %s: want one entry with fault reset", body)
	}
}
