package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// defectCase is one defect: traffic to send, and a check that must hold with
// the defect off (the control) and show the defect with it on.
type defectCase struct {
	defect string
	edit   func(*config)
	reply  func(int, *http.Request) (int, http.Header)
	calls  [][2]string // path, body
	wait   int         // upstream requests to wait for before draining
	check  func(t *testing.T, up *upstream, tr *testRelay, on bool)
}

func TestDefects(t *testing.T) {
	t.Parallel()
	for _, dc := range defectCases() {
		for _, on := range []bool{false, true} {
			name := dc.defect + map[bool]string{false: "/off", true: "/on"}[on]
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				up := newUpstream(t, dc.reply)
				tr := startRelay(t, up, func(c *config) {
					if dc.edit != nil {
						dc.edit(c)
					}
					if on {
						c.Defects = map[string]bool{dc.defect: true}
					}
				})
				for _, c := range dc.calls {
					tr.mustPost(t, c[0], c[1])
				}
				up.waitRequests(t, dc.wait)
				tr.drain(t)
				dc.check(t, up, tr, on)
			})
		}
	}
	for _, name := range defectNames {
		if !slices.ContainsFunc(defectCases(), func(d defectCase) bool { return d.defect == name }) {
			t.Errorf("defect %s has no test", name)
		}
	}
}

const (
	identifyAnn = `{"userId":"u-1","anonymousId":"anon-1","timestamp":"` + ts1 + `","traits":{"email":"ann@example.com","first_name":"Ann"}}`
	cartAnon    = `{"anonymousId":"anon-1","messageId":"` + ulid1 + `","timestamp":"` + ts1 + `","event":"Added to Cart","properties":{"cart_id":"c1","sku":"SKU-1","price":19.99,"value":19.99,"currency":"USD","items":[{"sku":"SKU-1","price":19.99,"quantity":1}]}}`
	cartKnown   = `{"userId":"u-1","anonymousId":"anon-1","messageId":"` + ulid2 + `","timestamp":"` + ts1 + `","event":"Added to Cart","properties":{"cart_id":"c1","sku":"SKU-1","price":19.99,"value":19.99,"currency":"USD"}}`
	orderKnown  = `{"userId":"u-1","messageId":"` + ulid3 + `","timestamp":"` + ts1 + `","event":"Order Placed","properties":{"order_id":"o1","total":129.99,"currency":"USD","items":[{"sku":"SKU-1","price":19.99,"quantity":1}]}}`
	checkout    = `{"userId":"u-1","messageId":"` + ulid3 + `","timestamp":"` + ts1 + `","event":"Checkout Started","properties":{"cart_id":"c1","value":19.99,"currency":"USD"}}`
)

// named returns the event requests by event name, decoded.
func named(t *testing.T, up *upstream) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, m := range only(t, up.requests(), "events") {
		out[fmt.Sprint(m["name"])] = m
	}
	return out
}

// only returns the requests whose path contains sub, decoded.
func only(t *testing.T, rs []recorded, sub string) []map[string]any {
	var out []map[string]any
	for _, r := range rs {
		if strings.Contains(r.Path, sub) && r.Body != "" {
			out = append(out, object(t, r.Body))
		}
	}
	return out
}

func expect(t *testing.T, on bool, what string, off, onVal, got any) {
	t.Helper()
	want := off
	if on {
		want = onVal
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s = %v; want %v", what, got, want)
	}
}

func defectCases() []defectCase { return append(mappingDefectCases(), deliveryDefectCases()...) }

// mappingDefectCases are the defects that change what one call becomes.
func mappingDefectCases() []defectCase {
	return []defectCase{
		{defect: defDropAnonymousID,
			calls: [][2]string{{"/v1/identify", identifyAnn}, {"/v1/alias", `{"userId":"u-1","previousId":"anon-2"}`}},
			check: func(t *testing.T, up *upstream, _ *testRelay, on bool) {
				ids := only(t, up.requests(), "/customers/u-1")
				expect(t, on, "identify anonymous_id", "anon-1", "<nil>", field(ids[0], "anonymous_id"))
				expect(t, on, "alias anonymous_id", "anon-2", "<nil>", field(ids[1], "anonymous_id"))
			}},
		{defect: defKeyByEmail,
			calls: [][2]string{{"/v1/identify", identifyAnn}, {"/v1/track", cartKnown}},
			check: func(t *testing.T, up *upstream, _ *testRelay, on bool) {
				rs := up.requests()
				expect(t, on, "identify path", "/api/v1/customers/u-1", "/api/v1/customers/ann%40example.com", rs[0].Path)
				expect(t, on, "event path", "/api/v1/customers/u-1/events", "/api/v1/customers/ann%40example.com/events", rs[1].Path)
			}},
		{defect: defStringMoney,
			calls: [][2]string{{"/v1/track", cartAnon}, {"/v1/track", orderKnown}},
			check: func(t *testing.T, up *upstream, _ *testRelay, on bool) {
				evs := named(t, up)
				cart, order := evs["Added to Cart"], evs["Order Placed"]
				expect(t, on, "price type", "json.Number", "string", fmt.Sprintf("%T", field(cart, "data", "price")))
				expect(t, on, "value type", "json.Number", "string", fmt.Sprintf("%T", field(cart, "data", "value")))
				expect(t, on, "total type", "json.Number", "string", fmt.Sprintf("%T", field(order, "data", "total")))
				item := field(order, "data", "items").([]any)[0].(map[string]any)
				expect(t, on, "item price type", "json.Number", "string", fmt.Sprintf("%T", item["price"]))
				expect(t, on, "total text", "129.99", "129.99", field(order, "data", "total"))
			}},
		{defect: defRenameSKU,
			calls: [][2]string{{"/v1/track", cartAnon}, {"/v1/track", cartKnown}},
			check: func(t *testing.T, up *upstream, _ *testRelay, on bool) {
				anon, known := object(t, up.requests()[0].Body), object(t, up.requests()[1].Body)
				expect(t, on, "web tag sku", "SKU-1", "<nil>", field(anon, "data", "sku"))
				expect(t, on, "web tag product_sku", "<nil>", "SKU-1", field(anon, "data", "product_sku"))
				item := field(anon, "data", "items").([]any)[0].(map[string]any)
				expect(t, on, "web tag item product_sku", "<nil>", "SKU-1", item["product_sku"])
				expect(t, on, "server event sku", "SKU-1", "SKU-1", field(known, "data", "sku"))
			}},
		{defect: defDuplicateCheckout,
			calls: [][2]string{{"/v1/track", checkout}},
			check: func(t *testing.T, up *upstream, _ *testRelay, on bool) {
				var names, ids []string
				for _, m := range only(t, up.requests(), "/events") {
					names, ids = append(names, fmt.Sprint(m["name"])), append(ids, fmt.Sprint(m["id"]))
				}
				expect(t, on, "event names", "[Checkout Started]", "[Checkout Started Initiated Checkout]", names)
				if on && (len(ids) != 2 || ids[0] == ids[1]) {
					t.Errorf("ids %v: want two distinct ids (else the mock would de-duplicate the copy)", ids)
				}
			}},
		{defect: defEmailInEvents,
			calls: [][2]string{{"/v1/identify", identifyAnn}, {"/v1/track", cartKnown}, {"/v1/track", cartAnon}},
			check: func(t *testing.T, up *upstream, _ *testRelay, on bool) {
				evs := only(t, up.requests(), "/events")
				expect(t, on, "identified event email", "<nil>", "ann@example.com", field(evs[0], "data", "email"))
				expect(t, on, "anonymous event email", "<nil>", "ann@example.com", field(evs[1], "data", "email"))
			}},
		{defect: defMixedMoney,
			calls: [][2]string{{"/v1/track", cartKnown}, {"/v1/track", orderKnown}},
			check: func(t *testing.T, up *upstream, _ *testRelay, on bool) {
				cart, order := object(t, up.requests()[0].Body), object(t, up.requests()[1].Body)
				expect(t, on, "cart value (browse path)", "19.99", "19.99", field(cart, "data", "value"))
				expect(t, on, "order total (checkout path)", "129.99", "12999", field(order, "data", "total"))
				item := field(order, "data", "items").([]any)[0].(map[string]any)
				expect(t, on, "order item price (catalog)", "19.99", "19.99", item["price"])
			}},
	}
}

// deliveryDefectCases are the defects in batching, timing and retries.
func deliveryDefectCases() []defectCase {
	return []defectCase{
		{defect: defFlushTimestamps,
			calls: [][2]string{{"/v1/track", cartKnown}},
			check: func(t *testing.T, up *upstream, _ *testRelay, on bool) {
				var ts int64
				fmt.Sscan(fmt.Sprint(field(object(t, up.requests()[0].Body), "timestamp")), &ts)
				recent := time.Since(time.Unix(ts, 0)) < time.Minute
				expect(t, on, "timestamp is the flush time", false, true, recent)
			}},
		{defect: defSlowFlush,
			edit:  func(c *config) { c.SlowFlushInterval = 400 * time.Millisecond },
			calls: [][2]string{{"/v1/track", orderKnown}, {"/v1/track", cartKnown}},
			wait:  2,
			check: func(t *testing.T, up *upstream, _ *testRelay, on bool) {
				// With the defect the order is held back behind the later cart.
				rs := up.requests()
				first := fmt.Sprint(field(object(t, rs[0].Body), "name"))
				expect(t, on, "first event upstream", "Order Placed", "Added to Cart", first)
				held := rs[1].At.Sub(rs[0].At) >= 300*time.Millisecond
				expect(t, on, "order held for the slow interval", false, true, held)
			}},
		{defect: defRetryNewID,
			edit: func(c *config) { c.BatchSize, c.FlushInterval = 3, time.Hour },
			reply: func(n int, _ *http.Request) (int, http.Header) {
				return map[bool]int{true: 503, false: 200}[n == 2], nil
			},
			calls: [][2]string{{"/v1/track", trackBody("u-1", "Viewed Product", 1)}, {"/v1/track", trackBody("u-1", "Added to Cart", 2)}, {"/v1/track", trackBody("u-1", "Order Placed", 3)}},
			check: func(t *testing.T, up *upstream, _ *testRelay, on bool) {
				stored := up.stored()
				names, withID := map[string]int{}, 0
				for _, r := range stored {
					m := object(t, r.Body)
					names[fmt.Sprint(m["name"])]++
					if m["id"] != nil {
						withID++
					}
				}
				expect(t, on, "stored Viewed Product", 1, 2, names["Viewed Product"])
				expect(t, on, "stored Order Placed", 1, 1, names["Order Placed"])
				expect(t, on, "stored events with an id", 3, 2, withID)
			}},
		{defect: defDropOn429,
			reply: failFirst(1, 429, http.Header{"Retry-After": {"0"}}),
			calls: [][2]string{{"/v1/track", orderKnown}},
			check: func(t *testing.T, up *upstream, tr *testRelay, on bool) {
				expect(t, on, "stored orders", 1, 0, len(up.stored()))
				expect(t, on, "dropped calls", 0, 1, tr.Stats().Dropped)
			}},
		{defect: defReorder,
			edit:  func(c *config) { c.Workers, c.ReorderJitter = 4, 20*time.Millisecond },
			calls: numbered(40),
			check: func(t *testing.T, up *upstream, _ *testRelay, on bool) {
				var got []int
				for _, m := range only(t, up.requests(), "/events") {
					var k int
					fmt.Sscan(fmt.Sprint(field(m, "data", "n")), &k)
					got = append(got, k)
				}
				expect(t, on, "events in sent order", true, false, slices.IsSorted(got))
				expect(t, on, "events delivered", 40, 40, len(got))
			}},
	}
}

// numbered is n track calls of one person, properties {"n":i}.
func numbered(n int) [][2]string {
	out := make([][2]string, n)
	for i := range out {
		out[i] = [2]string{"/v1/track", trackBody("u-1", "Viewed Product", i)}
	}
	return out
}

var _ = json.Number("") // object() decodes numbers as json.Number
