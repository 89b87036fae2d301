package mockcio

import (
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"
)

// recRetention records hook calls as short strings.
type recRetention struct {
	NopRetention
	mu    sync.Mutex
	calls []string
	host  Host
}

func (r *recRetention) add(s string) {
	r.mu.Lock()
	r.calls = append(r.calls, s)
	r.mu.Unlock()
}

func (r *recRetention) Identified(p PersonRef, attrs map[string]json.RawMessage, _ time.Time) {
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	r.add("identified " + p.ID + " " + string(mustJSON(keys)))
}

func (r *recRetention) EventAccepted(p PersonRef, ev EventView) {
	r.add("accepted " + p.ID + p.AnonymousID + " " + ev.Name)
}

func (r *recRetention) EventLanded(p PersonRef, ev EventView) {
	// A hook may read the store back: no lock is held.
	if v, ok := r.host.Person("cio_" + p.CioID); !ok || v.CioID != p.CioID {
		r.add("landed on a person the host cannot read")
	}
	r.add("landed " + p.ID + " " + ev.Name + " " + ev.Via)
}

func (r *recRetention) PersonRemoved(p PersonRef, reason RemovedReason, into PersonRef) {
	r.add("removed " + p.ID + " " + reason.String() + " " + into.ID)
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

func TestHooksContract(t *testing.T) {
	rec := &recRetention{}
	m := newTMock(t, Options{Retention: rec})
	rec.host = host{m.s}
	m.ok("POST", "/api/v1/events", `{"name":"Browse","anonymous_id":"a"}`)
	m.ok("PUT", "/api/v1/customers/u1", `{"plan":"x","anonymous_id":"a","_timestamp":1}`)
	m.ok("POST", "/api/v1/customers/u1/events", `{"name":"Buy","id":"01X"}`)
	m.ok("POST", "/api/v1/customers/u1/events", `{"name":"Buy","id":"01X"}`) // duplicate: no hooks
	m.call("POST", "/api/v1/customers/u1/events", `{"data":{}}`)             // rejected: no hooks
	m.ok("PUT", "/api/v1/customers/u2", `{}`)
	m.ok("POST", "/api/v1/customers/u2/events", `{"name":"Old"}`)
	m.ok("POST", "/api/v1/merge_customers", `{"primary":{"id":"u1"},"secondary":{"id":"u2"}}`)
	m.ok("POST", "/api/v1/customers/u1/suppress", "")
	m.ok("PUT", "/api/v1/customers/u1", `{"plan":"y"}`) // suppressed: no hooks
	want := []string{
		"accepted a Browse",
		`identified u1 ["plan"]`,
		"landed u1 Browse anonymous_merge",
		"accepted u1 Buy",
		"landed u1 Buy direct",
		`identified u2 []`,
		"accepted u2 Old",
		"landed u2 Old direct",
		"landed u1 Old profile_merge",
		"removed u2 merged u1",
		"removed u1 suppressed ",
	}
	if !slices.Equal(rec.calls, want) {
		t.Fatalf("hook calls:\n%q\nwant\n%q", rec.calls, want)
	}
}
