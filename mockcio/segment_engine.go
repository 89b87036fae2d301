package mockcio

// Segments implements Retention: every truth segment's count, evaluated now in
// one pass over the people.
func (e *Engine) Segments() []SegmentView {
	st := e.state.Load()
	out := make([]SegmentView, len(st.segments))
	for i, s := range st.segments {
		out[i].Name = s.Name
	}
	if len(out) == 0 {
		return out
	}
	x := evalCtx{now: e.host.Now(), clock: e.clock}
	e.host.EachPerson(func(p *PersonView) bool {
		x.person = p
		for i := range st.segments {
			if st.segments[i].Where.match(&x) {
				out[i].Count++
			}
		}
		return true
	})
	return out
}

// Segment implements Retention: one truth segment, with its members' cio_ids
// (in creation order) when members is set.
func (e *Engine) Segment(name string, members bool) (SegmentView, bool) {
	st := e.state.Load()
	for i := range st.segments {
		if st.segments[i].Name == name {
			return e.evalSegment(&st.segments[i], members), true
		}
	}
	return SegmentView{}, false
}

func (e *Engine) evalSegment(s *Segment, members bool) SegmentView {
	v := SegmentView{Name: s.Name}
	x := evalCtx{now: e.host.Now(), clock: e.clock}
	e.host.EachPerson(func(p *PersonView) bool {
		x.person = p
		if s.Where.match(&x) {
			v.Count++
			if members {
				v.Members = append(v.Members, p.CioID)
			}
		}
		return true
	})
	if members && v.Members == nil {
		v.Members = []string{}
	}
	return v
}
