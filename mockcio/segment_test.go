package mockcio

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// segmentPeople builds people for the operator table (scale 60: a shopper hour
// is a real minute, a shopper day 24 real minutes).
func segmentPeople(t *testing.T) (*fakeHost, *Engine) {
	t.Helper()
	h := newFakeHost(scale60)
	e := newTestEngine(t, h, "")
	day := 24 * time.Minute
	add := func(id string, attrs map[string]any, evs ...EventView) {
		p := h.person(id, attrs)
		for _, x := range evs {
			h.land(e, p, x)
		}
	}
	add("cart_recent", map[string]any{"orders_count": 0, "vip_tier": "none", "tags": []any{"a", "b"}},
		ev("Added to Cart", t0.Add(-30*time.Second), t0, `{"value":120}`))
	add("cart_bought", map[string]any{"orders_count": 1, "vip_tier": "silver", "last_order_date": t0.Unix()},
		ev("Added to Cart", t0.Add(-time.Minute), t0, `{"value":20}`),
		ev("Order Placed", t0.Add(-30*time.Second), t0, `{"value":20}`))
	add("repeat", map[string]any{"orders_count": 3, "vip_tier": "gold", "last_order_date": t0.Add(-40 * day).Unix()},
		ev("Order Placed", t0.Add(-40*day), t0, ""),
		ev("Order Placed", t0.Add(-2*day), t0, ""),
		ev("Order Placed", t0.Add(-1*day), t0, ""))
	add("lapsed", map[string]any{"orders_count": "2", "last_order_date": "2026-01-01T00:00:00Z"},
		ev("Order Placed", t0.Add(-90*day), t0, ""))
	add("nobody", nil)
	return h, e
}

func TestSegmentOperators(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		where string
		want  []string
	}{
		{"performed within", `performed: {event: Added to Cart, within: 2h}`, []string{"cart_recent", "cart_bought"}},
		{"performed ever", `performed: {event: Order Placed}`, []string{"cart_bought", "repeat", "lapsed"}},
		{"performed within 30d", `performed: {event: Order Placed, within: 30d}`, []string{"cart_bought", "repeat"}},
		{"min_count", `performed: {event: Order Placed, min_count: 2}`, []string{"repeat"}},
		{"max_count", `performed: {event: Order Placed, max_count: 1}`, []string{"cart_bought", "lapsed"}},
		{"count within window", `performed: {event: Order Placed, within: 30d, min_count: 2}`, []string{"repeat"}},
		{"performed where", `performed: {event: Added to Cart, where: [{name: value, op: gt, value: 100}]}`, []string{"cart_recent"}},
		{"not_performed within", `not_performed: {event: Order Placed, within: 60d}`, []string{"cart_recent", "lapsed", "nobody"}},
		{"and", "and:\n  - performed: {event: Added to Cart, within: 2h}\n  - not_performed: {event: Order Placed, within: 2h}", []string{"cart_recent"}},
		{"or", "or:\n  - attribute: {name: vip_tier, op: equals, value: gold}\n  - attribute: {name: vip_tier, op: equals, value: silver}", []string{"cart_bought", "repeat"}},
		{"not", "not:\n  performed: {event: Order Placed}", []string{"cart_recent", "nobody"}},
		{"equals keeps types", `attribute: {name: orders_count, op: equals, value: 2}`, nil},
		{"equals string", `attribute: {name: orders_count, op: equals, value: "2"}`, []string{"lapsed"}},
		{"not_equals", `attribute: {name: vip_tier, op: not_equals, value: gold}`, []string{"cart_recent", "cart_bought"}},
		{"exists", `attribute: {name: vip_tier, op: exists}`, []string{"cart_recent", "cart_bought", "repeat"}},
		{"not_exists", `attribute: {name: vip_tier, op: not_exists}`, []string{"lapsed", "nobody"}},
		{"gt (numeric strings never match)", `attribute: {name: orders_count, op: gt, value: 0}`, []string{"cart_bought", "repeat"}},
		{"gte", `attribute: {name: orders_count, op: gte, value: 1}`, []string{"cart_bought", "repeat"}},
		{"lt", `attribute: {name: orders_count, op: lt, value: 1}`, []string{"cart_recent"}},
		{"lte", `attribute: {name: orders_count, op: lte, value: 3}`, []string{"cart_recent", "cart_bought", "repeat"}},
		{"contains list", `attribute: {name: tags, op: contains, value: b}`, []string{"cart_recent"}},
		{"contains string", `attribute: {name: email, op: contains, value: repeat@}`, []string{"repeat"}},
		{"before (ISO strings never match)", `attribute: {name: last_order_date, op: before, value: 30d}`, []string{"repeat"}},
		{"after", `attribute: {name: last_order_date, op: after, value: 30d}`, []string{"cart_bought"}},
		{"after absolute", `attribute: {name: last_order_date, op: after, value: 1700000000}`, []string{"cart_bought", "repeat"}},
		{"is_timestamp", `attribute: {name: last_order_date, op: is_timestamp}`, []string{"cart_bought", "repeat"}},
		{"identifier", `attribute: {name: id, op: equals, value: nobody}`, []string{"nobody"}},
	}
	_, e := segmentPeople(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := "segments:\n  - name: s\n    where:\n" + indent(tc.where, "      ")
			if err := e.SetConfig(ConfigView{Segments: mustJSONString(doc)}); err != nil {
				t.Fatalf("config: %v\n%s", err, doc)
			}
			v, ok := e.Segment("s", true)
			if !ok {
				t.Fatal("segment s not found")
			}
			if got, want := v.Members, nonNil(tc.want); !slices.Equal(got, want) {
				t.Errorf("members: got %v, want %v", got, want)
			}
			if v.Count != len(v.Members) {
				t.Errorf("count %d != %d members", v.Count, len(v.Members))
			}
		})
	}
}

func TestSegmentsAtCallTime(t *testing.T) {
	t.Parallel()
	h, e := segmentPeople(t)
	if err := e.SetConfig(ConfigView{Segments: mustJSONString("- name: carts\n  where: {performed: {event: Added to Cart, within: 2h}}\n- name: none\n  where: {attribute: {name: x, op: exists}}")}); err != nil {
		t.Fatal(err)
	}
	count := func() int { return e.Segments()[0].Count }
	if got := count(); got != 2 {
		t.Fatalf("now: got %d, want 2", got)
	}
	h.set(t0.Add(3 * time.Minute)) // three shopper hours later
	if got := count(); got != 0 {
		t.Errorf("3 shopper hours later: got %d, want 0 (window passed)", got)
	}
	all := e.Segments()
	if len(all) != 2 || all[1].Name != "none" || all[1].Members != nil {
		t.Errorf("segments list: got %+v, want two without members", all)
	}
	if _, ok := e.Segment("missing", false); ok {
		t.Error("missing segment: got ok")
	}
}

func indent(s, pre string) string {
	return pre + strings.ReplaceAll(s, "\n", "\n"+pre) + "\n"
}
