package report

import (
	"math"
	"strings"
	"testing"
	"time"
)

// thresholdSummary is a Summary with known values for every metric.
func thresholdSummary() *Summary {
	s := New()
	for i := 1; i <= 100; i++ {
		s.Histogram(HistLatency).Record(time.Duration(i) * time.Millisecond)
	}
	for i := 1; i <= 50; i++ {
		s.Histogram(Selected(HistLatency, "endpoint", "pipelines.track")).Record(time.Duration(i) * time.Millisecond)
	}
	for i := 1; i <= 10; i++ {
		s.Histogram(HistService).Record(time.Duration(i) * time.Millisecond)
		s.Histogram(Selected(HistService, "endpoint", "pipelines.track")).Record(time.Duration(i) * time.Millisecond)
	}
	for i := 0; i < 5; i++ {
		s.Histogram(Selected(HistLatency, "event", "Order Placed")).Record(10 * time.Millisecond)
		s.RecordDelivery("Order Placed", 200*time.Millisecond)
		s.RecordDelivery("Added to Cart", 2*time.Second)
		s.RecordPropagation(time.Duration(i+1) * time.Second)
	}
	s.RecordMargin(5 * time.Second)
	s.RecordMargin(10 * time.Second)
	s.RecordMargin(-2 * time.Second)
	s.Requests.Total, s.Requests.Errors, s.Requests.RatePerS = 200, 2, 12.5
	s.Requests.ByEndpoint = map[string]*EndpointStats{
		"pipelines.track":    {Count: 100, Errors: 0},
		"pipelines.identify": {Count: 100, Errors: 2},
	}
	s.Requests.ByEvent = map[string]*EndpointStats{"Order Placed": {Count: 5, Errors: 1}}
	s.Checks = []Check{{Name: "identity.anonymous_merge", Passed: true}, {Name: "events.delivered", Failed: 3}, {Name: "contract.money", Passed: true}}
	s.Journeys = Journeys{Planned: 60, Started: 59, Completed: 58, ByScenario: map[string]*JourneyCounts{"d2c": {40, 40, 39}}}
	s.Harness = Harness{PlannedRate: 10, AchievedRate: 9.9, LateSteps: 7, MaxLagMS: 42}
	s.Delivery.NeverDelivered = 4
	s.Suppression = Suppression{Purchases: 9, FalseSends: 1, MissedSends: 2}
	return s
}

func TestThresholdMetrics(t *testing.T) {
	t.Parallel()
	s := thresholdSummary()
	tests := []struct {
		expr   string
		value  float64 // ms, fraction, count or per second
		passed bool
	}{
		{"latency.p50<=50.1ms", 50, true},
		{"latency.p90<90ms", 90, false},
		{"latency.p99<100ms", 99, true},
		{"latency.p999<=100.1ms", 100, true},
		{"latency.p99.9<100.1ms", 100, true},
		{"latency.p100>=100ms", 100, true},
		{"latency.p5<10ms", 5, true},
		{"latency.max<100ms", 100, false},
		{"latency.min==1ms", 1, true},
		{"latency.mean<50ms", 50.5, false},
		{"latency.count==100", 100, true},
		{"latency{endpoint=track}.p99<=50.1ms", 50, true},
		{"latency{endpoint=pipelines.track}.max<50ms", 50, false},
		{"latency.p99{endpoint=track}<51ms", 50, true},
		{"latency{event=Order Placed}.mean<10.1ms", 10, true},
		{"latency{event=\"Order Placed\"}.p50<=10.01ms", 10, true},
		{"service.p99<=10.01ms", 10, true},
		{"service{endpoint=track}.p50<5.01ms", 5, true},
		{"delivery.p50<1s", 200, true},
		{"delivery.p99<1s", 2000, false},
		{"delivery{event=Order Placed}.p99<1s", 200, true},
		{"suppression.propagation.p99<=5.01s", 5000, true},
		{"suppression.propagation.p50>3.1s", 3000, false},
		{"suppression.margin.min>0s", -2000, false},
		{"suppression.margin.p1<0", -2000, true},
		{"suppression.margin.p50>=5s", 5000, true},
		{"suppression.margin.max>=10s", 10000, true},
		{"suppression.margin.mean>4s", 13000.0 / 3, true},
		{"suppression.margin.count==3", 3, true},
		{"errors.rate<2%", 0.01, true},
		{"errors.rate<0.5%", 0.01, false},
		{"errors.rate<=0.01", 0.01, true},
		{"errors.rate{endpoint=track}==0", 0, true},
		{"errors.rate{event=Order Placed}<10%", 0.2, false},
		{"errors.count<=2", 2, true},
		{"errors.count{endpoint=identify}!=2", 2, false},
		{"requests.total>=200", 200, true},
		{"requests.total{event=Order Placed}==5", 5, true},
		{"requests.rate>=10/s", 12.5, true},
		{"requests.rate>20", 12.5, false},
		{"checks.failed==0", 1, false},
		{"checks.passed>=2", 2, true},
		{"checks.failed{name=events.delivered}==0", 3, false},
		{"checks.passed{name=contract.money}==1", 1, true},
		{"journeys.planned==60", 60, true},
		{"journeys.started>=60", 59, false},
		{"journeys.completed>=50", 58, true},
		{"journeys.completed{scenario=d2c}==39", 39, true},
		{"rate.planned==10/s", 10, true},
		{"rate.achieved>=9.5/s", 9.9, true},
		{"harness.late_steps<5", 7, false},
		{"harness.max_lag<100ms", 42, true},
		{"delivery.delivered==10", 10, true},
		{"delivery.never_delivered==0", 4, false},
		{"suppression.false_sends==0", 1, false},
		{"suppression.missed_sends<=2", 2, true},
		{"suppression.purchases>0", 9, true},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			th, err := ParseThreshold(tt.expr)
			if err != nil {
				t.Fatalf("ParseThreshold: %v", err)
			}
			got := th.Evaluate(s)
			if got.Value == nil {
				t.Fatalf("Evaluate: no data (%s)", got.Shown)
			}
			if v := *got.Value; math.Abs(v-tt.value) > math.Abs(tt.value)*0.002+1e-9 {
				t.Errorf("value = %v, want %v ±0.2%%", v, tt.value)
			}
			if got.Passed != tt.passed {
				t.Errorf("passed = %v, want %v (value %s)", got.Passed, tt.passed, got.Shown)
			}
			if got.Expr != tt.expr {
				t.Errorf("expr = %q, want %q", got.Expr, tt.expr)
			}
		})
	}
}

func TestThresholdUnits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr string
		want float64
	}{
		{"latency.p99<250ms", 250},
		{"latency.p99<1500000ns", 1.5},
		{"latency.p99<750us", 0.75},
		{"latency.p99<750µs", 0.75},
		{"latency.p99<1.5s", 1500},
		{"latency.p99<2m", 120000},
		{"latency.p99<1h", 3600000},
		{"latency.p99<250", 250},
		{"latency.p99 < 250 ms", 250},
		{"latency.p99<.5s", 500},
		{"latency.p99<1e3ms", 1000},
		{"errors.rate<0.1%", 0.001},
		{"errors.rate<0.001", 0.001},
		{"requests.rate>=100/s", 100},
		{"requests.rate>=100", 100},
		{"journeys.completed>=1000", 1000},
		{"suppression.margin.p1>-500ms", -500},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			th, err := ParseThreshold(tt.expr)
			if err != nil {
				t.Fatalf("ParseThreshold: %v", err)
			}
			if math.Abs(th.Value-tt.want) > 1e-9 {
				t.Errorf("Value = %v, want %v", th.Value, tt.want)
			}
		})
	}
}

func TestThresholdOps(t *testing.T) {
	t.Parallel()
	s := New()
	s.Requests.Total = 10
	for _, tt := range []struct {
		op   string
		want [3]bool // against 9, 10, 11
	}{
		{"<", [3]bool{false, false, true}},
		{"<=", [3]bool{false, true, true}},
		{">", [3]bool{true, false, false}},
		{">=", [3]bool{true, true, false}},
		{"==", [3]bool{false, true, false}},
		{"!=", [3]bool{true, false, true}},
	} {
		for i, v := range []string{"9", "10", "11"} {
			th, err := ParseThreshold("requests.total" + tt.op + v)
			if err != nil {
				t.Fatal(err)
			}
			if got := th.Evaluate(s).Passed; got != tt.want[i] {
				t.Errorf("10 %s %s = %v, want %v", tt.op, v, got, tt.want[i])
			}
		}
	}
}

func TestThresholdBad(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr, wantErr string
	}{
		{"", "no operator"},
		{"latency.p99", "no operator"},
		{"latency.p99=5ms", "unknown operator"},
		{"latency.p99=<5ms", "unknown operator"},
		{"latency.p99<", "bad value"},
		{"<5ms", "missing metric"},
		{"latency.p99<<5ms", "bad value"},
		{"latency.p99<abc", "bad value"},
		{"latency.p99<5mss", "bad value"},
		{"latency.p99<1e999", "bad number"},
		{"latency.p0<5ms", "unknown statistic"},
		{"latency.p100.5<1s", "unknown statistic"},
		{"latency.median<1s", "unknown statistic"},
		{"latency.p9x<1s", "unknown statistic"},
		{"latency<1s", "unknown metric"},
		{"latencyx.p99<1s", "unknown metric"},
		{"throughput>5", "unknown metric"},
		{"errors.rate<5ms", "does not fit a rate"},
		{"latency.p99<5%", "does not fit a duration"},
		{"checks.failed==0ms", "does not fit a count"},
		{"requests.rate>5ms", "does not fit a per-second rate"},
		{"latency{endpoint=}.p99<1s", "bad selector"},
		{"latency{endpoint}.p99<1s", "bad selector"},
		{"latency{endpoint=track.p99<1s", "unclosed"},
		{"latency{foo=bar}.p99<1s", "takes no {foo=…} selector"},
		{"delivery{endpoint=track}.p99<1s", "takes no {endpoint=…} selector"},
		{"requests.rate{endpoint=x}>1", "takes no {endpoint=…} selector"},
		{"latency{endpoint=a}{event=b}.p99<1s", "one selector at most"},
		{"lat ency.p99<1s", "bad metric name"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			_, err := ParseThreshold(tt.expr)
			if err == nil {
				t.Fatalf("ParseThreshold(%q) = nil error, want %q", tt.expr, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), `"`+tt.expr+`"`) {
				t.Errorf("error %q, want it to name the expression and say %q", err, tt.wantErr)
			}
		})
	}
}

func TestThresholdNoDataFails(t *testing.T) {
	t.Parallel()
	s := thresholdSummary()
	for _, expr := range []string{
		"latency{endpoint=typo}.p99<1s", "delivery{event=Nope}.p50<1s", "errors.rate{endpoint=typo}<1%",
		"checks.failed{name=nope}==0", "journeys.completed{scenario=nope}>=0", "latency{event=Nope}.max<1h",
	} {
		th, err := ParseThreshold(expr)
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		if got := th.Evaluate(s); got.Passed || got.Value != nil || got.Shown != "no data" {
			t.Errorf("%s = %+v, want failed with no data", expr, got)
		}
	}
	if got := New().Histogram("x"); got.Count() != 0 {
		t.Fatal("new histogram not empty")
	}
}

func TestFormatMS(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   float64
		want string
	}{
		{0, "0ms"}, {0.25, "250µs"}, {12.345, "12.3ms"}, {999.4, "999ms"}, {1234, "1.23s"},
		{-2000, "-2s"}, {90000, "1.5m"},
	} {
		if got := FormatMS(tt.in); got != tt.want {
			t.Errorf("FormatMS(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzParseThreshold: any input parses or fails with an error naming it;
// nothing panics, and a parsed threshold evaluates on any summary.
func FuzzParseThreshold(f *testing.F) {
	for _, s := range []string{"latency.p99<250ms", "latency{endpoint=track}.p999<1s", "errors.rate<0.1%",
		"checks.failed==0", "suppression.margin.p1>-1s", "x{", "{}<", "p99<1"} {
		f.Add(s)
	}
	s := thresholdSummary()
	f.Fuzz(func(t *testing.T, expr string) {
		th, err := ParseThreshold(expr)
		if err != nil {
			if !strings.Contains(err.Error(), "threshold") {
				t.Fatalf("error %q does not name the threshold", err)
			}
			return
		}
		_ = th.Evaluate(s)
	})
}
