package load

// stepHeap is a binary min-heap of pending steps ordered by intended time,
// then journey index and step, so that the order is deterministic. It avoids
// container/heap's interface boxing on the hot path.
type stepHeap []item

func (h stepHeap) less(a, b int) bool {
	x, y := &h[a], &h[b]
	if x.due != y.due {
		return x.due < y.due
	}
	if x.js.j.Index != y.js.j.Index {
		return x.js.j.Index < y.js.j.Index
	}
	return x.step < y.step
}

func (h *stepHeap) push(it item) {
	*h = append(*h, it)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if !s.less(i, p) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

func (h *stepHeap) pop() item {
	s := *h
	top := s[0]
	n := len(s) - 1
	s[0] = s[n]
	s[n] = item{}
	s = s[:n]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && s.less(l, m) {
			m = l
		}
		if r < n && s.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
	return top
}
