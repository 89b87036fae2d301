package report

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
)

// chart is a small inline-SVG plot: lines and bars on linear or log axes.
// The HTML report draws every plot with it, so the page needs no script and
// no network to show them.
type chart struct {
	kind          string // data-plot attribute, for tests and styling
	title         string
	xLabel        string
	yLabel        string
	x, y          axis
	lines         []line
	bars          []bar
	vlines        []vline
	width, height float64
}

type axis struct {
	min, max float64
	ticks    []tick
}

type tick struct {
	v     float64
	label string
}

type line struct {
	name  string
	color string
	xs    []float64
	ys    []float64
	dash  bool
}

type bar struct {
	x0, x1, y float64
	color     string
	title     string
}

type vline struct {
	x     float64
	label string
	color string
}

const (
	padLeft, padRight, padTop, padBottom = 64.0, 16.0, 50.0, 44.0
)

var palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"}

func (c *chart) px(v float64) float64 {
	w := c.width - padLeft - padRight
	if c.x.max == c.x.min {
		return padLeft
	}
	return padLeft + (v-c.x.min)/(c.x.max-c.x.min)*w
}

func (c *chart) py(v float64) float64 {
	h := c.height - padTop - padBottom
	if c.y.max == c.y.min {
		return c.height - padBottom
	}
	return c.height - padBottom - (v-c.y.min)/(c.y.max-c.y.min)*h
}

// svg renders the chart.
func (c *chart) svg() string {
	if c.width == 0 {
		c.width = 960
	}
	if c.height == 0 {
		c.height = 320
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="plot" data-plot="%s" viewBox="0 0 %g %g" width="%g" height="%g" role="img" aria-label="%s">`,
		c.kind, c.width, c.height, c.width, c.height, html.EscapeString(c.title))
	fmt.Fprintf(&b, `<rect x="0" y="0" width="%g" height="%g" fill="#fff"/>`, c.width, c.height)
	fmt.Fprintf(&b, `<text x="%g" y="20" class="ptitle">%s</text>`, padLeft, html.EscapeString(c.title))
	c.axes(&b)
	for _, br := range c.bars {
		x0, x1 := c.px(br.x0), c.px(br.x1)
		y0, y1 := c.py(math.Max(c.y.min, 0)), c.py(br.y)
		fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s</title></rect>`,
			x0, math.Min(y0, y1), math.Max(x1-x0-0.5, 0.5), math.Abs(y0-y1), br.color, html.EscapeString(br.title))
	}
	for _, v := range c.vlines {
		x := c.px(v.x)
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%g" y2="%g" stroke="%s" stroke-dasharray="4 3"/>`, x, x, padTop, c.height-padBottom, v.color)
		fmt.Fprintf(&b, `<text x="%.1f" y="%g" class="small" fill="%s">%s</text>`, x+4, padTop+12, v.color, html.EscapeString(v.label))
	}
	for _, l := range c.lines {
		c.path(&b, l)
	}
	c.legend(&b)
	b.WriteString(`</svg>`)
	return b.String()
}

func (c *chart) axes(b *strings.Builder) {
	left, right, top, bottom := padLeft, c.width-padRight, padTop, c.height-padBottom
	for _, t := range c.y.ticks {
		y := c.py(t.v)
		fmt.Fprintf(b, `<line class="grid" x1="%g" x2="%g" y1="%.1f" y2="%.1f"/>`, left, right, y, y)
		fmt.Fprintf(b, `<text x="%g" y="%.1f" class="small" text-anchor="end">%s</text>`, left-6, y+4, html.EscapeString(t.label))
	}
	for _, t := range c.x.ticks {
		x := c.px(t.v)
		fmt.Fprintf(b, `<line class="grid" x1="%.1f" x2="%.1f" y1="%g" y2="%g"/>`, x, x, top, bottom)
		fmt.Fprintf(b, `<text x="%.1f" y="%g" class="small" text-anchor="middle">%s</text>`, x, bottom+16, html.EscapeString(t.label))
	}
	fmt.Fprintf(b, `<rect x="%g" y="%g" width="%g" height="%g" fill="none" stroke="#888"/>`, left, top, right-left, bottom-top)
	fmt.Fprintf(b, `<text x="%g" y="%g" class="small" text-anchor="middle">%s</text>`, (left+right)/2, c.height-6, html.EscapeString(c.xLabel))
	fmt.Fprintf(b, `<text x="14" y="%g" class="small" text-anchor="middle" transform="rotate(-90 14 %g)">%s</text>`,
		(top+bottom)/2, (top+bottom)/2, html.EscapeString(c.yLabel))
}

func (c *chart) path(b *strings.Builder, l line) {
	if len(l.xs) == 0 {
		return
	}
	var d strings.Builder
	for i := range l.xs {
		cmd := "L"
		if i == 0 {
			cmd = "M"
		}
		fmt.Fprintf(&d, "%s%.1f %.1f ", cmd, c.px(l.xs[i]), c.py(math.Min(l.ys[i], c.y.max)))
	}
	dash := ""
	if l.dash {
		dash = ` stroke-dasharray="6 4"`
	}
	fmt.Fprintf(b, `<path class="series" data-series="%s" d="%s" fill="none" stroke="%s" stroke-width="2"%s/>`,
		html.EscapeString(l.name), strings.TrimSpace(d.String()), l.color, dash)
}

func (c *chart) legend(b *strings.Builder) {
	x := c.width - padRight - 8
	for i := len(c.lines) - 1; i >= 0; i-- {
		l := c.lines[i]
		if l.name == "" {
			continue
		}
		w := 7*float64(len([]rune(l.name))) + 26
		x -= w
		fmt.Fprintf(b, `<line x1="%.1f" x2="%.1f" y1="%g" y2="%g" stroke="%s" stroke-width="3"/>`, x, x+16, padTop-10, padTop-10, l.color)
		fmt.Fprintf(b, `<text x="%.1f" y="%g" class="small">%s</text>`, x+20, padTop-6, html.EscapeString(l.name))
	}
}

// niceTicks returns about n round ticks covering [0, max] and the rounded max.
func niceTicks(max float64, n int, format func(float64) string) ([]tick, float64) {
	if max <= 0 || math.IsNaN(max) {
		max = 1
	}
	raw := max / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	top := math.Ceil(max/step) * step
	var ts []tick
	for v := 0.0; v <= top+step/2; v += step {
		ts = append(ts, tick{v, format(v)})
	}
	return ts, top
}

// spectrumChart plots latency by percentile the way HdrHistogram's plotter
// does: x is 1/(1−q) on a log scale, so the tail gets the room.
func spectrumChart(kind, title string, names []string, hs []*Histogram) *chart {
	c := &chart{kind: kind, title: title, xLabel: "percentile (log scale of 1/(1−q))", yLabel: "latency (ms)"}
	var n int64
	maxY := 0.0
	for _, h := range hs {
		n = max(n, h.Count())
		maxY = math.Max(maxY, ms(h.Max()))
	}
	xmax := math.Min(math.Max(math.Log10(float64(n)), 2), 6)
	c.x = axis{min: 0, max: xmax}
	for k := 0; float64(k) <= xmax; k++ {
		c.x.ticks = append(c.x.ticks, tick{float64(k), spectrumLabel(k)})
	}
	c.y.ticks, c.y.max = niceTicks(maxY, 5, func(v float64) string { return FormatMS(v) })
	const steps = 120
	for i, h := range hs {
		if h.Count() == 0 {
			continue
		}
		l := line{name: names[i], color: palette[i%len(palette)], dash: strings.HasPrefix(names[i], "service")}
		qs := make([]float64, steps+1)
		for k := range qs {
			xv := xmax * float64(k) / steps
			qs[k] = 1 - math.Pow(10, -xv)
			l.xs = append(l.xs, xv)
		}
		for _, v := range h.Quantiles(qs...) {
			l.ys = append(l.ys, ms(v))
		}
		c.lines = append(c.lines, l)
	}
	return c
}

func spectrumLabel(k int) string {
	if k == 0 {
		return "0%"
	}
	return strconv.FormatFloat(100-100/math.Pow(10, float64(k)), 'f', -1, 64) + "%"
}
