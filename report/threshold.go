package report

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Threshold is a parsed pass/fail rule `METRIC OP VALUE` (SPEC.md §9), e.g.
// `latency{endpoint=track}.p999<1s`, `errors.rate<0.1%`, `checks.failed==0`.
// Evaluate it on a Summary; because it reads the histograms, a merged
// Summary evaluates exactly as one run would.
type Threshold struct {
	Expr   string  // the expression as written
	Metric string  // the metric without its selector, e.g. "latency.p99"
	SelKey string  // selector key ("endpoint", "event", "name"), or ""
	SelVal string  // selector value
	Op     string  // one of < <= > >= == !=
	Value  float64 // in the metric's unit: ms, fraction, count or per second
	m      metric
}

// metricKind is what a metric measures, which fixes the units it accepts.
type metricKind int

const (
	kindDuration metricKind = iota // milliseconds; units ns us ms s m h (plain number = ms)
	kindRatio                      // fraction; unit % (plain number = fraction)
	kindCount                      // plain number
	kindRate                       // per second; unit /s or plain number
)

var ops = []string{"<=", ">=", "==", "!=", "<", ">"}

var valueRE = regexp.MustCompile(`^([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)\s*(ns|us|µs|ms|s|m|h|%|/s)?$`)

// ParseThreshold parses one threshold expression. Errors name the
// expression and say what is wrong with it.
func ParseThreshold(expr string) (Threshold, error) {
	t := Threshold{Expr: expr}
	i, op, err := findOp(expr)
	if err != nil {
		return t, fmt.Errorf("threshold %q: %w", expr, err)
	}
	t.Op = op
	name := strings.TrimSpace(expr[:i])
	val := strings.TrimSpace(expr[i+len(op):])
	if name == "" {
		return t, fmt.Errorf("threshold %q: missing metric before %s", expr, op)
	}
	if t.Metric, t.SelKey, t.SelVal, err = splitSelector(name); err != nil {
		return t, fmt.Errorf("threshold %q: %w", expr, err)
	}
	if t.m, err = lookupMetric(t.Metric); err != nil {
		return t, fmt.Errorf("threshold %q: %w", expr, err)
	}
	if t.SelKey != "" && !strings.Contains(t.m.selectors, t.SelKey) {
		return t, fmt.Errorf("threshold %q: %s takes no {%s=…} selector%s", expr, t.Metric, t.SelKey, selectorHint(t.m))
	}
	if t.Value, err = parseValue(val, t.m.kind); err != nil {
		return t, fmt.Errorf("threshold %q: %w", expr, err)
	}
	return t, nil
}

// ParseThresholds parses several expressions, stopping at the first error.
func ParseThresholds(exprs []string) ([]Threshold, error) {
	out := make([]Threshold, 0, len(exprs))
	for _, e := range exprs {
		t, err := ParseThreshold(e)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func selectorHint(m metric) string {
	if m.selectors == "" {
		return ""
	}
	return " (it takes " + strings.ReplaceAll(m.selectors, ",", " or ") + ")"
}

// findOp returns the position and text of the comparison operator, ignoring
// anything inside a {selector}.
func findOp(s string) (int, string, error) {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '{':
			depth++
		case '}':
			depth--
		case '<', '>', '=', '!':
			if depth > 0 {
				continue
			}
			for _, op := range ops {
				if strings.HasPrefix(s[i:], op) {
					return i, op, nil
				}
			}
			return 0, "", fmt.Errorf("unknown operator at %q (want one of < <= > >= == !=)", s[i:])
		}
	}
	if depth != 0 {
		return 0, "", fmt.Errorf("unclosed { in the metric")
	}
	return 0, "", fmt.Errorf("no operator (want METRIC OP VALUE with one of < <= > >= == !=)")
}

// splitSelector takes `latency{endpoint=track}.p99` apart into
// "latency.p99", "endpoint", "track".
func splitSelector(name string) (metric, key, val string, err error) {
	open := strings.IndexByte(name, '{')
	if open < 0 {
		if strings.ContainsAny(name, "} \t") {
			return "", "", "", fmt.Errorf("bad metric name %q", name)
		}
		return name, "", "", nil
	}
	end := strings.IndexByte(name[open:], '}')
	if end < 0 {
		return "", "", "", fmt.Errorf("unclosed { in %q", name)
	}
	end += open
	sel := name[open+1 : end]
	key, val, ok := strings.Cut(sel, "=")
	key, val = strings.TrimSpace(key), strings.Trim(strings.TrimSpace(val), `"'`)
	if !ok || key == "" || val == "" {
		return "", "", "", fmt.Errorf("bad selector {%s}: want {key=value}", sel)
	}
	metric = name[:open] + name[end+1:]
	if strings.ContainsAny(metric, "{} \t") {
		return "", "", "", fmt.Errorf("bad metric name %q (one selector at most)", name)
	}
	return metric, key, val, nil
}

func parseValue(s string, kind metricKind) (float64, error) {
	m := valueRE.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("bad value %q (want a number with an optional unit ns, us, ms, s, m, %%)", s)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, fmt.Errorf("bad number %q", m[1])
	}
	unit := m[2]
	switch kind {
	case kindDuration:
		f, ok := durationUnits[unit]
		if !ok {
			return 0, fmt.Errorf("unit %q does not fit a duration (use ns, us, ms, s, m)", unit)
		}
		return v * f, nil
	case kindRatio:
		switch unit {
		case "%":
			return v / 100, nil
		case "":
			return v, nil
		}
		return 0, fmt.Errorf("unit %q does not fit a rate (use %% or a fraction)", unit)
	case kindRate:
		if unit == "" || unit == "/s" {
			return v, nil
		}
		return 0, fmt.Errorf("unit %q does not fit a per-second rate (use /s or a plain number)", unit)
	}
	if unit != "" {
		return 0, fmt.Errorf("unit %q does not fit a count (use a plain number)", unit)
	}
	return v, nil
}

// durationUnits converts to milliseconds; a plain number is milliseconds.
var durationUnits = map[string]float64{
	"": 1, "ns": 1e-6, "us": 1e-3, "µs": 1e-3, "ms": 1, "s": 1e3, "m": 60e3, "h": 3600e3,
}

// Evaluate computes the metric on s and compares it. A metric with no data
// (no requests on the selected endpoint, no deliveries …) fails, so a typo in
// a selector cannot pass silently.
func (t Threshold) Evaluate(s *Summary) ThresholdResult {
	r := ThresholdResult{Expr: t.Expr}
	v, ok := t.m.get(s, t)
	if !ok {
		r.Shown = "no data"
		return r
	}
	r.Value = &v
	r.Shown = formatValue(v, t.m.kind)
	r.Passed = compare(v, t.Op, t.Value)
	return r
}

func compare(v float64, op string, want float64) bool {
	const eps = 1e-9
	switch op {
	case "<":
		return v < want
	case "<=":
		return v <= want+eps
	case ">":
		return v > want
	case ">=":
		return v >= want-eps
	case "==":
		return math.Abs(v-want) <= eps
	}
	return math.Abs(v-want) > eps // "!="
}

func formatValue(v float64, kind metricKind) string {
	switch kind {
	case kindDuration:
		return FormatMS(v)
	case kindRatio:
		return strconv.FormatFloat(round3(v*100), 'f', -1, 64) + "%"
	case kindRate:
		return strconv.FormatFloat(round3(v), 'f', -1, 64) + "/s"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// FormatMS formats milliseconds for people: "850µs", "12.3ms", "4.21s".
func FormatMS(v float64) string {
	a := math.Abs(v)
	switch {
	case a == 0:
		return "0ms"
	case a < 1:
		return strconv.FormatFloat(math.Round(v*1000), 'f', -1, 64) + "µs"
	case a < 1000:
		return strconv.FormatFloat(sig3(v), 'f', -1, 64) + "ms"
	case a < 60000:
		return strconv.FormatFloat(sig3(v/1000), 'f', -1, 64) + "s"
	}
	return strconv.FormatFloat(sig3(v/60000), 'f', -1, 64) + "m"
}

// sig3 rounds to three significant digits.
func sig3(v float64) float64 {
	if v == 0 {
		return 0
	}
	p := math.Pow(10, 2-math.Floor(math.Log10(math.Abs(v))))
	return math.Round(v*p) / p
}
