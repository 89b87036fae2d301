package mockcio

import (
	"slices"
	"testing"
)

func TestMergePrimaryWins(t *testing.T) {
	tests := []struct{ name, method, path, body string }{
		{"v1 merge_customers", "POST", "/api/v1/merge_customers", `{"primary":{"id":"p1"},"secondary":{"email":"s@x.com"}}`},
		{"v2 merge", "POST", "/api/v2/entity", `{"type":"person","action":"merge","primary":{"id":"p1"},"secondary":{"email":"s@x.com"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newTMock(t, Options{})
			m.ok("PUT", "/api/v1/customers/p1", `{"plan":"gold","city":""}`)
			m.ok("POST", "/api/v1/customers/p1/events", `{"name":"P","id":"01DUP"}`)
			m.ok("PUT", "/api/v1/customers/s%40x.com", `{"plan":"free","city":"Oslo","anonymous_id":"an-s"}`)
			m.ok("POST", "/api/v1/customers/s%40x.com/events", `{"name":"S"}`)
			m.ok("POST", "/api/v1/customers/s%40x.com/events", `{"name":"P-dup","id":"01DUP"}`)
			m.ok("PUT", "/api/v1/customers/s%40x.com/devices", `{"device":{"id":"tok","platform":"ios"}}`)
			m.clk.Add(1e9)
			m.ok(tt.method, tt.path, tt.body)
			p := m.person("p1")
			if got := tmAttr(p, "plan"); got != `"gold"` {
				t.Errorf("plan = %s: the primary's value must win", got)
			}
			if got := tmAttr(p, "city"); got != `"Oslo"` {
				t.Errorf("city = %s: a blank on the primary must be filled", got)
			}
			if got := tmNames(p); !slices.Equal(got, []string{"P/direct", "S/profile_merge"}) {
				t.Errorf("events = %v, want P direct and S profile_merge (duplicate id dropped)", got)
			}
			if p.Email != "s@x.com" || len(p.Devices) != 1 || !slices.Equal(p.AnonymousIDs, []string{"an-s"}) {
				t.Errorf("primary = %+v: want the secondary's email, device and anonymous id", p)
			}
			if got := m.person("s@x.com").CioID; got != p.CioID {
				t.Errorf("secondary's email names %s, want the primary %s", got, p.CioID)
			}
			if st := m.stats(); st.People != 1 || st.Events != 2 {
				t.Errorf("people=%d events=%d, want 1 and 2", st.People, st.Events)
			}
		})
	}
}

func TestMergeWithMissingPrimaryDoesNothing(t *testing.T) {
	m := newTMock(t, Options{})
	m.ok("PUT", "/api/v1/customers/s1", `{"plan":"x"}`)
	m.ok("POST", "/api/v1/merge_customers", `{"primary":{"id":"nobody"},"secondary":{"id":"s1"}}`)
	if got := tmAttr(m.person("s1"), "plan"); got != `"x"` {
		t.Fatalf("secondary changed: plan %s", got)
	}
	m.absent("nobody")
}

func TestEventDeduplication(t *testing.T) {
	tests := []struct {
		name  string
		calls [][3]string
		want  map[string]int // person → events
	}{
		{"v1 id", [][3]string{
			{"POST", "/api/v1/customers/u1/events", `{"name":"A","id":"01X"}`},
			{"POST", "/api/v1/customers/u1/events", `{"name":"A","id":"01X"}`},
		}, map[string]int{"u1": 1}},
		{"v2 id", [][3]string{
			{"POST", "/api/v2/entity", `{"type":"person","action":"event","identifiers":{"id":"u1"},"name":"A","id":"01X"}`},
			{"POST", "/api/v2/entity", `{"type":"person","action":"event","identifiers":{"id":"u1"},"name":"A","id":"01X"}`},
		}, map[string]int{"u1": 1}},
		{"pipelines messageId", [][3]string{
			{"POST", "/v1/track", `{"userId":"u1","event":"A","messageId":"m1"}`},
			{"POST", "/v1/batch", `{"batch":[{"type":"track","userId":"u1","event":"A","messageId":"m1"}]}`},
		}, map[string]int{"u1": 1}},
		{"no id: no dedup", [][3]string{
			{"POST", "/api/v1/customers/u1/events", `{"name":"A"}`},
			{"POST", "/api/v1/customers/u1/events", `{"name":"A"}`},
		}, map[string]int{"u1": 2}},
		{"scope is the person", [][3]string{
			{"POST", "/api/v1/customers/u1/events", `{"name":"A","id":"01X"}`},
			{"POST", "/api/v1/customers/u2/events", `{"name":"A","id":"01X"}`},
		}, map[string]int{"u1": 1, "u2": 1}},
		{"anonymous then merged", [][3]string{
			{"POST", "/v1/track", `{"anonymousId":"a","event":"A","messageId":"m1"}`},
			{"POST", "/v1/track", `{"anonymousId":"a","event":"A","messageId":"m1"}`},
			{"POST", "/v1/identify", `{"userId":"u1","anonymousId":"a"}`},
			{"POST", "/v1/track", `{"userId":"u1","event":"A","messageId":"m1"}`},
		}, map[string]int{"u1": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newTMock(t, Options{})
			for _, c := range tt.calls {
				m.ok(c[0], c[1], c[2])
			}
			total := 0
			for id, n := range tt.want {
				if got := len(m.person(id).Events); got != n {
					t.Errorf("%s events = %d, want %d", id, got, n)
				}
				total += n
			}
			if got := m.stats().Events; got != int64(total) {
				t.Errorf("stats events = %d, want %d", got, total)
			}
		})
	}
}

func TestSuppressionBlocksRecreation(t *testing.T) {
	m := newTMock(t, Options{})
	m.ok("PUT", "/api/v1/customers/u1", `{"email":"a@x.com","plan":"x"}`)
	m.ok("POST", "/api/v1/customers/u1/events", `{"name":"E"}`)
	m.ok("POST", "/api/v1/customers/u1/suppress", "")
	if p := m.person("u1"); !p.Suppressed || p.CioID != "" {
		t.Fatalf("after suppress: %+v, want a suppressed tombstone", p)
	}
	// Later calls for either identifier: 200 and ignored.
	m.ok("PUT", "/api/v1/customers/u1", `{"plan":"again"}`)
	m.ok("PUT", "/api/v1/customers/a%40x.com", `{"plan":"again"}`)
	m.ok("POST", "/api/v1/customers/u1/events", `{"name":"E2"}`)
	m.ok("POST", "/v1/track", `{"userId":"a@x.com","event":"E3"}`)
	if st := m.stats(); st.People != 0 || st.Events != 0 {
		t.Fatalf("people=%d events=%d after calls for suppressed identifiers, want 0 0", st.People, st.Events)
	}
	m.ok("POST", "/api/v1/customers/a%40x.com/unsuppress", "")
	m.ok("PUT", "/api/v1/customers/u1", `{"plan":"fresh"}`)
	p := m.person("u1")
	if p.Suppressed || len(p.Events) != 0 || tmAttr(p, "plan") != `"fresh"` || p.Email != "" {
		t.Fatalf("after unsuppress: %+v, want a fresh person with no history", p)
	}
}

func TestSemanticSuppressionInOtherAPIs(t *testing.T) {
	tests := []struct {
		name                 string
		suppress, unsuppress [3]string
	}{
		{"v2", [3]string{"POST", "/api/v2/entity", `{"type":"person","action":"suppress","identifiers":{"id":"u1"}}`},
			[3]string{"POST", "/api/v2/entity", `{"type":"person","action":"unsuppress","identifiers":{"id":"u1"}}`}},
		{"pipelines", [3]string{"POST", "/v1/track", `{"userId":"u1","event":"User Suppressed"}`},
			[3]string{"POST", "/v1/track", `{"userId":"u1","event":"User Unsuppressed"}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newTMock(t, Options{})
			m.ok("PUT", "/api/v1/customers/u1", `{"plan":"x"}`)
			m.ok(tt.suppress[0], tt.suppress[1], tt.suppress[2])
			m.ok("PUT", "/api/v1/customers/u1", `{"plan":"y"}`)
			if !m.person("u1").Suppressed {
				t.Fatal("not suppressed")
			}
			m.ok(tt.unsuppress[0], tt.unsuppress[1], tt.unsuppress[2])
			m.ok("PUT", "/api/v1/customers/u1", `{"plan":"z"}`)
			if p := m.person("u1"); p.Suppressed || tmAttr(p, "plan") != `"z"` {
				t.Fatalf("after unsuppress: %+v", p)
			}
		})
	}
}

func TestDeleteThenRecreate(t *testing.T) {
	for _, del := range [][3]string{
		{"DELETE", "/api/v1/customers/u1", ""},
		{"POST", "/api/v2/entity", `{"type":"person","action":"delete","identifiers":{"id":"u1"}}`},
		{"POST", "/v1/track", `{"userId":"u1","event":"User Deleted"}`},
	} {
		t.Run(del[1], func(t *testing.T) {
			m := newTMock(t, Options{})
			m.ok("PUT", "/api/v1/customers/u1", `{"plan":"x","anonymous_id":"a"}`)
			m.ok("POST", "/api/v1/customers/u1/events", `{"name":"E"}`)
			old := m.person("u1").CioID
			m.ok(del[0], del[1], del[2])
			m.absent("u1")
			if st := m.stats(); st.People != 0 || st.Events != 0 {
				t.Fatalf("people=%d events=%d after delete", st.People, st.Events)
			}
			m.ok("POST", "/api/v1/customers/u1/events", `{"name":"After"}`) // an event re-creates
			p := m.person("u1")
			if p.CioID == old || !slices.Equal(tmNames(p), []string{"After/direct"}) || tmAttr(p, "plan") != "" {
				t.Fatalf("re-created person = %+v, want a new profile with only the new event", p)
			}
		})
	}
}

func TestSuppressShortAndUnknownIdentifiers(t *testing.T) {
	m := newTMock(t, Options{})
	m.ok("PUT", "/api/v1/customers/a", `{}`)
	m.ok("POST", "/api/v1/customers/a/suppress", "") // short keys must not panic
	m.ok("POST", "/api/v1/customers/never-seen/suppress", "")
	m.ok("PUT", "/api/v1/customers/never-seen", `{"k":1}`)
	if st := m.stats(); st.People != 0 {
		t.Fatalf("people = %d: a suppressed identifier nobody had must still block creation", st.People)
	}
}
