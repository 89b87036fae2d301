package mockcio

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/cioharness/cioharness/cio"
)

// TestSelectSmallest: ps[:k] holds exactly the k smallest cio_ids.
func TestSelectSmallest(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{2, 3, 10, 100, 1000} {
		for _, k := range []int{1, n / 2, n - 1} {
			if k < 1 {
				continue
			}
			ps := make([]*person, n)
			for i, v := range r.Perm(n) {
				ps[i] = &person{cioID: fmt.Sprintf("%012x", v)}
			}
			selectSmallest(ps, k)
			got := make([]string, k)
			for i, p := range ps[:k] {
				got[i] = p.cioID
			}
			slices.Sort(got)
			for i, id := range got {
				if want := fmt.Sprintf("%012x", i); id != want {
					t.Fatalf("n=%d k=%d: smallest[%d] = %s, want %s", n, k, i, id, want)
				}
			}
		}
	}
}

// TestPeoplePagesCoverEveryone: paging at any limit yields every person once,
// in creation order, skipping deleted people, like EachPerson.
func TestPeoplePagesCoverEveryone(t *testing.T) {
	t.Parallel()
	s, err := NewHandler(Options{Retention: NopRetention{}})
	if err != nil {
		t.Fatal(err)
	}
	const n = 300
	for i := range n {
		s.exec(&command{kind: cmdIdentify, who: cio.Identifier{Type: cio.IDID, Value: fmt.Sprintf("u%03d", i)}})
	}
	for i := 0; i < n; i += 7 {
		s.exec(&command{kind: cmdDelete, who: cio.Identifier{Type: cio.IDID, Value: fmt.Sprintf("u%03d", i)}})
	}
	var want []string
	s.EachPerson(func(p *PersonView) bool { want = append(want, p.ID); return true })
	if len(want) != n-(n+6)/7 {
		t.Fatalf("EachPerson: %d people, want %d", len(want), n-(n+6)/7)
	}
	for _, limit := range []int{1, 7, 16, 100, 256, 257, 1000} {
		var got []string
		pages := 0
		for pr := (PageRequest{Limit: limit}); ; pages++ {
			page, err := s.People(t.Context(), pr)
			if err != nil {
				t.Fatal(err)
			}
			if len(page.People) > limit || (page.Next != "" && len(page.People) != limit) {
				t.Fatalf("limit %d: page of %d, next %q", limit, len(page.People), page.Next)
			}
			for _, p := range page.People {
				got = append(got, p.ID)
			}
			if pr.After = page.Next; pr.After == "" || pages > n {
				break
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("limit %d: pages gave %d people %v…, want %d %v…", limit, len(got), got[:min(5, len(got))], len(want), want[:5])
		}
	}
}
