package mockcio

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/cioharness/cioharness/cio"
)

// Fuzz targets, one per decoder and front end. Each feeds the bytes through
// the real handler and checks: no panic, a documented status, and no state
// change from a rejected request (non-2xx, a Pipelines call counted invalid,
// the rejected items of a 207).
//
//	go test ./mockcio -run '^$' -fuzz '^FuzzV2Batch$' -fuzztime 5s

func FuzzV1Identify(f *testing.F) {
	for _, s := range []struct{ id, body string }{
		{"user-1", `{"email":"ONE@example.com","vip":true,"_timestamp":1700000000}`},
		{"one@example.com", `{"id":"user-9","first_name":"X"}`},
		{"user-3", `{"_update":true,"a":1}`},
		{"cio_123", `{}`}, {"user-4", `null`}, {"user-5", `{"anonymous_id":"anon-1"}`},
		{"user-1", `{"email":"two@example.com"}`}, {"", `{}`}, {"x", `[1,2]`}, {"y", `{"a":`},
	} {
		f.Add(s.id, []byte(s.body))
	}
	m := newFuzzMock(f)
	f.Fuzz(func(t *testing.T, id string, body []byte) {
		fuzzOne(t, m, "PUT", "/api/v1/customers/"+pathSeg(id), authFor("/api/"), body, nil)
	})
}

func FuzzV1Event(f *testing.F) {
	for _, s := range []struct {
		id, body string
	}{
		{"user-1", `{"name":"Order Placed","data":{"value":10.5},"timestamp":1700000000}`},
		{"user-1", `{"name":"Viewed","id":"01HZX3J7Z0Y2W5V8N4K6M1Q9RT"}`},
		{"user-1", `{"name":"  ","data":null}`}, {"user-1", `{"type":"page","name":"/x"}`},
		{"", `{"name":"Browse","anonymous_id":"anon-1"}`}, {"", `{"name":"Browse"}`},
		{"user-7", `{"name":"New"}`}, {"user-1", `{"data":{}}`}, {"user-1", `null`},
	} {
		f.Add(s.id, []byte(s.body))
	}
	m := newFuzzMock(f)
	f.Fuzz(func(t *testing.T, id string, body []byte) {
		path := "/api/v1/events" // anonymous
		if id != "" {
			path = "/api/v1/customers/" + pathSeg(id) + "/events"
		}
		fuzzOne(t, m, "POST", path, authFor("/api/"), body, nil)
	})
}

func FuzzV1Merge(f *testing.F) {
	for _, s := range []string{
		`{"primary":{"id":"user-1"},"secondary":{"id":"user-2"}}`,
		`{"primary":{"email":"two@example.com"},"secondary":{"cio_id":"x"}}`,
		`{"primary":{"id":"user-1","email":"a@b.c"},"secondary":{"id":"user-2"}}`,
		`{"primary":{"id":"user-1"}}`, `{"primary":{"id":"nobody"},"secondary":{"id":"user-2"}}`, `null`, `{`,
	} {
		f.Add([]byte(s))
	}
	m := newFuzzMock(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzOne(t, m, "POST", "/api/v1/merge_customers", authFor("/api/"), body, nil)
	})
}

func FuzzV1Device(f *testing.F) {
	for _, s := range []struct{ id, body string }{
		{"user-1", `{"device":{"id":"tok-1","platform":"android","last_used":1700000000,"attributes":{"v":"1"}}}`},
		{"user-2", `{"device":{"id":"tok-2","platform":"ios","last_used":"1700000000"}}`},
		{"user-1", `{"device":{"platform":"ios"}}`}, {"user-1", `{"device":null}`}, {"nobody", `{"device":{"id":"t"}}`},
	} {
		f.Add(s.id, []byte(s.body))
	}
	m := newFuzzMock(f)
	f.Fuzz(func(t *testing.T, id string, body []byte) {
		fuzzOne(t, m, "PUT", "/api/v1/customers/"+pathSeg(id)+"/devices", authFor("/api/"), body, nil)
	})
}

func FuzzV2Entity(f *testing.F) {
	for _, s := range []string{
		`{"type":"person","identifiers":{"id":"user-1"},"action":"identify","attributes":{"plan":"silver"}}`,
		`{"type":"person","identifiers":{"email":"new@example.com"},"action":"event","name":"Added to Cart","id":"01HZX3J7Z0Y2W5V8N4K6M1Q9RS","attributes":{"cart":"c1"}}`,
		`{"type":"person","identifiers":{"id":"user-1"},"action":"merge","primary":{"id":"user-1"},"secondary":{"id":"user-2"}}`,
		`{"type":"person","identifiers":{"id":"user-2"},"action":"delete"}`,
		`{"type":"person","identifiers":{"id":"user-2"},"action":"add_device","device":{"token":"t9","platform":"ios"}}`,
		`{"type":"person","identifiers":{"id":"user-1","email":"x@y.z"},"action":"identify"}`,
		`{"type":"object","identifiers":{"object_type_id":"1","object_id":"o"},"action":"identify"}`, `null`, `{}`,
	} {
		f.Add([]byte(s))
	}
	m := newFuzzMock(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzOne(t, m, "POST", "/api/v2/entity", authFor("/api/"), body, nil)
	})
}

func FuzzPipelinesMessage(f *testing.F) {
	for _, s := range []struct {
		ep     string
		body   string
		strict bool
	}{
		{"identify", `{"userId":"user-1","anonymousId":"anon-1","traits":{"email":"one@example.com","vip":true}}`, false},
		{"identify", `{"anonymousId":"anon-5","traits":{"first_name":"A"}}`, true},
		{"track", `{"userId":"user-1","event":"Order Placed","properties":{"value":1},"messageId":"m-2","timestamp":"2026-11-28T11:59:00.000Z"}`, false},
		{"track", `{"userId":"user-2","event":"User Deleted"}`, true},
		{"track", `{"userId":"user-2","event":"Device Created or Updated","context":{"device":{"token":"t","type":"ios"}}}`, false},
		{"page", `{"anonymousId":"anon-1","name":"Home","properties":{"path":"/"}}`, false},
		{"screen", `{"userId":"user-1","name":"Cart"}`, true},
		{"alias", `{"previousId":"anon-1","userId":"user-1"}`, false},
		{"group", `{"userId":"user-1","groupId":"g1","traits":{}}`, true},
		{"track", `{"event":"No One"}`, true}, {"track", `null`, false},
	} {
		f.Add(s.ep, []byte(s.body), s.strict)
	}
	m := newFuzzMock(f)
	f.Fuzz(func(t *testing.T, ep string, body []byte, strict bool) {
		if !slices.Contains([]string{"identify", "track", "page", "screen", "alias", "group"}, ep) {
			ep = "track"
		}
		fuzzOne(t, m, "POST", "/v1/"+ep, authFor("/v1/"), body, strictHeader(strict))
	})
}

func strictHeader(strict bool) http.Header {
	if !strict {
		return nil
	}
	return http.Header{"X-Strict-Mode": {"1"}}
}

func FuzzPipelinesBatch(f *testing.F) {
	for _, s := range []struct {
		body   string
		strict bool
	}{
		{`{"batch":[{"type":"identify","userId":"user-1","traits":{"a":1}},{"type":"track","userId":"user-1","event":"E","messageId":"m-3"}]}`, false},
		{`{"batch":[{"type":"page","anonymousId":"anon-2","name":"P"}],"context":{"ip":"1.2.3.4"}}`, true},
		{`{"batch":[{"type":"track","event":"X"}]}`, true}, {`{"batch":[]}`, false}, {`{"batch":null}`, false},
		{`{"batch":[{"type":"nope"}]}`, false},
	} {
		f.Add([]byte(s.body), s.strict)
	}
	m := newFuzzMock(f)
	f.Fuzz(func(t *testing.T, body []byte, strict bool) {
		fuzzOne(t, m, "POST", "/v1/batch", authFor("/v1/"), body, strictHeader(strict))
	})
}

func FuzzPathIdentifier(f *testing.F) {
	for _, s := range []string{
		"user-1", "one%40example.com", "ONE@EXAMPLE.COM", "a%2Bb%40c.d", "cio_abc", "a%2Fb", "%zz",
		"user-1/events", "user-1/devices/tok-2", "user-1/suppress", "user-2/unsuppress", "", "user-1%00",
	} {
		f.Add(s, uint8(0))
	}
	methods := []string{"PUT", "POST", "DELETE", "GET"}
	m := newFuzzMock(f)
	f.Fuzz(func(t *testing.T, rawPath string, method uint8) {
		path := "/api/v1/customers/" + rawPath
		if u, err := url.ParseRequestURI(path); err != nil || u.Path == "" || strings.ContainsFunc(rawPath, notInRequestLine) {
			return // net/http answers these itself: they never reach the mock
		}
		body := []byte(`{"name":"E","device":{"id":"t","platform":"ios"}}`)
		fuzzOne(t, m, methods[int(method)%len(methods)], path, authFor("/api/"), body, nil)
	})
}

// notInRequestLine reports bytes an HTTP/1.1 request target cannot carry
// (and the query and fragment, which are not part of the path).
func notInRequestLine(r rune) bool { return r <= ' ' || r == 0x7f || r == '?' || r == '#' }

func FuzzBasicAuth(f *testing.F) {
	c := cio.TestCredentials
	for _, s := range []string{
		c.TrackAuthorization(), c.PipelinesAuthorization(), "Basic", "Basic !!!", "bearer x",
		"basic " + strings.TrimPrefix(c.TrackAuthorization(), "Basic "), "Basic Y2lvaGFybmVzcy1zaXRlOg==",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	m := newFuzzMock(f)
	f.Fuzz(func(t *testing.T, header string, pipelines bool) {
		if strings.ContainsAny(header, "\r\n") {
			return
		}
		path, body, wantUser, wantPass := "/api/v1/customers/auth-user", `{"a":1}`, c.SiteID, c.APIKey
		hdr := http.Header(nil)
		if pipelines {
			path, body, wantUser, wantPass = "/v1/identify", `{"userId":"auth-user","traits":{"a":1}}`, c.PipelinesKey, ""
			hdr = strictHeader(true)
		}
		method := map[bool]string{false: "PUT", true: "POST"}[pipelines]
		w := fuzzOne(t, m, method, path, header, []byte(body), hdr)
		user, pass, ok := cio.ParseBasic(header)
		if good := ok && user == wantUser && pass == wantPass; good != (w.Code == 200) {
			t.Fatalf("Authorization %q (credentials match: %v) answered %d", header, good, w.Code)
		}
	})
}

func FuzzParseFaultRule(f *testing.F) {
	for _, s := range []string{
		"status=503,p=0.02", "status=429,p=0.05,retry-after=2s", "latency=50ms", "latency=20ms-200ms",
		"reset,p=0.01", "stall=1s,every=30s", "status=500,path=/v1/", "p=2", "latency=1s-", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseFaultRule(s)
		if err != nil {
			return
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("ParseFaultRule(%q) accepted an invalid rule: %v", s, err)
		}
		back, err := ParseFaultRule(r.String())
		if err != nil || back != normP(r) {
			t.Fatalf("round trip of %q via %q = %+v, %v; want %+v", s, r.String(), back, err, r)
		}
		b, _ := json.Marshal(r)
		var j FaultRule
		if err := json.Unmarshal(b, &j); err != nil || j != r {
			t.Fatalf("JSON round trip of %q via %s = %+v, %v", s, b, j, err)
		}
	})
}

func FuzzV2Batch(f *testing.F) {
	for _, s := range []string{
		`{"batch":[{"type":"person","identifiers":{"id":"user-1"},"action":"identify","attributes":{"a":2}},{"type":"person","identifiers":{"id":"user-3"},"action":"event","name":"E"}]}`,
		`{"batch":[{"type":"person","identifiers":{"id":"user-1"},"action":"event"},{"type":"person","identifiers":{"id":"user-4"},"action":"identify"}]}`,
		`{"batch":[{"type":"person","identifiers":{},"action":"identify"},{"type":"person","identifiers":{"email":"b@c.d"},"action":"suppress"}]}`,
		`{"batch":[{"type":"person","identifiers":{"id":"user-2"},"action":"delete_device","device":{"token":"tok-2"}}]}`,
		`{"batch":[]}`, `{"batch":null}`, `{"batch":[null,1,"x"]}`, `[]`,
	} {
		f.Add([]byte(s))
	}
	m, ref := newFuzzMock(f), newFuzzMock(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		m.reset(t)
		before, inv := m.state(t), invalidTotal(m.stats(t))
		w := m.do("POST", "/api/v2/batch", authFor("/api/"), body, nil)
		m.check(t, w, before, inv, batchItems(body))
		if w.Code == 207 {
			checkPartial(t, m, ref, body, w.Body.Bytes())
		}
	})
}

// checkPartial replays only the accepted items of a 207 batch on ref and
// requires the same state: rejected items left nothing behind.
func checkPartial(t *testing.T, m, ref *fuzzMock, body, answer []byte) {
	t.Helper()
	var req struct {
		Batch []json.RawMessage `json:"batch"`
	}
	var resp struct {
		Errors []V2Error `json:"errors"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		t.Fatalf("207 for a body that is not a batch object: %v", err)
	}
	if err := json.Unmarshal(answer, &resp); err != nil || len(resp.Errors) == 0 {
		t.Fatalf("207 without errors: %s (%v)", answer, err)
	}
	bad := map[int]bool{}
	for _, e := range resp.Errors {
		if e.BatchIndex == nil || *e.BatchIndex < 0 || *e.BatchIndex >= len(req.Batch) {
			t.Fatalf("207 error without a valid batch_index: %s", answer)
		}
		bad[*e.BatchIndex] = true
	}
	var keep []json.RawMessage
	for i, it := range req.Batch {
		if !bad[i] {
			keep = append(keep, it)
		}
	}
	ref.reset(t)
	if len(keep) > 0 {
		b, _ := json.Marshal(map[string]any{"batch": keep})
		if w := ref.do("POST", "/api/v2/batch", authFor("/api/"), b, nil); w.Code != 200 {
			t.Fatalf("the accepted items of a 207 alone answered %d: %s", w.Code, w.Body)
		}
	}
	if got, want := m.state(t), ref.state(t); got != want {
		t.Fatalf("207 batch left state other than its accepted items:\ngot  %s\nwant %s", got, want)
	}
}
