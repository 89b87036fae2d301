package mockcio

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestRekeyByBodyEmail(t *testing.T) {
	m := newTMock(t, Options{})
	m.ok("PUT", "/api/v1/customers/ann%40example.com", `{"plan":"gold"}`)
	// New id in the path, existing email in the body: the same person gains the id.
	m.ok("PUT", "/api/v1/customers/u1", `{"email":"ANN@example.com","city":"Oslo"}`)
	m.ok("PUT", "/api/v1/customers/u1", `{"email":"ann@example.com","tier":"vip"}`)
	p := m.person("u1")
	if got := m.person("ann@example.com").CioID; got != p.CioID {
		t.Fatalf("email and id name different people: %s vs %s", got, p.CioID)
	}
	if got, want := m.stats().People, int64(1); got != want {
		t.Fatalf("people = %d, want %d", got, want)
	}
	for k, want := range map[string]string{"plan": `"gold"`, "city": `"Oslo"`, "tier": `"vip"`, "id": `"u1"`} {
		if got := tmAttr(p, k); got != want {
			t.Errorf("attribute %s = %s, want %s", k, got, want)
		}
	}
}

func TestEmailIsCaseInsensitiveIDIsNot(t *testing.T) {
	m := newTMock(t, Options{})
	m.ok("PUT", "/api/v1/customers/Bob%40X.com", `{}`)
	m.person("bob@x.com")
	m.ok("PUT", "/api/v1/customers/User", `{}`)
	m.absent("user")
	if got := m.stats().People; got != 2 {
		t.Fatalf("people = %d, want 2", got)
	}
}

func TestConflictingIdentifiersChangeNothing(t *testing.T) {
	m := newTMock(t, Options{})
	m.ok("PUT", "/api/v1/customers/u1", `{"email":"a@x.com","plan":"a"}`)
	m.ok("PUT", "/api/v1/customers/u2", `{"email":"b@x.com","plan":"b"}`)
	tests := []struct{ name, path, body string }{
		{"path and body name two people", "/api/v1/customers/u1", `{"email":"b@x.com","plan":"changed"}`},
		{"email path, other id in body", "/api/v1/customers/a%40x.com", `{"id":"u2","plan":"changed"}`},
		{"changing an id without cio_", "/api/v1/customers/a%40x.com", `{"id":"u9","plan":"changed"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m.ok("PUT", tt.path, tt.body) // still 200
			for id, plan := range map[string]string{"u1": `"a"`, "u2": `"b"`} {
				if got := tmAttr(m.person(id), "plan"); got != plan {
					t.Errorf("%s plan = %s, want %s", id, got, plan)
				}
			}
			m.absent("u9")
		})
	}
}

func TestCioAddressingChangesIdentifiers(t *testing.T) {
	m := newTMock(t, Options{})
	m.ok("PUT", "/api/v1/customers/u1", `{"email":"old@x.com"}`)
	cid := m.person("u1").CioID
	m.ok("PUT", "/api/v1/customers/cio_"+cid, `{"id":"u1-new","email":"new@x.com"}`)
	p := m.person("cio_" + cid)
	if p.ID != "u1-new" || p.Email != "new@x.com" {
		t.Fatalf("identifiers = %q %q, want u1-new new@x.com", p.ID, p.Email)
	}
	m.absent("u1")
	m.absent("old@x.com")
	// An unknown cio_id is dropped with 200.
	m.ok("PUT", "/api/v1/customers/cio_ffffffffffff", `{"plan":"x"}`)
	if got := m.stats().People; got != 1 {
		t.Fatalf("people = %d, want 1", got)
	}
}

func TestUpdateNeverCreates(t *testing.T) {
	m := newTMock(t, Options{})
	m.ok("PUT", "/api/v1/customers/ghost", `{"_update":true,"plan":"x"}`)
	m.absent("ghost")
	m.ok("PUT", "/api/v1/customers/u1", `{"plan":"a"}`)
	m.ok("PUT", "/api/v1/customers/u1", `{"_update":true,"plan":"b"}`)
	p := m.person("u1")
	if got := tmAttr(p, "plan"); got != `"b"` {
		t.Fatalf("plan = %s, want \"b\"", got)
	}
	if _, ok := p.Attributes["_update"]; ok {
		t.Fatal("_update stored as an attribute")
	}
}

func TestTimestampOrdersAttributeWrites(t *testing.T) {
	m := newTMock(t, Options{})
	now := tmStart.Unix()
	m.ok("PUT", "/api/v1/customers/u1", fmt.Sprintf(`{"plan":"new","_timestamp":%d}`, now-10))
	m.ok("PUT", "/api/v1/customers/u1", fmt.Sprintf(`{"plan":"old","city":"Rome","_timestamp":%d}`, now-100))
	p := m.person("u1")
	if got := tmAttr(p, "plan"); got != `"new"` {
		t.Fatalf("plan = %s: an older _timestamp overwrote a newer one", got)
	}
	if got := tmAttr(p, "city"); got != `"Rome"` {
		t.Fatalf("city = %s: an older write must still set an unset attribute", got)
	}
	m.ok("PUT", "/api/v1/customers/u1", `{"plan":"latest"}`) // no _timestamp: receive time
	if got := tmAttr(m.person("u1"), "plan"); got != `"latest"` {
		t.Fatalf("plan = %s, want \"latest\"", got)
	}
}

func TestReservedIdentifyKeys(t *testing.T) {
	tests := []struct{ unsub, want string }{
		{`true`, "true"}, {`"TRUE"`, "true"}, {`"True"`, "true"}, {`1`, "true"}, {`"1"`, "true"},
		{`false`, "false"}, {`"yes"`, "false"}, {`0`, "false"},
	}
	for _, tt := range tests {
		t.Run("unsubscribed="+tt.unsub, func(t *testing.T) {
			m := newTMock(t, Options{})
			m.ok("PUT", "/api/v1/customers/u1", `{"unsubscribed":`+tt.unsub+`}`)
			if got := tmAttr(m.person("u1"), "unsubscribed"); got != tt.want {
				t.Fatalf("unsubscribed = %s, want %s", got, tt.want)
			}
		})
	}
	m := newTMock(t, Options{})
	m.ok("PUT", "/api/v1/customers/u1", `{"created_at":1700000000,"First_name":"A","first_name":"b",
		"anonymous_id":"an1","cio_relationships":{"action":"add_relationships"},"n":1.5,"ok":true,"tags":["a"]}`)
	p := m.person("u1")
	for k, want := range map[string]string{"created_at": "1700000000", "First_name": `"A"`, "first_name": `"b"`,
		"n": "1.5", "ok": "true", "tags": `["a"]`} {
		if got := tmAttr(p, k); got != want {
			t.Errorf("attribute %s = %s, want %s (JSON type kept)", k, got, want)
		}
	}
	for _, k := range []string{"anonymous_id", "cio_relationships", "_timestamp"} {
		if _, ok := p.Attributes[k]; ok {
			t.Errorf("reserved key %s stored as an attribute", k)
		}
	}
	if !slices.Equal(p.AnonymousIDs, []string{"an1"}) {
		t.Errorf("anonymous_ids = %v, want [an1]", p.AnonymousIDs)
	}
}

func TestAnonymousEventsMergeOnIdentify(t *testing.T) {
	tests := []struct{ name, method, path, body string }{
		{"v1 anonymous_id", "PUT", "/api/v1/customers/u1", `{"anonymous_id":"anon-1"}`},
		{"v2 attributes.anonymous_id", "POST", "/api/v2/entity",
			`{"type":"person","action":"identify","identifiers":{"id":"u1"},"attributes":{"anonymous_id":"anon-1"}}`},
		{"pipelines identify", "POST", "/v1/identify", `{"userId":"u1","anonymousId":"anon-1","traits":{}}`},
		{"pipelines alias", "POST", "/v1/alias", `{"userId":"u1","previousId":"anon-1"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newTMock(t, Options{})
			m.ok("POST", "/api/v1/events", `{"name":"Viewed Product","anonymous_id":"anon-1","data":{"sku":"A"}}`)
			m.ok("POST", "/v1/track", `{"anonymousId":"anon-1","event":"Added to Cart","properties":{"sku":"A"}}`)
			if got := m.stats().AnonymousEvents; got != 2 {
				t.Fatalf("anonymous events = %d, want 2", got)
			}
			m.clk.Add(time.Second)
			m.ok(tt.method, tt.path, tt.body)
			p := m.person("u1")
			want := []string{"Viewed Product/anonymous_merge", "Added to Cart/anonymous_merge"}
			if got := tmNames(p); !slices.Equal(got, want) {
				t.Fatalf("events = %v, want %v", got, want)
			}
			if e := p.Events[0]; !e.ReceivedAt.Equal(tmStart) || !e.LandedAt.Equal(tmStart.Add(time.Second)) {
				t.Fatalf("received_at %v landed_at %v: want first storage and merge time", e.ReceivedAt, e.LandedAt)
			}
			av, ok, _ := m.s.Anonymous(t.Context(), "anon-1")
			if !ok || len(av.Events) != 0 || av.MergedInto != p.CioID {
				t.Fatalf("anonymous view = %+v, want merged into %s with no events", av, p.CioID)
			}
			if st := m.stats(); st.AnonymousEvents != 0 || st.Events != 2 {
				t.Fatalf("stats events=%d anonymous=%d, want 2 and 0", st.Events, st.AnonymousEvents)
			}
		})
	}
}

func TestLateAnonymousEventsMergeWithinFiveShopperMinutes(t *testing.T) {
	tests := []struct {
		scale  float64
		after  time.Duration // real time after the identify
		merged bool
	}{
		{60, 4 * time.Second, true}, // 4 real s = 4 shopper min
		{60, 5 * time.Second, true},
		{60, 6 * time.Second, false}, // 6 shopper min
		{1, 4 * time.Minute, true},
		{1, 6 * time.Minute, false},
		{3600, 80 * time.Millisecond, true}, // 4.8 shopper min
		{3600, 90 * time.Millisecond, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("scale %v after %v", tt.scale, tt.after), func(t *testing.T) {
			m := newTMock(t, Options{TimeScale: tt.scale})
			m.ok("PUT", "/api/v1/customers/u1", `{"anonymous_id":"anon-1"}`)
			m.clk.Add(tt.after)
			m.ok("POST", "/api/v1/events", `{"name":"Late","anonymous_id":"anon-1"}`)
			p := m.person("u1")
			av, _, _ := m.s.Anonymous(t.Context(), "anon-1")
			if tt.merged {
				if got := tmNames(p); !slices.Equal(got, []string{"Late/anonymous_merge"}) {
					t.Fatalf("events = %v, want the late event merged", got)
				}
				return
			}
			if len(p.Events) != 0 || len(av.Events) != 1 {
				t.Fatalf("person events %v, anonymous %d: want the event kept anonymous", tmNames(p), len(av.Events))
			}
		})
	}
}

func TestAnonymousEventsExpireAfterThirtyShopperDays(t *testing.T) {
	m := newTMock(t, Options{TimeScale: 3600}) // 30 shopper days = 12 real minutes
	m.ok("POST", "/api/v1/events", `{"name":"Old","anonymous_id":"a"}`)
	m.clk.Add(11 * time.Minute)
	m.ok("POST", "/api/v1/events", `{"name":"Recent","anonymous_id":"a"}`)
	m.clk.Add(2 * time.Minute)
	m.ok("PUT", "/api/v1/customers/u1", `{"anonymous_id":"a"}`)
	if got := tmNames(m.person("u1")); !slices.Equal(got, []string{"Recent/anonymous_merge"}) {
		t.Fatalf("events = %v, want only the event younger than 30 shopper days", got)
	}
}

func TestAnonymousIDIsNotReusable(t *testing.T) {
	m := newTMock(t, Options{})
	m.ok("PUT", "/api/v1/customers/u1", `{"anonymous_id":"a"}`)
	m.ok("PUT", "/api/v1/customers/u2", `{"anonymous_id":"a"}`)
	m.ok("POST", "/api/v1/events", `{"name":"E","anonymous_id":"a"}`)
	if got := len(m.person("u1").Events); got != 1 {
		t.Fatalf("u1 events = %d, want 1", got)
	}
	if p := m.person("u2"); len(p.Events) != 0 || len(p.AnonymousIDs) != 0 {
		t.Fatalf("u2 = %+v: the anonymous id was linked twice", p)
	}
}

func TestSubscriptionPreferenceDotKeys(t *testing.T) {
	m := newTMock(t, Options{})
	m.ok("PUT", "/api/v1/customers/u1", `{"cio_subscription_preferences":{"topics":{"topic_1":true,"topic_2":true}}}`)
	m.ok("PUT", "/api/v1/customers/u1", `{"cio_subscription_preferences.topics.topic_2":false,"cio_subscription_preferences.topics.topic_3":true}`)
	p := m.person("u1")
	jsonEq(t, tmAttr(p, "cio_subscription_preferences"), `{"topics":{"topic_1":true,"topic_2":false,"topic_3":true}}`)
	if _, ok := p.Attributes["cio_subscription_preferences.topics.topic_3"]; ok {
		t.Fatal("dotted key stored as its own attribute")
	}
}

func TestNullOrEmptyAttributeRemovesIt(t *testing.T) {
	m := newTMock(t, Options{})
	m.ok("PUT", "/api/v1/customers/u1", `{"a":"x","b":"y","c":0}`)
	m.ok("PUT", "/api/v1/customers/u1", `{"a":null,"b":""}`)
	p := m.person("u1")
	_, hasA := p.Attributes["a"]
	_, hasB := p.Attributes["b"]
	if hasA || hasB || tmAttr(p, "c") != "0" {
		t.Fatalf("attributes %v: want a and b removed, c kept", p.Attributes)
	}
}
