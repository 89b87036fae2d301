package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"text/tabwriter"
)

// Comparison is the regression table of a run against a baseline.
type Comparison struct {
	Base    string          `json:"base"`    // baseline run id
	Current string          `json:"current"` // current run id
	Rows    []ComparisonRow `json:"rows"`
}

// ComparisonRow compares one metric. Delta is Current−Base in the metric's
// unit; DeltaPct is relative to Base (nil when Base is 0). Worse says the
// change goes the wrong way (slower, fewer, more failures) by more than
// RegressionPct.
type ComparisonRow struct {
	Metric   string   `json:"metric"`
	Unit     string   `json:"unit"` // "ms", "/s", "%", ""
	Base     float64  `json:"base"`
	Current  float64  `json:"current"`
	Delta    float64  `json:"delta"`
	DeltaPct *float64 `json:"delta_pct"`
	Worse    bool     `json:"worse"`
	Better   bool     `json:"better"`
}

// RegressionPct is the relative change under which a row is neither worse
// nor better: noise between two runs of the same build.
const RegressionPct = 5.0

// Compare builds the regression table: latency and service percentiles
// overall and per endpoint, delivery and suppression timings, throughput,
// error rate, journeys and each check's failures.
func Compare(base, cur *Summary) *Comparison {
	c := &Comparison{Base: base.Run.ID, Current: cur.Run.ID}
	lower, higher := true, false
	for _, p := range []struct{ name, hist string }{
		{"latency", HistLatency}, {"service", HistService}, {"delivery", HistDelivery},
		{"suppression.propagation", HistPropagation},
	} {
		c.percentileRows(p.name, base.Histograms[p.hist], cur.Histograms[p.hist])
	}
	for _, ep := range unionKeys(base.Requests.ByEndpoint, cur.Requests.ByEndpoint) {
		n := Selected(HistLatency, "endpoint", ep)
		c.add(n+".p99", "ms", ms(base.Histograms[n].Quantile(0.99)), ms(cur.Histograms[n].Quantile(0.99)), lower)
	}
	c.add("requests.rate", "/s", base.Requests.RatePerS, cur.Requests.RatePerS, higher)
	c.add("requests.total", "", float64(base.Requests.Total), float64(cur.Requests.Total), higher)
	c.add("errors.rate", "%", errRate(base)*100, errRate(cur)*100, lower)
	c.add("journeys.completed", "", float64(base.Journeys.Completed), float64(cur.Journeys.Completed), higher)
	c.add("harness.max_lag", "ms", base.Harness.MaxLagMS, cur.Harness.MaxLagMS, lower)
	c.add("suppression.false_sends", "", float64(base.Suppression.FalseSends), float64(cur.Suppression.FalseSends), lower)
	c.add("suppression.missed_sends", "", float64(base.Suppression.MissedSends), float64(cur.Suppression.MissedSends), lower)
	names := map[string]bool{}
	for _, s := range []*Summary{base, cur} {
		for _, ch := range s.Checks {
			names[ch.Name] = true
		}
	}
	for _, n := range sortedKeys(names) {
		var b, k float64
		if ch := base.check(n); ch != nil {
			b = float64(ch.Failed)
		}
		if ch := cur.check(n); ch != nil {
			k = float64(ch.Failed)
		}
		c.add("checks.failed{name="+n+"}", "", b, k, lower)
	}
	return c
}

func (c *Comparison) percentileRows(name string, b, k *Histogram) {
	if b.Count() == 0 && k.Count() == 0 {
		return
	}
	for _, q := range []struct {
		stat string
		q    float64
	}{{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"p999", 0.999}} {
		c.add(name+"."+q.stat, "ms", ms(b.Quantile(q.q)), ms(k.Quantile(q.q)), true)
	}
	c.add(name+".max", "ms", ms(b.Max()), ms(k.Max()), true)
}

func (c *Comparison) add(metric, unit string, base, cur float64, lowerIsBetter bool) {
	r := ComparisonRow{Metric: metric, Unit: unit, Base: base, Current: cur, Delta: round3(cur - base)}
	if base != 0 {
		p := round3((cur - base) / math.Abs(base) * 100)
		r.DeltaPct = &p
	}
	up := cur > base && (r.DeltaPct == nil || *r.DeltaPct > RegressionPct)
	down := cur < base && (r.DeltaPct == nil || *r.DeltaPct < -RegressionPct)
	changed := up || down
	r.Worse = changed && up == lowerIsBetter
	r.Better = changed && up != lowerIsBetter
	c.Rows = append(c.Rows, r)
}

// Regressions counts the rows that got worse.
func (c *Comparison) Regressions() int {
	n := 0
	for _, r := range c.Rows {
		if r.Worse {
			n++
		}
	}
	return n
}

// WriteText renders the table for a terminal.
func (c *Comparison) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Comparison: base %s → current %s\n\n", c.Base, c.Current)
	fmt.Fprintln(tw, "metric\tbase\tcurrent\tdelta\t")
	for _, r := range c.Rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Metric, fmtUnit(r.Base, r.Unit), fmtUnit(r.Current, r.Unit), r.deltaText(), r.mark())
	}
	fmt.Fprintf(tw, "\n%d regression(s) beyond %.0f%%\n", c.Regressions(), RegressionPct)
	return tw.Flush()
}

// WriteMarkdown renders the table as a Markdown table.
func (c *Comparison) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## Comparison: `%s` → `%s`\n\n| metric | base | current | delta | |\n|---|---:|---:|---:|---|\n", c.Base, c.Current)
	for _, r := range c.Rows {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", r.Metric, fmtUnit(r.Base, r.Unit), fmtUnit(r.Current, r.Unit), r.deltaText(), r.mark())
	}
	fmt.Fprintf(&b, "\n%d regression(s) beyond %.0f%%.\n", c.Regressions(), RegressionPct)
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON renders the table as JSON.
func (c *Comparison) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c); err != nil {
		return fmt.Errorf("report: compare: %w", err)
	}
	return nil
}

func (r ComparisonRow) deltaText() string {
	d := fmtUnit(r.Delta, r.Unit)
	if r.Delta > 0 {
		d = "+" + d
	}
	if r.DeltaPct != nil {
		d += fmt.Sprintf(" (%+.1f%%)", *r.DeltaPct)
	}
	return d
}

func (r ComparisonRow) mark() string {
	switch {
	case r.Worse:
		return "worse"
	case r.Better:
		return "better"
	}
	return ""
}

func fmtUnit(v float64, unit string) string {
	switch unit {
	case "ms":
		return FormatMS(v)
	case "":
		return fmt.Sprintf("%g", v)
	}
	return fmt.Sprintf("%g%s", round3(v), unit)
}

func errRate(s *Summary) float64 {
	if s.Requests.Total == 0 {
		return 0
	}
	return float64(s.Requests.Errors) / float64(s.Requests.Total)
}

func unionKeys(a, b map[string]*EndpointStats) []string {
	m := map[string]bool{}
	for k := range a {
		m[k] = true
	}
	for k := range b {
		m[k] = true
	}
	return sortedKeys(m)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Renderer returns the renderer of the table for a format: text, json or
// markdown.
func (c *Comparison) Renderer(format string) (func(io.Writer) error, error) {
	switch format {
	case "text":
		return c.WriteText, nil
	case "json":
		return c.WriteJSON, nil
	case "markdown", "md":
		return c.WriteMarkdown, nil
	}
	return nil, fmt.Errorf("report: a comparison renders as text, json or markdown, not %q", format)
}
