package report

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram bounds. Values are kept in microseconds inside an HdrHistogram
// tracking 1 µs .. 1 hour with 3 significant digits (relative error ≤ 0.1%).
// Values under 1 µs are recorded as 1 µs and values over an hour as an hour, so
// a recorded value is never lost: Count always equals the number of Records.
const (
	HistogramMin    = time.Microsecond
	HistogramMax    = time.Hour
	HistogramDigits = 3
)

// Histogram is a latency distribution on HdrHistogram with a time.Duration
// API. The zero value is an empty histogram ready to use. It is not safe for
// concurrent use. Its JSON form is the HdrHistogram V2 compressed base64
// encoding, so histograms saved in result files merge exactly.
type Histogram struct {
	h *hdrhistogram.Histogram
}

// NewHistogram returns an empty histogram.
func NewHistogram() *Histogram { return &Histogram{} }

func newHdr() *hdrhistogram.Histogram {
	return hdrhistogram.New(int64(HistogramMin/time.Microsecond), int64(HistogramMax/time.Microsecond), HistogramDigits)
}

func (h *Histogram) init() {
	if h.h == nil {
		h.h = newHdr()
	}
}

// Record adds one value, clamped to [HistogramMin, HistogramMax].
func (h *Histogram) Record(d time.Duration) { h.RecordN(d, 1) }

// RecordN adds n occurrences of one value, clamped like Record.
func (h *Histogram) RecordN(d time.Duration, n int64) {
	if n <= 0 {
		return
	}
	h.init()
	us := int64(d / time.Microsecond)
	if us < 1 {
		us = 1
	}
	if max := int64(HistogramMax / time.Microsecond); us > max {
		us = max
	}
	_ = h.h.RecordValues(us, n) // in range by construction
}

// Merge adds every value of o to h; o is unchanged. A nil o is empty.
func (h *Histogram) Merge(o *Histogram) {
	if o == nil || o.h == nil || o.h.TotalCount() == 0 {
		return
	}
	h.init()
	h.h.Merge(o.h)
}

// Clone returns an independent copy of h.
func (h *Histogram) Clone() *Histogram {
	c := &Histogram{}
	c.Merge(h)
	return c
}

// Count is the number of values recorded.
func (h *Histogram) Count() int64 {
	if h == nil || h.h == nil {
		return 0
	}
	return h.h.TotalCount()
}

// Quantile returns the value at quantile q in [0, 1] (0.99 is the 99th
// percentile); 0 when the histogram is empty.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.Count() == 0 {
		return 0
	}
	q = math.Max(0, math.Min(1, q))
	return time.Duration(h.h.ValueAtQuantile(q*100)) * time.Microsecond
}

// Quantiles returns the values at several quantiles in one pass, in the
// order given; all 0 when the histogram is empty.
func (h *Histogram) Quantiles(qs ...float64) []time.Duration {
	out := make([]time.Duration, len(qs))
	if h.Count() == 0 {
		return out
	}
	pcts := make([]float64, len(qs))
	for i, q := range qs {
		pcts[i] = math.Max(0, math.Min(1, q)) * 100
	}
	for i, v := range h.h.ValueAtPercentilesSlice(pcts) {
		out[i] = time.Duration(v) * time.Microsecond
	}
	return out
}

// Min is the smallest value recorded (to the histogram's precision).
func (h *Histogram) Min() time.Duration {
	if h.Count() == 0 {
		return 0
	}
	return time.Duration(h.h.Min()) * time.Microsecond
}

// Max is the largest value recorded (to the histogram's precision).
func (h *Histogram) Max() time.Duration {
	if h.Count() == 0 {
		return 0
	}
	return time.Duration(h.h.Max()) * time.Microsecond
}

// Mean is the mean of the values recorded.
func (h *Histogram) Mean() time.Duration {
	if h.Count() == 0 {
		return 0
	}
	return time.Duration(h.h.Mean() * float64(time.Microsecond))
}

// Equal reports whether h and o hold the same counts at the same values.
func (h *Histogram) Equal(o *Histogram) bool {
	if h.Count() == 0 || o.Count() == 0 {
		return h.Count() == o.Count()
	}
	return h.h.Equals(o.h)
}

// Bar is one bucket of a histogram's distribution: Count values in [From, To].
type Bar struct {
	From, To time.Duration
	Count    int64
}

// Bars returns the non-empty buckets in increasing order of value.
func (h *Histogram) Bars() []Bar {
	if h.Count() == 0 {
		return nil
	}
	var out []Bar
	for _, b := range h.h.Distribution() {
		if b.Count > 0 {
			out = append(out, Bar{time.Duration(b.From) * time.Microsecond, time.Duration(b.To) * time.Microsecond, b.Count})
		}
	}
	return out
}

// Encode returns the HdrHistogram V2 compressed encoding in base64; "" for an
// empty histogram.
func (h *Histogram) Encode() (string, error) {
	if h.Count() == 0 {
		return "", nil
	}
	b, err := h.h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return "", fmt.Errorf("histogram: encode: %w", err)
	}
	return string(b), nil
}

// DecodeHistogram parses the output of Encode (or any HdrHistogram V2
// compressed base64 string). Values are re-recorded into the fixed bounds, so
// histograms from any writer merge with ours.
func DecodeHistogram(s string) (*Histogram, error) {
	if s == "" {
		return &Histogram{}, nil
	}
	d, err := hdrhistogram.Decode([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("histogram: decode: %w", err)
	}
	h := &Histogram{}
	if d.LowestTrackableValue() == 1 && d.HighestTrackableValue() == int64(HistogramMax/time.Microsecond) &&
		d.SignificantFigures() == HistogramDigits {
		h.h = d
		return h, nil
	}
	for _, b := range d.Distribution() {
		h.RecordN(time.Duration(b.To)*time.Microsecond, b.Count)
	}
	return h, nil
}

// MarshalJSON encodes h as a JSON string (see Encode).
func (h *Histogram) MarshalJSON() ([]byte, error) {
	s, err := h.Encode()
	if err != nil {
		return nil, err
	}
	return json.Marshal(s)
}

// UnmarshalJSON decodes a JSON string written by MarshalJSON.
func (h *Histogram) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("histogram: %w", err)
	}
	d, err := DecodeHistogram(s)
	if err != nil {
		return err
	}
	*h = *d
	return nil
}
