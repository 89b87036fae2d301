package report

import (
	"errors"
	"fmt"
	"slices"
)

// ErrDifferentRuns is returned by Merge for results of different runs.
var ErrDifferentRuns = errors.New("results of different runs")

// Merge combines the results of the shards of one run losslessly: counts add,
// histograms merge exactly (percentiles are recomputed from them), checks
// combine (passed only if passed everywhere, failures add, examples capped at
// MaxExamples; a check or violation of Scope ScopeMock is the shared mock's
// state read by every shard, so the reading with the largest Expected, or
// Count, is kept instead) and the thresholds the files carry are re-evaluated on the
// merged data. The inputs are not modified. Files of different runs (another
// run id, seed or shard count) or holding the same shard twice are refused.
func Merge(summaries ...*Summary) (*Summary, error) {
	if len(summaries) == 0 {
		return nil, errors.New("report: merge: no results")
	}
	if err := sameRun(summaries); err != nil {
		return nil, fmt.Errorf("report: merge: %w", err)
	}
	out := New()
	out.Run = summaries[0].Run
	out.Run.Shard = Shard{Count: summaries[0].Run.Shard.Count}
	out.Run.Scenarios = slices.Clone(out.Run.Scenarios)
	var exprs []string
	for _, s := range summaries {
		out.mergeOne(s)
		for _, t := range s.Thresholds {
			if !slices.Contains(exprs, t.Expr) {
				exprs = append(exprs, t.Expr)
			}
		}
	}
	slices.Sort(out.Run.Shard.Index)
	if sh := out.Run.Shard; !sh.Complete() {
		out.Warnings = append(out.Warnings, fmt.Sprintf("merged %d of %d shards (%s): the other shards' journeys are missing",
			len(sh.Index), sh.Count, sh))
	}
	ths, err := ParseThresholds(exprs)
	if err != nil {
		return nil, fmt.Errorf("report: merge: %w", err)
	}
	out.Finish(ths)
	return out, nil
}

// sameRun checks that the summaries are distinct shards of one run.
func sameRun(ss []*Summary) error {
	a := ss[0].Run
	seen := map[int]bool{}
	for i, s := range ss {
		b := s.Run
		switch {
		case b.ID != a.ID:
			return fmt.Errorf("%w: run id %q (file 1) and %q (file %d)", ErrDifferentRuns, a.ID, b.ID, i+1)
		case b.Seed != a.Seed:
			return fmt.Errorf("%w: seed %d (file 1) and %d (file %d)", ErrDifferentRuns, a.Seed, b.Seed, i+1)
		case b.Shard.Count != a.Shard.Count:
			return fmt.Errorf("%w: shard counts %d (file 1) and %d (file %d)", ErrDifferentRuns, a.Shard.Count, b.Shard.Count, i+1)
		}
		for _, ix := range b.Shard.Index {
			if seen[ix] {
				return fmt.Errorf("shard %d/%d appears twice (file %d)", ix, b.Shard.Count, i+1)
			}
			seen[ix] = true
		}
	}
	return nil
}

func (out *Summary) mergeOne(s *Summary) {
	r := &out.Run
	r.Shard.Index = append(r.Shard.Index, s.Run.Shard.Index...)
	r.StartedAt = minTime(r.StartedAt, s.Run.StartedAt)
	r.EndedAt = maxTime(r.EndedAt, s.Run.EndedAt)
	r.Duration = max(r.Duration, s.Run.Duration)
	out.mergeJourneys(&s.Journeys)
	out.mergeRequests(&s.Requests)
	h := &out.Harness
	h.PlannedRate += s.Harness.PlannedRate
	h.AchievedRate += s.Harness.AchievedRate
	h.Steps += s.Harness.Steps
	h.LateSteps += s.Harness.LateSteps
	h.MaxLagMS = max(h.MaxLagMS, s.Harness.MaxLagMS)
	h.CPUSeconds += s.Harness.CPUSeconds
	if out.Requests.Total > 0 {
		h.CPUPerReqUS = round3(h.CPUSeconds * 1e6 / float64(out.Requests.Total))
	}
	out.Delivery.Delivered += s.Delivery.Delivered
	out.Delivery.NeverDelivered += s.Delivery.NeverDelivered
	sp := &out.Suppression
	sp.Purchases += s.Suppression.Purchases
	sp.FalseSends += s.Suppression.FalseSends
	sp.MissedSends += s.Suppression.MissedSends
	for _, c := range s.Checks {
		out.mergeCheck(c)
	}
	for name, hist := range s.Histograms {
		out.Histogram(name).Merge(hist)
	}
	for _, w := range s.Warnings {
		if !slices.Contains(out.Warnings, w) {
			out.Warnings = append(out.Warnings, w)
		}
	}
	for _, v := range s.Violations {
		out.mergeViolation(v)
	}
	out.Timeline = mergeTimelines(out.Timeline, s.Timeline)
}

func (out *Summary) mergeJourneys(j *Journeys) {
	o := &out.Journeys
	o.Planned += j.Planned
	o.Started += j.Started
	o.Completed += j.Completed
	for name, c := range j.ByScenario {
		if o.ByScenario == nil {
			o.ByScenario = map[string]*JourneyCounts{}
		}
		t := o.ByScenario[name]
		if t == nil {
			t = &JourneyCounts{}
			o.ByScenario[name] = t
		}
		t.Planned += c.Planned
		t.Started += c.Started
		t.Completed += c.Completed
	}
}

func (out *Summary) mergeRequests(r *Requests) {
	o := &out.Requests
	o.Total += r.Total
	o.Calls += r.Calls
	o.Errors += r.Errors
	o.BytesOut += r.BytesOut
	o.BytesIn += r.BytesIn
	o.FirstAt = minTime(o.FirstAt, r.FirstAt)
	o.LastAt = maxTime(o.LastAt, r.LastAt)
	for k, v := range r.ErrorKinds {
		if o.ErrorKinds == nil {
			o.ErrorKinds = map[string]int64{}
		}
		o.ErrorKinds[k] += v
	}
	o.ByEndpoint = mergeGroups(o.ByEndpoint, r.ByEndpoint)
	o.ByEvent = mergeGroups(o.ByEvent, r.ByEvent)
	if o.ByEndpoint == nil {
		o.ByEndpoint = map[string]*EndpointStats{}
	}
}

func mergeGroups(dst, src map[string]*EndpointStats) map[string]*EndpointStats {
	for name, g := range src {
		if dst == nil {
			dst = map[string]*EndpointStats{}
		}
		d := dst[name]
		if d == nil {
			d = &EndpointStats{Status: map[int]int64{}}
			dst[name] = d
		}
		d.Count += g.Count
		d.Errors += g.Errors
		for st, n := range g.Status {
			d.Status[st] += n
		}
	}
	return dst
}

// mergeCheck combines a shard's check into the one of the same name.
func (out *Summary) mergeCheck(c Check) {
	t := out.check(c.Name)
	if t == nil {
		c.Examples = slices.Clone(c.Examples[:min(len(c.Examples), MaxExamples)])
		out.Checks = append(out.Checks, c)
		return
	}
	if t.Scope == ScopeMock || c.Scope == ScopeMock {
		// Every shard read the same mock; the last reader saw the most.
		if c.Expected > t.Expected || (c.Expected == t.Expected && c.Failed > t.Failed) {
			c.Examples = slices.Clone(c.Examples[:min(len(c.Examples), MaxExamples)])
			*t = c
		}
		return
	}
	t.Passed = t.Passed && c.Passed
	t.Expected += c.Expected
	t.Observed += c.Observed
	t.Failed += c.Failed
	if t.Note == "" {
		t.Note = c.Note
	}
	for _, e := range c.Examples {
		if len(t.Examples) >= MaxExamples {
			break
		}
		t.Examples = append(t.Examples, e)
	}
}

func (out *Summary) mergeViolation(v Violation) {
	for i := range out.Violations {
		o := &out.Violations[i]
		if o.Rule == v.Rule && o.Event == v.Event && o.Property == v.Property {
			if o.Scope == ScopeMock || v.Scope == ScopeMock {
				if v.Count > o.Count {
					v.Samples = slices.Clone(v.Samples[:min(len(v.Samples), MaxExamples)])
					*o = v
				}
				return
			}
			o.Count += v.Count
			for _, smp := range v.Samples {
				if len(o.Samples) < MaxExamples && !slices.Contains(o.Samples, smp) {
					o.Samples = append(o.Samples, smp)
				}
			}
			return
		}
	}
	v.Samples = slices.Clone(v.Samples[:min(len(v.Samples), MaxExamples)])
	out.Violations = append(out.Violations, v)
}
