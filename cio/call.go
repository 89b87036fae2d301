package cio

import (
	"encoding/json"
	"fmt"
	"time"
)

// Kind is the neutral action a Call performs.
type Kind uint8

// The kinds of Call. The zero Kind is invalid.
const (
	KindIdentify Kind = iota + 1
	KindTrack
	KindPage
	KindScreen
	KindAlias
	KindMerge
	KindDelete
	KindSuppress
	KindUnsuppress
	KindDeviceAdd
	KindDeviceDelete
)

var kindNames = [...]string{
	KindIdentify:     "identify",
	KindTrack:        "track",
	KindPage:         "page",
	KindScreen:       "screen",
	KindAlias:        "alias",
	KindMerge:        "merge",
	KindDelete:       "delete",
	KindSuppress:     "suppress",
	KindUnsuppress:   "unsuppress",
	KindDeviceAdd:    "device_add",
	KindDeviceDelete: "device_delete",
}

// String returns the kind's lower-case name, e.g. "identify".
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// ParseKind is the inverse of Kind.String.
func ParseKind(s string) (Kind, error) {
	for k, n := range kindNames {
		if n != "" && n == s {
			return Kind(k), nil
		}
	}
	return 0, fmt.Errorf("cio: unknown call kind %q", s)
}

// MarshalText implements encoding.TextMarshaler.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *Kind) UnmarshalText(b []byte) error {
	v, err := ParseKind(string(b))
	*k = v
	return err
}

// Call is one neutral Customer.io call: what a shopper's action asks Customer.io to
// do, independent of the wire format that carries it.
//
// Who the call is about: UserID (the external id) when known, else Email, else
// AnonymousID alone (an anonymous track, page or screen). An identify that carries
// AnonymousID links the anonymous activity to the person.
type Call struct {
	Kind        Kind      `json:"kind"`
	UserID      string    `json:"user_id,omitempty"`
	Email       string    `json:"email,omitempty"`
	AnonymousID string    `json:"anonymous_id,omitempty"`
	Name        string    `json:"name,omitempty"`     // event, page or screen name
	ID          string    `json:"id,omitempty"`       // ULID: v1/v2 event id, Pipelines messageId
	Timestamp   time.Time `json:"timestamp,omitzero"` // shopper's action time; zero means receive time

	// Data is a JSON object: event properties for track/page/screen, attributes
	// (traits) for identify. It must not repeat Email (the encoders add it).
	// Nil means none.
	Data json.RawMessage `json:"data,omitempty"`

	PreviousID string     `json:"previous_id,omitempty"` // alias: the id being replaced
	Primary    Identifier `json:"primary,omitzero"`      // merge: the person that survives
	Secondary  Identifier `json:"secondary,omitzero"`    // merge: the person merged away
	Device     Device     `json:"device,omitzero"`       // device add / delete
}

// Device is a push device token on a person.
type Device struct {
	Token      string          `json:"token"`
	Platform   string          `json:"platform,omitempty"` // "ios" or "android"
	LastUsed   time.Time       `json:"last_used,omitzero"`
	Attributes json.RawMessage `json:"attributes,omitempty"`
}

// Anonymous reports whether the call names no known person.
func (c *Call) Anonymous() bool { return c.UserID == "" && c.Email == "" }

// Person returns the identifier that addresses the call's person on Track
// (the external id when known, else the email), or a zero Identifier.
func (c *Call) Person() Identifier {
	switch {
	case c.UserID != "":
		return Identifier{Type: IDID, Value: c.UserID}
	case c.Email != "":
		return Identifier{Type: IDEmail, Value: c.Email}
	}
	return Identifier{}
}

// IsEvent reports whether the call records an event (track, page or screen).
func (k Kind) IsEvent() bool { return k == KindTrack || k == KindPage || k == KindScreen }

// EventType is the Customer.io event type for an event kind: "event", "page" or
// "screen".
func (k Kind) EventType() string {
	switch k {
	case KindPage:
		return "page"
	case KindScreen:
		return "screen"
	}
	return "event"
}
