package verify

import (
	"bytes"
	"sort"
	"strings"

	"github.com/cioharness/cioharness/report"
)

// checkAttributes: every attribute the shopper set is on their profile with
// the same JSON type and value.
func (v *verifier) checkAttributes() report.Check {
	t := newTally(CheckAttributes, "no shopper set an attribute")
	for _, e := range v.x.ledPeople() {
		h := v.x.match(e)
		keys := make([]string, 0, len(e.Attributes))
		for k := range e.Attributes {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if h != nil && bytes.Equal(h.person.Attributes[k], e.Attributes[k]) {
				t.ok()
				continue
			}
			want, err := decodeJSON(e.Attributes[k])
			if err != nil {
				continue
			}
			ex := report.Example{Shopper: e.Key(), Attribute: k, Expected: jsonType(want) + " " + short(want)}
			if h == nil {
				ex.Actual = "no profile for this shopper"
				t.fail(ex)
				continue
			}
			raw, ok := h.person.Attributes[k]
			if !ok && k == "email" && h.person.Email != "" {
				if strings.EqualFold(h.person.Email, e.Email) {
					t.ok()
					continue
				}
				raw, ok = []byte(`"`+h.person.Email+`"`), true
			}
			if !ok {
				ex.Actual = "missing on " + h.name()
				t.fail(ex)
				continue
			}
			got, err := decodeJSON(raw)
			switch {
			case err != nil:
				ex.Actual = "undecodable: " + clip(string(raw), 80)
			case jsonType(got) != jsonType(want):
				ex.Actual = "wrong type: " + jsonType(got) + " " + short(got)
			case !equalJSON(want, got) && !(k == "email" && strings.EqualFold(short(want), short(got))):
				ex.Actual = "wrong value: " + jsonType(got) + " " + short(got)
			default:
				t.ok()
				continue
			}
			t.fail(ex)
		}
	}
	return t.done()
}
