package main

import (
	"bytes"
	"encoding/json"
	"hash/fnv"
	"math"
	"strconv"
	"sync"

	"github.com/cioharness/cioharness/cio"
)

// The mapping defects act on each call as it is accepted; the delivery
// defects (flush-timestamps, slow-flush, retry-new-id, drop-on-429, reorder)
// act in queue.go and upstream.go. Every one is a bug seen in real relays:
//
//	drop-anonymous-id   identify and alias lose anonymousId: anonymous activity never merges
//	key-by-email        people are addressed by their email once the relay has seen it,
//	                    never by the external id
//	string-money        money (value, total, price, subtotal, revenue, amount) sent as strings
//	rename-sku          "sku" renamed "product_sku" (at any depth) in events from the web
//	                    tag source: track/page/screen calls that carry only an anonymousId
//	email-in-events     the shopper's email copied into every event's data
//	duplicate-checkout  "Checkout Started" also forwarded as "Initiated Checkout" (new id)
//	mixed-money         the checkout service path (Checkout Started, Initiated Checkout,
//	                    Order Placed, Order Completed) takes its order-level amounts (value,
//	                    total, …) from the payment provider in minor-unit integers (cents)
//	                    while line items keep the catalog's decimals, as do all other events
const (
	eventCheckoutStarted   = "Checkout Started"
	eventInitiatedCheckout = "Initiated Checkout"
)

var (
	moneyKeys         = map[string]bool{"value": true, "total": true, "price": true, "subtotal": true, "revenue": true, "amount": true}
	checkoutPathNames = map[string]bool{eventCheckoutStarted: true, eventInitiatedCheckout: true, "Order Placed": true, "Order Completed": true}
	purchaseNames     = map[string]bool{"Order Placed": true, "Order Completed": true}
)

// emails remembers each person's email as identifies reveal it, keyed by
// external id and by anonymous id. Only the defects that need it use it.
type emails struct {
	mu sync.Mutex
	m  map[string]string
}

func (e *emails) learn(c *cio.Call) {
	if c.Email == "" {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.m == nil {
		e.m = map[string]string{}
	}
	if c.UserID != "" {
		e.m["u:"+c.UserID] = c.Email
	}
	if c.AnonymousID != "" {
		e.m["a:"+c.AnonymousID] = c.Email
	}
}

func (e *emails) of(c *cio.Call) string {
	if c.Email != "" {
		return c.Email
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if v, ok := e.m["u:"+c.UserID]; ok && c.UserID != "" {
		return v
	}
	if v, ok := e.m["a:"+c.AnonymousID]; ok && c.AnonymousID != "" {
		return v
	}
	return ""
}

// applyDefects applies the switched-on mapping defects to c and returns the
// calls to forward (one, or two with duplicate-checkout).
func (r *relay) applyDefects(c *cio.Call) []*cio.Call {
	cfg := &r.cfg
	if cfg.on(defKeyByEmail) || cfg.on(defEmailInEvents) {
		if c.Kind == cio.KindIdentify {
			r.emails.learn(c)
		}
	}
	if cfg.on(defDropAnonymousID) && c.Kind == cio.KindIdentify {
		c.AnonymousID = ""
	}
	webTag := c.Kind.IsEvent() && c.Anonymous()
	if cfg.on(defKeyByEmail) && c.UserID != "" {
		if e := r.emails.of(c); e != "" {
			c.UserID, c.Email = "", e
		}
	}
	if !c.Kind.IsEvent() {
		return []*cio.Call{c}
	}
	if cfg.on(defEmailInEvents) {
		if e := r.emails.of(c); e != "" {
			c.Data = withMember(c.Data, "email", cio.AppendString(nil, e))
		}
	}
	if cfg.on(defRenameSKU) && webTag {
		c.Data = transform(c.Data, renameSKU, true)
	}
	if cfg.on(defStringMoney) {
		c.Data = transform(c.Data, moneyToString, true)
	}
	if cfg.on(defMixedMoney) && checkoutPathNames[c.Name] {
		c.Data = transform(c.Data, moneyToCents, false)
	}
	if cfg.on(defDuplicateCheckout) && c.Kind == cio.KindTrack && c.Name == eventCheckoutStarted {
		dup := *c
		dup.Name, dup.ID = eventInitiatedCheckout, derivedID(c)
		return []*cio.Call{c, &dup}
	}
	return []*cio.Call{c}
}

// derivedID is a second, distinct event id for a copy of c: a ULID at the
// same time with entropy hashed from the original id.
func derivedID(c *cio.Call) string {
	h := fnv.New64a()
	h.Write([]byte(c.ID + "/" + eventInitiatedCheckout))
	sum := h.Sum64()
	return cio.MakeULID(c.Timestamp, uint16(sum>>48), sum).String()
}

// withMember appends "key": val to the JSON object obj.
func withMember(obj json.RawMessage, key string, val []byte) json.RawMessage {
	ms, err := members(obj)
	if err != nil {
		return obj
	}
	return joinMembers(append(ms, member{key: key, val: val}))
}

// transform decodes obj (numbers kept as written), applies f to it and, when
// deep, to every object inside it at any depth, and encodes it again. Input
// that is not an object is kept.
func transform(obj json.RawMessage, f func(map[string]any), deep bool) json.RawMessage {
	if len(bytes.TrimSpace(obj)) == 0 {
		return obj
	}
	dec := json.NewDecoder(bytes.NewReader(obj))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return obj
	}
	top, ok := v.(map[string]any)
	if !ok {
		return obj
	}
	if deep {
		walk(v, f)
	} else {
		f(top)
	}
	out, err := json.Marshal(v)
	if err != nil {
		return obj
	}
	return out
}

func walk(v any, f func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		f(x)
		for _, e := range x {
			walk(e, f)
		}
	case []any:
		for _, e := range x {
			walk(e, f)
		}
	}
}

func renameSKU(m map[string]any) {
	if v, ok := m["sku"]; ok {
		delete(m, "sku")
		m["product_sku"] = v
	}
}

func moneyToString(m map[string]any) {
	for k, v := range m {
		if n, ok := v.(json.Number); ok && moneyKeys[k] {
			m[k] = n.String()
		}
	}
}

func moneyToCents(m map[string]any) {
	for k, v := range m {
		n, ok := v.(json.Number)
		if !ok || !moneyKeys[k] {
			continue
		}
		if f, err := n.Float64(); err == nil {
			m[k] = json.Number(strconv.FormatInt(int64(math.Round(f*100)), 10))
		}
	}
}
