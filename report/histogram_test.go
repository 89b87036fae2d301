package report

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

func TestHistogramZeroValue(t *testing.T) {
	t.Parallel()
	var h Histogram
	if got := h.Count(); got != 0 {
		t.Fatalf("Count() = %d, want 0", got)
	}
	if got := h.Quantile(0.99); got != 0 {
		t.Fatalf("Quantile(0.99) = %v, want 0", got)
	}
	s, err := h.Encode()
	if err != nil || s != "" {
		t.Fatalf("Encode() = %q, %v; want empty", s, err)
	}
	h.Record(5 * time.Millisecond)
	if got, want := h.Count(), int64(1); got != want {
		t.Fatalf("Count() = %d, want %d", got, want)
	}
}

func TestHistogramQuantiles(t *testing.T) {
	t.Parallel()
	h := NewHistogram()
	for i := 1; i <= 1000; i++ {
		h.Record(time.Duration(i) * time.Millisecond)
	}
	tests := []struct {
		name string
		got  time.Duration
		want time.Duration
	}{
		{"p50", h.Quantile(0.5), 500 * time.Millisecond},
		{"p90", h.Quantile(0.9), 900 * time.Millisecond},
		{"p99", h.Quantile(0.99), 990 * time.Millisecond},
		{"p100", h.Quantile(1), 1000 * time.Millisecond},
		{"max", h.Max(), 1000 * time.Millisecond},
		{"min", h.Min(), 1 * time.Millisecond},
		{"mean", h.Mean(), 500500 * time.Microsecond},
	}
	for _, tt := range tests {
		// 3 significant digits: within 0.1% (plus the bucket width)
		if diff := tt.got - tt.want; diff < -tt.want/500 || diff > tt.want/500 {
			t.Errorf("%s = %v, want %v ±0.2%%", tt.name, tt.got, tt.want)
		}
	}
}

func TestHistogramClamps(t *testing.T) {
	t.Parallel()
	h := NewHistogram()
	h.Record(0)
	h.Record(-time.Second)
	h.Record(500 * time.Nanosecond)
	h.Record(2 * time.Hour)
	if got, want := h.Count(), int64(4); got != want {
		t.Fatalf("Count() = %d, want %d (no value may be dropped)", got, want)
	}
	if got := h.Min(); got != HistogramMin {
		t.Errorf("Min() = %v, want %v", got, HistogramMin)
	}
	if got := h.Max(); got < HistogramMax || got > HistogramMax+HistogramMax/500 {
		t.Errorf("Max() = %v, want about %v", got, HistogramMax)
	}
}

func TestHistogramEncodeMergeRoundTrip(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	a, b, all := NewHistogram(), NewHistogram(), NewHistogram()
	for i := 0; i < 5000; i++ {
		d := time.Duration(rng.ExpFloat64() * float64(20*time.Millisecond))
		if i%2 == 0 {
			a.Record(d)
		} else {
			b.Record(d)
		}
		all.Record(d)
	}
	var decoded []*Histogram
	for _, h := range []*Histogram{a, b} {
		js, err := json.Marshal(h)
		if err != nil {
			t.Fatal(err)
		}
		var d Histogram
		if err := json.Unmarshal(js, &d); err != nil {
			t.Fatal(err)
		}
		if !d.Equal(h) {
			t.Fatalf("decoded histogram differs from the encoded one")
		}
		decoded = append(decoded, &d)
	}
	merged := NewHistogram()
	merged.Merge(decoded[0])
	merged.Merge(decoded[1])
	if !merged.Equal(all) {
		t.Fatalf("merge of decoded halves differs from the whole")
	}
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
		if got, want := merged.Quantile(q), all.Quantile(q); got != want {
			t.Errorf("merged q%v = %v, want %v (exact)", q, got, want)
		}
	}
}

func TestDecodeHistogramBad(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"!!!", "AAAA", "HISTFAAAAB"} {
		if _, err := DecodeHistogram(in); err == nil {
			t.Errorf("DecodeHistogram(%q) = nil error, want error", in)
		}
	}
}

func TestMiniHistQuantile(t *testing.T) {
	t.Parallel()
	var h miniHist
	for i := 1; i <= 1000; i++ {
		h.record(time.Duration(i) * time.Millisecond)
	}
	for _, q := range []float64{0.5, 0.99} {
		want := time.Duration(q*1000) * time.Millisecond
		got := h.quantile(q)
		if got < want || got > want+want/16+time.Millisecond {
			t.Errorf("quantile(%v) = %v, want within 1/16 above %v", q, got, want)
		}
	}
}

func BenchmarkHistogramRecord(b *testing.B) {
	h := NewHistogram()
	for i := 0; b.Loop(); i++ {
		h.Record(time.Duration(i%100000) * time.Microsecond)
	}
}

func TestHistogramQuantilesMatchQuantile(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	h := NewHistogram()
	for i := 0; i < 3000; i++ {
		h.Record(time.Duration(rng.ExpFloat64() * float64(50*time.Millisecond)))
	}
	qs := []float64{0.999, 0, 0.5, 0.9, 0.99, 1}
	got := h.Quantiles(qs...)
	for i, q := range qs {
		if want := h.Quantile(q); got[i] != want {
			t.Errorf("Quantiles[%v] = %v, want %v", q, got[i], want)
		}
	}
}

// TestDecodeForeignHistogram reads a histogram written with other bounds
// (another tool's HdrHistogram, in microseconds) into ours.
func TestDecodeForeignHistogram(t *testing.T) {
	t.Parallel()
	f := hdrhistogram.New(1, 10_000_000, 2)
	for i := int64(1); i <= 1000; i++ {
		_ = f.RecordValue(i * 1000) // 1..1000 ms in µs
	}
	enc, err := f.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		t.Fatal(err)
	}
	h, err := DecodeHistogram(string(enc))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := h.Count(), int64(1000); got != want {
		t.Errorf("Count() = %d, want %d", got, want)
	}
	if got, want := h.Quantile(0.5), 500*time.Millisecond; got < want || got > want+want/50 {
		t.Errorf("p50 = %v, want %v within the writer's 2 digits", got, want)
	}
}
