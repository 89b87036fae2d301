package cio

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Request is one HTTP request in a wire format, without host or headers.
type Request struct {
	Method   string
	Path     string // escaped, e.g. /api/v1/customers/a%40b.c/events
	Body     []byte // nil for no body
	Endpoint string // stable label for metrics, see the Endpoint constants
}

// Endpoint labels used in results and metrics.
const (
	EndpointV1Identify     = "v1.identify"
	EndpointV1Delete       = "v1.delete"
	EndpointV1Event        = "v1.event"
	EndpointV1AnonEvent    = "v1.anonymous_event"
	EndpointV1Merge        = "v1.merge"
	EndpointV1Suppress     = "v1.suppress"
	EndpointV1Unsuppress   = "v1.unsuppress"
	EndpointV1DeviceAdd    = "v1.device_add"
	EndpointV1DeviceDelete = "v1.device_delete"
	EndpointV2Entity       = "v2.entity"
	EndpointV2Batch        = "v2.batch"
	EndpointPipelines      = "pipelines." // + identify, track, page, screen, alias, group
	EndpointPipelinesBatch = "pipelines.batch"
)

// ErrUnsupported is returned for a call the wire format cannot express
// (alias on Track, merge on Pipelines).
var ErrUnsupported = errors.New("not expressible in this wire format")

// Encode encodes one call as a request of api.
func Encode(api API, c *Call) (Request, error) { return EncodeTo(nil, api, c) }

// EncodeTo is Encode appending a Pipelines or Track v2 entity body to dst, so
// that a sender can reuse one buffer across requests (the returned Body
// aliases dst's array). Track v1 bodies are allocated as with Encode.
func EncodeTo(dst []byte, api API, c *Call) (Request, error) {
	if c.Kind == 0 {
		return Request{}, errors.New("cio: encode: call has no kind")
	}
	switch api {
	case APIPipelines:
		body, err := AppendPipelines(dst, c)
		if err != nil {
			return Request{}, err
		}
		typ := pipelinesType(c)
		return Request{Method: "POST", Path: "/v1/" + typ, Body: body, Endpoint: EndpointPipelines + typ}, nil
	case APITrack:
		return encodeV1(c)
	case APITrackV2:
		if c.Kind.IsEvent() && c.Anonymous() {
			return encodeV1(c) // v2 has no anonymous person action
		}
		body, err := AppendV2(dst, c)
		if err != nil {
			return Request{}, err
		}
		return Request{Method: "POST", Path: "/api/v2/entity", Body: body, Endpoint: EndpointV2Entity}, nil
	}
	return Request{}, fmt.Errorf("cio: encode: unknown api %d", api)
}

// Batchable reports whether c can travel in api's batch request. Track v1 has
// no batch; Track v2 batches cannot carry anonymous events.
func Batchable(api API, c *Call) bool {
	switch api {
	case APIPipelines:
		return c.Kind != KindMerge
	case APITrackV2:
		return c.Kind != KindAlias && !(c.Kind.IsEvent() && c.Anonymous())
	}
	return false
}

// EncodeBatch encodes calls as one batch request: Pipelines POST /v1/batch or
// Track v2 POST /api/v2/batch. Every call must be Batchable.
func EncodeBatch(api API, calls []*Call) (Request, error) {
	var appendOne func([]byte, *Call) ([]byte, error)
	var req Request
	switch api {
	case APIPipelines:
		appendOne, req = AppendPipelines, Request{Method: "POST", Path: "/v1/batch", Endpoint: EndpointPipelinesBatch}
	case APITrackV2:
		appendOne, req = AppendV2, Request{Method: "POST", Path: "/api/v2/batch", Endpoint: EndpointV2Batch}
	default:
		return Request{}, fmt.Errorf("cio: %v has no batch request", api)
	}
	b := append(make([]byte, 0, 512*len(calls)), `{"batch":[`...)
	for i, c := range calls {
		if !Batchable(api, c) {
			return Request{}, fmt.Errorf("cio: batch item %d: %v %v: %w", i, api, c.Kind, ErrUnsupported)
		}
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendOne(b, c); err != nil {
			return Request{}, fmt.Errorf("cio: batch item %d: %w", i, err)
		}
	}
	req.Body = append(b, ']', '}')
	return req, nil
}

// EscapeSegment percent-encodes a path segment as the official clients do
// (encodeURIComponent): everything but unreserved characters, so "@" is %40 and
// "+" is %2B, as Customer.io's docs ask.
func EscapeSegment(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

func customerPath(id Identifier, suffix string) string {
	return "/api/v1/customers/" + EscapeSegment(id.String()) + suffix
}

func encodeV1(c *Call) (Request, error) {
	who := c.Person()
	needWho := func() error {
		if who.IsZero() {
			return fmt.Errorf("cio: track %v needs a user id or email", c.Kind)
		}
		return nil
	}
	switch c.Kind {
	case KindIdentify:
		if err := needWho(); err != nil {
			return Request{}, err
		}
		b := append(make([]byte, 0, 64+len(c.Data)), '{')
		if c.UserID != "" {
			b = appendStrField(b, "email", c.Email)
		}
		b = appendStrField(b, "anonymous_id", c.AnonymousID)
		b = appendUnixField(b, "_timestamp", c.Timestamp)
		b = append(appendMembers(b, c.Data), '}')
		return Request{Method: "PUT", Path: customerPath(who, ""), Body: b, Endpoint: EndpointV1Identify}, nil
	case KindTrack, KindPage, KindScreen:
		b := append(make([]byte, 0, 96+len(c.Data)), '{')
		b = appendStrField(b, "name", c.Name)
		b = appendStrField(b, "id", c.ID)
		if c.Kind != KindTrack {
			b = appendStrField(b, "type", c.Kind.EventType())
		}
		b = appendUnixField(b, "timestamp", c.Timestamp)
		if who.IsZero() {
			b = appendStrField(b, "anonymous_id", c.AnonymousID)
			b = append(appendObjectField(b, "data", c.Data), '}')
			return Request{Method: "POST", Path: "/api/v1/events", Body: b, Endpoint: EndpointV1AnonEvent}, nil
		}
		b = append(appendObjectField(b, "data", c.Data), '}')
		return Request{Method: "POST", Path: customerPath(who, "/events"), Body: b, Endpoint: EndpointV1Event}, nil
	case KindMerge:
		p, _ := c.Primary.MarshalJSON()
		s, _ := c.Secondary.MarshalJSON()
		b := append(append(append(append([]byte(`{"primary":`), p...), `,"secondary":`...), s...), '}')
		return Request{Method: "POST", Path: "/api/v1/merge_customers", Body: b, Endpoint: EndpointV1Merge}, nil
	case KindDelete, KindSuppress, KindUnsuppress, KindDeviceDelete:
		if err := needWho(); err != nil {
			return Request{}, err
		}
		switch c.Kind {
		case KindDelete:
			return Request{Method: "DELETE", Path: customerPath(who, ""), Endpoint: EndpointV1Delete}, nil
		case KindSuppress:
			return Request{Method: "POST", Path: customerPath(who, "/suppress"), Endpoint: EndpointV1Suppress}, nil
		case KindUnsuppress:
			return Request{Method: "POST", Path: customerPath(who, "/unsuppress"), Endpoint: EndpointV1Unsuppress}, nil
		}
		return Request{Method: "DELETE", Path: customerPath(who, "/devices/"+EscapeSegment(c.Device.Token)), Endpoint: EndpointV1DeviceDelete}, nil
	case KindDeviceAdd:
		if err := needWho(); err != nil {
			return Request{}, err
		}
		b := append([]byte(nil), `{"device":{`...)
		b = appendStrField(b, "id", c.Device.Token)
		b = appendStrField(b, "platform", c.Device.Platform)
		b = appendUnixField(b, "last_used", c.Device.LastUsed)
		if len(c.Device.Attributes) > 0 {
			b = appendObjectField(b, "attributes", c.Device.Attributes)
		}
		b = append(b, '}', '}')
		return Request{Method: "PUT", Path: customerPath(who, "/devices"), Body: b, Endpoint: EndpointV1DeviceAdd}, nil
	}
	return Request{}, fmt.Errorf("cio: track %v: %w", c.Kind, ErrUnsupported)
}

var v2Actions = [...]string{KindIdentify: "identify", KindTrack: "event", KindPage: "page", KindScreen: "screen",
	KindDelete: "delete", KindSuppress: "suppress", KindUnsuppress: "unsuppress",
	KindDeviceAdd: "add_device", KindDeviceDelete: "delete_device", KindDeviceDelete + 1: ""}

// AppendV2 appends c as one Track v2 person entity.
func AppendV2(b []byte, c *Call) ([]byte, error) {
	who := c.Person()
	b = append(b, `{"type":"person","action":`...)
	switch c.Kind {
	case KindMerge:
		p, _ := c.Primary.MarshalJSON()
		s, _ := c.Secondary.MarshalJSON()
		b = append(append(append(append(append(b, `"merge","primary":`...), p...), `,"secondary":`...), s...), '}')
		return b, nil
	case KindAlias:
		return nil, fmt.Errorf("cio: track-v2 alias: %w", ErrUnsupported)
	}
	if who.IsZero() {
		return nil, fmt.Errorf("cio: track-v2 %v needs a user id or email", c.Kind)
	}
	b = AppendString(b, v2Actions[c.Kind])
	idj, _ := who.MarshalJSON()
	b = append(append(b, `,"identifiers":`...), idj...)
	switch c.Kind {
	case KindIdentify:
		b = appendUnixField(b, "timestamp", c.Timestamp)
		b = append(appendKey(b, "attributes"), '{')
		if c.UserID != "" {
			b = appendStrField(b, "email", c.Email)
		}
		b = appendStrField(b, "anonymous_id", c.AnonymousID)
		b = append(appendMembers(b, c.Data), '}')
	case KindTrack, KindPage, KindScreen:
		b = appendStrField(b, "name", c.Name)
		b = appendStrField(b, "id", c.ID)
		b = appendUnixField(b, "timestamp", c.Timestamp)
		b = appendObjectField(b, "attributes", c.Data)
	case KindDeviceAdd, KindDeviceDelete:
		b = append(appendKey(b, "device"), '{')
		b = appendStrField(b, "token", c.Device.Token)
		if c.Kind == KindDeviceAdd {
			b = appendStrField(b, "platform", c.Device.Platform)
			b = appendUnixField(b, "last_used", c.Device.LastUsed)
			if len(c.Device.Attributes) > 0 {
				b = appendObjectField(b, "attributes", c.Device.Attributes)
			}
		}
		b = append(b, '}')
	}
	return append(b, '}'), nil
}

func pipelinesType(c *Call) string {
	switch c.Kind {
	case KindIdentify:
		return "identify"
	case KindPage:
		return "page"
	case KindScreen:
		return "screen"
	case KindAlias:
		return "alias"
	}
	return "track" // events and the semantic events
}

// AppendPipelines appends c as one Pipelines message with its "type".
// Deletes, suppression and devices become Customer.io's semantic track events.
// An identify by email alone sends the email as userId.
func AppendPipelines(b []byte, c *Call) ([]byte, error) {
	if c.Kind == KindMerge {
		return nil, fmt.Errorf("cio: pipelines merge: %w", ErrUnsupported)
	}
	userID := c.UserID
	if userID == "" {
		userID = c.Email
	}
	if userID == "" && c.AnonymousID == "" {
		return nil, fmt.Errorf("cio: pipelines %v needs userId or anonymousId", c.Kind)
	}
	b = append(b, '{')
	b = appendStrField(b, "type", pipelinesType(c))
	b = appendStrField(b, "messageId", c.ID)
	if !c.Timestamp.IsZero() {
		b = appendISO(appendKey(b, "timestamp"), c.Timestamp)
	}
	b = appendStrField(b, "userId", userID)
	b = appendStrField(b, "anonymousId", c.AnonymousID)
	switch c.Kind {
	case KindIdentify:
		b = append(appendKey(b, "traits"), '{')
		b = appendStrField(b, "email", c.Email)
		b = append(appendMembers(b, c.Data), '}')
	case KindTrack:
		b = appendStrField(b, "event", c.Name)
		b = appendObjectField(b, "properties", c.Data)
	case KindPage, KindScreen:
		b = appendStrField(b, "name", c.Name)
		b = appendObjectField(b, "properties", c.Data)
	case KindAlias:
		b = appendStrField(b, "previousId", c.PreviousID)
	case KindDelete:
		b = appendStrField(b, "event", EventUserDeleted)
	case KindSuppress:
		b = appendStrField(b, "event", EventUserSuppressed)
	case KindUnsuppress:
		b = appendStrField(b, "event", EventUserUnsuppress)
	case KindDeviceAdd, KindDeviceDelete:
		ev := EventDeviceUpdated
		if c.Kind == KindDeviceDelete {
			ev = EventDeviceDeleted
		}
		b = appendStrField(b, "event", ev)
		b = append(appendKey(b, "context"), `{"device":{`...)
		b = appendStrField(b, "token", c.Device.Token)
		b = appendStrField(b, "type", c.Device.Platform)
		b = append(b, '}', '}')
		if len(c.Device.Attributes) > 0 {
			b = appendObjectField(b, "properties", c.Device.Attributes)
		}
	}
	return append(b, '}'), nil
}
