package mockcio

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/cioharness/cioharness/cio"
)

// isCurrencyCode reports whether raw is a JSON string of three upper-case
// letters (an ISO-4217 code such as "USD").
func isCurrencyCode(raw []byte) bool {
	if len(raw) != 5 || raw[0] != '"' || raw[4] != '"' {
		return false
	}
	for _, c := range raw[1:4] {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// checkMoney applies the money convention to an event's amounts: amounts are
// numbers (never strings), integers in minor-unit mode, accompanied by a
// three-letter currency; and the total agrees in scale with its line items
// (one of them ≥ 100× the other means two conventions were mixed).
func (c *checker) checkMoney(event string, data []byte, out []finding) []finding {
	m := c.money
	hasAmount := false
	var total, itemsSum float64
	haveTotal, haveItems := false, false
	cio.EachMember(data, func(k, v []byte) {
		switch {
		case rawNull(v):
		case c.amounts[string(k)]:
			hasAmount = true
			out = c.checkAmount(event, "", k, v, out)
			if string(k) == m.Total {
				total, haveTotal = numberOf(v)
			}
		case string(k) == m.Items && v[0] == '[':
			cio.EachElem(v, func(it []byte) {
				var price, qty float64 = 0, 1
				havePrice := false
				cio.EachMember(it, func(ik, iv []byte) {
					if rawNull(iv) {
						return
					}
					if c.amounts[string(ik)] {
						out = c.checkAmount(event, m.Items+"[].", ik, iv, out)
					}
					switch string(ik) {
					case "price":
						price, havePrice = numberOf(iv)
					case m.Quantity:
						if q, ok := numberOf(iv); ok {
							qty = q
						}
					}
				})
				if havePrice {
					itemsSum += price * qty
					haveItems = true
				}
			})
		}
	})
	if hasAmount {
		out = c.checkCurrency(event, data, out)
	}
	if haveTotal && haveItems && total > 0 && itemsSum > 0 {
		switch {
		case total >= 90*itemsSum:
			out = append(out, finding{RuleMoney, event, m.Total,
				fmt.Sprintf("mixed conventions: %s is %.0f× the line items (minor units among major?)", m.Total, total/itemsSum), nil})
		case itemsSum >= 90*total:
			out = append(out, finding{RuleMoney, event, m.Items,
				fmt.Sprintf("mixed conventions: line items sum to %.0f× %s", itemsSum/total, m.Total), nil})
		}
	}
	return out
}

// checkAmount checks one amount; its path (prefix + key) is built only for a
// finding.
func (c *checker) checkAmount(event, prefix string, key []byte, raw json.RawMessage, out []finding) []finding {
	msg := ""
	switch {
	case raw[0] == '"':
		msg = "amount sent as a string"
	case !isNumber(raw):
		msg = "amount is not a number"
	case c.money.Convention == "minor" && !isInteger(raw):
		msg = "decimal amount in minor-unit convention"
	default:
		return out
	}
	return append(out, finding{RuleMoney, event, prefix + string(key), msg, clip(raw)})
}

func (c *checker) checkCurrency(event string, data []byte, out []finding) []finding {
	key := c.money.Currency
	raw, ok := cio.MemberValue(data, key)
	if !ok || rawNull(raw) {
		return append(out, finding{RuleMoney, event, key, "amount without currency", nil})
	}
	if !isCurrencyCode(raw) {
		return append(out, finding{RuleMoney, event, key, "currency is not an ISO-4217 code such as USD", clip(raw)})
	}
	return out
}

func numberOf(raw []byte) (float64, bool) {
	if !isNumber(raw) {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	return f, err == nil
}
