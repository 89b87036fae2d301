package mockcio

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/cioharness/cioharness/cio"
)

// isNull reports whether raw JSON is absent or null.
func isNull(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) == 0 || bytes.Equal(b, []byte("null"))
}

func isObject(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && b[0] == '{'
}

// jsonString decodes a JSON string, or a number as its text (Customer.io
// accepts numeric ids).
func jsonString(raw []byte) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String(), true
	}
	return "", false
}

// truthy applies Customer.io's `unsubscribed` rule: true, any casing of
// "true", 1 or "1" count as true.
func truthy(raw []byte) bool {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return false
	}
	switch x := v.(type) {
	case bool:
		return x
	case float64:
		return x == 1
	case string:
		return strings.EqualFold(x, "true") || x == "1"
	}
	return false
}

// attrRules says which limits and reserved keys apply to an attribute object.
type attrRules struct {
	limits   bool // Track attribute limits (names 150 B, values 1,000 B, 300 attributes)
	reserved bool // Track reserved keys (id, _timestamp, _update, cio_relationships)
	field    string
}

// decodeAttrs reads an identify's attribute object into c: identifiers and
// reserved keys into their fields, the rest into c.attrs (sorted by name).
// null or absent is an empty object.
func decodeAttrs(raw []byte, c *command, rules attrRules) *badRequest {
	if isNull(raw) {
		return nil
	}
	var m map[string]json.RawMessage
	if !isObject(raw) || json.Unmarshal(raw, &m) != nil {
		return invalid(rules.field, rules.field+" must be a JSON object")
	}
	if rules.limits && len(m) > cio.MaxAttributes {
		return invalid(rules.field, "too many attributes: "+strconv.Itoa(len(m))+" (at most 300)")
	}
	for k, v := range m {
		if bad := decodeAttr(k, v, c, rules); bad != nil {
			return bad
		}
	}
	sort.Slice(c.attrs, func(i, j int) bool { return c.attrs[i].name < c.attrs[j].name })
	return nil
}

func decodeAttr(k string, v json.RawMessage, c *command, rules attrRules) *badRequest {
	if rules.limits && len(k) > cio.MaxAttrNameBytes {
		return invalid(rules.field, "attribute name longer than 150 bytes: "+k[:40]+"…")
	}
	switch {
	case k == "email":
		if isNull(v) {
			return nil
		}
		s, ok := jsonString(v)
		if !ok {
			return invalid("email", "email must be a string")
		}
		c.bodyEmail = strings.TrimSpace(s)
		v = cio.AppendString(nil, c.bodyEmail) // also an attribute, as in Customer.io
	case k == "anonymous_id":
		if s, ok := jsonString(v); ok {
			c.anonID = s
		}
		return nil
	case rules.reserved && k == "id":
		if isNull(v) {
			return nil
		}
		s, ok := jsonString(v)
		if !ok || len(s) > cio.MaxIDBytes {
			return invalid("id", "id must be a string of at most 150 bytes")
		}
		c.bodyID = s
		v = cio.AppendString(nil, s)
	case rules.reserved && k == "_timestamp":
		var t cio.UnixTime
		if json.Unmarshal(v, &t) != nil {
			return invalid("_timestamp", "_timestamp must be unix seconds")
		}
		c.attrTS = int64(t) * 1e9
		return nil
	case rules.reserved && k == "_update":
		c.update = truthy(v)
		return nil
	case rules.reserved && k == "cio_relationships":
		return nil // objects are out of the mock's scope
	case k == "unsubscribed":
		v = json.RawMessage(strconv.FormatBool(truthy(v)))
	}
	if rules.limits && len(v) > cio.MaxAttrValueBytes {
		return invalid(k, "attribute value longer than 1000 bytes: "+k)
	}
	c.attrs = append(c.attrs, attrKV{name: k, val: append([]byte(nil), v...)})
	return nil
}

// eventFields are the wire fields of an event before validation.
type eventFields struct {
	name, typ, id string
	ts            int64 // unix nanoseconds
	data          []byte
	api           uint8
	dataField     string
}

// decodeEvent validates an event: name required (trimmed, ≤ 100 bytes), type
// event|page|screen (default event), data a JSON object (null = {}) of at
// most 100,000 bytes.
func decodeEvent(f eventFields) (eventIn, *badRequest) {
	e := eventIn{name: strings.TrimSpace(f.name), id: f.id, ts: f.ts, api: f.api}
	if e.name == "" {
		return e, invalid("name", "name is required")
	}
	if len(e.name) > cio.MaxEventNameBytes {
		return e, invalid("name", "name longer than 100 bytes")
	}
	switch f.typ {
	case "", "event":
		e.typ = evEvent
	case "page":
		e.typ = evPage
	case "screen":
		e.typ = evScreen
	default:
		return e, invalid("type", "type must be event, page or screen")
	}
	if len(e.id) > 255 {
		return e, invalid("id", "id longer than 255 bytes")
	}
	if isNull(f.data) {
		return e, nil
	}
	if !isObject(f.data) {
		return e, invalid(f.dataField, f.dataField+" must be a JSON object")
	}
	if len(f.data) > cio.MaxEventDataBytes {
		return e, invalid(f.dataField, f.dataField+" larger than 100,000 bytes")
	}
	e.data = compactJSON(f.data)
	return e, nil
}

// compactJSON returns b without insignificant spaces (a copy).
func compactJSON(b []byte) []byte {
	var buf bytes.Buffer
	if json.Compact(&buf, b) != nil {
		return append([]byte(nil), b...)
	}
	return buf.Bytes()
}

// pathIdent types a Track v1 path identifier and checks its length.
func pathIdent(s string) (cio.Identifier, *badRequest) {
	if strings.TrimSpace(s) == "" {
		return cio.Identifier{}, invalid("identifier", "identifier is empty")
	}
	if len(s) > cio.MaxIDBytes && !strings.Contains(s, "@") {
		return cio.Identifier{}, invalid("identifier", "identifier longer than 150 bytes")
	}
	return cio.ParsePathIdentifier(s), nil
}
