package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cioharness/cioharness/cio"
)

// TestMappingTrackV1 checks, byte for byte, the Track v1 request the correct
// relay makes for each kind of Pipelines call.
func TestMappingTrackV1(t *testing.T) {
	t.Parallel()
	for _, tc := range v1Cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			up := newUpstream(t, nil)
			tr := startRelay(t, up, nil)
			tr.mustPost(t, tc.path, tc.in)
			got := up.waitRequests(t, 1)[0]
			if got.Method != tc.method || got.Path != tc.upPath {
				t.Errorf("request = %s %s; want %s %s", got.Method, got.Path, tc.method, tc.upPath)
			}
			if got.Body != tc.want {
				t.Errorf("body\n got %s\nwant %s", got.Body, tc.want)
			}
			if want := cio.TestCredentials.TrackAuthorization(); got.Auth != want {
				t.Errorf("Authorization = %q; want %q", got.Auth, want)
			}
		})
	}
}

// v1Cases are the Pipelines calls of TestMappingTrackV1 and the Track v1
// requests they must become.
var v1Cases = []struct {
	name, path, in string
	method, upPath string
	want           string // body; "" for none
}{
	{"identify with anonymous id", "/v1/identify",
		`{"userId":"u-1","anonymousId":"anon-1","timestamp":"` + ts1 + `","traits":{"first_name":"Ann","email":"ann@example.com","sms_consent":true,"orders_count":2}}`,
		"PUT", "/api/v1/customers/u-1",
		`{"email":"ann@example.com","anonymous_id":"anon-1","_timestamp":` + ts1Sec + `,"first_name":"Ann","sms_consent":true,"orders_count":2}`},
	{"identify by email as userId", "/v1/identify",
		`{"userId":"ann+1@example.com","timestamp":"` + ts1 + `","traits":{"vip_tier":"gold"}}`,
		"PUT", "/api/v1/customers/ann%2B1%40example.com",
		`{"_timestamp":` + ts1Sec + `,"vip_tier":"gold"}`},
	{"identified track keeps messageId as id", "/v1/track",
		`{"userId":"u-1","anonymousId":"anon-1","messageId":"` + ulid1 + `","timestamp":"` + ts1 + `","event":"Added to Cart","properties":{"cart_id":"c1","sku":"SKU-1","price":19.99,"quantity":1}}`,
		"POST", "/api/v1/customers/u-1/events",
		`{"name":"Added to Cart","id":"` + ulid1 + `","timestamp":` + ts1Sec + `,"data":{"cart_id":"c1","sku":"SKU-1","price":19.99,"quantity":1}}`},
	{"anonymous track", "/v1/track",
		`{"anonymousId":"anon-1","messageId":"` + ulid2 + `","timestamp":"` + ts1 + `","event":"Viewed Product","properties":{"sku":"SKU-1"}}`,
		"POST", "/api/v1/events",
		`{"name":"Viewed Product","id":"` + ulid2 + `","timestamp":` + ts1Sec + `,"anonymous_id":"anon-1","data":{"sku":"SKU-1"}}`},
	{"page", "/v1/page",
		`{"userId":"u-1","messageId":"` + ulid3 + `","timestamp":"` + ts1 + `","name":"Product","properties":{"path":"/p/1"}}`,
		"POST", "/api/v1/customers/u-1/events",
		`{"name":"Product","id":"` + ulid3 + `","type":"page","timestamp":` + ts1Sec + `,"data":{"path":"/p/1"}}`},
	{"page without name is named by its path", "/v1/page",
		`{"anonymousId":"anon-2","messageId":"` + ulid3 + `","timestamp":"` + ts1 + `","properties":{"path":"/cart"}}`,
		"POST", "/api/v1/events",
		`{"name":"/cart","id":"` + ulid3 + `","type":"page","timestamp":` + ts1Sec + `,"anonymous_id":"anon-2","data":{"path":"/cart"}}`},
	{"screen", "/v1/screen",
		`{"userId":"u-1","messageId":"` + ulid3 + `","timestamp":"` + ts1 + `","name":"Home"}`,
		"POST", "/api/v1/customers/u-1/events",
		`{"name":"Home","id":"` + ulid3 + `","type":"screen","timestamp":` + ts1Sec + `,"data":{}}`},
	{"alias links previousId as anonymous_id", "/v1/alias",
		`{"userId":"u-1","previousId":"anon-9","timestamp":"` + ts1 + `"}`,
		"PUT", "/api/v1/customers/u-1",
		`{"anonymous_id":"anon-9","_timestamp":` + ts1Sec + `}`},
	{"User Deleted", "/v1/track", `{"userId":"u-1","event":"User Deleted"}`, "DELETE", "/api/v1/customers/u-1", ""},
	{"User Suppressed", "/v1/track", `{"userId":"u-1","event":"User Suppressed"}`, "POST", "/api/v1/customers/u-1/suppress", ""},
	{"User Unsuppressed", "/v1/track", `{"userId":"u-1","event":"User Unsuppressed"}`, "POST", "/api/v1/customers/u-1/unsuppress", ""},
	{"Device Created or Updated", "/v1/track",
		`{"userId":"u-1","event":"Device Created or Updated","timestamp":"` + ts1 + `","context":{"device":{"token":"tok-1","type":"ios"}},"properties":{"app_version":"2.1"}}`,
		"PUT", "/api/v1/customers/u-1/devices",
		`{"device":{"id":"tok-1","platform":"ios","last_used":` + ts1Sec + `,"attributes":{"app_version":"2.1"}}}`},
	{"Device Deleted", "/v1/track",
		`{"userId":"u-1","event":"Device Deleted","context":{"device":{"token":"tok/1"}}}`,
		"DELETE", "/api/v1/customers/u-1/devices/tok%2F1", ""},
}

// TestMappingTrackV2 checks that one flush becomes Track v2 batches in order,
// with anonymous events (which v2 cannot carry) sent to v1 in between.
func TestMappingTrackV2(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, nil)
	tr := startRelay(t, up, func(c *config) {
		c.UpstreamAPI, c.BatchSize, c.FlushInterval = cio.APITrackV2, 4, time.Hour
	})
	batch := `{"batch":[
		{"type":"identify","userId":"u-1","anonymousId":"anon-1","timestamp":"` + ts1 + `","traits":{"email":"ann@example.com"}},
		{"type":"track","userId":"u-1","anonymousId":"anon-1","messageId":"` + ulid1 + `","timestamp":"` + ts1 + `","event":"Added to Cart","properties":{"price":5}},
		{"type":"track","anonymousId":"anon-1","messageId":"` + ulid2 + `","timestamp":"` + ts1 + `","event":"Viewed Product","properties":{"sku":"S"}},
		{"type":"track","userId":"u-1","messageId":"` + ulid3 + `","timestamp":"` + ts1 + `","event":"Order Placed","properties":{"total":5}}]}`
	tr.mustPost(t, "/v1/batch", batch)
	got := up.waitRequests(t, 3)
	ts := time.Unix(1795860000, 0)
	identify := &cio.Call{Kind: cio.KindIdentify, UserID: "u-1", Email: "ann@example.com", AnonymousID: "anon-1", Timestamp: ts}
	cart := &cio.Call{Kind: cio.KindTrack, UserID: "u-1", AnonymousID: "anon-1", ID: ulid1, Name: "Added to Cart", Timestamp: ts, Data: []byte(`{"price":5}`)}
	view := &cio.Call{Kind: cio.KindTrack, AnonymousID: "anon-1", ID: ulid2, Name: "Viewed Product", Timestamp: ts, Data: []byte(`{"sku":"S"}`)}
	order := &cio.Call{Kind: cio.KindTrack, UserID: "u-1", ID: ulid3, Name: "Order Placed", Timestamp: ts, Data: []byte(`{"total":5}`)}
	want := []cio.Request{
		must(cio.EncodeBatch(cio.APITrackV2, []*cio.Call{identify, cart})),
		must(cio.Encode(cio.APITrackV2, view)),
		must(cio.EncodeBatch(cio.APITrackV2, []*cio.Call{order})),
	}
	if len(got) != len(want) {
		t.Fatalf("got %d requests, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].Method != w.Method || got[i].Path != w.Path || got[i].Body != string(w.Body) {
			t.Errorf("request %d\n got %s %s %s\nwant %s %s %s", i, got[i].Method, got[i].Path, got[i].Body, w.Method, w.Path, w.Body)
		}
	}
	if !strings.Contains(got[1].Path, "/api/v1/events") {
		t.Errorf("anonymous event went to %s; want Track v1 /api/v1/events", got[1].Path)
	}
}

func must(r cio.Request, err error) cio.Request {
	if err != nil {
		panic(err)
	}
	return r
}

// TestPipelinesInput checks what the relay answers its clients.
func TestPipelinesInput(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, nil)
	tr := startRelay(t, up, nil)
	wrongKey := cio.Credentials{PipelinesKey: "nope"}.PipelinesAuthorization()
	cases := []struct {
		name, path, auth, body string
		code                   int
	}{
		{"accepted", "/v1/track", cio.TestCredentials.PipelinesAuthorization(), `{"userId":"u","event":"E"}`, 200},
		{"batch accepted", "/v1/batch", cio.TestCredentials.PipelinesAuthorization(), `{"batch":[{"type":"track","userId":"u","event":"E"}]}`, 200},
		{"group accepted, not forwarded", "/v1/group", cio.TestCredentials.PipelinesAuthorization(), `{"userId":"u","groupId":"g"}`, 200},
		{"wrong key", "/v1/track", wrongKey, `{"userId":"u","event":"E"}`, http.StatusUnauthorized},
		{"no auth", "/v1/track", "", `{"userId":"u","event":"E"}`, http.StatusUnauthorized},
		{"bad JSON", "/v1/track", cio.TestCredentials.PipelinesAuthorization(), `{"userId":`, http.StatusBadRequest},
		{"unknown endpoint", "/v1/nope", cio.TestCredentials.PipelinesAuthorization(), `{}`, http.StatusNotFound},
		{"oversize", "/v1/batch", cio.TestCredentials.PipelinesAuthorization(), `{"batch":[],"pad":"` + strings.Repeat("x", cio.MaxBatchBytes) + `"}`, http.StatusRequestEntityTooLarge},
	}
	for _, tc := range cases {
		code, body := postAuth(t, tr.url+tc.path, tc.auth, tc.body)
		if code != tc.code {
			t.Errorf("%s: status %d (%s); want %d", tc.name, code, body, tc.code)
		}
	}
	// A message with a bad timestamp is refused and counted, not forwarded.
	tr.mustPost(t, "/v1/track", `{"userId":"u","event":"E","timestamp":"yesterday"}`)
	tr.drain(t)
	if got, want := len(up.requests()), 2; got != want {
		t.Errorf("upstream got %d requests; want %d (the two accepted tracks)", got, want)
	}
	if s := tr.Stats(); s.Rejected != 1 {
		t.Errorf("rejected = %d; want 1", s.Rejected)
	}
}

func TestParseConfig(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"minimal", []string{"--upstream", "http://127.0.0.1:1"}, ""},
		{"defects repeat and comma", []string{"--upstream", "http://x", "--defect", "reorder", "--defect", "key-by-email,slow-flush"}, ""},
		{"no upstream", nil, "--upstream is required"},
		{"bad upstream", []string{"--upstream", "127.0.0.1:8420"}, "--upstream"},
		{"bad api", []string{"--upstream", "http://x", "--upstream-api", "pipelines"}, "--upstream-api"},
		{"unknown defect", []string{"--upstream", "http://x", "--defect", "sloppy"}, "unknown defect"},
		{"zero workers", []string{"--upstream", "http://x", "--workers", "0"}, "--workers"},
	}
	for _, tc := range cases {
		cfg, err := parseConfig(tc.args, &strings.Builder{})
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: error %v; want one containing %q", tc.name, err, tc.wantErr)
		}
		if tc.name == "defects repeat and comma" && cfg.defectList() != "key-by-email,reorder,slow-flush" {
			t.Errorf("defects = %s", cfg.defectList())
		}
	}
}
