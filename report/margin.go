package report

import (
	"math"
	"time"
)

// marginQuantile returns quantile q of the signed suppression margins: the
// late ones (negative, kept as magnitudes in HistMarginLate) sort first.
func (s *Summary) marginQuantile(q float64) (time.Duration, bool) {
	pos, neg := s.Histograms[HistMargin], s.Histograms[HistMarginLate]
	np, nn := pos.Count(), neg.Count()
	n := np + nn
	if n == 0 {
		return 0, false
	}
	rank := int64(math.Ceil(q * float64(n)))
	rank = max(1, min(rank, n))
	if rank <= nn {
		// the rank-th most negative margin is the (nn-rank+1)-th smallest magnitude
		return -neg.Quantile(float64(nn-rank+1) / float64(nn)), true
	}
	return pos.Quantile(float64(rank-nn) / float64(np)), true
}

func (s *Summary) marginPercentiles() Percentiles {
	pos, neg := s.Histograms[HistMargin], s.Histograms[HistMarginLate]
	n := pos.Count() + neg.Count()
	if n == 0 {
		return Percentiles{}
	}
	at := func(q float64) float64 { d, _ := s.marginQuantile(q); return ms(d) }
	minv, maxv := pos.Min(), -neg.Min()
	if neg.Count() > 0 {
		minv = -neg.Max()
	}
	if pos.Count() > 0 {
		maxv = pos.Max()
	}
	mean := (float64(pos.Mean())*float64(pos.Count()) - float64(neg.Mean())*float64(neg.Count())) / float64(n)
	return Percentiles{Count: n, Min: ms(minv), P50: at(0.5), P90: at(0.9), P99: at(0.99), P999: at(0.999),
		Max: ms(maxv), Mean: ms(time.Duration(mean))}
}
