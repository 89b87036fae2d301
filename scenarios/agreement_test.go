package scenarios_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cioharness/cioharness/cio"
	"github.com/cioharness/cioharness/mockcio"
	"github.com/cioharness/cioharness/scenarios"
)

// fakeClock is the mock's clock in this test: time moves only when told.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.now) {
		c.now = t
	}
}

// host adapts a *mockcio.Server to the engine's Host.
type host struct{ s **mockcio.Server }

func (h host) Now() time.Time                               { return (*h.s).Now() }
func (h host) TimeScale() float64                           { return (*h.s).TimeScale() }
func (h host) EachPerson(fn func(*mockcio.PersonView) bool) { (*h.s).EachPerson(fn) }
func (h host) Person(id string) (mockcio.PersonView, bool) {
	p, ok, _ := (*h.s).Person(context.Background(), id)
	return p, ok
}

type timedStep struct {
	at   time.Time
	step scenarios.Step
}

// TestLedgerAgreesWithTheMock drives d2c journeys through the mock
// Customer.io on a fake clock, in every wire format, and checks that what the
// mock holds is what the ledger predicts: people, events and their via,
// attributes, anonymous leftovers and campaign outcomes.
func TestLedgerAgreesWithTheMock(t *testing.T) {
	for _, api := range []cio.API{cio.APIPipelines, cio.APITrack, cio.APITrackV2} {
		t.Run(api.String(), func(t *testing.T) {
			const scale = 60.0
			clock := &fakeClock{now: scenarios.SampleEpoch}
			var srv *mockcio.Server
			eng := mockcio.NewEngine(host{&srv}, mockcio.EngineOptions{ManualTimers: true})
			srv, err := mockcio.NewHandler(mockcio.Options{Now: clock.Now, TimeScale: scale, Retention: eng})
			if err != nil {
				t.Fatal(err)
			}
			mix, _ := scenarios.LoadMix(nil)
			g, _ := scenarios.NewGenerator(mix, scenarios.Options{Seed: 21, TimeScale: scale})
			l := scenarios.NewLedger()
			var all []timedStep
			for i := uint64(0); i < 120; i++ {
				j := g.Journey(i)
				start := scenarios.SampleEpoch.Add(time.Duration(i) * 2 * time.Second)
				l.Add(j, start, scale)
				for _, st := range j.Steps {
					st.Call.Timestamp = start.Add(time.Duration(float64(st.Offset) / scale))
					send := start.Add(time.Duration(float64(max(st.Offset, 0)) / scale))
					all = append(all, timedStep{send, st})
				}
			}
			sort.SliceStable(all, func(a, b int) bool { return all[a].at.Before(all[b].at) })
			for _, ts := range all {
				clock.Set(ts.at)
				eng.RunDue(ts.at)
				send(t, srv, api, &ts.step.Call)
			}
			end := clock.Now().Add(time.Duration(float64(3*time.Hour) / scale))
			clock.Set(end)
			eng.RunDue(end)
			compare(t, l, srv)
			vs, err := srv.Violations(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vs {
				t.Errorf("built-in traffic breaks the built-in tracking plan: %s ×%d, e.g. %s", v.Rule, v.Count, firstSample(v.Samples))
			}
		})
	}
}

func firstSample(s []json.RawMessage) string {
	if len(s) == 0 {
		return "-"
	}
	return string(s[0])
}

func send(t *testing.T, srv *mockcio.Server, api cio.API, c *cio.Call) {
	t.Helper()
	req, err := cio.Encode(api, c)
	if err != nil {
		t.Fatal(err)
	}
	hr := httptest.NewRequest(req.Method, req.Path, bytes.NewReader(req.Body))
	hr.Header.Set("Authorization", cio.TestCredentials.Authorization(api))
	hr.Header.Set("Content-Type", "application/json")
	rw := httptest.NewRecorder()
	srv.ServeHTTP(rw, hr)
	if rw.Code != http.StatusOK {
		t.Fatalf("%s %s: %d %s", req.Method, req.Path, rw.Code, rw.Body)
	}
}

func compare(t *testing.T, l *scenarios.Ledger, srv *mockcio.Server) {
	t.Helper()
	ctx := context.Background()
	people, messages := 0, 0
	for _, rec := range l.Records() {
		for _, p := range rec.People {
			people++
			pv, ok, _ := srv.Person(ctx, p.Key())
			if !ok {
				t.Errorf("journey %d (%s): person %s missing", rec.Index, rec.Scenario, p.Key())
				continue
			}
			got := map[string]string{}
			for _, ev := range pv.Events {
				got[ev.ID] = ev.Via
			}
			for _, ev := range p.Events {
				if got[ev.ID] != ev.Via {
					t.Errorf("journey %d (%s): %s %s via %q, want %q", rec.Index, rec.Scenario, ev.Name, ev.ID, got[ev.ID], ev.Via)
				}
			}
			if len(pv.Events) != len(p.Events) {
				t.Errorf("journey %d (%s): %d events, want %d", rec.Index, rec.Scenario, len(pv.Events), len(p.Events))
			}
			for k, v := range p.Attributes {
				if mv := pv.Attributes[k]; string(mv) != string(v) {
					t.Errorf("journey %d (%s): attribute %s = %s, want %s", rec.Index, rec.Scenario, k, mv, v)
				}
			}
			var want, have []string
			for _, o := range p.Campaigns {
				want = append(want, o.Campaign+":"+o.Outcome+"@"+o.DueAt.Format(time.RFC3339Nano))
			}
			for _, m := range pv.Messages {
				have = append(have, m.Campaign+":"+m.Outcome+"@"+m.DueAt.Format(time.RFC3339Nano))
			}
			sort.Strings(want)
			sort.Strings(have)
			messages += len(want)
			if strings.Join(want, " ") != strings.Join(have, " ") {
				t.Errorf("journey %d (%s): campaigns %v, want %v", rec.Index, rec.Scenario, have, want)
			}
		}
		for _, a := range rec.Anonymous {
			av, ok, _ := srv.Anonymous(ctx, a.AnonymousID)
			if !ok || len(av.Events) != len(a.Events) {
				t.Errorf("journey %d (%s): anonymous %s holds %d events, want %d", rec.Index, rec.Scenario, a.AnonymousID, len(av.Events), len(a.Events))
			}
		}
	}
	if people < 60 || messages < 60 {
		t.Errorf("only %d people and %d campaign outcomes: the test exercises too little", people, messages)
	}
}
