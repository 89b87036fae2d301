package mockcio

import (
	"encoding/json"
	"errors"
	"time"
)

// This file is the contract between the store (people, events, identity) and
// the retention engines that sit on top of it: campaigns, truth segments and
// tracking-plan (contract) checks. The store calls a Retention; the engines
// read people back through a Host.
//
// Rules of the contract:
//
//   - The store calls every Retention method AFTER it has released its own
//     locks, so an implementation may call back into the Host (for example
//     Host.Person) from inside a hook. Hooks run on the request goroutine:
//     keep them short and never block on I/O.
//   - Hooks are called concurrently from many requests; the implementation
//     does its own locking.
//   - Hooks fire only for accepted, applied commands. A rejected, faulted,
//     rate-limited, de-duplicated or suppression-blocked request fires none.
//   - Hooks of concurrent requests may run in any order, even for one
//     person: order events by EventView.LandedAt (or Timestamp), not by
//     call order. Hooks of one command run in order on one goroutine.
//   - The views passed to hooks are copies: the engine may keep them. Data is
//     shared raw JSON: never modify it.
//   - Times: wire timestamps are wall-clock; Host.Now is the mock's clock
//     (Options.Now), and Host.TimeScale says how many shopper seconds pass in
//     one real second. Shopper durations (72 h, delays) are divided by it.
//
// Plugging an engine in: set Options.Retention, or set the package variable
// newRetention from an init function in the engine's own file, so that every
// NewServer (and `cioharness mock`) gets it by default.

// Retention is implemented by the retention engines. NopRetention is the
// default: it does nothing and answers empty lists.
type Retention interface {
	// Identified is called after an identify was applied to a person: attrs
	// holds the attributes the call carried (raw JSON values, reserved keys
	// such as _timestamp and _update removed), whether or not each one won
	// the _timestamp ordering. Used for contract checks on attribute types
	// and for segments.
	Identified(p PersonRef, attrs map[string]json.RawMessage, at time.Time)

	// EventAccepted is called once for every accepted, non-duplicate event,
	// on a person or on an anonymous id (p.CioID empty, AnonymousID set),
	// before it lands anywhere. Used for contract checks (name, data).
	EventAccepted(p PersonRef, ev EventView)

	// EventLanded is called once each time an event lands on a person:
	// directly (ev.Via == ViaDirect), when anonymous events are merged by an
	// identify or arrive inside the late-merge window (ViaAnonymousMerge), or
	// when a profile merge moves them (ViaProfileMerge; these never trigger
	// campaigns). ev.LandedAt is when it landed on this person.
	EventLanded(p PersonRef, ev EventView)

	// PersonRemoved is called when a person stops existing: deleted,
	// suppressed, or merged away (reason RemovedMerged, into = the primary).
	PersonRemoved(p PersonRef, reason RemovedReason, into PersonRef)

	// Reset empties the engine's state (POST /__mock/reset).
	Reset()

	// Config returns the engine's part of GET /__mock/config.
	Config() ConfigView
	// SetConfig validates and applies the engine's part of PUT
	// /__mock/config. Fields left nil in c are unchanged. An error leaves
	// the engine unchanged and answers 400.
	SetConfig(c ConfigView) error

	// Messages answers GET /__mock/messages; empty filters match all.
	Messages(campaign, person string) []MessageView
	// Segments answers GET /__mock/segments (members omitted).
	Segments() []SegmentView
	// Segment answers GET /__mock/segments/{name}; ok=false gives 404.
	Segment(name string, members bool) (SegmentView, bool)
	// Violations answers GET /__mock/violations.
	Violations() []ViolationView
	// PersonMessages lists the messages of one person for PersonView.Messages.
	PersonMessages(cioID string) []MessageView
	// PendingTimers is the number of campaign timers not yet due.
	PendingTimers() int
}

// Host is what the store offers the retention engines.
type Host interface {
	// Now is the mock's clock.
	Now() time.Time
	// TimeScale is shopper seconds per real second (Options.TimeScale,
	// changed by PUT /__mock/config).
	TimeScale() float64
	// Person returns a snapshot of one person by cio_id, id, email or
	// cio_<id> (the forms of GET /__mock/people/{identifier}).
	Person(identifier string) (PersonView, bool)
	// EachPerson calls fn with a snapshot of every person, in creation
	// order, until fn returns false. Snapshots are taken one at a time:
	// people created or changed meanwhile may or may not be seen.
	EachPerson(fn func(p *PersonView) bool)
}

// newRetention builds the default Retention of a new Server. The retention
// engines replace it from an init function in their own file.
var newRetention = func(Host) Retention { return NopRetention{} }

// PersonRef names a person in hook calls.
type PersonRef struct {
	CioID       string `json:"cio_id,omitempty"`
	ID          string `json:"id,omitempty"`
	Email       string `json:"email,omitempty"`
	AnonymousID string `json:"anonymous_id,omitempty"` // set for anonymous events
}

// RemovedReason says why a person stopped existing.
type RemovedReason uint8

// Reasons for PersonRemoved.
const (
	RemovedDeleted RemovedReason = iota + 1
	RemovedSuppressed
	RemovedMerged
)

// String returns "deleted", "suppressed" or "merged".
func (r RemovedReason) String() string {
	switch r {
	case RemovedDeleted:
		return "deleted"
	case RemovedSuppressed:
		return "suppressed"
	case RemovedMerged:
		return "merged"
	}
	return "unknown"
}

// How an event came to be on a person (EventView.Via).
const (
	ViaDirect         = "direct"          // sent for the person
	ViaAnonymousMerge = "anonymous_merge" // sent anonymously, merged by an identify
	ViaProfileMerge   = "profile_merge"   // moved from a secondary by a merge
)

// PersonView is one person as GET /__mock/people/{identifier} shows it. The
// summaries of GET /__mock/people leave Attributes, Events, Devices and
// Messages nil (omitted) and set EventCount.
type PersonView struct {
	CioID        string                     `json:"cio_id"`
	ID           string                     `json:"id,omitempty"`
	Email        string                     `json:"email,omitempty"`
	Phone        string                     `json:"phone,omitempty"`
	AnonymousIDs []string                   `json:"anonymous_ids"`
	Attributes   map[string]json.RawMessage `json:"attributes,omitzero"`
	Events       []EventView                `json:"events,omitzero"`
	EventCount   int                        `json:"event_count"`
	Devices      []DeviceView               `json:"devices,omitzero"`
	Suppressed   bool                       `json:"suppressed"`
	Messages     []MessageView              `json:"messages,omitzero"`
	CreatedAt    time.Time                  `json:"created_at"` // when the mock created the person
	UpdatedAt    time.Time                  `json:"updated_at"` // last change by any command
}

// EventView is one stored event.
type EventView struct {
	Name       string          `json:"name"`
	Type       string          `json:"type"` // event, page or screen
	ID         string          `json:"id,omitempty"`
	Timestamp  time.Time       `json:"timestamp"`   // the wire timestamp, else receive time
	ReceivedAt time.Time       `json:"received_at"` // first stored by the mock (person or anonymous id)
	LandedAt   time.Time       `json:"landed_at"`   // stored on this person (equal to ReceivedAt when direct)
	Data       json.RawMessage `json:"data"`        // raw JSON object, {} when none
	Via        string          `json:"via"`         // ViaDirect, ViaAnonymousMerge, ViaProfileMerge; "" while anonymous
	API        string          `json:"api"`         // pipelines, track or track-v2
}

// DeviceView is one push device of a person.
type DeviceView struct {
	Token      string          `json:"token"`
	Platform   string          `json:"platform,omitempty"`
	LastUsed   time.Time       `json:"last_used"`
	Attributes json.RawMessage `json:"attributes,omitempty"`
}

// AnonymousView is GET /__mock/anonymous/{anonymous_id}: the events kept
// under an anonymous id and not (yet) merged, and the person it was merged
// into, if any.
type AnonymousView struct {
	AnonymousID string          `json:"anonymous_id"`
	Events      []EventView     `json:"events"`
	Traits      json.RawMessage `json:"traits,omitempty"`      // Pipelines identify by anonymousId alone
	MergedInto  string          `json:"merged_into,omitempty"` // cio_id
	MergedAt    time.Time       `json:"merged_at,omitzero"`
}

// MessageView is one campaign outcome (GET /__mock/messages).
type MessageView struct {
	Campaign    string          `json:"campaign"`
	Person      string          `json:"person"` // cio_id
	TriggeredAt time.Time       `json:"triggered_at"`
	DueAt       time.Time       `json:"due_at"`
	Outcome     string          `json:"outcome"` // "sent", "exited" or "pending"
	ExitEventAt time.Time       `json:"exit_event_at,omitzero"`
	Content     json.RawMessage `json:"content,omitempty"`
}

// SegmentView is one truth segment (GET /__mock/segments[/{name}]).
type SegmentView struct {
	Name    string   `json:"name"`
	Count   int      `json:"count"`
	Members []string `json:"members,omitempty"` // cio_ids, on request
}

// ViolationView is one contract rule's violations (GET /__mock/violations).
type ViolationView struct {
	Rule    string            `json:"rule"`
	Count   int64             `json:"count"`
	Samples []json.RawMessage `json:"samples,omitempty"`
	Groups  []ViolationGroup  `json:"groups,omitempty"` // by event and property
}

// ViolationGroup is one rule's violations for one event and property.
type ViolationGroup struct {
	Event    string            `json:"event,omitempty"`
	Property string            `json:"property,omitempty"`
	Count    int64             `json:"count"`
	Samples  []json.RawMessage `json:"samples,omitempty"`
}

// ConfigView is GET|PUT /__mock/config. The store owns TimeScale; the
// retention engines own the rest, as raw JSON (or YAML text in a JSON string)
// they parse themselves. In a PUT, absent fields are unchanged.
type ConfigView struct {
	TimeScale float64         `json:"time_scale,omitempty"`
	Campaigns json.RawMessage `json:"campaigns,omitempty"`
	Segments  json.RawMessage `json:"segments,omitempty"`
	Contract  json.RawMessage `json:"contract,omitempty"`
}

// NopRetention is the default Retention: no campaigns, segments or contract.
type NopRetention struct{}

// Identified implements Retention.
func (NopRetention) Identified(PersonRef, map[string]json.RawMessage, time.Time) {}

// EventAccepted implements Retention.
func (NopRetention) EventAccepted(PersonRef, EventView) {}

// EventLanded implements Retention.
func (NopRetention) EventLanded(PersonRef, EventView) {}

// PersonRemoved implements Retention.
func (NopRetention) PersonRemoved(PersonRef, RemovedReason, PersonRef) {}

// Reset implements Retention.
func (NopRetention) Reset() {}

// Config implements Retention.
func (NopRetention) Config() ConfigView { return ConfigView{} }

// SetConfig implements Retention; it accepts nothing beyond the time scale.
func (NopRetention) SetConfig(c ConfigView) error {
	if c.Campaigns != nil || c.Segments != nil || c.Contract != nil {
		return errNoRetention
	}
	return nil
}

// Messages implements Retention.
func (NopRetention) Messages(string, string) []MessageView { return []MessageView{} }

// Segments implements Retention.
func (NopRetention) Segments() []SegmentView { return []SegmentView{} }

// Segment implements Retention.
func (NopRetention) Segment(string, bool) (SegmentView, bool) { return SegmentView{}, false }

// Violations implements Retention.
func (NopRetention) Violations() []ViolationView { return []ViolationView{} }

// PersonMessages implements Retention.
func (NopRetention) PersonMessages(string) []MessageView { return nil }

// PendingTimers implements Retention.
func (NopRetention) PendingTimers() int { return 0 }

// errNoRetention answers a PUT /__mock/config that sets campaigns, segments
// or a contract when no retention engine is plugged in.
var errNoRetention = errors.New("campaigns, segments and contract need the retention engines, which this mock does not have")
