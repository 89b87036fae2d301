package report

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Harness validity limits (SPEC.md §3.6).
const (
	MinRateRatio  = 0.95 // achieved start rate at least 95% of planned
	MaxLateRatio  = 0.01 // at most 1% of steps late
	LateAfterMS   = 100  // a step is late when sent over 100 ms after its intended start
	CheckHarness  = "harness.validity"
	exitOK        = 0
	exitCheck     = 1
	exitThreshold = 4
	exitInvalid   = 5
)

// Recompute derives every percentile block and rate of s from its histograms
// and counts. Fill and Merge call it; call it after recording into
// s.Histogram directly.
func (s *Summary) Recompute() {
	r := &s.Requests
	r.LatencyMS = s.percentiles(HistLatency)
	r.ServiceMS = s.percentiles(HistService)
	if span := r.LastAt.Sub(r.FirstAt).Seconds(); span > 0 {
		r.RatePerS = round3(float64(r.Total) / span)
	}
	for name, e := range r.ByEndpoint {
		e.LatencyMS = s.percentiles(Selected(HistLatency, "endpoint", name))
		e.ServiceMS = s.percentiles(Selected(HistService, "endpoint", name))
	}
	for name, e := range r.ByEvent {
		e.LatencyMS = s.percentiles(Selected(HistLatency, "event", name))
		e.ServiceMS = s.percentiles(Selected(HistService, "event", name))
	}
	d := &s.Delivery
	d.DeliveryMS = s.percentiles(HistDelivery)
	d.ByEvent = nil
	for _, name := range s.selectorValues(HistDelivery, "event") {
		if d.ByEvent == nil {
			d.ByEvent = map[string]Percentiles{}
		}
		d.ByEvent[name] = s.percentiles(Selected(HistDelivery, "event", name))
	}
	s.Suppression.PropagationMS = s.percentiles(HistPropagation)
	s.Suppression.MarginMS = s.marginPercentiles()
}

func (s *Summary) percentiles(name string) Percentiles {
	return percentilesOf(s.Histograms[name])
}

func percentilesOf(h *Histogram) Percentiles {
	if h.Count() == 0 {
		return Percentiles{}
	}
	return Percentiles{
		Count: h.Count(), Min: ms(h.Min()),
		P50: ms(h.Quantile(0.50)), P90: ms(h.Quantile(0.90)),
		P99: ms(h.Quantile(0.99)), P999: ms(h.Quantile(0.999)),
		Max: ms(h.Max()), Mean: ms(h.Mean()),
	}
}

// selectorValues lists, sorted, the values v of histograms named base{key=v}.
func (s *Summary) selectorValues(base, key string) []string {
	prefix := base + "{" + key + "="
	var out []string
	for name := range s.Histograms {
		if strings.HasPrefix(name, prefix) && strings.HasSuffix(name, "}") {
			out = append(out, name[len(prefix):len(name)-1])
		}
	}
	sort.Strings(out)
	return out
}

func round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }

// CheckHarnessValidity sets h.Valid and h.Problems from the limits of SPEC.md
// §3.6. A harness without figures (no planned rate, no steps) is valid.
func (h *Harness) CheckHarnessValidity() {
	h.Problems = nil
	if h.PlannedRate > 0 && h.AchievedRate < MinRateRatio*h.PlannedRate {
		h.Problems = append(h.Problems, fmt.Sprintf("achieved start rate %.2f/s is under %.0f%% of the planned %.2f/s",
			h.AchievedRate, MinRateRatio*100, h.PlannedRate))
	}
	if h.Steps > 0 && float64(h.LateSteps) > MaxLateRatio*float64(h.Steps) {
		h.Problems = append(h.Problems, fmt.Sprintf("%d of %d steps (%.2f%%) were sent over %d ms late (limit %.0f%%)",
			h.LateSteps, h.Steps, 100*float64(h.LateSteps)/float64(h.Steps), LateAfterMS, MaxLateRatio*100))
	}
	h.Valid = len(h.Problems) == 0
}

// Finish evaluates the thresholds on s (replacing s.Thresholds), adds the
// harness.validity check when no one has, and sets the verdict. Exit codes by
// precedence (SPEC.md §3.6): 5 invalid run, 1 a check failed, 4 a threshold
// breached, else 0. Usage (2) and runtime (3) errors never reach a Summary.
func (s *Summary) Finish(thresholds []Threshold) {
	s.Recompute()
	s.Harness.CheckHarnessValidity()
	if s.check(CheckHarness) == nil && (s.Harness.PlannedRate > 0 || s.Harness.Steps > 0) {
		c := Check{Name: CheckHarness, Passed: s.Harness.Valid, Expected: s.Harness.Steps,
			Observed: s.Harness.Steps - s.Harness.LateSteps}
		if !c.Passed {
			c.Failed = max(s.Harness.LateSteps, 1)
		}
		for _, p := range s.Harness.Problems {
			c.Examples = append(c.Examples, Example{Shopper: "-", Expected: "harness keeps up", Actual: p})
		}
		s.Checks = append(s.Checks, c)
	}
	s.Thresholds = make([]ThresholdResult, 0, len(thresholds))
	if s.Checks == nil {
		s.Checks = []Check{}
	}
	for _, t := range thresholds {
		s.Thresholds = append(s.Thresholds, t.Evaluate(s))
	}
	s.Verdict = s.computeVerdict()
}

func (s *Summary) check(name string) *Check {
	for i := range s.Checks {
		if s.Checks[i].Name == name {
			return &s.Checks[i]
		}
	}
	return nil
}

func (s *Summary) computeVerdict() Verdict {
	var invalid, failed, breached []string
	for _, p := range s.Harness.Problems {
		invalid = append(invalid, "invalid run: "+p)
	}
	for _, c := range s.Checks {
		switch {
		case c.Passed:
		case c.Name == CheckHarness:
			if len(invalid) == 0 {
				invalid = append(invalid, "invalid run: check "+c.Name+" failed")
			}
		default:
			failed = append(failed, fmt.Sprintf("check %s failed (%d)", c.Name, c.Failed))
		}
	}
	for _, t := range s.Thresholds {
		if !t.Passed {
			breached = append(breached, fmt.Sprintf("threshold %s breached (%s)", t.Expr, t.Shown))
		}
	}
	v := Verdict{Status: StatusPass, ExitCode: exitOK}
	switch {
	case len(invalid) > 0:
		v.Status, v.ExitCode = StatusInvalid, exitInvalid
	case len(failed) > 0:
		v.Status, v.ExitCode = StatusFail, exitCheck
	case len(breached) > 0:
		v.Status, v.ExitCode = StatusFail, exitThreshold
	}
	v.Reasons = append(append(append(v.Reasons, invalid...), failed...), breached...)
	return v
}

// CompressionRatio is how many times the purchase propagation p99 the scaled
// cart delay must be for timing verdicts to mean what they would in shopper
// time (SPEC.md §5).
const CompressionRatio = 10

// WarnCompression adds the SPEC.md §5 warning when the scaled campaign delay
// is under CompressionRatio times the measured propagation p99.
func (s *Summary) WarnCompression(scaledDelay time.Duration) {
	p99 := s.Histograms[HistPropagation].Quantile(0.99)
	if p99 == 0 || scaledDelay >= CompressionRatio*p99 {
		return
	}
	s.Warnings = append(s.Warnings, fmt.Sprintf("the scaled campaign delay %s is under %d× the purchase propagation p99 %s: "+
		"timing verdicts are dominated by the time compression (lower --time-scale)", scaledDelay, CompressionRatio, p99))
}
