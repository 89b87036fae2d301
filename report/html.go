package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
)

//go:embed report.html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"ms":       FormatMS,
	"pct":      pct,
	"bytes":    bytesText,
	"upper":    strings.ToUpper,
	"counts":   checkCounts,
	"join":     strings.Join,
	"dur":      timeDuration,
	"sorted":   sortedKeys[*EndpointStats],
	"pass":     passText,
	"ptiles":   sortedKeys[Percentiles],
	"minus":    func(a, b int64) int64 { return a - b },
	"example":  exampleText,
	"errkinds": func(m map[string]int64) []string { return topKinds(m, maxErrorKinds+1) },
}).Parse(htmlSource))

// htmlData is what the page template reads: the summary and its plots.
type htmlData struct {
	S                                                 *Summary
	Latency, Delivery, Requests, LatencyTime, Margins template.HTML
	ChecksFailed                                      int
}

// WriteHTML writes one self-contained HTML page: no script, no stylesheet or
// font from the network; every plot is inline SVG drawn here: the latency
// percentile spectrum (log scale, HdrHistogram style), requests and latency
// over time, delivery time per event name, the suppression margin
// distribution; then checks with their examples and the contract
// violations table.
func (s *Summary) WriteHTML(w io.Writer) error {
	d := htmlData{S: s, Latency: svgOf(s.latencyChart()), Delivery: svgOf(s.deliveryChart()),
		Margins: svgOf(s.marginChart())}
	rate, lat := s.timelineCharts()
	d.Requests, d.LatencyTime = svgOf(rate), svgOf(lat)
	for _, c := range s.Checks {
		if !c.Passed {
			d.ChecksFailed++
		}
	}
	if err := htmlTemplate.Execute(w, d); err != nil {
		return fmt.Errorf("report: html: %w", err)
	}
	return nil
}

// svgOf renders a chart; the SVG is built from escaped text only.
func svgOf(c *chart) template.HTML {
	if c == nil {
		return ""
	}
	return template.HTML(c.svg()) //nolint:gosec // every text in it went through html.EscapeString
}
