package report

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// roundTrip encodes and decodes s, as files written by shards would be.
func roundTrip(t *testing.T, s *Summary) *Summary {
	t.Helper()
	var b bytes.Buffer
	if err := s.Encode(&b); err != nil {
		t.Fatal(err)
	}
	d, err := Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestMergeShardsEqualsWholeRun(t *testing.T) {
	t.Parallel()
	whole := Sample(7, 1, 1)
	var shards []*Summary
	for i := 1; i <= 3; i++ {
		shards = append(shards, roundTrip(t, Sample(7, i, 3)))
	}
	got, err := Merge(shards...)
	if err != nil {
		t.Fatal(err)
	}
	if got.Run.Shard.String() != "1,2,3/3" || !got.Run.Shard.Complete() {
		t.Errorf("shard = %s, want 1,2,3/3 complete", got.Run.Shard)
	}
	if got.Requests.Total != whole.Requests.Total || got.Requests.Errors != whole.Requests.Errors ||
		got.Journeys.Completed != whole.Journeys.Completed || *got.Journeys.ByScenario["d2c"] != *whole.Journeys.ByScenario["d2c"] {
		t.Errorf("requests %d/%d, want %d/%d", got.Requests.Total, got.Requests.Errors, whole.Requests.Total, whole.Requests.Errors)
	}
	for name, h := range whole.Histograms {
		if !got.Histograms[name].Equal(h) {
			t.Errorf("histogram %s: merged differs from the whole run (count %d vs %d)", name, got.Histograms[name].Count(), h.Count())
		}
	}
	if len(got.Histograms) != len(whole.Histograms) {
		t.Errorf("%d histograms, want %d", len(got.Histograms), len(whole.Histograms))
	}
	if got.Requests.LatencyMS != whole.Requests.LatencyMS {
		t.Errorf("latency_ms = %+v, want %+v (recomputed from merged histograms)", got.Requests.LatencyMS, whole.Requests.LatencyMS)
	}
	for ep, w := range whole.Requests.ByEndpoint {
		g := got.Requests.ByEndpoint[ep]
		if g == nil || g.Count != w.Count || g.Errors != w.Errors || g.LatencyMS != w.LatencyMS || g.Status[200] != w.Status[200] {
			t.Errorf("by_endpoint[%s] = %+v, want %+v", ep, g, w)
		}
	}
	if got.Delivery.DeliveryMS != whole.Delivery.DeliveryMS || got.Delivery.NeverDelivered != whole.Delivery.NeverDelivered ||
		got.Delivery.ByEvent["Order Placed"] != whole.Delivery.ByEvent["Order Placed"] {
		t.Errorf("delivery = %+v, want %+v", got.Delivery, whole.Delivery)
	}
	if got.Suppression != whole.Suppression {
		t.Errorf("suppression = %+v, want %+v", got.Suppression, whole.Suppression)
	}
	for i, w := range whole.Checks {
		g := got.Checks[i]
		if g.Name != w.Name || g.Passed != w.Passed || g.Failed != w.Failed || g.Expected != w.Expected || g.Observed != w.Observed {
			t.Errorf("check %s = %+v, want %+v", w.Name, g, w)
		}
		if len(g.Examples) > MaxExamples {
			t.Errorf("check %s keeps %d examples, want at most %d", w.Name, len(g.Examples), MaxExamples)
		}
	}
	for i, w := range whole.Thresholds {
		if g := got.Thresholds[i]; g.Expr != w.Expr || g.Passed != w.Passed || *g.Value != *w.Value {
			t.Errorf("threshold %+v, want %+v (re-evaluated on merged data)", g, w)
		}
	}
	if got.Verdict.ExitCode != whole.Verdict.ExitCode {
		t.Errorf("verdict %+v, want %+v", got.Verdict, whole.Verdict)
	}
	var n, wn int64
	for _, p := range got.Timeline.Points {
		n += p.Requests
	}
	for _, p := range whole.Timeline.Points {
		wn += p.Requests
	}
	if n != wn {
		t.Errorf("timeline requests %d, want %d", n, wn)
	}
}

func TestMergeRefuses(t *testing.T) {
	t.Parallel()
	a := Sample(1, 1, 2)
	tests := []struct {
		name  string
		other *Summary
		diff  bool
	}{
		{"other seed", Sample(2, 2, 2), true},
		{"other shard count", Sample(1, 1, 3), true},
		{"same shard twice", Sample(1, 1, 2), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Merge(a, tt.other)
			if err == nil {
				t.Fatal("Merge = nil error, want refusal")
			}
			if got := errors.Is(err, ErrDifferentRuns); got != tt.diff {
				t.Errorf("errors.Is(ErrDifferentRuns) = %v, want %v (%v)", got, tt.diff, err)
			}
		})
	}
	if _, err := Merge(); err == nil {
		t.Error("Merge() = nil error, want error")
	}
}

func TestMergeDoesNotModifyInputs(t *testing.T) {
	t.Parallel()
	a, b := Sample(3, 1, 2), Sample(3, 2, 2)
	before := a.Histograms[HistLatency].Count()
	checks := a.Checks[1].Failed
	if _, err := Merge(a, b); err != nil {
		t.Fatal(err)
	}
	if a.Histograms[HistLatency].Count() != before || a.Checks[1].Failed != checks {
		t.Error("Merge modified its input")
	}
}

func TestMergeChecksCombine(t *testing.T) {
	t.Parallel()
	a, b := New(), New()
	a.Run.Shard, b.Run.Shard = Shard{[]int{1}, 2}, Shard{[]int{2}, 2}
	ex := make([]Example, 8)
	a.Checks = []Check{{Name: "x", Passed: true, Expected: 5, Observed: 5}, {Name: "y", Failed: 8, Examples: ex}}
	b.Checks = []Check{{Name: "x", Failed: 1, Expected: 5, Observed: 4}, {Name: "y", Failed: 8, Examples: ex}}
	got, err := Merge(a, b)
	if err != nil {
		t.Fatal(err)
	}
	x, y := got.check("x"), got.check("y")
	if x.Passed || x.Failed != 1 || x.Expected != 10 || x.Observed != 9 {
		t.Errorf("x = %+v, want failed 1 of 10", *x)
	}
	if y.Failed != 16 || len(y.Examples) != MaxExamples {
		t.Errorf("y failed %d with %d examples, want 16 with %d", y.Failed, len(y.Examples), MaxExamples)
	}
	if got.Verdict.ExitCode != 1 {
		t.Errorf("exit code %d, want 1", got.Verdict.ExitCode)
	}
}

func TestCompare(t *testing.T) {
	t.Parallel()
	base := Sample(1, 1, 1)
	cur := Sample(1, 1, 1)
	h := cur.Histogram(HistLatency)
	for i := 0; i < 200; i++ {
		h.Record(h.Max() * 3) // a slow tail
	}
	cur.Recompute()
	c := Compare(base, cur)
	rows := map[string]ComparisonRow{}
	for _, r := range c.Rows {
		rows[r.Metric] = r
	}
	if r := rows["latency.p99"]; !r.Worse || r.Current <= r.Base {
		t.Errorf("latency.p99 row = %+v, want worse", r)
	}
	if r := rows["service.p99"]; r.Worse || r.Better || r.Delta != 0 {
		t.Errorf("service.p99 row = %+v, want unchanged", r)
	}
	if r, ok := rows["checks.failed{name=events.delivered}"]; !ok || r.Worse {
		t.Errorf("checks row = %+v, want present and unchanged", r)
	}
	if c.Regressions() == 0 {
		t.Error("Regressions() = 0, want > 0")
	}
}

func TestMergeWarnsOfMissingShards(t *testing.T) {
	t.Parallel()
	got, err := Merge(Sample(1, 1, 3), Sample(1, 3, 3))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, w := range got.Warnings {
		found = found || strings.Contains(w, "merged 2 of 3 shards (1,3/3)")
	}
	if !found {
		t.Errorf("warnings %q, want one about the missing shard", got.Warnings)
	}
}

func TestMergeMockScopedChecks(t *testing.T) {
	t.Parallel()
	shard := func(i int, expected, failed int64, example string) *Summary {
		s := New()
		s.Run.Shard = Shard{[]int{i}, 3}
		s.Checks = []Check{
			{Name: "contract", Scope: ScopeMock, Expected: expected, Observed: expected - failed, Failed: failed,
				Passed: failed == 0, Examples: []Example{{Shopper: example}}},
			{Name: "own", Passed: true, Expected: 4, Observed: 4},
		}
		s.Violations = []Violation{{Rule: "contract", Event: "e", Count: failed, Scope: ScopeMock, Samples: []string{example}}}
		return roundTrip(t, s)
	}
	tests := []struct {
		name   string
		shards []*Summary
		want   Check
	}{
		{"the last reader saw the most", []*Summary{shard(1, 300, 2, "a"), shard(2, 385, 3, "b"), shard(3, 340, 2, "c")},
			Check{Name: "contract", Scope: ScopeMock, Expected: 385, Observed: 382, Failed: 3, Examples: []Example{{Shopper: "b"}}}},
		{"equal readings are not added", []*Summary{shard(1, 385, 0, "a"), shard(2, 385, 0, "b"), shard(3, 385, 0, "c")},
			Check{Name: "contract", Scope: ScopeMock, Passed: true, Expected: 385, Observed: 385, Examples: []Example{{Shopper: "a"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Merge(tt.shards...)
			if err != nil {
				t.Fatal(err)
			}
			c := got.check("contract")
			if c == nil || c.Expected != tt.want.Expected || c.Failed != tt.want.Failed || c.Observed != tt.want.Observed ||
				c.Passed != tt.want.Passed || c.Scope != ScopeMock || len(c.Examples) != 1 || c.Examples[0] != tt.want.Examples[0] {
				t.Errorf("contract = %+v, want %+v", c, tt.want)
			}
			if own := got.check("own"); own == nil || own.Expected != 12 {
				t.Errorf("own = %+v, want the shards' counts added (12)", own)
			}
			if len(got.Violations) != 1 || got.Violations[0].Count != tt.want.Failed {
				t.Errorf("violations = %+v, want one of count %d", got.Violations, tt.want.Failed)
			}
		})
	}
}
