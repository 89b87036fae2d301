package cio

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// IDType says which kind of identifier a value is.
type IDType uint8

// Identifier types. Phone exists only in Track v2.
const (
	IDNone IDType = iota
	IDID
	IDEmail
	IDCioID
	IDPhone
)

// JSONKey is the field name Customer.io uses for the type: "id", "email",
// "cio_id" or "phone".
func (t IDType) JSONKey() string {
	switch t {
	case IDID:
		return "id"
	case IDEmail:
		return "email"
	case IDCioID:
		return "cio_id"
	case IDPhone:
		return "phone"
	}
	return ""
}

// Identifier is one typed person identifier.
type Identifier struct {
	Type  IDType
	Value string
}

// IsZero reports whether the identifier is empty.
func (i Identifier) IsZero() bool { return i.Type == IDNone }

// Key is the identifier as the store indexes it: emails compare
// case-insensitively, ids and cio_ids case-sensitively.
func (i Identifier) Key() string {
	switch i.Type {
	case IDEmail:
		return "email:" + strings.ToLower(i.Value)
	case IDNone:
		return ""
	}
	return i.Type.JSONKey() + ":" + i.Value
}

// String returns the form used in a Track v1 path: the value, with cio_ids
// prefixed "cio_".
func (i Identifier) String() string {
	if i.Type == IDCioID {
		return "cio_" + i.Value
	}
	return i.Value
}

// ParsePathIdentifier types a Track v1 path identifier by its shape, as
// Customer.io does: a "cio_" prefix is a cio_id, a value with "@" is an email
// (the exact rule is unpublished; "@" is the obvious test), anything else,
// phone-like values included, is an id.
func ParsePathIdentifier(s string) Identifier {
	switch {
	case strings.HasPrefix(s, "cio_") && len(s) > 4:
		return Identifier{Type: IDCioID, Value: s[4:]}
	case strings.Contains(s, "@"):
		return Identifier{Type: IDEmail, Value: s}
	}
	return Identifier{Type: IDID, Value: s}
}

// ErrIdentifierCount is returned when an identifiers object does not hold
// exactly one identifier.
var ErrIdentifierCount = errors.New("exactly one identifier is required")

// MarshalJSON encodes the identifier as a one-key object, e.g. {"email":"a@b.c"}.
func (i Identifier) MarshalJSON() ([]byte, error) {
	if i.Type == IDNone {
		return []byte("{}"), nil
	}
	b := append([]byte{'{'}, '"')
	b = append(b, i.Type.JSONKey()...)
	b = append(b, '"', ':')
	b = AppendString(b, i.Value)
	return append(b, '}'), nil
}

// UnmarshalJSON decodes a one-key identifiers object. Keys other than id,
// email, cio_id and phone, non-string values, empty values and more than one
// key are errors.
func (i *Identifier) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		return ErrIdentifierCount
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("identifiers: %w", err)
	}
	if len(m) != 1 {
		return ErrIdentifierCount
	}
	for k, raw := range m {
		var t IDType
		switch k {
		case "id":
			t = IDID
		case "email":
			t = IDEmail
		case "cio_id":
			t = IDCioID
		case "phone":
			t = IDPhone
		default:
			return fmt.Errorf("identifiers: unknown identifier %q", k)
		}
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			// Customer.io accepts numeric ids; keep their text.
			var n json.Number
			if json.Unmarshal(raw, &n) != nil {
				return fmt.Errorf("identifiers: %s must be a string", k)
			}
			v = n.String()
		}
		if v == "" {
			return fmt.Errorf("identifiers: %s is empty", k)
		}
		*i = Identifier{Type: t, Value: v}
	}
	return nil
}
