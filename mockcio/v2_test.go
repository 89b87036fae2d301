package mockcio

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/cioharness/cioharness/cio"
)

func v2(action, rest string) string {
	return `{"type":"person","action":"` + action + `"` + rest + `}`
}

func TestV2EntityActions(t *testing.T) {
	m := newTMock(t, Options{})
	tests := []struct {
		name, body string
		check      func(t *testing.T)
	}{
		{"identify", v2("identify", `,"identifiers":{"id":"u1"},"attributes":{"email":"u1@x.com","n":2}`), func(t *testing.T) {
			if p := m.person("u1@x.com"); p.ID != "u1" || tmAttr(p, "n") != "2" {
				t.Fatalf("person %+v", p)
			}
		}},
		{"identify by phone", v2("identify", `,"identifiers":{"phone":"+15550001"},"attributes":{"k":"v"}`), func(t *testing.T) {
			if p := m.person("+15550001"); p.Phone != "+15550001" {
				t.Fatalf("person %+v", p)
			}
		}},
		{"event", v2("event", `,"identifiers":{"email":"U1@x.com"},"name":"Bought","id":"01B","timestamp":1700000000,"attributes":{"v":1}`), func(t *testing.T) {
			e := m.person("u1").Events[0]
			if e.Name != "Bought" || e.ID != "01B" || string(e.Data) != `{"v":1}` || e.API != "track-v2" {
				t.Fatalf("event %+v", e)
			}
		}},
		{"page", v2("page", `,"identifiers":{"id":"u1"},"name":"/home"`), func(t *testing.T) {
			if e := m.person("u1").Events[1]; e.Type != "page" {
				t.Fatalf("event %+v", e)
			}
		}},
		{"screen", v2("screen", `,"identifiers":{"id":"u1"},"name":"Home"`), func(t *testing.T) {
			if e := m.person("u1").Events[2]; e.Type != "screen" {
				t.Fatalf("event %+v", e)
			}
		}},
		{"add_device", v2("add_device", `,"identifiers":{"id":"u1"},"device":{"token":"t1","platform":"ios"}`), func(t *testing.T) {
			if d := m.person("u1").Devices; len(d) != 1 || d[0].Token != "t1" {
				t.Fatalf("devices %+v", d)
			}
		}},
		{"delete_device", v2("delete_device", `,"identifiers":{"id":"u1"},"device":{"token":"t1"}`), func(t *testing.T) {
			if d := m.person("u1").Devices; len(d) != 0 {
				t.Fatalf("devices %+v", d)
			}
		}},
		{"object (no state)", `{"type":"object","action":"identify","identifiers":{"object_type_id":"1","object_id":"acme"}}`, func(t *testing.T) {}},
		{"relationships (no state)", v2("add_relationships", `,"identifiers":{"id":"u1"},"cio_relationships":[]`), func(t *testing.T) {}},
		{"delete", v2("delete", `,"identifiers":{"id":"u1"}`), func(t *testing.T) { m.absent("u1") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m.ok("POST", "/api/v2/entity", tt.body)
			tt.check(t)
		})
	}
}

func TestV2Errors(t *testing.T) {
	tests := []struct {
		name, path, body string
		code             int
		field            string
	}{
		{"no identifiers", "/api/v2/entity", v2("identify", ``), 400, "identifiers"},
		{"two identifiers", "/api/v2/entity", v2("identify", `,"identifiers":{"id":"a","email":"b@x"}`), 400, "identifiers"},
		{"empty identifier", "/api/v2/entity", v2("identify", `,"identifiers":{"id":""}`), 400, "identifiers"},
		{"unknown action", "/api/v2/entity", v2("explode", `,"identifiers":{"id":"a"}`), 400, "action"},
		{"no type", "/api/v2/entity", `{"action":"identify"}`, 400, "type"},
		{"bad type", "/api/v2/entity", `{"type":"robot","action":"identify"}`, 400, "type"},
		{"event without name", "/api/v2/entity", v2("event", `,"identifiers":{"id":"a"}`), 400, "name"},
		{"event attributes not object", "/api/v2/entity", v2("event", `,"identifiers":{"id":"a"},"name":"x","attributes":"s"`), 400, "attributes"},
		{"device without token", "/api/v2/entity", v2("add_device", `,"identifiers":{"id":"a"},"device":{}`), 400, "device.token"},
		{"merge without secondary", "/api/v2/entity", v2("merge", `,"primary":{"id":"a"}`), 400, "primary"},
		{"not json", "/api/v2/entity", `{{`, 400, ""},
		{"body null", "/api/v2/entity", `null`, 400, ""},
		{"entity over 32 KB", "/api/v2/entity", v2("identify", `,"identifiers":{"id":"a"},"attributes":{"k":"`+strings.Repeat("x", 33000)+`"}`), 413, ""},
		{"batch not a batch", "/api/v2/batch", `{"items":[]}`, 400, "batch"},
		{"batch over 500 KB", "/api/v2/batch", `{"batch":["` + strings.Repeat("x", cio.MaxBatchBytes) + `"]}`, 413, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newTMock(t, Options{})
			code, body := m.call("POST", tt.path, tt.body)
			if code != tt.code {
				t.Fatalf("status %d %s, want %d", code, body, tt.code)
			}
			var b struct {
				Errors []V2Error `json:"errors"`
			}
			if err := json.Unmarshal([]byte(body), &b); err != nil || len(b.Errors) != 1 {
				t.Fatalf("body %s: want one errors item", body)
			}
			if e := b.Errors[0]; e.Reason == "" || e.Message == "" || e.Field != tt.field || e.BatchIndex != nil {
				t.Fatalf("error %+v, want reason, message and field %q", e, tt.field)
			}
			if st := m.stats(); st.People != 0 {
				t.Fatalf("state changed: %+v", st)
			}
		})
	}
}

func TestV2BatchPartialFailure(t *testing.T) {
	m := newTMock(t, Options{})
	body := `{"batch":[` +
		v2("identify", `,"identifiers":{"id":"u1"},"attributes":{"plan":"a"}`) + `,` +
		v2("identify", `,"identifiers":{"id":"u2","email":"x@y"},"attributes":{"plan":"b"}`) + `,` +
		v2("event", `,"identifiers":{"id":"u3"}`) + `,` +
		v2("event", `,"identifiers":{"id":"u1"},"name":"E"`) + `,` +
		`"not an object"` +
		`]}`
	code, got := m.call("POST", "/api/v2/batch", body)
	if code != 207 {
		t.Fatalf("status %d %s, want 207", code, got)
	}
	var b struct {
		Errors []V2Error `json:"errors"`
	}
	if err := json.Unmarshal([]byte(got), &b); err != nil {
		t.Fatal(err)
	}
	var idx []int
	for _, e := range b.Errors {
		if e.BatchIndex == nil || e.Message == "" {
			t.Fatalf("error %+v without batch_index or message", e)
		}
		idx = append(idx, *e.BatchIndex)
	}
	if !slices.Equal(idx, []int{1, 2, 4}) {
		t.Fatalf("batch_index = %v, want [1 2 4]", idx)
	}
	if p := m.person("u1"); tmAttr(p, "plan") != `"a"` || len(p.Events) != 1 {
		t.Fatalf("valid items not applied: %+v", p)
	}
	m.absent("u2")
	m.absent("u3")
	if st := m.stats(); st.People != 1 || st.Events != 1 {
		t.Fatalf("stats %+v: invalid items left state", st)
	}
	m.ok("POST", "/api/v2/batch", `{"batch":[`+v2("identify", `,"identifiers":{"id":"u9"}`)+`]}`)
	m.ok("POST", "/api/v2/batch", `{"batch":[]}`)
}
