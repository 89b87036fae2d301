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
func (c *checker) checkMoney(event string, data map[string]json.RawMessage, out []finding) []finding {
	m := c.money
	hasAmount := false
	for k, raw := range data {
		if !c.amounts[k] || rawNull(raw) {
			continue
		}
		hasAmount = true
		out = c.checkAmount(event, k, raw, out)
	}
	itemsSum, haveItems := 0.0, false
	if raw, ok := data[m.Items]; ok && len(raw) > 0 && raw[0] == '[' {
		var items []json.RawMessage
		_ = json.Unmarshal(raw, &items)
		for _, it := range items {
			obj := decodeRawObject(it)
			for k, v := range obj {
				if c.amounts[k] && !rawNull(v) {
					out = c.checkAmount(event, m.Items+"[]."+k, v, out)
				}
			}
			if p, ok := numberOf(obj, "price"); ok {
				q, qok := numberOf(obj, m.Quantity)
				if !qok {
					q = 1
				}
				itemsSum += p * q
				haveItems = true
			}
		}
	}
	if hasAmount {
		out = c.checkCurrency(event, data, out)
	}
	if total, ok := numberOf(data, m.Total); ok && haveItems && total > 0 && itemsSum > 0 {
		switch {
		case total >= 90*itemsSum:
			out = append(out, finding{RuleMoney, event, m.Total,
				fmt.Sprintf("mixed conventions: %s is %.0f× the line items (minor units among major?)", m.Total, total/itemsSum), clip(data[m.Total])})
		case itemsSum >= 90*total:
			out = append(out, finding{RuleMoney, event, m.Items,
				fmt.Sprintf("mixed conventions: line items sum to %.0f× %s", itemsSum/total, m.Total), clip(data[m.Total])})
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

func (c *checker) checkCurrency(event string, data map[string]json.RawMessage, out []finding) []finding {
	key := c.money.Currency
	raw, ok := data[key]
	if !ok || rawNull(raw) {
		return append(out, finding{RuleMoney, event, key, "amount without currency", nil})
	}
	var s string
	if raw[0] != '"' || json.Unmarshal(raw, &s) != nil || !currencyRE.MatchString(s) {
		return append(out, finding{RuleMoney, event, key, "currency is not an ISO-4217 code such as USD", clip(raw)})
	}
	return out
}

func numberOf(m map[string]json.RawMessage, key string) (float64, bool) {
	raw, ok := m[key]
	if !ok || !isNumber(raw) {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	return f, err == nil
}
