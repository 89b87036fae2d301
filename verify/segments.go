package verify

import (
	"fmt"
	"sort"
	"strings"
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

// checkSegments: each truth segment's count in the mock equals the count the
// ledger implies when the mock evaluated it (any count between the ledger's
// counts just before and just after is accepted). One item per segment;
// Failed counts the shoppers the mock puts on the wrong side.
func (v *verifier) checkSegments() report.Check {
	t := newTally(CheckSegmentsTruth, "the mock has no truth segment")
	scale := v.obs.Config.TimeScale
	if scale <= 0 {
		scale = scenarios.DefaultTimeScale
	}
	segs, reads, from, to := v.segmentReads()
	if len(segs) == 0 {
		return t.done()
	}
	variants := v.segmentVariants(segs, from, to, scale)
	var wrong int64
	for i, sr := range reads {
		union, inter, nlo, nhi := bounds(variants, i)
		if sr.Count >= nlo && sr.Count <= nhi {
			t.ok()
			continue
		}
		if v.failedSegments == nil {
			v.failedSegments = map[string]bool{}
		}
		var exs []report.Example
		var n int64
		if sr.Members == nil {
			v.failedSegments[sr.Name] = true
			n = int64(max(nlo-sr.Count, sr.Count-nhi))
		} else {
			exs, n = v.segmentDiff(sr, union, inter)
		}
		wrong += n
		t.c.Expected++
		t.c.Failed++
		for _, ex := range exs {
			if len(t.c.Examples) < report.MaxExamples {
				t.c.Examples = append(t.c.Examples, ex)
			}
		}
		if len(exs) == 0 {
			t.c.Examples = append(t.c.Examples, report.Example{Shopper: "-", Event: sr.Name,
				Expected: fmt.Sprintf("%d members", nlo), Actual: fmt.Sprintf("%d members", sr.Count)})
		}
	}
	if wrong > 0 {
		t.notef("%d shoppers on the wrong side of a segment", wrong)
	}
	c := t.done()
	if len(v.x.ledPeople()) == 0 {
		c.Note = strings.TrimSuffix(NotApplicable+" (no shopper was identified: the segments were checked to be empty); "+c.Note, "; ")
	}
	return c
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

// segmentDiff names the shoppers the mock includes though no expectation
// has them, or leaves out though every expectation has them.
func (v *verifier) segmentDiff(sr SegmentRead, union, inter map[string]bool) ([]report.Example, int64) {
	got := map[string]bool{}
	var out []report.Example
	var n int64
	for _, cio := range sr.Members {
		key := "person cio_" + cio
		if h := v.x.mockByCio[cio]; h != nil && h.owner != nil {
			key = h.owner.Key()
		}
		got[key] = true
		if !union[key] {
			n++
			out = append(out, report.Example{Shopper: key, Event: sr.Name, Expected: "not a member", Actual: "member"})
		}
	}
	var missing []string
	for k := range inter {
		if !got[k] {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	for _, k := range missing {
		n++
		out = append(out, report.Example{Shopper: k, Event: sr.Name, Expected: "member", Actual: "not a member"})
	}
	return out, n
}
