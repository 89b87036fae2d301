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
func ledgerView(p *mockcio.PersonView, r *scenarios.Record, e *scenarios.Expected, at time.Time) *mockcio.PersonView {
	*p = mockcio.PersonView{ID: e.ID, Email: e.Email, AnonymousIDs: e.AnonymousIDs, Attributes: e.Attributes, Events: p.Events[:0]}
	for i := range e.Events {
		ev := &e.Events[i]
		if r.Start.Add(realOffset(r, ev.Landed)).After(at) {
			continue
		}
		p.Events = append(p.Events, mockcio.EventView{Name: ev.Name, Type: ev.Type, ID: ev.ID, Timestamp: ev.Timestamp, Data: ev.Data})
	}
	return p
}

// expectedMembers returns, per segment, the keys of the ledger people in it
// at at.
func (v *verifier) expectedMembers(segs []*mockcio.Segment, at time.Time, scale float64) []map[string]bool {
	out := make([]map[string]bool, len(segs))
	for i := range out {
		out[i] = map[string]bool{}
	}
	var buf mockcio.PersonView
	for _, r := range v.x.recs {
		for _, e := range r.People {
			p := ledgerView(&buf, r, e, at)
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
	defs := map[string]*mockcio.Segment{}
	for i := range v.obs.Config.Segments {
		defs[v.obs.Config.Segments[i].Name] = &v.obs.Config.Segments[i]
	}
	scale := v.obs.Config.TimeScale
	if scale <= 0 {
		scale = scenarios.DefaultTimeScale
	}
	var segs []*mockcio.Segment
	var reads []SegmentRead
	var from, to time.Time
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
	if len(segs) == 0 {
		return t.done()
	}
	los, his := v.expectedMembers(segs, from, scale), v.expectedMembers(segs, to, scale)
	var wrong int64
	for i, sr := range reads {
		lo, hi := los[i], his[i]
		nlo, nhi := min(len(lo), len(hi)), max(len(lo), len(hi))
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
			exs, n = v.segmentDiff(sr, lo, hi)
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

// segmentDiff names the shoppers the mock includes or leaves out wrongly.
func (v *verifier) segmentDiff(sr SegmentRead, lo, hi map[string]bool) ([]report.Example, int64) {
	got := map[string]bool{}
	var out []report.Example
	var n int64
	for _, cio := range sr.Members {
		key := "person cio_" + cio
		if h := v.x.mockByCio[cio]; h != nil && h.owner != nil {
			key = h.owner.Key()
		}
		got[key] = true
		if !lo[key] && !hi[key] {
			n++
			out = append(out, report.Example{Shopper: key, Event: sr.Name, Expected: "not a member", Actual: "member"})
		}
	}
	var missing []string
	for k := range lo {
		if hi[k] && !got[k] {
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
