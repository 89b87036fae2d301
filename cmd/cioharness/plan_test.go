package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cioharness/cioharness/cio"
	"github.com/cioharness/cioharness/mockcio"
	"github.com/cioharness/cioharness/scenarios"
)

// TestBuiltinPlanPassesBuiltinScenarios sends the traffic of every built-in
// scenario, over each API, to a mock with the built-in D2C tracking plan and
// expects zero contract violations: the plan and the scenarios agree.
func TestBuiltinPlanPassesBuiltinScenarios(t *testing.T) {
	t.Parallel()
	const journeys = 150
	for _, api := range []cio.API{cio.APIPipelines, cio.APITrack, cio.APITrackV2} {
		for _, b := range scenarios.Builtins() {
			t.Run(api.String()+"/"+b.Name, func(t *testing.T) {
				t.Parallel()
				s, err := mockcio.NewHandler(mockcio.Options{TimeScale: 3600})
				if err != nil {
					t.Fatal(err)
				}
				mix, err := scenarios.LoadMix([]string{b.Name})
				if err != nil {
					t.Fatal(err)
				}
				epoch := time.Now()
				g, err := scenarios.NewGenerator(mix, scenarios.Options{Seed: 7, Epoch: epoch, TimeScale: 3600})
				if err != nil {
					t.Fatal(err)
				}
				for i := uint64(0); i < journeys; i++ {
					for _, st := range g.Journey(i).Steps {
						c := st.Call
						c.Timestamp = epoch.Add(st.Offset / 3600)
						send(t, s, api, &c)
					}
				}
				st, _ := s.Stats(t.Context())
				if st.Events == 0 && st.AnonymousEvents == 0 {
					t.Fatal("no events stored: the traffic did not reach the mock")
				}
				if v, _ := s.Violations(t.Context()); len(v) != 0 {
					for _, r := range v {
						t.Errorf("%s: %d, e.g. %s", r.Rule, r.Count, r.Samples)
					}
				}
			})
		}
	}
}

// send serves one encoded call in process; calls an API cannot carry (an
// alias on Track) are skipped.
func send(t *testing.T, s *mockcio.Server, api cio.API, c *cio.Call) {
	t.Helper()
	req, err := cio.Encode(api, c)
	if err != nil {
		return
	}
	hr := httptest.NewRequest(req.Method, "http://mock"+req.Path, bytes.NewReader(req.Body))
	hr.Header.Set("Authorization", cio.TestCredentials.Authorization(api))
	hr.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, hr)
	if w.Code != http.StatusOK {
		t.Fatalf("%s %s: %d %s", req.Method, req.Path, w.Code, w.Body)
	}
}
