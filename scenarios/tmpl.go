package scenarios

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/cioharness/cioharness/cio"
)

// tvar is a template variable, e.g. {product.sku}.
type tvar uint8

const (
	tvNone tvar = iota
	tvFirstName
	tvLastName
	tvEmail
	tvPhone
	tvExternalID
	tvEmailConsent
	tvSMSConsent
	tvSKU
	tvProductName
	tvCategory
	tvSize
	tvProductURL
	tvProductImage
	tvPrice
	tvCartID
	tvCartValue
	tvCartItems
	tvOrderID
	tvOrderTotal
	tvOrdersCount
	tvRunID
	tvJourneyIndex
	tvDeviceKind
	tvCurrency
)

// tvars maps variable names to variables; tvPII marks those that are personal
// data and so may not appear in event properties (SPEC §7: no PII in events).
var tvars = map[string]tvar{
	"shopper.first_name": tvFirstName, "shopper.last_name": tvLastName, "shopper.email": tvEmail,
	"shopper.phone": tvPhone, "shopper.external_id": tvExternalID,
	"shopper.email_consent": tvEmailConsent, "shopper.sms_consent": tvSMSConsent,
	"product.sku": tvSKU, "product.name": tvProductName, "product.category": tvCategory,
	"product.size": tvSize, "product.url": tvProductURL, "product.image": tvProductImage,
	"product.price": tvPrice, "cart.id": tvCartID, "cart.value": tvCartValue, "cart.items": tvCartItems,
	"order.id": tvOrderID, "order.total": tvOrderTotal, "orders_count": tvOrdersCount,
	"run.id": tvRunID, "journey.index": tvJourneyIndex, "device.kind": tvDeviceKind, "currency": tvCurrency,
}

var tvPII = map[tvar]bool{tvFirstName: true, tvLastName: true, tvEmail: true, tvPhone: true}

// tmplVarNames lists the variable names, sorted, for error messages and docs.
func tmplVarNames() []string {
	out := make([]string, 0, len(tvars))
	for k := range tvars {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// tpart is a literal followed by an optional variable.
type tpart struct {
	lit string
	v   tvar
}

// tmpl is a compiled property value: a constant JSON value, a single variable
// (which keeps its type: "{shopper.email_consent}" is a boolean), or a string
// with variables interpolated ("/products/{product.sku}").
type tmpl struct {
	lit   []byte // constant JSON value
	whole tvar
	parts []tpart
}

// constTmpl is a template with a constant JSON value.
func constTmpl(v any) *tmpl {
	b, _ := json.Marshal(v)
	t := &tmpl{lit: b}
	if s, ok := v.(string); ok {
		t.parts = []tpart{{lit: s}}
	}
	return t
}

// parseStringTmpl compiles a string that may hold {variables}. pii reports
// whether it refers to personal data.
func parseStringTmpl(s string) (t *tmpl, pii bool, err error) {
	t = &tmpl{}
	rest := s
	for {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return nil, false, fmt.Errorf("unclosed { in %q", s)
		}
		name := rest[i+1 : i+j]
		v, ok := tvars[name]
		if !ok {
			return nil, false, fmt.Errorf("unknown variable {%s} (known: %s)", name, strings.Join(tmplVarNames(), ", "))
		}
		pii = pii || tvPII[v]
		t.parts = append(t.parts, tpart{lit: rest[:i], v: v})
		rest = rest[i+j+1:]
	}
	switch {
	case len(t.parts) == 0:
		t.lit = cio.AppendString(nil, s)
		t.parts = []tpart{{lit: s}}
	case len(t.parts) == 1 && t.parts[0].lit == "" && rest == "":
		t.whole, t.parts = t.parts[0].v, nil
	default:
		t.parts = append(t.parts, tpart{lit: rest})
	}
	return t, pii, nil
}

// appendJSON appends the value as JSON.
func (t *tmpl) appendJSON(b []byte, g *gen) []byte {
	switch {
	case t.lit != nil:
		return append(b, t.lit...)
	case t.whole != tvNone:
		return g.appendVar(b, t.whole, true)
	}
	g.scratch = t.appendText(g.scratch[:0], g)
	return cio.AppendString(b, string(g.scratch))
}

// appendText appends the value as plain text, unquoted and unescaped.
func (t *tmpl) appendText(b []byte, g *gen) []byte {
	switch {
	case t.whole != tvNone:
		return g.appendVar(b, t.whole, false)
	case len(t.parts) == 0:
		return append(b, t.lit...)
	}
	for _, p := range t.parts {
		b = append(b, p.lit...)
		if p.v != tvNone {
			b = g.appendVar(b, p.v, false)
		}
	}
	return b
}
