package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cioharness/cioharness/cio"
	"github.com/cioharness/cioharness/mockcio"
	"github.com/cioharness/cioharness/scenarios"
)

// TestEquivalentToDirect is a differential test of the correct relay: the
// built-in d2c journeys, sent as Pipelines calls straight to one mock and
// through the relay (Track v1, and Track v2) to another, must leave the same
// people: identifiers, anonymous ids, attributes, and events with the same
// names, ids, data, merge route and timestamps (to the second, Track's unit).
// The journeys are sent back to back, not paced, so the mocks run at time
// scale 60: the 5-minute late-merge window is then 5 s of real time, wide
// enough that the relay's batching cannot move an event across it.
func TestEquivalentToDirect(t *testing.T) {
	t.Parallel()
	for _, api := range []cio.API{cio.APITrack, cio.APITrackV2} {
		t.Run(api.String(), func(t *testing.T) {
			t.Parallel()
			journeys := genJourneys(t, 7, 30)
			direct := newMock(t)
			relayed := newMock(t)
			tr := startRelay(t, nil, func(c *config) {
				c.Upstream, c.UpstreamAPI, c.BatchSize, c.FlushInterval = relayed.URL, api, 10, 20*time.Millisecond
			})
			for _, j := range journeys {
				for _, st := range j.Steps {
					req, err := cio.Encode(cio.APIPipelines, &st.Call)
					if err != nil {
						t.Fatalf("encode %+v: %v", st.Call, err)
					}
					code, body := postAuth(t, direct.URL+req.Path, cio.TestCredentials.PipelinesAuthorization(), string(req.Body))
					if code != 200 {
						t.Fatalf("direct %s: %d %s", req.Path, code, body)
					}
					tr.mustPost(t, req.Path, string(req.Body))
				}
			}
			tr.drain(t)
			if s := tr.Stats(); s.Dropped != 0 || s.Rejected != 0 {
				t.Fatalf("relay dropped %d, rejected %d calls; want none", s.Dropped, s.Rejected)
			}
			compared := 0
			for _, j := range journeys {
				compared += comparePeople(t, direct, relayed, j.Shopper)
			}
			if compared < len(journeys)/2 {
				t.Errorf("compared only %d identities of %d journeys", compared, len(journeys))
			}
		})
	}
}

// genJourneys generates n d2c journeys of seed, stamped as if sent at time
// scale 3600 from now.
func genJourneys(t *testing.T, seed int64, n int) []*scenarios.Journey {
	t.Helper()
	mix, err := scenarios.LoadMix([]string{"d2c"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Truncate(time.Second)
	gen, err := scenarios.NewGenerator(mix, scenarios.Options{Seed: seed, Epoch: now, TimeScale: 3600})
	if err != nil {
		t.Fatal(err)
	}
	var out []*scenarios.Journey
	for i := range n {
		j := gen.Journey(uint64(i))
		for k := range j.Steps {
			j.Steps[k].Call.Timestamp = now.Add(j.Steps[k].Offset / 3600)
		}
		out = append(out, j)
	}
	return out
}

func newMock(t *testing.T) *mockcio.Server {
	t.Helper()
	m, err := mockcio.NewServer(mockcio.Options{TimeScale: 60})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close() })
	return m
}

// comparePeople compares what two mocks hold for a shopper: the person by
// external id or email, else each device's anonymous events. It returns how
// many identities it compared.
func comparePeople(t *testing.T, want, got *mockcio.Server, sh *scenarios.Shopper) int {
	t.Helper()
	ctx := context.Background()
	for _, key := range []string{sh.ExternalID, sh.Email} {
		w, ok, _ := want.Person(ctx, key)
		if !ok {
			continue
		}
		g, ok, _ := got.Person(ctx, key)
		if !ok {
			t.Errorf("%s: direct has a person, relayed has none", key)
			return 1
		}
		if a, b := personText(w), personText(g); a != b {
			t.Errorf("%s differs\ndirect:  %s\nrelayed: %s", key, a, b)
		}
		return 1
	}
	n := 0
	for _, d := range sh.Devices {
		w, okw, _ := want.Anonymous(ctx, d.AnonymousID)
		g, okg, _ := got.Anonymous(ctx, d.AnonymousID)
		if okw != okg || eventsText(w.Events) != eventsText(g.Events) {
			t.Errorf("anonymous %s differs\ndirect:  %v %s\nrelayed: %v %s", d.AnonymousID, okw, eventsText(w.Events), okg, eventsText(g.Events))
		}
		n++
	}
	return n
}

// personText is the comparable part of a person, one canonical string.
func personText(p mockcio.PersonView) string {
	ids := slices.Clone(p.AnonymousIDs)
	slices.Sort(ids)
	var attrs []string
	for k, v := range p.Attributes {
		attrs = append(attrs, k+"="+canonJSON(v))
	}
	slices.Sort(attrs)
	var devs []string
	for _, d := range p.Devices {
		devs = append(devs, d.Token+"/"+d.Platform)
	}
	slices.Sort(devs)
	return fmt.Sprintf("id=%s email=%s anon=%v suppressed=%v devices=%v attrs=%v events=%s",
		p.ID, p.Email, ids, p.Suppressed, devs, attrs, eventsText(p.Events))
}

func eventsText(evs []mockcio.EventView) string {
	var out []string
	for _, e := range evs {
		out = append(out, fmt.Sprintf("{%s %s %s %d %s %s}", e.Name, e.Type, e.ID, e.Timestamp.Unix(), e.Via, canonJSON(e.Data)))
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

// canonJSON re-encodes JSON with sorted keys and numbers as written.
func canonJSON(b json.RawMessage) string {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return string(b)
	}
	out, _ := json.Marshal(v)
	return string(out)
}
