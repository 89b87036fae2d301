package verify

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/cioharness/cioharness/cio"
	"github.com/cioharness/cioharness/mockcio"
	"github.com/cioharness/cioharness/report"
	"github.com/cioharness/cioharness/scenarios"
)

// send is one call to send at a real time.
type send struct {
	at   time.Time
	call cio.Call
	j    *scenarios.Journey
	step int
}

// twist rewrites the sends of one step: return none to drop it, two to
// duplicate it, or change a call or its time.
type twist func(rec *scenarios.Record, s send) []send

// traffic is one test run: generated journeys, their ledger, and a mock that
// received them.
type traffic struct {
	led    *scenarios.Ledger
	recs   map[uint64]*scenarios.Record
	srv    *mockcio.Server
	scale  float64
	api    cio.API
	starts time.Time
}

// generate builds n journeys of the d2c mix at seed and their ledger, all
// starting within a few milliseconds of start.
func generate(t testing.TB, seed int64, n int, scale float64, start time.Time) ([]*scenarios.Journey, *scenarios.Ledger) {
	t.Helper()
	mix, err := scenarios.LoadMix([]string{"d2c"})
	if err != nil {
		t.Fatal(err)
	}
	g, err := scenarios.NewGenerator(mix, scenarios.Options{Seed: seed, Epoch: start, TimeScale: scale})
	if err != nil {
		t.Fatal(err)
	}
	led := scenarios.NewLedger()
	js := make([]*scenarios.Journey, n)
	for i := range js {
		js[i] = g.Journey(uint64(i))
		led.Add(js[i], start.Add(time.Duration(i)*2*time.Millisecond), scale)
	}
	return js, led
}

// runTraffic sends the journeys' calls to a fresh in-process mock in time
// order, stamped with their action times, through tw (nil: as is), then
// waits settle.
func runTraffic(t testing.TB, seed int64, n int, scale float64, api cio.API, tw twist, settle time.Duration) *traffic {
	t.Helper()
	srv, err := mockcio.NewServer(mockcio.Options{TimeScale: scale})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	start := time.Now().Add(100 * time.Millisecond)
	js, led := generate(t, seed, n, scale, start)
	tr := &traffic{led: led, recs: map[uint64]*scenarios.Record{}, srv: srv, scale: scale, api: api, starts: start}
	for _, r := range led.Records() {
		tr.recs[r.Index] = r
	}
	var all []send
	for _, j := range js {
		rec := tr.recs[j.Index]
		for i, st := range j.Steps {
			c := st.Call
			c.Timestamp = rec.Start.Add(realOffset(rec, st.Offset))
			s := send{at: rec.Start.Add(realOffset(rec, max(st.Offset, 0))), call: c, j: j, step: i}
			if tw == nil {
				all = append(all, s)
				continue
			}
			all = append(all, tw(rec, s)...)
		}
	}
	sort.SliceStable(all, func(a, b int) bool { return all[a].at.Before(all[b].at) })
	for _, s := range all {
		if d := time.Until(s.at); d > 0 {
			time.Sleep(d)
		}
		tr.post(t, &s.call)
	}
	time.Sleep(settle)
	return tr
}

// post sends one call to the mock.
func (tr *traffic) post(t testing.TB, c *cio.Call) {
	t.Helper()
	r, err := cio.Encode(tr.api, c)
	if err != nil {
		t.Fatalf("encode %s: %v", c.Kind, err)
	}
	req, _ := http.NewRequest(r.Method, tr.srv.URL+r.Path, bytes.NewReader(r.Body))
	req.Header.Set("Authorization", cio.TestCredentials.Authorization(tr.api))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %d %s", r.Method, r.Path, resp.StatusCode, b)
	}
}

// verifyHTTP verifies tr through the mock's HTTP inspection API.
func (tr *traffic) verifyHTTP(t testing.TB) *report.Summary {
	t.Helper()
	sum := report.New()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := Run(ctx, mockcio.NewClient(tr.srv.URL, nil), tr.led, sum, Options{}); err != nil {
		t.Fatal(err)
	}
	return sum
}

func checkOf(sum *report.Summary, name string) *report.Check {
	for i := range sum.Checks {
		if sum.Checks[i].Name == name {
			return &sum.Checks[i]
		}
	}
	return nil
}
