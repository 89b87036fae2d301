package report

import (
	"fmt"
	"math"
	"time"
)

// latencyChart is the percentile spectrum of corrected latency and service
// time overall, and corrected latency for the busiest endpoints.
func (s *Summary) latencyChart() *chart {
	names := []string{"latency (corrected)", "service (raw)"}
	hs := []*Histogram{s.Histograms[HistLatency], s.Histograms[HistService]}
	for _, ep := range topEndpoints(s.Requests.ByEndpoint, 4) {
		names = append(names, ep)
		hs = append(hs, s.Histograms[Selected(HistLatency, "endpoint", ep)])
	}
	return spectrumChart("latency-spectrum", "Latency by percentile", names, hs)
}

// deliveryChart is the percentile spectrum of delivery time per event name.
func (s *Summary) deliveryChart() *chart {
	if s.Histograms[HistDelivery].Count() == 0 {
		return nil
	}
	names := []string{"all events"}
	hs := []*Histogram{s.Histograms[HistDelivery]}
	for _, ev := range s.selectorValues(HistDelivery, "event") {
		names = append(names, ev)
		hs = append(hs, s.Histograms[Selected(HistDelivery, "event", ev)])
	}
	c := spectrumChart("delivery-spectrum", "Delivery time by event (intended start → stored on the person)", names, hs)
	c.yLabel = "delivery (ms)"
	return c
}

// timelineCharts are requests per second (errors in red) and p50/p99
// latency over the run.
func (s *Summary) timelineCharts() (*chart, *chart) {
	tl := s.Timeline
	if tl == nil || len(tl.Points) == 0 {
		return nil, nil
	}
	bs := float64(max(tl.BucketS, 1))
	end := float64(len(tl.Points)) * bs
	xt := timeTicks(end)
	rate := &chart{kind: "requests-over-time", title: "Requests per second", xLabel: "seconds since start",
		yLabel: "requests/s", x: axis{min: 0, max: end, ticks: xt}, height: 220}
	lat := &chart{kind: "latency-over-time", title: "Latency over time (corrected)", xLabel: "seconds since start",
		yLabel: "latency (ms)", x: axis{min: 0, max: end, ticks: xt}, height: 240}
	maxR, maxL := 0.0, 0.0
	p50 := line{name: "p50", color: palette[0]}
	p99 := line{name: "p99", color: palette[3]}
	for i, p := range tl.Points {
		x0 := float64(i) * bs
		r := float64(p.Requests) / bs
		maxR, maxL = math.Max(maxR, r), math.Max(maxL, p.P99MS)
		rate.bars = append(rate.bars, bar{x0: x0, x1: x0 + bs, y: r, color: "#6baed6",
			title: fmt.Sprintf("t=%gs: %.1f req/s, %d errors", x0, r, p.Errors)})
		if p.Errors > 0 {
			rate.bars = append(rate.bars, bar{x0: x0, x1: x0 + bs, y: float64(p.Errors) / bs, color: "#d62728",
				title: fmt.Sprintf("t=%gs: %d errors", x0, p.Errors)})
		}
		if p.Requests > 0 {
			p50.xs, p50.ys = append(p50.xs, x0+bs/2), append(p50.ys, p.P50MS)
			p99.xs, p99.ys = append(p99.xs, x0+bs/2), append(p99.ys, p.P99MS)
		}
	}
	rate.y.ticks, rate.y.max = niceTicks(maxR, 4, func(v float64) string { return fmt.Sprintf("%g", v) })
	lat.y.ticks, lat.y.max = niceTicks(maxL, 4, FormatMS)
	lat.lines = []line{p50, p99}
	rate.lines = []line{{name: "requests", color: "#6baed6"}, {name: "errors", color: "#d62728"}}
	return rate, lat
}

// timeTicks returns about six round second marks up to end.
func timeTicks(end float64) []tick {
	steps := []float64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200}
	step := steps[len(steps)-1]
	for _, s := range steps {
		if end/s <= 8 {
			step = s
			break
		}
	}
	var ts []tick
	for v := 0.0; v <= end; v += step {
		ts = append(ts, tick{v, (time.Duration(v) * time.Second).String()})
	}
	return ts
}

// marginChart is the distribution of suppression margins: how long before
// each suppressed message was due its exit event (usually Order Placed)
// arrived (red: after, a false send).
func (s *Summary) marginChart() *chart {
	pos, neg := s.Histograms[HistMargin], s.Histograms[HistMarginLate]
	if pos.Count()+neg.Count() == 0 {
		return nil
	}
	type pt struct {
		v float64
		n int64
	}
	var pts []pt
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, b := range pos.Bars() {
		pts = append(pts, pt{ms(b.To), b.Count})
	}
	for _, b := range neg.Bars() {
		pts = append(pts, pt{-ms(b.To), b.Count})
	}
	for _, p := range pts {
		lo, hi = math.Min(lo, p.v), math.Max(hi, p.v)
	}
	lo, hi = math.Min(lo, 0), math.Max(hi, 0)
	if hi == lo {
		hi = lo + 1
	}
	const bins = 40
	width := (hi - lo) / bins
	counts := make([]int64, bins)
	for _, p := range pts {
		counts[min(int((p.v-lo)/width), bins-1)] += p.n
	}
	c := &chart{kind: "margin-distribution", title: "Suppression margin: exit event (Order Placed) arrival before the message was due",
		xLabel: "margin (ms; negative = the exit event arrived after the due time)", yLabel: "messages", x: axis{min: lo, max: hi}}
	maxN := 0.0
	for i, n := range counts {
		if n == 0 {
			continue
		}
		x0 := lo + float64(i)*width
		color := "#2ca02c"
		if x0+width <= 0 {
			color = "#d62728"
		}
		c.bars = append(c.bars, bar{x0: x0, x1: x0 + width, y: float64(n), color: color,
			title: fmt.Sprintf("%s … %s: %d", FormatMS(x0), FormatMS(x0+width), n)})
		maxN = math.Max(maxN, float64(n))
	}
	for i := 0; i <= 4; i++ {
		v := lo + (hi-lo)*float64(i)/4
		c.x.ticks = append(c.x.ticks, tick{v, FormatMS(v)})
	}
	c.y.ticks, c.y.max = niceTicks(maxN, 4, func(v float64) string { return fmt.Sprintf("%g", v) })
	c.vlines = []vline{{x: 0, label: "due time", color: "#333"}}
	return c
}

// topEndpoints returns the n endpoints with the most requests.
func topEndpoints(m map[string]*EndpointStats, n int) []string {
	counts := make(map[string]int64, len(m))
	for k, v := range m {
		counts[k] = v.Count
	}
	return topKinds(counts, n)
}
