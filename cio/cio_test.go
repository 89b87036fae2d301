package cio

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestULIDRoundTrip(t *testing.T) {
	t.Parallel()
	ts := time.UnixMilli(1_700_000_000_123)
	u := MakeULID(ts, 0xBEEF, 0x0123456789ABCDEF)
	s := u.String()
	if len(s) != 26 {
		t.Fatalf("len %d", len(s))
	}
	got, err := ParseULID(strings.ToLower(s))
	if err != nil || got != u {
		t.Fatalf("ParseULID(%q) = %v, %v; want %v", s, got, err, u)
	}
	if !got.Time().Equal(ts) {
		t.Fatalf("time %v want %v", got.Time(), ts)
	}
	// Lexicographic order follows time.
	if later := MakeULID(ts.Add(time.Millisecond), 0, 0).String(); later <= s {
		t.Fatalf("ULIDs do not sort by time: %s <= %s", later, s)
	}
	if _, err := ParseULID("8ZZZZZZZZZZZZZZZZZZZZZZZZZ"); err == nil {
		t.Fatal("overflowing ULID accepted")
	}
}

func TestParseBasic(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, header, user, pass string
		ok                       bool
	}{
		{"standard", TestCredentials.TrackAuthorization(), "cioharness-site", "cioharness-key", true},
		{"pipelines empty password", TestCredentials.PipelinesAuthorization(), "cioharness-pipelines", "", true},
		{"url-safe alphabet", "Basic " + "Pz8_Pj4-OmtleQ==", "???>>>", "key", true}, // base64url of "???>>>:key"
		{"lower-case scheme", "basic " + "YTpi", "a", "b", true},
		{"no colon", "Basic YWJj", "", "", false},
		{"bearer", "Bearer abc", "", "", false},
		{"garbage", "Basic !!!", "", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u, p, ok := ParseBasic(tc.header)
			if u != tc.user || p != tc.pass || ok != tc.ok {
				t.Fatalf("ParseBasic(%q) = %q, %q, %v; want %q, %q, %v", tc.header, u, p, ok, tc.user, tc.pass, tc.ok)
			}
		})
	}
}

func TestParsePathIdentifier(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want Identifier
		key  string
	}{
		{"user-1", Identifier{IDID, "user-1"}, "id:user-1"},
		{"A@X.com", Identifier{IDEmail, "A@X.com"}, "email:a@x.com"},
		{"cio_abc", Identifier{IDCioID, "abc"}, "cio_id:abc"},
		{"+15551234567", Identifier{IDID, "+15551234567"}, "id:+15551234567"},
	}
	for _, tc := range cases {
		got := ParsePathIdentifier(tc.in)
		if got != tc.want || got.Key() != tc.key {
			t.Errorf("ParsePathIdentifier(%q) = %+v key %q; want %+v key %q", tc.in, got, got.Key(), tc.want, tc.key)
		}
	}
}

func TestIdentifierJSON(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{`{}`, `{"id":"a","email":"b"}`, `{"nick":"a"}`, `{"id":""}`, `null`, `[]`, `{"id":{}}`} {
		var id Identifier
		if err := json.Unmarshal([]byte(bad), &id); err == nil {
			t.Errorf("%s accepted as %+v", bad, id)
		}
	}
	var id Identifier
	if err := json.Unmarshal([]byte(`{"id":42}`), &id); err != nil || id != (Identifier{IDID, "42"}) {
		t.Errorf("numeric id: %+v %v", id, err)
	}
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "plain", `q"b\s`, "tab\tnl\n\x01", "é ünï 日本", "bad\xffutf8", "<html>&"} {
		got := AppendString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%q encoded as invalid JSON %s: %v", s, got, err)
		}
		want, _ := json.Marshal(s)
		var wantBack string
		_ = json.Unmarshal(want, &wantBack)
		if back != wantBack {
			t.Errorf("%q round-trips to %q, encoding/json to %q", s, back, wantBack)
		}
	}
}

func sampleCalls() []*Call {
	ts := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	id := MakeULID(ts, 1, 2).String()
	data := json.RawMessage(`{"cart_id":"c1","value":12.5}`)
	return []*Call{
		{Kind: KindIdentify, UserID: "u1", Email: "a@b.c", AnonymousID: "anon1", Timestamp: ts, Data: json.RawMessage(`{"vip_tier":"gold"}`)},
		{Kind: KindIdentify, Email: "a@b.c", Timestamp: ts},
		{Kind: KindTrack, UserID: "u1", Name: "Added to Cart", ID: id, Timestamp: ts, Data: data},
		{Kind: KindTrack, AnonymousID: "anon1", Name: "Viewed Product", ID: id, Timestamp: ts, Data: data},
		{Kind: KindPage, UserID: "u1", Name: "/cart", ID: id, Timestamp: ts},
		{Kind: KindDelete, UserID: "u1"},
		{Kind: KindSuppress, Email: "a@b.c"},
		{Kind: KindDeviceAdd, UserID: "u1", Device: Device{Token: "tok", Platform: "ios", LastUsed: ts}},
		{Kind: KindDeviceDelete, UserID: "u1", Device: Device{Token: "t/ok"}},
	}
}

// Every encoded body is valid JSON and decodes into the wire type the mock uses,
// carrying the call's fields.
func TestEncodeDecodes(t *testing.T) {
	t.Parallel()
	for _, api := range []API{APIPipelines, APITrack, APITrackV2} {
		for i, c := range sampleCalls() {
			req, err := Encode(api, c)
			if err != nil {
				t.Fatalf("%v call %d (%v): %v", api, i, c.Kind, err)
			}
			if req.Body != nil && !json.Valid(req.Body) {
				t.Fatalf("%v call %d: invalid JSON %s", api, i, req.Body)
			}
			if c.Kind != KindTrack {
				continue
			}
			switch {
			case api == APIPipelines:
				var m Message
				mustUnmarshal(t, req.Body, &m)
				if m.Event != c.Name || m.MessageID != c.ID || string(m.Properties) != string(c.Data) {
					t.Errorf("pipelines track decoded as %+v", m)
				}
				if ts, err := ParseISOTime(m.Timestamp); err != nil || !ts.Equal(c.Timestamp) {
					t.Errorf("pipelines timestamp %q", m.Timestamp)
				}
			case api == APITrack || c.Anonymous():
				var e V1Event
				mustUnmarshal(t, req.Body, &e)
				if e.Name != c.Name || e.ID != c.ID || e.AnonymousID != c.AnonymousID || !e.Timestamp.Time().Equal(c.Timestamp) || string(e.Data) != string(c.Data) {
					t.Errorf("v1 event decoded as %+v from %s", e, req.Body)
				}
			default:
				var e V2Entity
				mustUnmarshal(t, req.Body, &e)
				if e.Action != "event" || e.Name != c.Name || string(e.Attributes) != string(c.Data) || string(e.Identifiers) != `{"id":"u1"}` {
					t.Errorf("v2 event decoded as %+v", e)
				}
			}
		}
	}
}

func TestEncodeV1Paths(t *testing.T) {
	t.Parallel()
	calls := sampleCalls()
	want := []string{
		"PUT /api/v1/customers/u1", "PUT /api/v1/customers/a%40b.c", "POST /api/v1/customers/u1/events",
		"POST /api/v1/events", "POST /api/v1/customers/u1/events", "DELETE /api/v1/customers/u1",
		"POST /api/v1/customers/a%40b.c/suppress", "PUT /api/v1/customers/u1/devices", "DELETE /api/v1/customers/u1/devices/t%2Fok",
	}
	for i, c := range calls {
		req, err := Encode(APITrack, c)
		if err != nil {
			t.Fatal(err)
		}
		if got := req.Method + " " + req.Path; got != want[i] {
			t.Errorf("call %d: %s, want %s", i, got, want[i])
		}
	}
	if _, err := Encode(APITrack, &Call{Kind: KindAlias, UserID: "a", PreviousID: "b"}); err == nil {
		t.Error("track alias encoded")
	}
}

func TestEncodeBatch(t *testing.T) {
	t.Parallel()
	var batchable []*Call
	for _, c := range sampleCalls() {
		if Batchable(APITrackV2, c) {
			batchable = append(batchable, c)
		}
	}
	req, err := EncodeBatch(APITrackV2, batchable)
	if err != nil {
		t.Fatal(err)
	}
	var b Batch
	mustUnmarshal(t, req.Body, &b)
	if len(b.Batch) != len(batchable) || req.Path != "/api/v2/batch" {
		t.Fatalf("batch of %d items at %s, want %d", len(b.Batch), req.Path, len(batchable))
	}
	if _, err := EncodeBatch(APITrack, batchable); err == nil {
		t.Error("track v1 batch encoded")
	}
}

func mustUnmarshal(tb testing.TB, b []byte, v any) {
	tb.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		tb.Fatalf("unmarshal %s: %v", b, err)
	}
}

func BenchmarkEncodePipelinesTrack(b *testing.B) {
	c := sampleCalls()[2]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(APIPipelines, c); err != nil {
			b.Fatal(err)
		}
	}
}
