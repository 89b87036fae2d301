package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// Formats lists the renderers Render knows.
var Formats = []string{"text", "json", "html", "junit", "markdown"}

// Render writes s in the named format: text, json, html, junit or markdown.
func (s *Summary) Render(format string, w io.Writer) error {
	r, err := s.Renderer(format)
	if err != nil {
		return err
	}
	return r(w)
}

// Renderer returns the renderer of s for a format name.
func (s *Summary) Renderer(format string) (func(io.Writer) error, error) {
	switch format {
	case "text":
		return s.WriteText, nil
	case "json":
		return s.Encode, nil
	case "html":
		return s.WriteHTML, nil
	case "junit":
		return s.WriteJUnit, nil
	case "markdown", "md":
		return s.WriteMarkdown, nil
	}
	return nil, fmt.Errorf("report: unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

// textExamples is how many examples per failed check the text summary shows.
const textExamples = 3

// WriteText writes the end-of-run summary for a terminal: run facts,
// journeys, throughput, latency per endpoint (corrected and service time side
// by side, as wrk2 prints them), harness validity, delivery, suppression,
// checks with their first examples, thresholds and the verdict.
func (s *Summary) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	s.textRun(ew)
	s.textLatency(ew)
	s.textTimings(ew)
	s.textChecks(ew)
	s.textVerdict(ew)
	return ew.err
}

func (s *Summary) textRun(w *errWriter) {
	r := s.Run
	w.printf("cioharness %s · run %s · seed %d · shard %s\n", r.Version, r.ID, r.Seed, r.Shard)
	w.printf("  scenarios %s · api %s → %s\n", strings.Join(r.Scenarios, ", "), r.API, r.Target)
	w.printf("  rate %s for %s · time scale %g× · %s → %s (%s)\n\n", r.RateProfile, timeDuration(r.Duration),
		r.TimeScale, r.StartedAt.UTC().Format("2006-01-02 15:04:05"), r.EndedAt.UTC().Format("15:04:05 MST"),
		r.EndedAt.Sub(r.StartedAt).Round(1e6))
	j := s.Journeys
	w.printf("Journeys     %d planned · %d started · %d completed\n", j.Planned, j.Started, j.Completed)
	q := s.Requests
	w.printf("Requests     %d sent", q.Total)
	if q.Calls != q.Total {
		w.printf(" (%d calls)", q.Calls)
	}
	w.printf(" · %.1f/s · %d errors (%s) · %s out, %s in\n", q.RatePerS, q.Errors, pct(q.Errors, q.Total),
		bytesText(q.BytesOut), bytesText(q.BytesIn))
	for _, k := range topKinds(q.ErrorKinds, 3) {
		w.printf("             %d× %s\n", q.ErrorKinds[k], k)
	}
	h := s.Harness
	state := "valid"
	if !h.Valid {
		state = "INVALID: " + strings.Join(h.Problems, "; ")
	}
	w.printf("Harness      %s\n", state)
	w.printf("             started %.2f/s of %.2f/s planned · %d of %d steps over %dms late · max lag %s · CPU %s/request\n\n",
		h.AchievedRate, h.PlannedRate, h.LateSteps, h.Steps, LateAfterMS, FormatMS(h.MaxLagMS), FormatMS(h.CPUPerReqUS/1000))
}

func (s *Summary) textLatency(w *errWriter) {
	w.printf("Latency      corrected: from each request's intended start · service: from the write\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	nw := len("endpoint")
	for name := range s.Requests.ByEndpoint {
		nw = max(nw, len(name))
	}
	fmt.Fprintf(tw, "%-*s\tcount\terrors\tp50\tp90\tp99\tp99.9\tmax\t│\tp50\tp99\tmax\t\n", nw, "endpoint")
	row := func(name string, n, errs int64, l, sv Percentiles) {
		fmt.Fprintf(tw, "%-*s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t│\t%s\t%s\t%s\t\n", nw, name, n, errs,
			FormatMS(l.P50), FormatMS(l.P90), FormatMS(l.P99), FormatMS(l.P999), FormatMS(l.Max),
			FormatMS(sv.P50), FormatMS(sv.P99), FormatMS(sv.Max))
	}
	row("all", s.Requests.Total, s.Requests.Errors, s.Requests.LatencyMS, s.Requests.ServiceMS)
	for _, name := range sortedKeys(s.Requests.ByEndpoint) {
		e := s.Requests.ByEndpoint[name]
		row(name, e.Count, e.Errors, e.LatencyMS, e.ServiceMS)
	}
	w.err = firstErr(w.err, tw.Flush())
	w.printf("\n")
}

func (s *Summary) textTimings(w *errWriter) {
	d, p := s.Delivery, s.Suppression
	if d.Delivered+d.NeverDelivered == 0 && p.Purchases == 0 && p.PropagationMS.Count == 0 {
		w.printf("Delivery     not verified in this run\n\n")
		return
	}
	s.textDelivery(w)
	w.printf("Suppression  %d purchases · %d false sends · %d missed sends\n", p.Purchases, p.FalseSends, p.MissedSends)
	if p.PropagationMS.Count > 0 {
		w.printf("             propagation p50 %s · p99 %s · max %s\n", FormatMS(p.PropagationMS.P50),
			FormatMS(p.PropagationMS.P99), FormatMS(p.PropagationMS.Max))
	}
	if p.MarginMS.Count > 0 {
		w.printf("             margin of exit events before the message was due: min %s · p50 %s (negative = arrived too late)\n",
			FormatMS(p.MarginMS.Min), FormatMS(p.MarginMS.P50))
	}
	w.printf("\n")
}

func (s *Summary) textDelivery(w *errWriter) {
	d := s.Delivery
	w.printf("Delivery     from intended start to stored on the person: %d delivered · %d never\n", d.Delivered, d.NeverDelivered)
	if d.DeliveryMS.Count == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	nw := len("event")
	for name := range d.ByEvent {
		nw = max(nw, len(name))
	}
	fmt.Fprintf(tw, "%-*s\tcount\tp50\tp90\tp99\tmax\t\n", nw, "event")
	prow := func(name string, p Percentiles) {
		fmt.Fprintf(tw, "%-*s\t%d\t%s\t%s\t%s\t%s\t\n", nw, name, p.Count, FormatMS(p.P50), FormatMS(p.P90), FormatMS(p.P99), FormatMS(p.Max))
	}
	prow("all", d.DeliveryMS)
	for _, name := range sortedKeys(d.ByEvent) {
		prow(name, d.ByEvent[name])
	}
	w.err = firstErr(w.err, tw.Flush())
}

func (s *Summary) textChecks(w *errWriter) {
	if len(s.Checks) > 0 {
		w.printf("Checks\n")
	}
	for _, c := range s.Checks {
		w.printf("  %s  %-38s %s\n", passText(c.Passed), c.Name, checkCounts(c))
		if c.Note != "" {
			w.printf("        note: %s\n", c.Note)
		}
		shown := min(len(c.Examples), textExamples)
		for _, e := range c.Examples[:shown] {
			w.printf("        %s\n", exampleText(e))
		}
		if more := c.Failed - int64(shown); shown > 0 && more > 0 {
			w.printf("        … and %d more (examples: the results file or --html)\n", more)
		}
	}
	if len(s.Thresholds) > 0 {
		w.printf("Thresholds\n")
	}
	for _, t := range s.Thresholds {
		w.printf("  %s  %-38s %s\n", passText(t.Passed), t.Expr, t.Shown)
	}
	for _, m := range s.Warnings {
		w.printf("Warning: %s\n", m)
	}
}

func (s *Summary) textVerdict(w *errWriter) {
	v := s.Verdict
	w.printf("\nVerdict: %s (exit %d)\n", strings.ToUpper(v.Status), v.ExitCode)
	for _, r := range v.Reasons {
		w.printf("  - %s\n", r)
	}
}

func checkCounts(c Check) string {
	if c.Passed {
		return fmt.Sprintf("%d of %d ok", c.Observed, c.Expected)
	}
	return fmt.Sprintf("%d failed of %d", c.Failed, c.Expected)
}

func exampleText(e Example) string {
	what := e.Event
	if e.Attribute != "" {
		what = strings.TrimSpace(what + " " + e.Attribute)
	}
	if what != "" {
		what += ": "
	}
	return fmt.Sprintf("%s  %sexpected %s; got %s", e.Shopper, what, e.Expected, e.Actual)
}

func passText(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

func pct(n, of int64) string {
	if of == 0 {
		return "0%"
	}
	return fmt.Sprintf("%.2f%%", 100*float64(n)/float64(of))
}

func bytesText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// topKinds returns the n most frequent keys, ties by name.
func topKinds(m map[string]int64, n int) []string {
	keys := sortedKeys(m)
	sort.SliceStable(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] })
	return keys[:min(n, len(keys))]
}

// errWriter keeps the first write error so renderers can print freely.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }

func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func timeDuration(d Duration) time.Duration { return time.Duration(d) }
