package mockcio

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/cioharness/cioharness/cio"
)

// TestGeneratorEncodingsRoundTrip sends the generator's own encodings (cio.Encode
// and cio.EncodeBatch) of one shopper story in each wire format and checks
// that the mock ends with the same person.
func TestGeneratorEncodingsRoundTrip(t *testing.T) {
	at := tmStart.Add(-time.Minute)
	id := func(n uint64) string { return cio.MakeULID(at, 7, n).String() }
	story := []*cio.Call{
		{Kind: cio.KindTrack, AnonymousID: "anon-1", Name: "Viewed Product", ID: id(1), Timestamp: at, Data: json.RawMessage(`{"sku":"A"}`)},
		{Kind: cio.KindIdentify, UserID: "u1", Email: "u1@x.com", AnonymousID: "anon-1", Data: json.RawMessage(`{"plan":"gold","orders_count":2}`)},
		{Kind: cio.KindTrack, UserID: "u1", Name: "Order Placed", ID: id(2), Timestamp: at, Data: json.RawMessage(`{"total":10.5}`)},
		{Kind: cio.KindTrack, UserID: "u1", Name: "Order Placed", ID: id(2), Timestamp: at, Data: json.RawMessage(`{"total":10.5}`)},
		{Kind: cio.KindPage, UserID: "u1", Name: "/cart", ID: id(3)},
		{Kind: cio.KindDeviceAdd, UserID: "u1", Device: cio.Device{Token: "tok-1", Platform: "ios", LastUsed: at}},
		{Kind: cio.KindDeviceAdd, UserID: "u1", Device: cio.Device{Token: "tok-2", Platform: "android"}},
		{Kind: cio.KindDeviceDelete, UserID: "u1", Device: cio.Device{Token: "tok-2"}},
		{Kind: cio.KindIdentify, UserID: "gone"},
		{Kind: cio.KindDelete, UserID: "gone"},
		{Kind: cio.KindIdentify, UserID: "blocked"},
		{Kind: cio.KindSuppress, UserID: "blocked"},
		{Kind: cio.KindTrack, UserID: "blocked", Name: "Ignored"},
	}
	for _, api := range []cio.API{cio.APIPipelines, cio.APITrack, cio.APITrackV2} {
		for _, batch := range []bool{false, true} {
			if batch && api == cio.APITrack {
				continue
			}
			name := api.String()
			if batch {
				name += " batch"
			}
			t.Run(name, func(t *testing.T) {
				m := newTMock(t, Options{})
				for _, c := range story {
					m.send(api, batch, c)
				}
				checkStory(t, m)
			})
		}
	}
}

// send encodes c for api (alone, or as a one-call batch) and serves it.
func (m *tmock) send(api cio.API, batch bool, c *cio.Call) {
	m.t.Helper()
	var req cio.Request
	var err error
	if batch && cio.Batchable(api, c) {
		req, err = cio.EncodeBatch(api, []*cio.Call{c})
	} else {
		req, err = cio.Encode(api, c)
	}
	if errors.Is(err, cio.ErrUnsupported) {
		return
	}
	if err != nil {
		m.t.Fatalf("encode %v %v: %v", api, c.Kind, err)
	}
	m.ok(req.Method, req.Path, string(req.Body), "X-Strict-Mode", "1")
}

func checkStory(t *testing.T, m *tmock) {
	p := m.person("u1@x.com")
	if p.ID != "u1" || tmAttr(p, "plan") != `"gold"` || tmAttr(p, "orders_count") != "2" {
		t.Fatalf("person %+v", p)
	}
	want := []string{"Viewed Product/anonymous_merge", "Order Placed/direct", "/cart/direct"}
	if got := tmNames(p); !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	if e := p.Events[1]; !e.Timestamp.Equal(tmStart.Add(-time.Minute)) || string(e.Data) != `{"total":10.5}` {
		t.Fatalf("event %+v: timestamp or data changed on the way", e)
	}
	if p.Events[2].Type != "page" {
		t.Fatalf("page stored as %q", p.Events[2].Type)
	}
	if len(p.Devices) != 1 || p.Devices[0].Token != "tok-1" || p.Devices[0].Platform != "ios" {
		t.Fatalf("devices %+v", p.Devices)
	}
	m.absent("gone")
	if b := m.person("blocked"); !b.Suppressed {
		t.Fatalf("blocked = %+v, want suppressed", b)
	}
	if st := m.stats(); st.People != 1 || st.Events != 3 || st.Duplicates != 1 {
		t.Fatalf("stats people=%d events=%d duplicates=%d, want 1 3 1", st.People, st.Events, st.Duplicates)
	}
}
