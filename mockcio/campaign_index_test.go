package mockcio

import (
	"slices"
	"testing"
	"time"
)

// outcomes lists "campaign/person/outcome" of ms in order.
func outcomes(ms []MessageView) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, m.Campaign+"/"+m.Person+"/"+m.Outcome)
	}
	return out
}

// TestMessagesIndexMergeDeleteReset: a person's messages (resolved and
// pending) are found by PersonMessages and Messages after a merge (the
// secondary's history moves to the primary), after a delete (the history stays
// under the deleted cio_id, pending journeys end) and after a reset (none).
func TestMessagesIndexMergeDeleteReset(t *testing.T) {
	t.Parallel()
	h := newFakeHost(scale60)
	e := newTestEngine(t, h, cartCampaign)
	sec, pri, del, other := h.person("sec", nil), h.person("pri", nil), h.person("del", nil), h.person("other", nil)
	for _, p := range []PersonRef{sec, pri, del, other} {
		h.land(e, p, ev("Added to Cart", t0, t0, `{}`))
	}
	e.RunDue(t0.Add(2 * time.Minute)) // one shopper hour at scale 60: all four sent
	at := t0.Add(3 * time.Minute)
	h.land(e, sec, ev("Added to Cart", at, at, `{}`)) // pending on the secondary
	h.land(e, del, ev("Added to Cart", at, at, `{}`)) // pending on the deleted person

	e.PersonRemoved(sec, RemovedMerged, pri)
	e.PersonRemoved(del, RemovedDeleted, PersonRef{})

	cases := []struct {
		name string
		got  []MessageView
		want []string
	}{
		{"primary has both histories", e.PersonMessages(pri.CioID),
			[]string{"cart/pri/sent", "cart/pri/sent", "cart/pri/pending"}},
		{"secondary has none", e.PersonMessages(sec.CioID), []string{}},
		{"deleted keeps its history", e.PersonMessages(del.CioID), []string{"cart/del/sent"}},
		{"other untouched", e.PersonMessages(other.CioID), []string{"cart/other/sent"}},
		{"all messages", e.Messages("", ""),
			[]string{"cart/del/sent", "cart/other/sent", "cart/pri/sent", "cart/pri/sent", "cart/pri/pending"}},
		{"by campaign and person", e.Messages("cart", pri.CioID),
			[]string{"cart/pri/sent", "cart/pri/sent", "cart/pri/pending"}},
		{"other campaign", e.Messages("nope", pri.CioID), []string{}},
	}
	for _, tc := range cases {
		if got := outcomes(tc.got); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}

	// The moved pending journey resolves on the primary.
	e.RunDue(at.Add(2 * time.Minute))
	if got, want := outcomes(e.PersonMessages(pri.CioID)), []string{"cart/pri/sent", "cart/pri/sent", "cart/pri/sent"}; !slices.Equal(got, want) {
		t.Errorf("after the moved journey fired: got %v, want %v", got, want)
	}

	e.Reset()
	for _, p := range []PersonRef{sec, pri, del, other} {
		if got := e.PersonMessages(p.CioID); len(got) != 0 {
			t.Errorf("after reset, %s: got %v, want none", p.CioID, outcomes(got))
		}
	}
	if got := e.Messages("", ""); len(got) != 0 {
		t.Errorf("after reset: got %v, want none", outcomes(got))
	}
	later := at.Add(time.Hour)
	h.set(later)
	h.land(e, pri, ev("Added to Cart", later, later, `{}`))
	e.RunDue(later.Add(2 * time.Minute))
	if got, want := outcomes(e.PersonMessages(pri.CioID)), []string{"cart/pri/sent"}; !slices.Equal(got, want) {
		t.Errorf("a message after reset: got %v, want %v", got, want)
	}
}

// TestMessagesFollowMerges: a journey that resolves while its person is
// being merged away lands on the primary, and a chain of merges carries the
// whole history to the last primary.
func TestMessagesFollowMerges(t *testing.T) {
	t.Parallel()
	h := newFakeHost(scale60)
	e := newTestEngine(t, h, cartCampaign)
	a, b, c := h.person("a", nil), h.person("b", nil), h.person("c", nil)
	for _, p := range []PersonRef{a, b, c} {
		h.land(e, p, ev("Added to Cart", t0, t0, `{}`))
	}
	// Take a's journey out of pending as fire does, merge a into b, then
	// resolve it: the message must not stay under a's cio_id.
	_, sh := e.shardOf(a.CioID)
	sh.mu.Lock()
	j := sh.byPerson[a.CioID][0]
	sh.remove(j)
	sh.mu.Unlock()
	e.PersonRemoved(a, RemovedMerged, b)
	e.resolve(sh, j)
	if got, want := outcomes(e.PersonMessages(b.CioID)), []string{"cart/b/sent", "cart/b/pending"}; !slices.Equal(got, want) {
		t.Errorf("resolved during the merge: b has %v, want %v", got, want)
	}
	e.RunDue(t0.Add(2 * time.Minute))
	e.PersonRemoved(b, RemovedMerged, c)
	if got, want := outcomes(e.PersonMessages(c.CioID)), []string{"cart/c/sent", "cart/c/sent", "cart/c/sent"}; !slices.Equal(got, want) {
		t.Errorf("after a then b merged: c has %v, want %v", got, want)
	}
	// A message resolving for a after both merges follows the chain to c.
	e.moveMessages([]MessageView{{Campaign: "cart", Person: a.CioID, DueAt: t0.Add(time.Hour), Outcome: "sent"}}, b.CioID)
	if got := e.PersonMessages(c.CioID); len(got) != 4 || len(e.PersonMessages(b.CioID)) != 0 {
		t.Errorf("chain: c has %v, b has %v; want 4 on c, none on b", outcomes(got), outcomes(e.PersonMessages(b.CioID)))
	}
}
