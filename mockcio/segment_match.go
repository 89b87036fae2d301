package mockcio

import "time"

// Match reports whether person p belongs to segment s at real time now, with
// shopper-time windows divided by timeScale. It is the evaluator behind GET
// /__mock/segments, exported for readers (the verifier) that predict a
// segment's count from people of their own.
func (s *Segment) Match(p *PersonView, now time.Time, timeScale float64) bool {
	x := evalCtx{now: now, clock: NewClock(timeScale, func() time.Time { return now }), person: p}
	return s.Where.match(&x)
}
