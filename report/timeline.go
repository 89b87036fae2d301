package report

import (
	"math/bits"
	"strconv"
	"time"
)

// Timeline is requests over time, for the HTML report's time plot: one point
// per BucketS seconds from Start, by completion time.
type Timeline struct {
	Start   time.Time   `json:"start"`
	BucketS int         `json:"bucket_s"`
	Points  []TimePoint `json:"points"`
}

// TimePoint is one bucket of the timeline. Its percentiles are approximate
// (within 1/16 of the value): they come from a small log-linear histogram, not
// from HdrHistogram, so that a long run keeps only a kilobyte per bucket.
// Merging timelines adds counts and keeps the larger percentile.
type TimePoint struct {
	Requests int64   `json:"requests"`
	Errors   int64   `json:"errors"`
	P50MS    float64 `json:"p50_ms"`
	P99MS    float64 `json:"p99_ms"`
}

// maxTimelinePoints bounds the points written; longer runs get wider buckets.
const maxTimelinePoints = 600

// maxTimelineSeconds bounds the buckets kept in memory (a day).
const maxTimelineSeconds = 86400

type timelineBuilder struct {
	buckets []tlBucket
}

type tlBucket struct {
	requests, errors int64
	hist             miniHist
}

func (t *timelineBuilder) add(start time.Time, r *Result) {
	done := r.Intended.Add(r.Latency)
	i := int(done.Sub(start) / time.Second)
	i = max(0, min(i, maxTimelineSeconds-1))
	for len(t.buckets) <= i {
		t.buckets = append(t.buckets, tlBucket{})
	}
	b := &t.buckets[i]
	b.requests++
	if !r.OK() {
		b.errors++
	}
	b.hist.record(r.Latency)
}

func (t *timelineBuilder) build(start time.Time) *Timeline {
	if len(t.buckets) == 0 {
		return nil
	}
	width := (len(t.buckets) + maxTimelinePoints - 1) / maxTimelinePoints
	tl := &Timeline{Start: start, BucketS: width}
	for i := 0; i < len(t.buckets); i += width {
		var agg tlBucket
		for j := i; j < min(i+width, len(t.buckets)); j++ {
			b := &t.buckets[j]
			agg.requests += b.requests
			agg.errors += b.errors
			agg.hist.merge(&b.hist)
		}
		tl.Points = append(tl.Points, TimePoint{
			Requests: agg.requests, Errors: agg.errors,
			P50MS: ms(agg.hist.quantile(0.5)), P99MS: ms(agg.hist.quantile(0.99)),
		})
	}
	return tl
}

// miniHist is a log-linear histogram of microseconds: 16 sub-buckets per
// power of two, 1 µs .. 2^36 µs, about 2 KB.
type miniHist struct {
	n      int64
	counts [37 * 16]uint32
}

func miniIndex(us uint64) int {
	if us < 16 {
		return int(us)
	}
	o := bits.Len64(us) - 5 // shift keeping the top 5 bits (16..31)
	return (o+1)*16 + int(us>>uint(o)) - 16
}

func miniValue(i int) time.Duration {
	if i < 16 {
		return time.Duration(i) * time.Microsecond
	}
	o := i/16 - 1
	top := uint64(i%16+16) << uint(o)
	return time.Duration(top+(1<<uint(o))-1) * time.Microsecond
}

func (h *miniHist) record(d time.Duration) {
	us := uint64(max(d/time.Microsecond, 0))
	i := min(miniIndex(us), len(h.counts)-1)
	h.counts[i]++
	h.n++
}

func (h *miniHist) merge(o *miniHist) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
}

func (h *miniHist) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := int64(q*float64(h.n) + 0.5)
	rank = max(1, min(rank, h.n))
	var seen int64
	for i, c := range h.counts {
		seen += int64(c)
		if seen >= rank {
			return miniValue(i)
		}
	}
	return miniValue(len(h.counts) - 1)
}

// ms converts a duration to milliseconds rounded to the microsecond.
func ms(d time.Duration) float64 { return float64(d/time.Microsecond) / 1000 }

func itoa(i int) string { return strconv.Itoa(i) }

// mergeTimelines aligns two timelines on their start times and adds their
// counts; percentiles keep the larger value (an upper bound: the per-bucket
// histograms are not saved).
func mergeTimelines(a, b *Timeline) *Timeline {
	if b == nil || len(b.Points) == 0 {
		return a
	}
	if a == nil || len(a.Points) == 0 {
		c := *b
		c.Points = append([]TimePoint(nil), b.Points...)
		return &c
	}
	out := &Timeline{Start: minTime(a.Start, b.Start), BucketS: max(a.BucketS, b.BucketS, 1)}
	for _, t := range []*Timeline{a, b} {
		off := int(t.Start.Sub(out.Start) / time.Second)
		for i, p := range t.Points {
			j := (off + i*max(t.BucketS, 1)) / out.BucketS
			for len(out.Points) <= j {
				out.Points = append(out.Points, TimePoint{})
			}
			o := &out.Points[j]
			o.Requests += p.Requests
			o.Errors += p.Errors
			o.P50MS = max(o.P50MS, p.P50MS)
			o.P99MS = max(o.P99MS, p.P99MS)
		}
	}
	return out
}

func minTime(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
