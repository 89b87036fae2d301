package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/cioharness/cioharness/cio"
	"github.com/cioharness/cioharness/mockcio"
	"github.com/cioharness/cioharness/report"
	"github.com/cioharness/cioharness/scenarios"
)

// Test runs use the default time scale on a virtual clock: the mock's
// clock is set to each call's intended time before the call is sent, and
// campaign timers fire when the clock passes them, so a run takes
// milliseconds and no machine load can make a call late.
const (
	testScale  = scenarios.DefaultTimeScale
	testSettle = 2 * time.Hour / testScale
)

// clock is the virtual clock of a test mock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) {
	c.mu.Lock()
	if t.After(c.t) {
		c.t = t
	}
	c.mu.Unlock()
}

// host is the retention engine's view of the test mock (bound after the
// server exists).
type host struct {
	srv   *mockcio.Server
	clock *clock
}

func (h *host) Now() time.Time     { return h.clock.now() }
func (h *host) TimeScale() float64 { return h.srv.TimeScale() }

// EachPerson pages through full views without messages (the mock's own
// host reads the store the same way).
func (h *host) EachPerson(fn func(*mockcio.PersonView) bool) {
	after := ""
	for {
		page, _ := h.srv.People(context.Background(), mockcio.PageRequest{Limit: mockcio.MaxPageSize, After: after, Full: true, NoMessages: true})
		for i := range page.People {
			if !fn(&page.People[i]) {
				return
			}
		}
		if page.Next == "" {
			return
		}
		after = page.Next
	}
}
func (h *host) Person(id string) (mockcio.PersonView, bool) {
	v, ok, _ := h.srv.Person(context.Background(), id)
	return v, ok
}

// newMock returns an in-process mock with the built-in configuration on a
// virtual clock, and its retention engine with manual timers.
func newMock(scale float64, start time.Time) (*mockcio.Server, *mockcio.Engine, *clock, error) {
	clk := &clock{t: start}
	h := &host{clock: clk}
	eng := mockcio.NewEngine(h, mockcio.EngineOptions{ManualTimers: true})
	srv, err := mockcio.NewServer(mockcio.Options{TimeScale: scale, Now: clk.now, Retention: eng})
	h.srv = srv
	return srv, eng, clk, err
}

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
	clock  *clock
	scale  float64
	api    cio.API
	starts time.Time
	inproc bool // post through the handler in process (benchmark feeding)
}

// generate builds n journeys of the d2c mix at seed and their ledger, the
// journeys starting 2 s apart from start.
func generate(seed int64, n int, scale float64, start time.Time) ([]*scenarios.Journey, *scenarios.Ledger, error) {
	mix, err := scenarios.LoadMix([]string{"d2c"})
	if err != nil {
		return nil, nil, err
	}
	g, err := scenarios.NewGenerator(mix, scenarios.Options{Seed: seed, Epoch: start, TimeScale: scale})
	if err != nil {
		return nil, nil, err
	}
	js := make([]*scenarios.Journey, n)
	led := scenarios.NewLedger()
	for i := range js {
		js[i] = g.Journey(uint64(i))
		led.Add(js[i], start.Add(time.Duration(i)*2*time.Second), scale)
	}
	return js, led, nil
}

// testEpoch is the virtual start of every test run.
var testEpoch = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// runTraffic sends the journeys' calls to a fresh in-process mock in time
// order, stamped with their action times, through the twist mk builds from
// the ledger (nil: as is), then lets settle pass on the virtual clock.
func runTraffic(t testing.TB, seed int64, n int, mk func(*scenarios.Ledger) twist) *traffic {
	t.Helper()
	tr, err := startTraffic(seed, n, testScale, cio.APIPipelines, mk, testSettle)
	if tr != nil {
		t.Cleanup(func() { tr.srv.Close() })
	}
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// startTraffic is runTraffic without a testing.TB; the caller closes tr.srv.
// A twist builder returning nil is an error.
func startTraffic(seed int64, n int, scale float64, api cio.API, mk func(*scenarios.Ledger) twist, settle time.Duration) (*traffic, error) {
	return feed(seed, n, scale, api, mk, settle, false)
}

func feed(seed int64, n int, scale float64, api cio.API, mk func(*scenarios.Ledger) twist, settle time.Duration, inproc bool) (*traffic, error) {
	srv, eng, clk, err := newMock(scale, testEpoch)
	if err != nil {
		return nil, err
	}
	tr := &traffic{recs: map[uint64]*scenarios.Record{}, srv: srv, clock: clk, scale: scale, api: api,
		starts: testEpoch.Add(time.Second), inproc: inproc}
	js, led, err := generate(seed, n, scale, tr.starts)
	tr.led = led
	if err != nil {
		return tr, err
	}
	for _, r := range led.Records() {
		tr.recs[r.Index] = r
	}
	var tw twist
	if mk != nil {
		if tw = mk(led); tw == nil {
			return tr, errors.New("the generated traffic has no shopper to put this defect on")
		}
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
	var end time.Time
	for _, s := range all {
		clk.set(s.at)
		eng.RunDue(s.at)
		if err := tr.post(&s.call); err != nil {
			return tr, err
		}
		end = s.at
	}
	tr.advance(eng, end.Add(settle))
	return tr, nil
}

// advance moves the virtual clock to t, firing the timers due by then.
func (tr *traffic) advance(eng *mockcio.Engine, t time.Time) {
	tr.clock.set(t)
	eng.RunDue(t)
}

// post sends one call to the mock.
func (tr *traffic) post(c *cio.Call) error {
	r, err := cio.Encode(tr.api, c)
	if err != nil {
		return fmt.Errorf("encode %s: %w", c.Kind, err)
	}
	req, _ := http.NewRequest(r.Method, tr.srv.URL+r.Path, bytes.NewReader(r.Body))
	req.Header.Set("Authorization", cio.TestCredentials.Authorization(tr.api))
	req.Header.Set("Content-Type", "application/json")
	if tr.inproc {
		rec := httptest.NewRecorder()
		tr.srv.ServeHTTP(rec, req)
		if rec.Code/100 != 2 {
			return fmt.Errorf("%s %s: %d %s", r.Method, r.Path, rec.Code, rec.Body)
		}
		return nil
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", r.Method, r.Path, resp.StatusCode, b)
	}
	return nil
}

// verifyHTTP verifies tr through the mock's HTTP inspection API.
func (tr *traffic) verifyHTTP(t testing.TB) *report.Summary {
	t.Helper()
	sum, err := tr.verify()
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func (tr *traffic) verify() (*report.Summary, error) {
	return tr.verifyInto(report.New())
}

func (tr *traffic) verifyInto(sum *report.Summary) (*report.Summary, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return sum, Run(ctx, mockcio.NewClient(tr.srv.URL, nil), tr.led, sum, Options{Now: tr.clock.now})
}

func checkOf(sum *report.Summary, name string) *report.Check {
	for i := range sum.Checks {
		if sum.Checks[i].Name == name {
			return &sum.Checks[i]
		}
	}
	return nil
}
