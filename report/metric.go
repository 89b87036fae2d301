package report

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// metric is one threshold metric: its kind, the selector keys it accepts
// (comma separated) and how to read it from a Summary.
type metric struct {
	kind      metricKind
	selectors string
	get       func(s *Summary, t Threshold) (float64, bool)
}

// histBases are the histogram metrics, longest first; each takes a statistic
// after a dot: pNN (p50, p90, p99, p999, p99.99 …), min, max, mean or count.
var histBases = []struct {
	base, selectors string
}{
	{"suppression.propagation", ""},
	{"suppression.margin", ""},
	{"delivery", "event"},
	{"latency", "endpoint,event"},
	{"service", "endpoint,event"},
}

// fixedMetrics are the metrics that are not histograms.
var fixedMetrics = map[string]metric{
	"errors.rate":              {kindRatio, "endpoint,event", groupValue(func(g *EndpointStats) float64 { return float64(g.Errors) / float64(g.Count) })},
	"errors.count":             {kindCount, "endpoint,event", groupValue(func(g *EndpointStats) float64 { return float64(g.Errors) })},
	"requests.total":           {kindCount, "endpoint,event", groupValue(func(g *EndpointStats) float64 { return float64(g.Count) })},
	"requests.rate":            {kindRate, "", plain(func(s *Summary) (float64, bool) { return s.Requests.RatePerS, s.Requests.Total > 0 })},
	"checks.failed":            {kindCount, "name", checksValue(false)},
	"checks.passed":            {kindCount, "name", checksValue(true)},
	"journeys.planned":         {kindCount, "scenario", journeysValue(func(j JourneyCounts) int64 { return j.Planned })},
	"journeys.started":         {kindCount, "scenario", journeysValue(func(j JourneyCounts) int64 { return j.Started })},
	"journeys.completed":       {kindCount, "scenario", journeysValue(func(j JourneyCounts) int64 { return j.Completed })},
	"rate.planned":             {kindRate, "", plain(func(s *Summary) (float64, bool) { return s.Harness.PlannedRate, true })},
	"rate.achieved":            {kindRate, "", plain(func(s *Summary) (float64, bool) { return s.Harness.AchievedRate, true })},
	"harness.late_steps":       {kindCount, "", plain(func(s *Summary) (float64, bool) { return float64(s.Harness.LateSteps), true })},
	"harness.max_lag":          {kindDuration, "", plain(func(s *Summary) (float64, bool) { return s.Harness.MaxLagMS, true })},
	"delivery.delivered":       {kindCount, "", plain(func(s *Summary) (float64, bool) { return float64(s.Delivery.Delivered), true })},
	"delivery.never_delivered": {kindCount, "", plain(func(s *Summary) (float64, bool) { return float64(s.Delivery.NeverDelivered), true })},
	"suppression.false_sends":  {kindCount, "", plain(func(s *Summary) (float64, bool) { return float64(s.Suppression.FalseSends), true })},
	"suppression.missed_sends": {kindCount, "", plain(func(s *Summary) (float64, bool) { return float64(s.Suppression.MissedSends), true })},
	"suppression.purchases":    {kindCount, "", plain(func(s *Summary) (float64, bool) { return float64(s.Suppression.Purchases), true })},
}

// MetricNames lists every metric a threshold may name, for help texts.
func MetricNames() []string {
	var out []string
	for _, b := range histBases {
		out = append(out, b.base+".pNN|min|max|mean|count")
	}
	for k := range fixedMetrics {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func lookupMetric(name string) (metric, error) {
	if m, ok := fixedMetrics[name]; ok {
		return m, nil
	}
	for _, b := range histBases {
		stat, ok := strings.CutPrefix(name, b.base+".")
		if !ok {
			continue
		}
		get, kind, err := histStat(b.base, stat)
		if err != nil {
			return metric{}, fmt.Errorf("%s: %w", name, err)
		}
		return metric{kind: kind, selectors: b.selectors, get: get}, nil
	}
	return metric{}, fmt.Errorf("unknown metric %q (see the thresholds section of the README)", name)
}

// histStat returns the reader of one statistic of a histogram metric.
func histStat(base, stat string) (func(*Summary, Threshold) (float64, bool), metricKind, error) {
	var q float64
	if stat != "max" && stat != "min" && stat != "mean" && stat != "count" {
		var err error
		if q, err = parseQuantile(stat); err != nil {
			return nil, 0, err
		}
	}
	if base == "suppression.margin" {
		return marginStat(stat, q), statKind(stat), nil
	}
	at := func(h *Histogram) float64 {
		switch stat {
		case "max":
			return ms(h.Max())
		case "min":
			return ms(h.Min())
		case "mean":
			return ms(h.Mean())
		case "count":
			return float64(h.Count())
		}
		return ms(h.Quantile(q))
	}
	return func(s *Summary, t Threshold) (float64, bool) {
		h := s.selectHistogram(base, t.SelKey, t.SelVal)
		if h.Count() == 0 && stat != "count" {
			return 0, false
		}
		return at(h), true
	}, statKind(stat), nil
}

func statKind(stat string) metricKind {
	if stat == "count" {
		return kindCount
	}
	return kindDuration
}

// marginStat reads a statistic of the signed suppression margins.
func marginStat(stat string, q float64) func(*Summary, Threshold) (float64, bool) {
	return func(s *Summary, _ Threshold) (float64, bool) {
		p := s.marginPercentiles()
		switch stat {
		case "count":
			return float64(p.Count), true
		case "min":
			return p.Min, p.Count > 0
		case "max":
			return p.Max, p.Count > 0
		case "mean":
			return p.Mean, p.Count > 0
		}
		d, ok := s.marginQuantile(q)
		return ms(d), ok
	}
}

// parseQuantile reads p50 (0.5), p999 (0.999), p99.99 (0.9999), p100 (1).
func parseQuantile(stat string) (float64, error) {
	digits, ok := strings.CutPrefix(stat, "p")
	bad := fmt.Errorf("unknown statistic %q (want pNN such as p50, p99, p999, or min, max, mean, count)", stat)
	if !ok || digits == "" || strings.Trim(digits, "0123456789.") != "" {
		return 0, bad
	}
	switch {
	case strings.Contains(digits, "."), len(digits) <= 2, digits == "100":
	default:
		digits = digits[:2] + "." + digits[2:]
	}
	pct, err := strconv.ParseFloat(digits, 64)
	if err != nil || pct <= 0 || pct > 100 {
		return 0, bad
	}
	return pct / 100, nil
}

// selectHistogram merges the histograms of base matching the selector:
// {endpoint=track} matches "track" and any endpoint ending ".track"; event
// names match exactly. Without a selector it is base's overall histogram.
func (s *Summary) selectHistogram(base, key, val string) *Histogram {
	out := &Histogram{}
	if key == "" {
		out.Merge(s.Histograms[base])
		return out
	}
	for _, v := range s.selectorValues(base, key) {
		if selectorMatches(key, v, val) {
			out.Merge(s.Histograms[Selected(base, key, v)])
		}
	}
	return out
}

func selectorMatches(key, have, want string) bool {
	if key == "endpoint" {
		return have == want || strings.HasSuffix(have, "."+want)
	}
	return have == want
}

// groupValue reads a request count metric overall or for the selected
// endpoints or events; no data when no request matched.
func groupValue(f func(g *EndpointStats) float64) func(*Summary, Threshold) (float64, bool) {
	return func(s *Summary, t Threshold) (float64, bool) {
		g := EndpointStats{Count: s.Requests.Total, Errors: s.Requests.Errors}
		if t.SelKey != "" {
			g = EndpointStats{}
			src := s.Requests.ByEndpoint
			if t.SelKey == "event" {
				src = s.Requests.ByEvent
			}
			for name, e := range src {
				if selectorMatches(t.SelKey, name, t.SelVal) {
					g.Count += e.Count
					g.Errors += e.Errors
				}
			}
		}
		if g.Count == 0 {
			return 0, false
		}
		return f(&g), true
	}
}

func plain(f func(s *Summary) (float64, bool)) func(*Summary, Threshold) (float64, bool) {
	return func(s *Summary, _ Threshold) (float64, bool) { return f(s) }
}

// checksValue counts passed or failed checks; with {name=…} it is that check's
// failure count (checks.failed) or 1 when it passed (checks.passed).
func checksValue(passed bool) func(*Summary, Threshold) (float64, bool) {
	return func(s *Summary, t Threshold) (float64, bool) {
		if t.SelKey == "name" {
			c := s.check(t.SelVal)
			if c == nil {
				return 0, false
			}
			if passed {
				return b2f(c.Passed), true
			}
			return float64(c.Failed), true
		}
		n := 0
		for _, c := range s.Checks {
			if c.Passed == passed {
				n++
			}
		}
		return float64(n), true
	}
}

func journeysValue(f func(JourneyCounts) int64) func(*Summary, Threshold) (float64, bool) {
	return func(s *Summary, t Threshold) (float64, bool) {
		if t.SelKey == "scenario" {
			j := s.Journeys.ByScenario[t.SelVal]
			if j == nil {
				return 0, false
			}
			return float64(f(*j)), true
		}
		j := s.Journeys
		return float64(f(JourneyCounts{j.Planned, j.Started, j.Completed})), true
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
