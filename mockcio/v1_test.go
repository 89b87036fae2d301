package mockcio

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cioharness/cioharness/cio"
)

func TestV1Endpoints(t *testing.T) {
	m := newTMock(t, Options{})
	tests := []struct {
		name, method, path, body string
		check                    func(t *testing.T)
	}{
		{"identify", "PUT", "/api/v1/customers/u1", `{"email":"u1@x.com","plan":"gold"}`, func(t *testing.T) {
			if p := m.person("u1"); p.Email != "u1@x.com" || tmAttr(p, "plan") != `"gold"` {
				t.Fatalf("person %+v", p)
			}
		}},
		{"event", "POST", "/api/v1/customers/u1/events", `{"name":" Order Placed ","id":"01A","timestamp":1700000000,"data":{"v":1}}`, func(t *testing.T) {
			e := m.person("u1").Events[0]
			if e.Name != "Order Placed" || e.Type != "event" || e.ID != "01A" || e.Timestamp.Unix() != 1700000000 ||
				string(e.Data) != `{"v":1}` || e.Via != ViaDirect || e.API != "track" {
				t.Fatalf("event %+v", e)
			}
		}},
		{"page event", "POST", "/api/v1/customers/u1/events", `{"name":"/cart","type":"page"}`, func(t *testing.T) {
			e := m.person("u1").Events[1]
			if e.Type != "page" || !e.Timestamp.Equal(tmStart) || string(e.Data) != "{}" {
				t.Fatalf("event %+v: want type page, receive-time timestamp, data {}", e)
			}
		}},
		{"anonymous event", "POST", "/api/v1/events", `{"name":"Browse","anonymous_id":"a1","type":"screen"}`, func(t *testing.T) {
			if v, ok, _ := m.s.Anonymous(t.Context(), "a1"); !ok || len(v.Events) != 1 || v.Events[0].Type != "screen" {
				t.Fatalf("anonymous %+v", v)
			}
		}},
		{"device add", "PUT", "/api/v1/customers/u1/devices", `{"device":{"id":"tok1","platform":"android","last_used":1700000000,"attributes":{"app_version":"1"}}}`, func(t *testing.T) {
			d := m.person("u1").Devices
			if len(d) != 1 || d[0].Token != "tok1" || d[0].Platform != "android" || d[0].LastUsed.Unix() != 1700000000 {
				t.Fatalf("devices %+v", d)
			}
		}},
		{"device delete", "DELETE", "/api/v1/customers/u1/devices/tok1", "", func(t *testing.T) {
			if d := m.person("u1").Devices; len(d) != 0 {
				t.Fatalf("devices %+v", d)
			}
		}},
		{"merge", "POST", "/api/v1/merge_customers", `{"primary":{"id":"u1"},"secondary":{"cio_id":"ffff"}}`, func(t *testing.T) {}},
		{"suppress", "POST", "/api/v1/customers/u2/suppress", "", func(t *testing.T) {
			if !m.person("u2").Suppressed {
				t.Fatal("u2 not suppressed")
			}
		}},
		{"unsuppress", "POST", "/api/v1/customers/u2/unsuppress", "", func(t *testing.T) { m.absent("u2") }},
		{"delete", "DELETE", "/api/v1/customers/u1", "", func(t *testing.T) { m.absent("u1") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m.ok(tt.method, tt.path, tt.body)
			tt.check(t)
		})
	}
	code, body := m.call("GET", "/api/v1/accounts/region", "")
	if code != 200 {
		t.Fatalf("region: %d %s", code, body)
	}
	jsonEq(t, body, `{"url":"http://mock","region":"us","environment_id":1}`)
}

func TestV1ErrorShapes(t *testing.T) {
	long := strings.Repeat("n", 101)
	tests := []struct {
		name, method, path, body string
		code                     int
		shape                    string // "errors" (meta.errors) or "error" (meta.error)
	}{
		{"event without name", "POST", "/api/v1/customers/u1/events", `{"data":{}}`, 400, "errors"},
		{"event body null", "POST", "/api/v1/customers/u1/events", `null`, 400, "errors"},
		{"event name blank", "POST", "/api/v1/customers/u1/events", `{"name":"   "}`, 400, "errors"},
		{"event name too long", "POST", "/api/v1/customers/u1/events", `{"name":"` + long + `"}`, 400, "errors"},
		{"event bad type", "POST", "/api/v1/customers/u1/events", `{"name":"a","type":"click"}`, 400, "errors"},
		{"event data not object", "POST", "/api/v1/customers/u1/events", `{"name":"a","data":[1]}`, 400, "errors"},
		{"event data too large", "POST", "/api/v1/customers/u1/events", `{"name":"a","data":{"x":"` + strings.Repeat("x", 100_000) + `"}}`, 400, "errors"},
		{"event bad timestamp", "POST", "/api/v1/customers/u1/events", `{"name":"a","timestamp":"soon"}`, 400, "errors"},
		{"event not json", "POST", "/api/v1/customers/u1/events", `{"name":`, 400, "errors"},
		{"anonymous without name", "POST", "/api/v1/events", `{"anonymous_id":"a"}`, 400, "errors"},
		{"identify not an object", "PUT", "/api/v1/customers/u1", `[1,2]`, 400, "errors"},
		{"identify attribute name too long", "PUT", "/api/v1/customers/u1", `{"` + strings.Repeat("k", 151) + `":1}`, 400, "errors"},
		{"identify attribute value too long", "PUT", "/api/v1/customers/u1", `{"k":"` + strings.Repeat("v", 1000) + `"}`, 400, "errors"},
		{"identify too many attributes", "PUT", "/api/v1/customers/u1", manyAttrs(301), 400, "errors"},
		{"identify id too long", "PUT", "/api/v1/customers/" + strings.Repeat("i", 151), `{}`, 400, "errors"},
		{"identify bad _timestamp", "PUT", "/api/v1/customers/u1", `{"_timestamp":"x"}`, 400, "errors"},
		{"identify email not a string", "PUT", "/api/v1/customers/u1", `{"email":{"a":1}}`, 400, "errors"},
		{"merge two identifiers", "POST", "/api/v1/merge_customers", `{"primary":{"id":"a","email":"b@x"},"secondary":{"id":"c"}}`, 400, "error"},
		{"merge no secondary", "POST", "/api/v1/merge_customers", `{"primary":{"id":"a"}}`, 400, "error"},
		{"merge unknown key", "POST", "/api/v1/merge_customers", `{"primary":{"name":"a"},"secondary":{"id":"c"}}`, 400, "error"},
		{"merge not json", "POST", "/api/v1/merge_customers", `nope`, 400, "error"},
		{"device missing", "PUT", "/api/v1/customers/u1/devices", `{}`, 400, "errors"},
		{"device without id", "PUT", "/api/v1/customers/u1/devices", `{"device":{"platform":"ios"}}`, 400, "errors"},
		{"device bad platform", "PUT", "/api/v1/customers/u1/devices", `{"device":{"id":"t","platform":"web"}}`, 400, "errors"},
		{"body over 1 MiB", "PUT", "/api/v1/customers/u1", `{"k":"` + strings.Repeat("v", cio.MaxV1RequestBytes) + `"}`, 413, "errors"},
		{"wrong method", "GET", "/api/v1/customers/u1/events", "", 405, "error"},
		{"unknown endpoint", "POST", "/api/v1/nothing", `{}`, 404, "error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newTMock(t, Options{})
			code, body := m.call(tt.method, tt.path, tt.body)
			if code != tt.code {
				t.Fatalf("status %d (%s), want %d", code, body, tt.code)
			}
			var b struct {
				Meta struct {
					Errors []string `json:"errors"`
					Error  string   `json:"error"`
				} `json:"meta"`
			}
			if err := json.Unmarshal([]byte(body), &b); err != nil {
				t.Fatalf("body %q: %v", body, err)
			}
			if (tt.shape == "errors") != (len(b.Meta.Errors) > 0) || (tt.shape == "error") != (b.Meta.Error != "") {
				t.Fatalf("body %s, want meta.%s", body, tt.shape)
			}
			if st := m.stats(); st.People != 0 || st.Events != 0 || st.AnonymousEvents != 0 {
				t.Fatalf("a rejected request changed state: %+v", st)
			}
		})
	}
}

func manyAttrs(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"a%d":%d`, i, i)
	}
	return b.String() + "}"
}

func TestAuth(t *testing.T) {
	c := cio.TestCredentials
	urlSafe := "Basic " + base64.URLEncoding.EncodeToString([]byte(c.SiteID+":"+c.APIKey))
	raw := "basic " + base64.RawStdEncoding.EncodeToString([]byte(c.SiteID+":"+c.APIKey))
	wrongKey := "Basic " + base64.StdEncoding.EncodeToString([]byte(c.SiteID+":nope"))
	pipesWithPass := "Basic " + base64.StdEncoding.EncodeToString([]byte(c.PipelinesKey+":x"))
	tests := []struct {
		name, path, body, auth string
		strict                 bool
		code                   int
		want                   string // body substring
		stored                 bool
	}{
		{"v1 url-safe base64", "/api/v1/customers/u1", `{}`, urlSafe, false, 200, "{}", true},
		{"v1 lower-case scheme, no padding", "/api/v1/customers/u1", `{}`, raw, false, 200, "{}", true},
		{"v1 no auth", "/api/v1/customers/u1", `{}`, "", false, 401, `"meta":{"error"`, false},
		{"v1 wrong key", "/api/v1/customers/u1", `{}`, wrongKey, false, 401, `"meta":{"error"`, false},
		{"v1 pipelines key", "/api/v1/customers/u1", `{}`, c.PipelinesAuthorization(), false, 401, `"meta":{"error"`, false},
		{"v2 no auth", "/api/v2/entity", `{"type":"person","action":"identify","identifiers":{"id":"u1"}}`, "", false, 401, `"errors":[{"reason":"unauthorized"`, false},
		{"pipelines track key", "/v1/identify", `{"userId":"u1"}`, c.TrackAuthorization(), false, 200, "{}", false},
		{"pipelines password set", "/v1/identify", `{"userId":"u1"}`, pipesWithPass, false, 200, "{}", false},
		{"pipelines strict no auth", "/v1/identify", `{"userId":"u1"}`, "", true, 401, `"reason":"unauthorized"`, false},
		{"pipelines strict ok", "/v1/identify", `{"userId":"u1"}`, c.PipelinesAuthorization(), true, 200, "{}", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newTMock(t, Options{})
			method := "POST"
			if strings.HasPrefix(tt.path, "/api/v1/customers") {
				method = "PUT"
			}
			hdr := []string{"Authorization", tt.auth}
			if tt.strict {
				hdr = append(hdr, "X-Strict-Mode", "1")
			}
			code, body := m.call(method, tt.path, tt.body, hdr...)
			if code != tt.code || !strings.Contains(body, tt.want) {
				t.Fatalf("got %d %s, want %d containing %s", code, body, tt.code, tt.want)
			}
			if got := m.stats().People == 1; got != tt.stored {
				t.Fatalf("stored = %v, want %v", got, tt.stored)
			}
		})
	}
}

func TestV1ClientQuirks(t *testing.T) {
	m := newTMock(t, Options{})
	m.ok("PUT", "/api/v1/customers/u1", `null`) // go-customerio: nil attribute map
	m.person("u1")
	m.ok("POST", "/api/v1/customers/u1/events", `{"name":"E","data":null}`)
	if got := string(m.person("u1").Events[0].Data); got != "{}" {
		t.Fatalf("data = %s, want {}", got)
	}
	m.ok("PUT", "/api/v1/customers/u1/devices", `{"device":{"id":"t","platform":"ios","last_used":"1700000000","attributes":null}}`)
	if d := m.person("u1").Devices[0]; d.LastUsed.Unix() != 1700000000 || d.Attributes != nil {
		t.Fatalf("device %+v: want last_used from a string and no attributes", d)
	}
	tests := []struct{ escaped, id string }{
		{"a%2Bb%40x.com", "a+b@x.com"},
		{"user%2F1", "user/1"},
		{"%E2%9C%93", "✓"},
		{"a%20b", "a b"},
	}
	for _, tt := range tests {
		t.Run(tt.escaped, func(t *testing.T) {
			m.ok("PUT", "/api/v1/customers/"+tt.escaped, `{"k":1}`)
			m.ok("POST", "/api/v1/customers/"+tt.escaped+"/events", `{"name":"E"}`)
			if p := m.person(tt.id); len(p.Events) != 1 {
				t.Fatalf("person %q: %+v", tt.id, p)
			}
		})
	}
}

// TestLowerCaseHeaders sends header names in lower case over a real
// connection, as fetch-based clients do.
func TestLowerCaseHeaders(t *testing.T) {
	s, err := NewServer(Options{Retention: NopRetention{}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	conn, err := net.DialTimeout("tcp", s.Addr(), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	body := `{"traits":{"plan":"x"},"userId":"u1"}`
	fmt.Fprintf(conn, "POST /v1/identify HTTP/1.1\r\nhost: mock\r\nauthorization: %s\r\ncontent-type: application/json\r\nx-strict-mode: 1\r\ncontent-length: %d\r\nconnection: close\r\n\r\n%s",
		cio.TestCredentials.PipelinesAuthorization(), len(body), body)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	p, ok, _ := s.Person(t.Context(), "u1")
	if !ok || string(p.Attributes["plan"]) != `"x"` {
		t.Fatalf("person %+v", p)
	}
}

func TestInviteEventWithoutAnonymousIDIsNotStored(t *testing.T) {
	m := newTMock(t, Options{})
	m.ok("POST", "/api/v1/events", `{"name":"Invite","data":{"recipient":"a@x.com"}}`)
	st := m.stats()
	if st.AnonymousEvents != 0 || st.People != 0 {
		t.Fatalf("stats %+v", st)
	}
	reqs, _ := m.s.Requests(t.Context(), 1)
	if len(reqs) != 1 || !strings.Contains(reqs[0].Note, "invite") {
		t.Fatalf("journal %+v: want the invite noted", reqs)
	}
	if !slices.Contains([]int{200}, reqs[0].Status) {
		t.Fatalf("status %d", reqs[0].Status)
	}
}
