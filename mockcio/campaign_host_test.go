package mockcio

import (
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"
)

// fakeHost is a Host over an in-memory list of people with a settable clock.
type fakeHost struct {
	mu     sync.Mutex
	now    time.Time
	scale  float64
	people []*PersonView
}

var t0 = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func newFakeHost(scale float64) *fakeHost { return &fakeHost{now: t0, scale: scale} }

func (h *fakeHost) Now() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.now
}

func (h *fakeHost) TimeScale() float64 { return h.scale }

func (h *fakeHost) set(t time.Time) {
	h.mu.Lock()
	h.now = t
	h.mu.Unlock()
}

func (h *fakeHost) find(identifier string) *PersonView {
	for _, p := range h.people {
		if identifier == p.CioID || identifier == "cio_"+p.CioID || (p.ID != "" && identifier == p.ID) || (p.Email != "" && identifier == p.Email) {
			return p
		}
	}
	return nil
}

func (h *fakeHost) Person(identifier string) (PersonView, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if p := h.find(identifier); p != nil {
		c := *p
		c.Events = slices.Clone(p.Events)
		return c, true
	}
	return PersonView{}, false
}

func (h *fakeHost) EachPerson(fn func(p *PersonView) bool) {
	h.mu.Lock()
	list := slices.Clone(h.people)
	h.mu.Unlock()
	for _, p := range list {
		c := *p
		if !fn(&c) {
			return
		}
	}
}

// person adds (or returns) a person with cio_id id, id id and email id@x.test.
func (h *fakeHost) person(id string, attrs map[string]any) PersonRef {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.find(id) == nil {
		p := &PersonView{CioID: id, ID: id, Email: id + "@x.test", Attributes: map[string]json.RawMessage{}}
		for k, v := range attrs {
			p.Attributes[k], _ = json.Marshal(v)
		}
		h.people = append(h.people, p)
	}
	return PersonRef{CioID: id, ID: id, Email: id + "@x.test"}
}

// land stores an event on a person and tells the engine, as the store does.
func (h *fakeHost) land(e *Engine, p PersonRef, ev EventView) {
	if ev.Via == "" {
		ev.Via = ViaDirect
	}
	if ev.Type == "" {
		ev.Type = "event"
	}
	if ev.ReceivedAt.IsZero() {
		ev.ReceivedAt = ev.LandedAt
	}
	h.mu.Lock()
	pv := h.find(p.CioID)
	pv.Events = append(pv.Events, ev)
	h.mu.Unlock()
	e.EventLanded(p, ev)
}

func ev(name string, ts, landed time.Time, data string) EventView {
	if data == "" {
		data = "{}"
	}
	return EventView{Name: name, Type: "event", Timestamp: ts, LandedAt: landed, Data: json.RawMessage(data)}
}

func newTestEngine(t *testing.T, h *fakeHost, campaigns string) *Engine {
	t.Helper()
	e := NewEngine(h, EngineOptions{ManualTimers: true, Empty: true})
	if campaigns != "" {
		if err := e.SetConfig(ConfigView{Campaigns: mustJSONString(campaigns)}); err != nil {
			t.Fatalf("SetConfig: %v", err)
		}
	}
	return e
}

func mustJSONString(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}
