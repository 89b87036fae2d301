package verify

import (
	"fmt"
	"time"

	"github.com/cioharness/cioharness/mockcio"
	"github.com/cioharness/cioharness/report"
	"github.com/cioharness/cioharness/scenarios"
)

// ledgerView fills p with a ledger person as the mock would hold them at
// real time at: the attributes, and the events landed by then (p's event
// slice is reused).
func ledgerView(p *mockcio.PersonView, r *scenarios.Record, e *scenarios.Expected, at time.Time, trunc bool) *mockcio.PersonView {
	*p = mockcio.PersonView{ID: e.ID, Email: e.Email, AnonymousIDs: e.AnonymousIDs, Attributes: e.Attributes, Events: p.Events[:0]}
	for i := range e.Events {
		ev := &e.Events[i]
		if r.Start.Add(realOffset(r, ev.Landed)).After(at) {
			continue
		}
		ts := ev.Timestamp
		if trunc {
			ts = ts.Truncate(time.Second)
		}
		p.Events = append(p.Events, mockcio.EventView{Name: ev.Name, Type: ev.Type, ID: ev.ID, Timestamp: ts, Data: ev.Data})
	}
	return p
}

// expectedMembers returns, per segment, the keys of the ledger people in it
// at at, with timestamps cut to whole seconds when trunc (Track's wire).
func (v *verifier) expectedMembers(segs []*mockcio.Segment, at time.Time, scale float64, trunc bool) []map[string]bool {
	out := make([]map[string]bool, len(segs))
	for i := range out {
		out[i] = map[string]bool{}
	}
	var buf mockcio.PersonView
	for _, r := range v.x.recs {
		for _, e := range r.People {
			p := ledgerView(&buf, r, e, at, trunc)
			for i, s := range segs {
				if s.Match(p, at, scale) {
					out[i][e.Key()] = true
				}
			}
		}
	}
	return out
}

// checkSegments: every shopper is on the side of every truth segment the
// ledger implies when the mock evaluated it. One item per shopper and
// segment, so that the shards of a run add up: a shopper is wrong when the
// mock's membership disagrees with every timing variant (just before and
// just after the evaluation, widened by the tolerance; exact and
// second-resolution timestamps). A member the ledger does not know is a
// defect in a whole run and another shard's shopper in a sharded one. A
// whole run reads the members only of the segments whose count lies outside
// the expected range (every read of members is a pass of the mock over all
// people): a count within it accepts every shopper.
func (v *verifier) checkSegments() report.Check {
	people := v.x.ledPeople()
	na := "the mock has no truth segment"
	if len(v.obs.Config.Segments) > 0 && len(people) == 0 {
		na = "no shopper was identified: the segments were checked to hold nobody"
		if v.opt.sharded() {
			na = "no shopper of this shard was identified"
		}
	}
	t := newTally(CheckSegmentsTruth, na)
	scale := v.obs.Config.TimeScale
	if scale <= 0 {
		scale = scenarios.DefaultTimeScale
	}
	segs, reads, from, to := v.segmentReads()
	if len(segs) == 0 {
		return t.done()
	}
	variants := v.segmentVariants(segs, from, to, scale)
	for i, sr := range reads {
		union, inter, nlo, nhi := bounds(variants, i)
		if !sr.Listed {
			v.judgeCount(t, sr, int64(len(people)), nlo, nhi)
			continue
		}
		got, unknown := v.segmentMembers(sr)
		for _, e := range people {
			k := e.Key()
			switch {
			case got[k] && !union[k]:
				t.fail(report.Example{Shopper: k, Event: sr.Name, Expected: "not a member", Actual: "member"})
			case !got[k] && inter[k]:
				t.fail(report.Example{Shopper: k, Event: sr.Name, Expected: "member", Actual: "not a member"})
			default:
				t.ok()
			}
		}
		if !v.opt.sharded() {
			for _, who := range unknown {
				t.fail(report.Example{Shopper: who, Event: sr.Name, Expected: "not a member (no shopper of the run)", Actual: "member"})
			}
		}
	}
	if t.c.Failed > 0 {
		t.notef("%d shoppers on the wrong side of a segment", t.c.Failed)
	}
	return t.done()
}

// segmentMembers maps a segment's members to the keys of the ledger people
// they stand for, and names the members the ledger does not know.
func (v *verifier) segmentMembers(sr SegmentRead) (got map[string]bool, unknown []string) {
	got = make(map[string]bool, len(sr.Members))
	for _, cio := range sr.Members {
		h := v.x.mockByCio[cio]
		switch {
		case h != nil && h.owner != nil:
			got[h.owner.Key()] = true
		case h != nil:
			unknown = append(unknown, h.name())
		default:
			unknown = append(unknown, "person cio_"+cio)
		}
	}
	return got, unknown
}

// judgeCount judges a segment read without its members by its count, in a
// whole run only (a shard's count includes the other shards' shoppers): a
// count between the expected extremes accepts every shopper; otherwise the
// segment's members are wanted (Run reads them and judges again) and, until
// then, the shoppers the count lies outside the range are on the wrong side.
func (v *verifier) judgeCount(t *tally, sr SegmentRead, people int64, nlo, nhi int) {
	off := int64(max(nlo-sr.Count, sr.Count-nhi, 0))
	if off > 0 || v.opt.sharded() {
		if v.failedSegments == nil {
			v.failedSegments = map[string]bool{}
		}
		v.failedSegments[sr.Name] = true
	}
	if v.opt.sharded() {
		return
	}
	t.c.Expected += max(people, off)
	t.c.Failed += off
	t.c.Observed += max(people, off) - off
	if off > 0 {
		t.c.Examples = append(t.c.Examples, report.Example{Shopper: "-", Event: sr.Name,
			Expected: fmt.Sprintf("%d members", nlo), Actual: fmt.Sprintf("%d members", sr.Count)})
	}
}

// segmentReads pairs each segment read from the mock with its definition,
// and returns the span of real time the reads took.
func (v *verifier) segmentReads() (segs []*mockcio.Segment, reads []SegmentRead, from, to time.Time) {
	defs := map[string]*mockcio.Segment{}
	for i := range v.obs.Config.Segments {
		defs[v.obs.Config.Segments[i].Name] = &v.obs.Config.Segments[i]
	}
	for _, sr := range v.obs.Segments {
		if def := defs[sr.Name]; def != nil {
			segs, reads = append(segs, def), append(reads, sr)
			if from.IsZero() || sr.From.Before(from) {
				from = sr.From
			}
			if sr.To.After(to) {
				to = sr.To
			}
		}
	}
	return segs, reads, from, to
}

// segmentVariants returns the expected members just before and just after
// the mock evaluated the segments (widened by the tolerance), with exact and
// with second-resolution timestamps: any count in between is accepted.
func (v *verifier) segmentVariants(segs []*mockcio.Segment, from, to time.Time, scale float64) [][]map[string]bool {
	var variants [][]map[string]bool
	for _, at := range []time.Time{from.Add(-v.opt.Tolerance), to.Add(v.opt.Tolerance)} {
		for _, trunc := range []bool{false, true} {
			variants = append(variants, v.expectedMembers(segs, at, scale, trunc))
		}
	}
	return variants
}

// bounds returns, for segment i, the members of any variant and of every
// variant, and the smallest and largest expected counts.
func bounds(variants [][]map[string]bool, i int) (union, inter map[string]bool, nlo, nhi int) {
	union, inter, nlo = map[string]bool{}, map[string]bool{}, -1
	for j, vs := range variants {
		set := vs[i]
		nhi = max(nhi, len(set))
		if nlo < 0 || len(set) < nlo {
			nlo = len(set)
		}
		for k := range set {
			union[k] = true
			if j == 0 && allHave(variants, i, k) {
				inter[k] = true
			}
		}
	}
	return union, inter, nlo, nhi
}

func allHave(variants [][]map[string]bool, i int, k string) bool {
	for _, vs := range variants {
		if !vs[i][k] {
			return false
		}
	}
	return true
}
