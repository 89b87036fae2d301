package mockcio

import (
	"encoding/json"
	"sort"
	"strings"
	"sync"
	"time"
)

// Event types and vias as stored (one byte each).
const (
	evEvent uint8 = iota
	evPage
	evScreen
)

var evTypeNames = [...]string{"event", "page", "screen"}

const (
	viaNone uint8 = iota // still anonymous
	viaDirect
	viaAnonMerge
	viaProfileMerge
)

var viaNames = [...]string{"", ViaDirect, ViaAnonymousMerge, ViaProfileMerge}

// event is one stored event, kept compact: times as unix nanoseconds, the
// name interned, data as the raw JSON bytes received.
type event struct {
	id     string // event id / messageId; "" when none
	data   string // raw JSON object
	ts     int64  // wire timestamp (or receive time)
	recv   int64  // first stored by the mock
	landed int64  // stored on the current person
	name   uint32 // interned
	typ    uint8
	via    uint8
	api    uint8
}

// attr is one attribute value with the time of the write that set it, for
// _timestamp ordering.
type attr struct {
	val string // raw JSON
	ts  int64
}

// device is one push device.
type device struct {
	token, platform string
	lastUsed        int64
	attrs           string
}

// anonLink is an anonymous id merged into a person, and when.
type anonLink struct {
	id string
	at int64
}

// person is one profile. Identifier fields are guarded by the index stripes
// (see store); the data fields by mu.
type person struct {
	cioID, id, email, phone string
	anon                    []anonLink
	created                 int64

	mu      sync.Mutex
	gone    bool
	updated int64
	attrs   map[string]attr
	events  []event
	seen    map[string]struct{} // event ids, for de-duplication
	devices []device
}

// keys returns the index keys of every identifier of p.
func (p *person) keys() []string {
	ks := make([]string, 0, 4+len(p.anon))
	ks = append(ks, keyCio(p.cioID))
	if p.id != "" {
		ks = append(ks, keyID(p.id))
	}
	if p.email != "" {
		ks = append(ks, keyEmail(p.email))
	}
	if p.phone != "" {
		ks = append(ks, keyPhone(p.phone))
	}
	for _, a := range p.anon {
		ks = append(ks, keyAnon(a.id))
	}
	return ks
}

func keyEmail(v string) string { return "email:" + strings.ToLower(v) }

func (p *person) ref() PersonRef { return PersonRef{CioID: p.cioID, ID: p.id, Email: p.email} }

// addEvent appends e unless its id was seen; p.mu must be held. It reports
// whether the event was added.
func (p *person) addEvent(e event) bool {
	if e.id != "" {
		if _, dup := p.seen[e.id]; dup {
			return false
		}
		if p.seen == nil {
			p.seen = map[string]struct{}{}
		}
		p.seen[e.id] = struct{}{}
	}
	p.events = append(p.events, e)
	if e.landed > p.updated {
		p.updated = e.landed
	}
	return true
}

// setAttr writes one attribute if ts is not older than the value's last
// write; null or "" removes it. p.mu must be held.
func (p *person) setAttr(name string, val []byte, ts int64) {
	if cur, ok := p.attrs[name]; ok && ts < cur.ts {
		return
	}
	if isBlank(val) {
		if _, ok := p.attrs[name]; ok {
			// keep the tombstone time so an older write cannot revive it
			p.attrs[name] = attr{ts: ts}
		}
		return
	}
	if p.attrs == nil {
		p.attrs = map[string]attr{}
	}
	p.attrs[name] = attr{val: string(val), ts: ts}
}

// subscriptionPrefs is the attribute that takes partial updates through
// dotted keys, e.g. "cio_subscription_preferences.topics.topic_3": true.
const subscriptionPrefs = "cio_subscription_preferences"

// setNested sets one dotted path inside the object attribute root. p.mu
// must be held.
func (p *person) setNested(root string, path []string, val []byte, ts int64) {
	if merged, ok := setJSONPath([]byte(p.attrs[root].val), path, val); ok {
		p.setAttr(root, merged, ts)
	}
}

// setJSONPath returns doc (an object, or nothing) with path set to val.
func setJSONPath(doc []byte, path []string, val []byte) ([]byte, bool) {
	m := map[string]json.RawMessage{}
	if !isNull(doc) && json.Unmarshal(doc, &m) != nil {
		m = map[string]json.RawMessage{}
	}
	if len(path) == 1 {
		m[path[0]] = val
	} else {
		sub, ok := setJSONPath(m[path[0]], path[1:], val)
		if !ok {
			return nil, false
		}
		m[path[0]] = sub
	}
	b, err := json.Marshal(m)
	return b, err == nil
}

// isBlank reports whether a raw JSON value is null or the empty string.
func isBlank(v []byte) bool {
	s := strings.TrimSpace(string(v))
	return s == "" || s == "null" || s == `""`
}

func nanoTime(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// eventView renders e.
func (s *store) eventView(e *event) EventView {
	data := e.data
	if data == "" {
		data = "{}"
	}
	return EventView{
		Name: s.names.name(e.name), Type: evTypeNames[e.typ%3], ID: e.id,
		Timestamp: nanoTime(e.ts), ReceivedAt: nanoTime(e.recv), LandedAt: nanoTime(e.landed),
		Data: json.RawMessage(data), Via: viaNames[e.via%4], API: apiNames[e.api%4],
	}
}

// view renders p; full adds attributes, events and devices. The caller holds
// a stripe of p; view takes p.mu.
func (s *store) view(p *person, full bool) PersonView {
	v := PersonView{CioID: p.cioID, ID: p.id, Email: p.email, Phone: p.phone,
		AnonymousIDs: make([]string, 0, len(p.anon)), CreatedAt: nanoTime(p.created)}
	for _, a := range p.anon {
		v.AnonymousIDs = append(v.AnonymousIDs, a.id)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	v.UpdatedAt = nanoTime(p.updated)
	v.EventCount = len(p.events)
	if !full {
		return v
	}
	v.Attributes = make(map[string]json.RawMessage, len(p.attrs))
	for k, a := range p.attrs {
		if a.val != "" {
			v.Attributes[k] = json.RawMessage(a.val)
		}
	}
	v.Events = make([]EventView, 0, len(p.events))
	for i := range p.events {
		v.Events = append(v.Events, s.eventView(&p.events[i]))
	}
	v.Devices = make([]DeviceView, 0, len(p.devices))
	for _, d := range p.devices {
		dv := DeviceView{Token: d.token, Platform: d.platform, LastUsed: nanoTime(d.lastUsed)}
		if d.attrs != "" {
			dv.Attributes = json.RawMessage(d.attrs)
		}
		v.Devices = append(v.Devices, dv)
	}
	sort.Slice(v.Devices, func(i, j int) bool { return v.Devices[i].Token < v.Devices[j].Token })
	return v
}
