package report

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func result(endpoint, event string, status int, at, queued, service time.Duration) *Result {
	return &Result{Endpoint: endpoint, Event: event, Status: status, Calls: 1,
		Intended: t0.Add(at), Sent: t0.Add(at + queued), Latency: queued + service, Service: service, BytesOut: 100, BytesIn: 10}
}

func TestMetricsFill(t *testing.T) {
	t.Parallel()
	var m Metrics // zero value usable
	m.Add(result("pipelines.track", "Order Placed", 200, 0, 0, 10*time.Millisecond))
	m.Add(result("pipelines.track", "Added to Cart", 200, 100*time.Millisecond, 90*time.Millisecond, 10*time.Millisecond))
	m.Add(result("pipelines.identify", "", 503, 1500*time.Millisecond, 0, 20*time.Millisecond))
	bad := result("pipelines.identify", "", 0, 2500*time.Millisecond, 0, 0)
	bad.Error = "connection reset"
	m.Add(bad)
	m.Close()
	s := New()
	m.Fill(s)
	r := s.Requests
	if r.Total != 4 || r.Calls != 4 || r.Errors != 2 || r.BytesOut != 400 || r.BytesIn != 40 {
		t.Errorf("totals = %d/%d/%d/%d/%d, want 4/4/2/400/40", r.Total, r.Calls, r.Errors, r.BytesOut, r.BytesIn)
	}
	tr := r.ByEndpoint["pipelines.track"]
	id := r.ByEndpoint["pipelines.identify"]
	if tr == nil || id == nil {
		t.Fatalf("by_endpoint = %v, want track and identify", r.ByEndpoint)
	}
	if tr.Count != 2 || tr.Errors != 0 || tr.Status[200] != 2 {
		t.Errorf("track = %+v, want 2 requests, 0 errors, 2×200", *tr)
	}
	if id.Count != 2 || id.Errors != 2 || id.Status[503] != 1 || id.Status[0] != 1 {
		t.Errorf("identify = %+v, want 2 errors (503 and no response)", *id)
	}
	// corrected latency carries the queueing, service time does not
	if got, want := tr.LatencyMS.Max, 100.0; got < want || got > want*1.002 {
		t.Errorf("track latency max = %vms, want %vms", got, want)
	}
	if got, want := tr.ServiceMS.Max, 10.0; got < want || got > want*1.002 {
		t.Errorf("track service max = %vms, want %vms", got, want)
	}
	if got := r.ByEvent["Order Placed"]; got == nil || got.Count != 1 {
		t.Errorf("by_event[Order Placed] = %+v, want 1 request", got)
	}
	if got, want := r.ErrorKinds["connection reset"], int64(1); got != want {
		t.Errorf("error kinds = %v, want connection reset ×1", r.ErrorKinds)
	}
	if got, want := r.ErrorKinds["status 503"], int64(1); got != want {
		t.Errorf("error kinds = %v, want status 503 ×1", r.ErrorKinds)
	}
	if !r.FirstAt.Equal(t0) || !r.LastAt.Equal(t0.Add(2500*time.Millisecond)) {
		t.Errorf("first/last = %v/%v", r.FirstAt, r.LastAt)
	}
	if got, want := r.RatePerS, 1.6; got != want {
		t.Errorf("rate = %v, want %v", got, want)
	}
	tl := s.Timeline
	if tl == nil || len(tl.Points) != 3 || tl.Points[0].Requests != 2 || tl.Points[1].Requests != 1 || tl.Points[2].Errors != 1 {
		t.Fatalf("timeline = %+v, want 3 one-second points 2,1,1 with the error last", tl)
	}
}

func TestMetricsErrorKindsBounded(t *testing.T) {
	t.Parallel()
	var m Metrics
	for i := 0; i < maxErrorKinds+5; i++ {
		r := result("x", "", 0, 0, 0, time.Millisecond)
		r.Error = "error " + itoa(i)
		m.Add(r)
	}
	s := New()
	m.Fill(s)
	if got := len(s.Requests.ErrorKinds); got != maxErrorKinds+1 {
		t.Errorf("distinct kinds = %d, want %d (the rest as other)", got, maxErrorKinds+1)
	}
	if got := s.Requests.ErrorKinds["other"]; got != 5 {
		t.Errorf("other = %d, want 5", got)
	}
}

func TestTimelineCoarsens(t *testing.T) {
	t.Parallel()
	var m Metrics
	for i := 0; i < 1300; i++ {
		m.Add(result("x", "", 200, time.Duration(i)*time.Second, 0, time.Millisecond))
	}
	s := New()
	m.Fill(s)
	if s.Timeline.BucketS != 3 || len(s.Timeline.Points) != 434 {
		t.Fatalf("bucket %ds × %d points, want 3s × 434", s.Timeline.BucketS, len(s.Timeline.Points))
	}
	var n int64
	for _, p := range s.Timeline.Points {
		n += p.Requests
	}
	if n != 1300 {
		t.Errorf("timeline holds %d requests, want 1300", n)
	}
}

func TestHarnessValidity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		h    Harness
		want bool
	}{
		{"empty", Harness{}, true},
		{"on plan", Harness{PlannedRate: 10, AchievedRate: 9.6, Steps: 1000, LateSteps: 10}, true},
		{"slow starts", Harness{PlannedRate: 10, AchievedRate: 9.4, Steps: 1000}, false},
		{"late steps", Harness{PlannedRate: 10, AchievedRate: 10, Steps: 1000, LateSteps: 11}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.h
			h.CheckHarnessValidity()
			if h.Valid != tt.want {
				t.Errorf("Valid = %v, want %v (problems %v)", h.Valid, tt.want, h.Problems)
			}
		})
	}
}

func TestVerdictPrecedence(t *testing.T) {
	t.Parallel()
	failCheck := []Check{{Name: "events.delivered", Passed: false, Failed: 3}}
	badHarness := Harness{PlannedRate: 10, AchievedRate: 5}
	breach, _ := ParseThreshold("requests.total>100")
	tests := []struct {
		name       string
		checks     []Check
		harness    Harness
		ths        []Threshold
		wantCode   int
		wantStatus string
	}{
		{"all pass", nil, Harness{}, nil, 0, StatusPass},
		{"threshold", nil, Harness{}, []Threshold{breach}, 4, StatusFail},
		{"check beats threshold", failCheck, Harness{}, []Threshold{breach}, 1, StatusFail},
		{"invalid beats check", failCheck, badHarness, []Threshold{breach}, 5, StatusInvalid},
		{"harness check failed", []Check{{Name: CheckHarness}}, Harness{}, nil, 5, StatusInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New()
			s.Requests.Total = 10
			s.Checks, s.Harness = tt.checks, tt.harness
			s.Finish(tt.ths)
			if s.Verdict.ExitCode != tt.wantCode || s.Verdict.Status != tt.wantStatus {
				t.Errorf("verdict = %+v, want %s/%d", s.Verdict, tt.wantStatus, tt.wantCode)
			}
		})
	}
}

func TestFinishAddsHarnessCheck(t *testing.T) {
	t.Parallel()
	s := New()
	s.Harness = Harness{PlannedRate: 10, AchievedRate: 10, Steps: 100}
	s.Finish(nil)
	c := s.check(CheckHarness)
	if c == nil || !c.Passed {
		t.Fatalf("harness.validity = %+v, want a passing check", c)
	}
	s.Finish(nil) // idempotent
	if n := len(s.Checks); n != 1 {
		t.Errorf("%d checks after a second Finish, want 1", n)
	}
}

func TestMetricsFillTwice(t *testing.T) {
	t.Parallel()
	var m Metrics
	m.Add(result("a", "", 200, 0, 0, time.Millisecond))
	s := New()
	m.Fill(s)
	m.Fill(s)
	if got := s.Histograms[HistLatency].Count(); got != 1 {
		t.Errorf("latency count after two Fills = %d, want 1", got)
	}
}

// BenchmarkMetricsAdd is the consumer's cost per result; compare it with
// BenchmarkHistogramRecord (one histogram record) from the same run.
func BenchmarkMetricsAdd(b *testing.B) {
	var m Metrics
	rs := make([]*Result, 1024)
	for i := range rs {
		rs[i] = result([]string{"pipelines.track", "pipelines.identify", "pipelines.page"}[i%3],
			[]string{"Viewed Product", "", ""}[i%3], 200, time.Duration(i)*time.Millisecond, 0, time.Duration(i%97+1)*time.Millisecond)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m.Add(rs[i%len(rs)])
	}
}

func TestWarnCompression(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		delay time.Duration
		warn  bool
	}{
		{"ample delay", 10 * time.Second, false},
		{"compressed", 5 * time.Second, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New()
			for i := 0; i < 100; i++ {
				s.RecordPropagation(900 * time.Millisecond)
			}
			s.WarnCompression(tt.delay)
			if got := len(s.Warnings) == 1; got != tt.warn {
				t.Errorf("warned = %v, want %v (%v)", got, tt.warn, s.Warnings)
			}
		})
	}
}
