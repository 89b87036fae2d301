package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cioharness/cioharness/cio"
)

// errIgnored marks a message the relay accepts but does not forward (group).
var errIgnored = errors.New("ignored")

// toCall maps one Pipelines message to the neutral call the relay forwards,
// as Customer.io's own Pipelines-to-Journeys mapping does:
//   - identify: traits become attributes, traits.email the person's email,
//     anonymousId the anonymous_id that merges earlier anonymous activity;
//   - track: properties become event data, messageId the event id (so that
//     retries de-duplicate), the ISO timestamp the event timestamp;
//     Customer.io's semantic events become delete, suppress, unsuppress and
//     device calls;
//   - page and screen: events of type page / screen named by the page name;
//   - alias: an identify of userId carrying previousId as anonymous_id.
//
// A userId that holds an email addresses the person by email. A message
// without a timestamp is stamped with now, the time the relay accepted it.
func toCall(m *cio.Message, batchContext json.RawMessage, now time.Time) (*cio.Call, error) {
	c := &cio.Call{ID: m.MessageID, AnonymousID: m.AnonymousID, Timestamp: now}
	if m.Timestamp != "" {
		ts, err := cio.ParseISOTime(m.Timestamp)
		if err != nil {
			return nil, fmt.Errorf("timestamp %q is not ISO-8601", m.Timestamp)
		}
		c.Timestamp = ts
	}
	setUser(c, m.UserID)
	switch m.Type {
	case "identify":
		c.Kind, c.ID = cio.KindIdentify, ""
		return c, identifyTraits(c, m.Traits)
	case "alias":
		if m.PreviousID == "" || m.UserID == "" {
			return nil, errors.New("alias needs previousId and userId")
		}
		c.Kind, c.ID, c.AnonymousID = cio.KindIdentify, "", m.PreviousID
		return c, nil
	case "track":
		return c, trackCall(c, m, batchContext)
	case "page", "screen":
		c.Kind, c.Name, c.Data = cio.KindPage, m.Name, m.Properties
		if m.Type == "screen" {
			c.Kind = cio.KindScreen
		}
		if c.Name == "" {
			c.Name = firstString(m.Properties, "path", "url", "title")
		}
		if c.Name == "" {
			c.Name = m.Type
		}
		return c, nil
	case "group":
		return nil, errIgnored
	}
	return nil, fmt.Errorf("unknown message type %q", m.Type)
}

// setUser puts a Pipelines userId on the call: an email-shaped value is the
// person's email, anything else the external id.
func setUser(c *cio.Call, userID string) {
	if strings.Contains(userID, "@") {
		c.Email = userID
		return
	}
	c.UserID = userID
}

// identifyTraits moves traits.email to the call's Email (the Track encoders
// write it) and keeps every other trait, bytes untouched, as attributes.
func identifyTraits(c *cio.Call, traits json.RawMessage) error {
	ms, err := members(traits)
	if err != nil {
		return fmt.Errorf("traits: %w", err)
	}
	rest := ms[:0:0]
	found := false
	for _, m := range ms {
		var s string
		if m.key == "email" && json.Unmarshal(m.val, &s) == nil {
			c.Email, found = s, true
			continue
		}
		rest = append(rest, m)
	}
	if !found {
		c.Data = traits
		return nil
	}
	c.Data = joinMembers(rest)
	return nil
}

func trackCall(c *cio.Call, m *cio.Message, batchContext json.RawMessage) error {
	if m.Event == "" {
		return errors.New("track needs an event name")
	}
	switch m.Event {
	case cio.EventUserDeleted:
		c.Kind = cio.KindDelete
	case cio.EventUserSuppressed:
		c.Kind = cio.KindSuppress
	case cio.EventUserUnsuppress:
		c.Kind = cio.KindUnsuppress
	case cio.EventDeviceUpdated, cio.EventDeviceDeleted:
		c.Kind = cio.KindDeviceAdd
		if m.Event == cio.EventDeviceDeleted {
			c.Kind = cio.KindDeviceDelete
		}
		ctx := m.Context
		if len(ctx) == 0 {
			ctx = batchContext
		}
		var dc struct {
			Device struct {
				Token string `json:"token"`
				Type  string `json:"type"`
			} `json:"device"`
		}
		if err := json.Unmarshal(orEmpty(ctx), &dc); err != nil || dc.Device.Token == "" {
			return fmt.Errorf("%s needs context.device.token", m.Event)
		}
		c.Device = cio.Device{Token: dc.Device.Token, Platform: dc.Device.Type, Attributes: nonEmptyObject(m.Properties)}
	default:
		c.Kind, c.Name, c.Data = cio.KindTrack, m.Event, m.Properties
		return nil
	}
	c.ID, c.Timestamp = "", time.Time{}
	if c.Kind == cio.KindDeviceAdd {
		c.Device.LastUsed = timeOr(m.Timestamp)
	}
	return nil
}

func timeOr(iso string) time.Time {
	t, err := cio.ParseISOTime(iso)
	if err != nil {
		return time.Time{}
	}
	return t
}

// member is one key of a JSON object with its raw value.
type member struct {
	key string
	val json.RawMessage
}

// members lists the members of a JSON object in order, values untouched.
// Empty input and null are an empty object.
func members(obj json.RawMessage) ([]member, error) {
	obj = bytes.TrimSpace(obj)
	if len(obj) == 0 || bytes.Equal(obj, []byte("null")) {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(obj))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	var ms []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		ms = append(ms, member{key: tok.(string), val: v})
	}
	return ms, nil
}

// joinMembers builds a JSON object from members; none gives nil (no data).
func joinMembers(ms []member) json.RawMessage {
	if len(ms) == 0 {
		return nil
	}
	b := []byte{'{'}
	for i, m := range ms {
		if i > 0 {
			b = append(b, ',')
		}
		b = cio.AppendString(b, m.key)
		b = append(append(b, ':'), m.val...)
	}
	return append(b, '}')
}

// firstString returns the first of keys that holds a non-empty string in obj.
func firstString(obj json.RawMessage, keys ...string) string {
	ms, _ := members(obj)
	for _, k := range keys {
		for _, m := range ms {
			var s string
			if m.key == k && json.Unmarshal(m.val, &s) == nil && s != "" {
				return s
			}
		}
	}
	return ""
}

func orEmpty(b json.RawMessage) json.RawMessage {
	if len(bytes.TrimSpace(b)) == 0 {
		return json.RawMessage("{}")
	}
	return b
}

func nonEmptyObject(b json.RawMessage) json.RawMessage {
	ms, err := members(b)
	if err != nil || len(ms) == 0 {
		return nil
	}
	return b
}
