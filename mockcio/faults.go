package mockcio

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// FaultRule is one fault injection rule (SPEC.md §4.3). A rule has one or more
// effects — Status, Reset, Latency, Stall — applied with probability P to the
// requests whose path starts with Path.
//
// In JSON the durations are Go duration strings ("2s", "50ms"); a rule may also
// be given as a string in the flag syntax of ParseFaultRule.
type FaultRule struct {
	// Status answers the request with this HTTP status and a Customer.io-style
	// body {"meta":{"error":"..."}} instead of serving it.
	Status int
	// P is the probability, in (0, 1], that the rule fires on a matching
	// request; 0 means 1 (always).
	P float64
	// RetryAfter, with Status, is sent as a Retry-After header (whole seconds,
	// rounded up).
	RetryAfter time.Duration
	// Latency delays the request; with LatencyMax > Latency the delay is drawn
	// uniformly from [Latency, LatencyMax].
	Latency, LatencyMax time.Duration
	// Reset closes the connection without an answer.
	Reset bool
	// Stall holds every request that arrives during the last Stall of each
	// Every period (counted from NewFaults or Set) until that window ends.
	Stall, Every time.Duration
	// Path limits the rule to request paths starting with this prefix.
	Path string
}

// ParseFaultRule parses the flag syntax of SPEC.md §4.3: comma-separated
// key=value terms, e.g. "status=503,p=0.02", "status=429,p=0.05,retry-after=2s",
// "latency=50ms", "latency=20ms-200ms", "reset,p=0.01", "stall=1s,every=30s",
// each optionally with "path=/v1/".
func ParseFaultRule(s string) (FaultRule, error) {
	var r FaultRule
	seen := map[string]bool{}
	for _, term := range strings.Split(s, ",") {
		term = strings.TrimSpace(term)
		if term == "" {
			return FaultRule{}, fmt.Errorf("fault %q: empty term", s)
		}
		key, val, hasVal := strings.Cut(term, "=")
		key = strings.ToLower(strings.TrimSpace(key))
		val = strings.TrimSpace(val)
		if key == "retry_after" {
			key = "retry-after"
		}
		if seen[key] {
			return FaultRule{}, fmt.Errorf("fault %q: %s given twice", s, key)
		}
		seen[key] = true
		if err := r.setTerm(key, val, hasVal); err != nil {
			return FaultRule{}, fmt.Errorf("fault %q: %w", s, err)
		}
	}
	if !seen["status"] && !seen["reset"] && !seen["latency"] && !seen["stall"] {
		return FaultRule{}, fmt.Errorf("fault %q: no effect: give status, reset, latency or stall", s)
	}
	if err := r.Validate(); err != nil {
		return FaultRule{}, fmt.Errorf("fault %q: %w", s, err)
	}
	return r, nil
}

// setTerm applies one key=value term of the flag syntax.
func (r *FaultRule) setTerm(key, val string, hasVal bool) error {
	if key == "reset" {
		if hasVal && val != "true" {
			return fmt.Errorf("reset: takes no value, got %q", val)
		}
		r.Reset = true
		return nil
	}
	if !hasVal || val == "" {
		return fmt.Errorf("%s: missing value (want %s=VALUE)", key, key)
	}
	var err error
	switch key {
	case "status":
		r.Status, err = strconv.Atoi(val)
		if err != nil {
			return fmt.Errorf("status: %q is not an HTTP status code", val)
		}
	case "p":
		r.P, err = strconv.ParseFloat(val, 64)
		if err != nil || r.P <= 0 || r.P > 1 {
			return fmt.Errorf("p: %q is not a probability in (0, 1]", val)
		}
	case "retry-after":
		r.RetryAfter, err = parseSeconds(val)
	case "latency":
		lo, hi, isRange := strings.Cut(val, "-")
		if r.Latency, err = parseDur(lo); err == nil && isRange {
			r.LatencyMax, err = parseDur(hi)
		}
		if r.LatencyMax == r.Latency {
			r.LatencyMax = 0 // "5ms-5ms" is a fixed latency
		}
	case "stall":
		r.Stall, err = parseDur(val)
	case "every":
		r.Every, err = parseDur(val)
	case "path":
		r.Path = val
	default:
		return fmt.Errorf("unknown key %q (want status, p, retry-after, latency, reset, stall, every or path)", key)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	return nil
}

func parseDur(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration like 50ms or 2s", s)
	}
	return d, nil
}

// parseSeconds accepts a duration ("2s") or a whole number of seconds ("2").
func parseSeconds(s string) (time.Duration, error) {
	if n, err := strconv.Atoi(s); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, nil
	}
	return parseDur(s)
}

// Validate reports a rule that contradicts itself. A rule without effect
// (e.g. "latency=0ms", a baseline run's placeholder) is valid and does nothing.
func (r FaultRule) Validate() error {
	switch {
	case r.Status != 0 && (r.Status < 100 || r.Status > 599):
		return fmt.Errorf("status: %d is not an HTTP status code", r.Status)
	case r.Status != 0 && r.Reset:
		return fmt.Errorf("status and reset: a request is either answered or reset, not both")
	case r.P < 0 || r.P > 1:
		return fmt.Errorf("p: %v is not a probability in (0, 1]", r.P)
	case r.RetryAfter < 0 || r.Latency < 0 || r.LatencyMax < 0 || r.Stall < 0 || r.Every < 0:
		return fmt.Errorf("durations must not be negative")
	case r.RetryAfter > 0 && r.Status == 0:
		return fmt.Errorf("retry-after: needs a status (e.g. status=429,retry-after=2s)")
	case r.LatencyMax != 0 && r.LatencyMax < r.Latency:
		return fmt.Errorf("latency: range %v-%v runs backwards", r.Latency, r.LatencyMax)
	case r.Stall > 0 && r.Every <= r.Stall:
		return fmt.Errorf("stall: needs every longer than the stall (e.g. stall=1s,every=30s)")
	case r.Every > 0 && r.Stall == 0:
		return fmt.Errorf("every: only goes with stall")
	case r.Path != "" && !strings.HasPrefix(r.Path, "/"):
		return fmt.Errorf("path: %q must start with /", r.Path)
	case !utf8.ValidString(r.Path):
		// A decoded URL path prefix; invalid bytes would not survive the
		// rule's JSON form (GET|PUT /__mock/faults).
		return fmt.Errorf("path: %q is not valid UTF-8", r.Path)
	}
	return nil
}

// String renders the rule in the flag syntax; ParseFaultRule reads it back.
func (r FaultRule) String() string {
	var t []string
	if r.Status != 0 {
		t = append(t, "status="+strconv.Itoa(r.Status))
	}
	if r.Reset {
		t = append(t, "reset")
	}
	if r.P != 0 && r.P != 1 {
		t = append(t, "p="+strconv.FormatFloat(r.P, 'g', -1, 64))
	}
	if r.RetryAfter != 0 {
		t = append(t, "retry-after="+r.RetryAfter.String())
	}
	if r.LatencyMax > r.Latency {
		t = append(t, "latency="+r.Latency.String()+"-"+r.LatencyMax.String())
	} else if r.Latency != 0 || (r.Status == 0 && !r.Reset && r.Stall == 0) {
		t = append(t, "latency="+r.Latency.String()) // "latency=0s" for a rule without effect
	}
	if r.Stall != 0 {
		t = append(t, "stall="+r.Stall.String(), "every="+r.Every.String())
	}
	if r.Path != "" {
		t = append(t, "path="+r.Path)
	}
	return strings.Join(t, ",")
}

// Faults applies a set of fault rules to requests. It is safe for concurrent
// use. Decisions come from one generator seeded at NewFaults and re-seeded by
// Set: the same seed and the same sequence of requests give the same
// decisions. Under concurrency the sequence is the order in which requests
// reach Apply. Stall windows follow the wall clock, not the seed.
type Faults struct {
	seed  int64
	mu    sync.Mutex
	rng   *rand.Rand
	rules []FaultRule
	start time.Time
}

// NewFaults returns Faults applying rules, seeded with seed. Check rules with
// FaultRule.Validate first (ParseFaultRule and UnmarshalJSON already do).
func NewFaults(seed int64, rules []FaultRule) *Faults {
	f := &Faults{seed: seed}
	f.reset(rules)
	return f
}

func (f *Faults) reset(rules []FaultRule) {
	f.rules = append([]FaultRule(nil), rules...)
	f.rng = rand.New(rand.NewPCG(uint64(f.seed), 0x63696f6861726e))
	f.start = time.Now()
}

// Rules returns a copy of the current rules.
func (f *Faults) Rules() []FaultRule {
	if f == nil {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]FaultRule{}, f.rules...)
}

// Set replaces the rules after validating them all, re-seeds the generator
// and restarts the stall periods, so a run after Set is repeatable.
func (f *Faults) Set(rules []FaultRule) error {
	for i, r := range rules {
		if err := r.Validate(); err != nil {
			return fmt.Errorf("fault rule %d (%s): %w", i+1, r, err)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reset(rules)
	return nil
}

// faultPlan is what Apply does to one request.
type faultPlan struct {
	delay      time.Duration
	stallEnd   time.Time
	status     int
	retryAfter time.Duration
	reset      bool
}

// decide draws the decisions for one request. It draws the same number of
// values for every matching rule, so decisions depend only on the seed and
// the sequence of matching requests.
func (f *Faults) decide(path string, now time.Time) faultPlan {
	var p faultPlan
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.rules {
		if r.Path != "" && !strings.HasPrefix(path, r.Path) {
			continue
		}
		u, v := f.rng.Float64(), f.rng.Float64()
		if r.P != 0 && u >= r.P {
			continue
		}
		if r.Stall > 0 {
			if r.Every <= r.Stall {
				continue
			}
			pos := now.Sub(f.start) % r.Every
			if pos < r.Every-r.Stall {
				continue // outside the stall window: the rule does not fire
			}
			if end := now.Add(r.Every - pos); end.After(p.stallEnd) {
				p.stallEnd = end
			}
		}
		if lat := r.Latency; lat > 0 || r.LatencyMax > 0 {
			if r.LatencyMax > lat {
				lat += time.Duration(v * float64(r.LatencyMax-lat))
			}
			p.delay += lat
		}
		if p.status == 0 && !p.reset {
			p.status, p.retryAfter, p.reset = r.Status, r.RetryAfter, r.Reset
		}
	}
	return p
}

// label names the plan for the journal and stats.
func (p faultPlan) label() string {
	switch {
	case p.reset:
		return "reset"
	case p.status != 0:
		return "status=" + strconv.Itoa(p.status)
	case !p.stallEnd.IsZero():
		return "stall"
	case p.delay > 0:
		return "latency"
	}
	return ""
}

// Apply decides the faults for one request and carries them out. It first
// holds the request (stall window, then latency), respecting r.Context().
// Then, for a status fault it writes a Customer.io-style error answer and for
// a reset fault it closes the connection; both return handled=true, and the
// caller must not serve the request or change state. fault is a short label
// for the journal and stats ("status=503", "reset", "stall", "latency") or ""
// when no rule fired; "stall" and "latency" return handled=false: the caller
// serves the request normally after the delay. If the client goes away while
// the request is held, Apply returns handled=true without writing.
// A nil *Faults does nothing.
func (f *Faults) Apply(w http.ResponseWriter, r *http.Request) (fault string, handled bool) {
	if f == nil {
		return "", false
	}
	now := time.Now()
	p := f.decide(r.URL.Path, now)
	fault = p.label()
	if fault == "" {
		return "", false
	}
	wait := p.delay
	if !p.stallEnd.IsZero() {
		wait += p.stallEnd.Sub(now)
	}
	if wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return fault, true
		}
	}
	switch {
	case p.reset:
		resetConn(w)
		return fault, true
	case p.status != 0:
		writeFault(w, p.status, p.retryAfter)
		return fault, true
	}
	return fault, false
}

// writeFault answers status with {"meta":{"error":"..."}} and Retry-After.
func writeFault(w http.ResponseWriter, status int, retryAfter time.Duration) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if retryAfter > 0 {
		h.Set("Retry-After", RetryAfterHeader(retryAfter))
	}
	w.WriteHeader(status)
	msg, _ := json.Marshal(fmt.Sprintf("mock fault: injected %d %s", status, http.StatusText(status)))
	fmt.Fprintf(w, `{"meta":{"error":%s}}`, msg)
}

// resetConn closes the client connection without an answer: an RST where the
// connection can be hijacked, else net/http's abort.
func resetConn(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
