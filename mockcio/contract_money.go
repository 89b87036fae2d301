package mockcio

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
)

var currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)

// checkMoney applies the money convention to an event's amounts: amounts are
// numbers (never strings), integers in minor-unit mode, accompanied by a
// three-letter currency; and the total agrees in scale with its line items
// (one of them ≥ 100× the other means two conventions were mixed).
func (c *checker) checkMoney(event string, data []byte, out []finding) []finding {
	m := c.money
	hasAmount := false
	var total, itemsSum float64
	haveTotal, haveItems := false, false
	eachMember(data, func(k, v []byte) {
		switch {
		case rawNull(v):
		case c.amounts[string(k)]:
			hasAmount = true
			out = c.checkAmount(event, string(k), v, out)
			if string(k) == m.Total {
				total, haveTotal = numberOf(v)
			}
		case string(k) == m.Items && v[0] == '[':
			itemsPath := m.Items + "[]."
			eachElem(v, func(it []byte) {
				var price, qty float64 = 0, 1
				havePrice := false
				eachMember(it, func(ik, iv []byte) {
					if rawNull(iv) {
						return
					}
					if c.amounts[string(ik)] {
						out = c.checkAmount(event, itemsPath+string(ik), iv, out)
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

func (c *checker) checkAmount(event, path string, raw json.RawMessage, out []finding) []finding {
	switch {
	case raw[0] == '"':
		return append(out, finding{RuleMoney, event, path, "amount sent as a string", clip(raw)})
	case !isNumber(raw):
		return append(out, finding{RuleMoney, event, path, "amount is not a number", clip(raw)})
	case c.money.Convention == "minor" && !isInteger(raw):
		return append(out, finding{RuleMoney, event, path, "decimal amount in minor-unit convention", clip(raw)})
	}
	return out
}

func (c *checker) checkCurrency(event string, data []byte, out []finding) []finding {
	key := c.money.Currency
	raw, ok := memberValue(data, key)
	if !ok || rawNull(raw) {
		return append(out, finding{RuleMoney, event, key, "amount without currency", nil})
	}
	var s string
	if raw[0] != '"' || json.Unmarshal(raw, &s) != nil || !currencyRE.MatchString(s) {
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
