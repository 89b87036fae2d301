package mockcio

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"
	"time"
)

const validCart = `{"cart_id":"c1","sku":"S1","price":10.5,"quantity":2,"currency":"USD","value":21,
  "items":[{"sku":"S1","price":10.5,"quantity":2}]}`

// ruleCounts sums the engine's violations by rule.
func ruleCounts(e *Engine) map[string]int64 {
	out := map[string]int64{}
	for _, v := range e.Violations() {
		out[v.Rule] = v.Count
	}
	return out
}

func TestContractRules(t *testing.T) {
	t.Parallel()
	type call struct {
		name  string // event name; "" = identify
		data  string
		anon  bool
		at    time.Duration
		cioID string
	}
	cases := []struct {
		name  string
		calls []call
		want  map[string]int64
	}{
		{"valid event", []call{{name: "Added to Cart", data: validCart}}, map[string]int64{}},
		{"valid identify", []call{{data: `{"orders_count":3,"first_order_date":1764331200,"vip_tier":"gold","sms_consent":true,"last_order_date":"2026-11-28T12:00:00Z"}`}}, map[string]int64{}},
		{"page views are not plan events", []call{{name: "/products/x", data: `{"path":"/x"}`}}, map[string]int64{}},
		{"unknown event name", []call{{name: "Cart Viewed", data: `{}`}}, map[string]int64{RuleEventNames: 1}},
		{"alias event name", []call{{name: "Product Added", data: validCart}}, map[string]int64{RuleEventNames: 1}},
		{"number sent as a string", []call{{name: "Added to Cart", data: strings.Replace(validCart, `"quantity":2,"currency"`, `"quantity":"2","currency"`, 1)}},
			map[string]int64{RulePropertyTypes: 1}},
		{"integer sent as a decimal in items", []call{{name: "Added to Cart", data: strings.Replace(validCart, `"quantity":2}`, `"quantity":2.5}`, 1)}},
			map[string]int64{RulePropertyTypes: 1}},
		{"required property missing", []call{{name: "Added to Cart", data: strings.Replace(validCart, `"cart_id":"c1",`, ``, 1)}},
			map[string]int64{RuleRequiredProperties: 1}},
		{"PII key in event data", []call{{name: "Added to Cart", data: strings.Replace(validCart, `"cart_id"`, `"Email":"a@b.c","cart_id"`, 1)}},
			map[string]int64{RulePIIInEvents: 1}},
		{"PII key nested in items", []call{{name: "Added to Cart", data: strings.Replace(validCart, `{"sku":"S1"`, `{"firstName":"Ann","sku":"S1"`, 1)}},
			map[string]int64{RulePIIInEvents: 1}},
		{"money: amount as a string", []call{{name: "Viewed Product", data: `{"sku":"S","price":"10.50","currency":"USD"}`}},
			map[string]int64{RuleMoney: 1, RulePropertyTypes: 1}},
		{"money: missing currency", []call{{name: "Subscription Canceled", data: `{"subscription_id":"s","value":10}`}},
			map[string]int64{RuleMoney: 1}},
		{"money: bad currency code", []call{{name: "Subscription Canceled", data: `{"subscription_id":"s","value":10,"currency":"usd"}`}},
			map[string]int64{RuleMoney: 1}},
		{"money: minor units among major", []call{{name: "Added to Cart", data: strings.Replace(validCart, `"value":21`, `"value":2100`, 1)}},
			map[string]int64{RuleMoney: 1}},
		{"duplicate semantics: both names for one person", []call{
			{name: "Checkout Started", data: `{"cart_id":"c1","value":1,"currency":"USD","items":[]}`},
			{name: "Initiated Checkout", data: `{"cart_id":"c2","value":1,"currency":"USD","items":[]}`, at: 2 * time.Second},
		}, map[string]int64{RuleDuplicateSemantics: 1, RuleEventNames: 1}},
		{"duplicate semantics: same cart from another device", []call{
			{name: "Initiated Checkout", data: `{"cart_id":"c1","value":1,"currency":"USD","items":[]}`, anon: true},
			{name: "Checkout Started", data: `{"cart_id":"c1","value":1,"currency":"USD","items":[]}`, at: time.Hour},
		}, map[string]int64{RuleDuplicateSemantics: 1, RuleEventNames: 1}},
		{"no duplicate: both names far apart, other carts", []call{
			{name: "Checkout Started", data: `{"cart_id":"c1","value":1,"currency":"USD","items":[]}`},
			{name: "Initiated Checkout", data: `{"cart_id":"c2","value":1,"currency":"USD","items":[]}`, at: time.Hour},
		}, map[string]int64{RuleEventNames: 1}},
		{"attribute type", []call{{data: `{"orders_count":"3","sms_consent":"yes"}`}}, map[string]int64{RulePropertyTypes: 2}},
		{"timestamp attribute in milliseconds", []call{{data: `{"first_order_date":1764331200000}`}}, map[string]int64{RulePropertyTypes: 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newFakeHost(scale60)
			e := NewEngine(h, EngineOptions{ManualTimers: true})
			p := h.person("p", nil)
			for _, c := range tc.calls {
				ts := t0.Add(c.at)
				if c.name == "" {
					var attrs map[string]json.RawMessage
					if err := json.Unmarshal([]byte(c.data), &attrs); err != nil {
						t.Fatal(err)
					}
					e.Identified(p, attrs, ts)
					continue
				}
				ref, typ := p, "event"
				if c.anon {
					ref = PersonRef{AnonymousID: "anon1"}
				}
				if strings.HasPrefix(c.name, "/") {
					typ = "page"
				}
				e.EventAccepted(ref, EventView{Name: c.name, Type: typ, Timestamp: ts, ReceivedAt: ts, Data: json.RawMessage(c.data)})
			}
			if got := ruleCounts(e); !maps.Equal(got, tc.want) {
				t.Errorf("violations: got %v, want %v\n%s", got, tc.want, mustMarshal(e.Violations()))
			}
		})
	}
}

func TestViolationsGroupsAndSamples(t *testing.T) {
	t.Parallel()
	h := newFakeHost(scale60)
	e := NewEngine(h, EngineOptions{ManualTimers: true})
	p := h.person("p", nil)
	for i := 0; i < 10; i++ {
		e.EventAccepted(p, EventView{Name: "Cart Viewed", Type: "event", Timestamp: t0, Data: json.RawMessage(`{}`)})
	}
	e.EventAccepted(p, EventView{Name: "Other", Type: "event", Timestamp: t0, Data: json.RawMessage(`{}`)})
	vs := e.Violations()
	if len(vs) != 1 || vs[0].Rule != RuleEventNames || vs[0].Count != 11 {
		t.Fatalf("got %s, want one event_names rule with 11", mustMarshal(vs))
	}
	g := vs[0].Groups
	if len(g) != 2 || g[0].Event != "Cart Viewed" || g[0].Count != 10 || len(g[0].Samples) != maxSamples {
		t.Errorf("groups: got %s, want Cart Viewed ×10 with %d samples first", mustMarshal(g), maxSamples)
	}
	e.Reset()
	if got := e.Violations(); len(got) != 0 {
		t.Errorf("after reset: got %s, want none", mustMarshal(got))
	}
}

func TestContractOff(t *testing.T) {
	t.Parallel()
	h := newFakeHost(scale60)
	e := NewEngine(h, EngineOptions{ManualTimers: true})
	if err := e.SetConfig(ConfigView{Contract: json.RawMessage(`null`)}); err != nil {
		t.Fatal(err)
	}
	e.EventAccepted(PersonRef{CioID: "p"}, EventView{Name: "Nope", Type: "event", Data: json.RawMessage(`{"email":"x"}`)})
	if got := e.Violations(); len(got) != 0 {
		t.Errorf("contract off: got %s, want none", mustMarshal(got))
	}
}

func mustMarshal(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

func TestContractPIIAllowedInAttributes(t *testing.T) {
	t.Parallel()
	e := NewEngine(newFakeHost(1), EngineOptions{ManualTimers: true, Empty: true})
	plan := "events: []\npii_keys: [first_name]\nattributes:\n  address: object\n"
	if err := e.SetConfig(ConfigView{Contract: mustJSONString(plan)}); err != nil {
		t.Fatal(err)
	}
	e.Identified(PersonRef{CioID: "p"}, map[string]json.RawMessage{"address": json.RawMessage(`{"first_name":"Ann"}`)}, t0)
	if got := e.Violations(); len(got) != 0 {
		t.Errorf("PII key inside a profile attribute: got %s, want no violation", mustMarshal(got))
	}
}
