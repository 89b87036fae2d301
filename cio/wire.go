package cio

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// API names a Customer.io data-in wire format.
type API uint8

// The wire formats. The zero API is invalid.
const (
	APIPipelines API = iota + 1
	APITrack         // Track v1
	APITrackV2       // Track v2
)

// String returns the flag spelling: "pipelines", "track" or "track-v2".
func (a API) String() string {
	switch a {
	case APIPipelines:
		return "pipelines"
	case APITrack:
		return "track"
	case APITrackV2:
		return "track-v2"
	}
	return fmt.Sprintf("api(%d)", uint8(a))
}

// ParseAPI is the inverse of API.String.
func ParseAPI(s string) (API, error) {
	for _, a := range []API{APIPipelines, APITrack, APITrackV2} {
		if a.String() == s {
			return a, nil
		}
	}
	return 0, fmt.Errorf("unknown api %q (want pipelines, track or track-v2)", s)
}

// UnixTime is a Track timestamp in unix seconds. It decodes from a JSON number
// (fractions truncated) or a numeric string, since go-customerio sends device
// last_used as a string. Zero means absent.
type UnixTime int64

// UnmarshalJSON implements json.Unmarshaler.
func (t *UnixTime) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*t = 0
		return nil
	}
	if len(b) > 1 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s == "" {
			*t = 0
			return nil
		}
		b = []byte(s)
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || f < 0 || f > 1<<40 {
		return fmt.Errorf("timestamp %s is not unix seconds", b)
	}
	*t = UnixTime(f)
	return nil
}

// Time converts to time.Time; zero stays zero.
func (t UnixTime) Time() time.Time {
	if t == 0 {
		return time.Time{}
	}
	return time.Unix(int64(t), 0)
}

// V1Event is the body of Track v1 POST /api/v1/customers/{id}/events and
// POST /api/v1/events (anonymous).
type V1Event struct {
	Name        string          `json:"name"`
	ID          string          `json:"id,omitempty"`
	Type        string          `json:"type,omitempty"`
	Timestamp   UnixTime        `json:"timestamp,omitempty"`
	Data        json.RawMessage `json:"data,omitempty"`
	AnonymousID string          `json:"anonymous_id,omitempty"`
}

// V1DeviceBody is the body of Track v1 PUT /api/v1/customers/{id}/devices.
type V1DeviceBody struct {
	Device *V1Device `json:"device"`
}

// V1Device is the device object of a Track v1 device call.
type V1Device struct {
	ID         string          `json:"id"`
	Platform   string          `json:"platform"`
	LastUsed   UnixTime        `json:"last_used,omitempty"`
	Attributes json.RawMessage `json:"attributes,omitempty"`
}

// V1Merge is the body of Track v1 POST /api/v1/merge_customers. Each side is
// decoded with Identifier.UnmarshalJSON, which enforces exactly one identifier.
type V1Merge struct {
	Primary   json.RawMessage `json:"primary"`
	Secondary json.RawMessage `json:"secondary"`
}

// V2Entity is one Track v2 operation: the body of POST /api/v2/entity or one
// item of POST /api/v2/batch.
type V2Entity struct {
	Type             string          `json:"type"`
	Action           string          `json:"action"`
	Identifiers      json.RawMessage `json:"identifiers,omitempty"`
	Name             string          `json:"name,omitempty"`
	ID               string          `json:"id,omitempty"`
	Timestamp        UnixTime        `json:"timestamp,omitempty"`
	Attributes       json.RawMessage `json:"attributes,omitempty"`
	Device           *V2Device       `json:"device,omitempty"`
	Primary          json.RawMessage `json:"primary,omitempty"`
	Secondary        json.RawMessage `json:"secondary,omitempty"`
	CioRelationships json.RawMessage `json:"cio_relationships,omitempty"`
}

// V2Device is the device of a Track v2 add_device / delete_device action
// (token, not id as in v1).
type V2Device struct {
	Token      string          `json:"token"`
	Platform   string          `json:"platform,omitempty"`
	LastUsed   UnixTime        `json:"last_used,omitempty"`
	Attributes json.RawMessage `json:"attributes,omitempty"`
}

// Batch is the body of Track v2 POST /api/v2/batch and Pipelines POST
// /v1/batch: items kept raw so that each can be sized and decoded on its own.
type Batch struct {
	Batch        []json.RawMessage `json:"batch"`
	Context      json.RawMessage   `json:"context,omitempty"`
	Integrations json.RawMessage   `json:"integrations,omitempty"`
}

// Message is one Pipelines (Segment-spec) call: the body of /v1/identify,
// /v1/track, /v1/page, /v1/screen, /v1/alias, /v1/group, or one batch item.
type Message struct {
	Type         string          `json:"type,omitempty"`
	MessageID    string          `json:"messageId,omitempty"`
	UserID       string          `json:"userId,omitempty"`
	AnonymousID  string          `json:"anonymousId,omitempty"`
	Event        string          `json:"event,omitempty"`
	Name         string          `json:"name,omitempty"`
	Properties   json.RawMessage `json:"properties,omitempty"`
	Traits       json.RawMessage `json:"traits,omitempty"`
	PreviousID   string          `json:"previousId,omitempty"`
	GroupID      string          `json:"groupId,omitempty"`
	Timestamp    string          `json:"timestamp,omitempty"` // ISO-8601
	Context      json.RawMessage `json:"context,omitempty"`
	Integrations json.RawMessage `json:"integrations,omitempty"`
}

// ParseISOTime parses a Pipelines timestamp (RFC 3339 with optional fraction).
func ParseISOTime(s string) (time.Time, error) {
	return time.Parse(time.RFC3339Nano, s)
}

// Semantic Pipelines events that act on the person instead of recording an event.
const (
	EventUserDeleted    = "User Deleted"
	EventUserSuppressed = "User Suppressed"
	EventUserUnsuppress = "User Unsuppressed"
	EventDeviceUpdated  = "Device Created or Updated"
	EventDeviceDeleted  = "Device Deleted"
)
