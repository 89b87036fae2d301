package report

import (
	"io"
	"strings"
)

// WriteMarkdown writes the summary as Markdown, for a pull-request comment
// or a CI job summary (e.g. $GITHUB_STEP_SUMMARY).
func (s *Summary) WriteMarkdown(w io.Writer) error {
	ew := &errWriter{w: w}
	v := s.Verdict
	ew.printf("## cioharness: %s %s (exit %d)\n\n", verdictIcon(v.Status), strings.ToUpper(v.Status), v.ExitCode)
	for _, r := range v.Reasons {
		ew.printf("- %s\n", mdEscape(r))
	}
	if len(v.Reasons) > 0 {
		ew.printf("\n")
	}
	r := s.Run
	ew.printf("Run `%s` · seed %d · shard %s · scenarios %s · api `%s` → %s · rate %s for %s · time scale %g×\n\n",
		r.ID, r.Seed, r.Shard, strings.Join(r.Scenarios, ", "), r.API, mdEscape(r.Target), r.RateProfile,
		timeDuration(r.Duration), r.TimeScale)
	j, q, h := s.Journeys, s.Requests, s.Harness
	ew.printf("| journeys planned | started | completed | requests | errors | req/s | harness |\n|---:|---:|---:|---:|---:|---:|---|\n")
	valid := "valid"
	if !h.Valid {
		valid = "**invalid**: " + mdEscape(strings.Join(h.Problems, "; "))
	}
	ew.printf("| %d | %d | %d | %d | %d (%s) | %.1f | %s |\n\n", j.Planned, j.Started, j.Completed, q.Total, q.Errors,
		pct(q.Errors, q.Total), q.RatePerS, valid)
	s.mdLatency(ew)
	s.mdChecks(ew)
	for _, m := range s.Warnings {
		ew.printf("> **Warning:** %s\n", mdEscape(m))
	}
	return ew.err
}

func (s *Summary) mdLatency(w *errWriter) {
	w.printf("### Latency\n\nCorrected from each request's intended start; service time from the write.\n\n")
	w.printf("| endpoint | count | errors | p50 | p90 | p99 | p99.9 | max | service p50 | service p99 |\n")
	w.printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	row := func(name string, n, errs int64, l, sv Percentiles) {
		w.printf("| `%s` | %d | %d | %s | %s | %s | %s | %s | %s | %s |\n", name, n, errs, FormatMS(l.P50),
			FormatMS(l.P90), FormatMS(l.P99), FormatMS(l.P999), FormatMS(l.Max), FormatMS(sv.P50), FormatMS(sv.P99))
	}
	row("all", s.Requests.Total, s.Requests.Errors, s.Requests.LatencyMS, s.Requests.ServiceMS)
	for _, name := range sortedKeys(s.Requests.ByEndpoint) {
		e := s.Requests.ByEndpoint[name]
		row(name, e.Count, e.Errors, e.LatencyMS, e.ServiceMS)
	}
	d := s.Delivery
	w.printf("\n### Delivery and suppression\n\n| metric | count | p50 | p99 | max |\n|---|---:|---:|---:|---:|\n")
	prow := func(name string, p Percentiles) {
		w.printf("| %s | %d | %s | %s | %s |\n", name, p.Count, FormatMS(p.P50), FormatMS(p.P99), FormatMS(p.Max))
	}
	prow("delivery (all events)", d.DeliveryMS)
	for _, name := range sortedKeys(d.ByEvent) {
		prow("delivery: "+mdEscape(name), d.ByEvent[name])
	}
	sp := s.Suppression
	prow("purchase propagation", sp.PropagationMS)
	prow("suppression margin", sp.MarginMS)
	w.printf("\n%d never delivered · %d purchases · %d false sends · %d missed sends · suppression margin min %s\n\n",
		d.NeverDelivered, sp.Purchases, sp.FalseSends, sp.MissedSends, FormatMS(sp.MarginMS.Min))
}

func (s *Summary) mdChecks(w *errWriter) {
	if len(s.Checks) > 0 {
		w.printf("### Checks\n\n| | check | result |\n|---|---|---|\n")
	}
	for _, c := range s.Checks {
		w.printf("| %s | `%s` | %s |\n", passIcon(c.Passed), c.Name, checkCounts(c))
	}
	for _, c := range s.Checks {
		if len(c.Examples) == 0 {
			continue
		}
		w.printf("\n<details><summary><code>%s</code>: %d example(s)</summary>\n\n", c.Name, len(c.Examples))
		w.printf("| shopper | event / attribute | expected | actual |\n|---|---|---|---|\n")
		for _, e := range c.Examples {
			w.printf("| %s | %s | %s | %s |\n", mdEscape(e.Shopper), mdEscape(strings.TrimSpace(e.Event+" "+e.Attribute)),
				mdEscape(e.Expected), mdEscape(e.Actual))
		}
		w.printf("\n</details>\n")
	}
	if len(s.Thresholds) > 0 {
		w.printf("\n### Thresholds\n\n| | threshold | observed |\n|---|---|---:|\n")
	}
	for _, t := range s.Thresholds {
		w.printf("| %s | `%s` | %s |\n", passIcon(t.Passed), t.Expr, t.Shown)
	}
	w.printf("\n")
}

func passIcon(ok bool) string {
	if ok {
		return "✅"
	}
	return "❌"
}

func verdictIcon(status string) string {
	switch status {
	case StatusPass:
		return "✅"
	case StatusInvalid:
		return "⚠️"
	}
	return "❌"
}

var mdReplacer = strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;")

func mdEscape(s string) string { return mdReplacer.Replace(s) }
