package mockcio

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestPipelinesEndpoints(t *testing.T) {
	m := newTMock(t, Options{})
	tests := []struct {
		name, path, body string
		check            func(t *testing.T)
	}{
		{"identify", "/v1/identify", `{"userId":"u1","traits":{"email":"u1@x.com","createdAt":"2026-01-01T00:00:00Z","vip":true}}`, func(t *testing.T) {
			p := m.person("u1@x.com")
			if p.ID != "u1" || tmAttr(p, "vip") != "true" || tmAttr(p, "createdAt") != `"2026-01-01T00:00:00Z"` {
				t.Fatalf("person %+v", p)
			}
		}},
		{"identify by email userId", "/v1/identify", `{"userId":"e@x.com","traits":{"k":1}}`, func(t *testing.T) {
			if p := m.person("e@x.com"); p.Email != "e@x.com" || p.ID != "" {
				t.Fatalf("person %+v", p)
			}
		}},
		{"identify by traits.email only", "/v1/identify", `{"traits":{"email":"t@x.com"}}`, func(t *testing.T) { m.person("t@x.com") }},
		{"track", "/v1/track", `{"userId":"u1","event":"Order Placed","messageId":"m1","timestamp":"2026-11-28T09:59:00.123Z","properties":{"total":10.5}}`, func(t *testing.T) {
			e := m.person("u1").Events[0]
			if e.Name != "Order Placed" || e.ID != "m1" || e.Timestamp.UnixMilli() != 1795859940123 || string(e.Data) != `{"total":10.5}` || e.API != "pipelines" {
				t.Fatalf("event %+v", e)
			}
		}},
		{"page", "/v1/page", `{"userId":"u1","name":"Home","properties":{"url":"https://x/"}}`, func(t *testing.T) {
			if e := m.person("u1").Events[1]; e.Type != "page" || e.Name != "Home" {
				t.Fatalf("event %+v", e)
			}
		}},
		{"page without name", "/v1/page", `{"userId":"u1","properties":{"url":"https://x/cart"}}`, func(t *testing.T) {
			if e := m.person("u1").Events[2]; e.Name != "https://x/cart" {
				t.Fatalf("event %+v", e)
			}
		}},
		{"screen", "/v1/screen", `{"userId":"u1","name":"Cart"}`, func(t *testing.T) {
			if e := m.person("u1").Events[3]; e.Type != "screen" {
				t.Fatalf("event %+v", e)
			}
		}},
		{"anonymous track", "/v1/track", `{"anonymousId":"a1","event":"Browse"}`, func(t *testing.T) {
			if v, _, _ := m.s.Anonymous(t.Context(), "a1"); len(v.Events) != 1 {
				t.Fatalf("anonymous %+v", v)
			}
		}},
		{"anonymous identify keeps traits", "/v1/identify", `{"anonymousId":"a1","traits":{"zip":"0150"}}`, func(t *testing.T) {
			if v, _, _ := m.s.Anonymous(t.Context(), "a1"); string(v.Traits) != `{"zip":"0150"}` {
				t.Fatalf("anonymous %+v", v)
			}
		}},
		{"alias merges anonymous", "/v1/alias", `{"previousId":"a1","userId":"u1"}`, func(t *testing.T) {
			p := m.person("u1")
			if !slices.Contains(tmNames(p), "Browse/anonymous_merge") || tmAttr(p, "zip") != `"0150"` {
				t.Fatalf("person %+v", p)
			}
		}},
		{"group (no state)", "/v1/group", `{"userId":"u1","groupId":"g1","traits":{}}`, func(t *testing.T) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m.ok("POST", tt.path, tt.body)
			tt.check(t)
		})
	}
}

func TestPipelinesSemanticEvents(t *testing.T) {
	m := newTMock(t, Options{})
	m.ok("POST", "/v1/identify", `{"userId":"u1"}`)
	m.ok("POST", "/v1/track", `{"userId":"u1","event":"Device Created or Updated","context":{"device":{"token":"t1","type":"ios"}},"properties":{"app_version":"2"}}`)
	if d := m.person("u1").Devices; len(d) != 1 || d[0].Platform != "ios" || string(d[0].Attributes) != `{"app_version":"2"}` {
		t.Fatalf("devices %+v", d)
	}
	// batch-level context applies to items without one
	m.ok("POST", "/v1/batch", `{"context":{"device":{"token":"t1"}},"batch":[{"type":"track","userId":"u1","event":"Device Deleted"}]}`)
	if d := m.person("u1").Devices; len(d) != 0 {
		t.Fatalf("devices %+v after Device Deleted", d)
	}
	if n := len(m.person("u1").Events); n != 0 {
		t.Fatalf("semantic events stored as events: %d", n)
	}
	m.ok("POST", "/v1/track", `{"userId":"u1","event":"User Deleted"}`)
	m.absent("u1")
}

func TestPipelinesPermissiveAndStrict(t *testing.T) {
	big := `{"userId":"u1","event":"E","properties":{"k":"` + strings.Repeat("x", 33000) + `"}}`
	tests := []struct {
		name, path, body string
		strictCode       int
	}{
		{"track without ids", "/v1/track", `{"event":"E"}`, 400},
		{"track without event", "/v1/track", `{"userId":"u1"}`, 400},
		{"identify without ids", "/v1/identify", `{"traits":{"k":1}}`, 400},
		{"alias without previousId", "/v1/alias", `{"userId":"u1"}`, 400},
		{"bad timestamp", "/v1/track", `{"userId":"u1","event":"E","timestamp":"yesterday"}`, 400},
		{"body null", "/v1/track", `null`, 400},
		{"not json", "/v1/identify", `{"userId":`, 400},
		{"properties not object", "/v1/track", `{"userId":"u1","event":"E","properties":[1]}`, 400},
		{"device without token", "/v1/track", `{"userId":"u1","event":"Device Deleted"}`, 400},
		{"oversize call", "/v1/track", big, 413},
		{"batch not a batch", "/v1/batch", `[]`, 400},
		{"batch unknown type", "/v1/batch", `{"batch":[{"type":"explode","userId":"u1"}]}`, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newTMock(t, Options{})
			m.ok("POST", tt.path, tt.body) // permissive: 200 {}, not processed
			if st := m.stats(); st.People != 0 || st.Events != 0 || st.AnonymousEvents != 0 {
				t.Fatalf("permissive invalid call stored state: %+v", st)
			}
			if n := m.stats().Invalid[endpointLabels[m.lastEndpoint()]]; n != 1 {
				t.Fatalf("invalid count = %d, want 1", n)
			}
			code, body := m.call("POST", tt.path, tt.body, "X-Strict-Mode", "1")
			if code != tt.strictCode {
				t.Fatalf("strict: %d %s, want %d", code, body, tt.strictCode)
			}
			var b struct {
				Errors []V2Error `json:"errors"`
			}
			if err := json.Unmarshal([]byte(body), &b); err != nil || len(b.Errors) == 0 || b.Errors[0].Message == "" {
				t.Fatalf("strict body %s: want errors[]", body)
			}
			if st := m.stats(); st.People != 0 || st.Events != 0 {
				t.Fatalf("strict rejected call stored state: %+v", st)
			}
		})
	}
}

// lastEndpoint is the endpoint index of the latest journal entry.
func (m *tmock) lastEndpoint() int {
	r, _ := m.s.Requests(m.t.Context(), 1)
	return endpointIndex[r[0].Endpoint]
}

func TestPipelinesBatch(t *testing.T) {
	body := `{"batch":[
		{"type":"identify","userId":"u1","anonymousId":"a1","traits":{"plan":"x"}},
		{"type":"track","userId":"u1","event":"A","messageId":"m1"},
		{"type":"track","event":"Invalid"},
		{"type":"page","anonymousId":"a2","name":"P"}
	]}`
	t.Run("permissive applies valid items", func(t *testing.T) {
		m := newTMock(t, Options{})
		m.ok("POST", "/v1/batch", body)
		if p := m.person("u1"); len(p.Events) != 1 || tmAttr(p, "plan") != `"x"` {
			t.Fatalf("person %+v", p)
		}
		if st := m.stats(); st.AnonymousEvents != 1 || st.Invalid["pipelines.batch"] != 1 {
			t.Fatalf("stats %+v", st)
		}
	})
	t.Run("strict rejects the whole batch", func(t *testing.T) {
		m := newTMock(t, Options{})
		code, got := m.call("POST", "/v1/batch", body, "X-Strict-Mode", "1")
		if code != 400 || !strings.Contains(got, `"batch_index":2`) {
			t.Fatalf("got %d %s, want 400 naming batch_index 2", code, got)
		}
		if st := m.stats(); st.People != 0 || st.AnonymousEvents != 0 {
			t.Fatalf("strict rejected batch stored state: %+v", st)
		}
	})
}
