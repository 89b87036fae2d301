package report

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// SampleStart is the fixed clock of Sample.
var SampleStart = time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)

// sampleJourneys is how many journeys a whole Sample run has.
const sampleJourneys = 300

// Sample returns a synthetic, deterministic results file: shard i of n of a
// 300-journey run at the given seed, on a fixed clock. Journey j belongs to
// shard j mod n + 1 and draws from its own seeded stream, so merging the n
// shards gives exactly the 1/1 run. Tests, golden files and documentation use
// it to show every part of the report without running a load.
func Sample(seed uint64, shard, shards int) *Summary {
	s := New()
	s.Run = Run{
		ID: RunID(int64(seed), "d2c", "pipelines", "10/s", "30s", fmt.Sprint(shards)), Version: "test",
		Seed: int64(seed), Shard: Shard{Index: []int{shard}, Count: shards}, Scenarios: []string{"d2c"},
		API: "pipelines", Target: "embedded mock", RateProfile: "10/s", Duration: Duration(30 * time.Second),
		TimeScale: 60, StartedAt: SampleStart, EndedAt: SampleStart.Add(40 * time.Second),
	}
	m := &Metrics{Start: SampleStart}
	delivered := &Check{Name: "events.delivered", Passed: true}
	noSend := &Check{Name: "suppression.no_send_after_purchase", Passed: true}
	for j := shard - 1; j < sampleJourneys; j += shards {
		sampleJourney(s, m, seed, j, delivered, noSend)
	}
	m.Close()
	m.Fill(s)
	s.Journeys.ByScenario = map[string]*JourneyCounts{"d2c": {s.Journeys.Planned, s.Journeys.Started, s.Journeys.Completed}}
	h := &s.Harness
	h.PlannedRate, h.AchievedRate = 10/float64(shards), 10/float64(shards)*0.998
	h.Steps, h.CPUSeconds, h.CPUPerReqUS = s.Requests.Total, float64(s.Requests.Total)*30e-6, 30
	s.Checks = []Check{
		{Name: "identity.anonymous_merge", Passed: true, Expected: s.Journeys.Completed, Observed: s.Journeys.Completed},
		*delivered, *noSend,
		{Name: "contract.event_names", Passed: true, Expected: s.Requests.Calls, Observed: s.Requests.Calls},
	}
	s.Violations = []Violation{{Rule: "contract.property_types", Event: "Added to Cart", Property: "price",
		Count: int64(len(s.Requests.ByEvent)), Samples: []string{`"price": "19.99" (string, want number)`}}}
	s.Warnings = []string{"scaled cart delay 30s is under 10× the purchase propagation p99"}
	ths, _ := ParseThresholds([]string{"latency.p99<250ms", "errors.rate<5%", "checks.failed==0"})
	s.Finish(ths)
	return s
}

var sampleSteps = []struct{ endpoint, event string }{
	{"pipelines.page", ""}, {"pipelines.track", "Viewed Product"}, {"pipelines.identify", ""},
	{"pipelines.track", "Added to Cart"}, {"pipelines.track", "Order Placed"},
}

// sampleJourney adds journey j's requests, deliveries and check outcomes.
func sampleJourney(s *Summary, m *Metrics, seed uint64, j int, delivered, noSend *Check) {
	rng := rand.New(rand.NewPCG(seed, uint64(j)))
	start := SampleStart.Add(time.Duration(j) * 100 * time.Millisecond)
	steps := len(sampleSteps) - rng.IntN(2) // about half the journeys end with a purchase
	s.Journeys.Planned++
	s.Journeys.Started++
	s.Journeys.Completed++
	for i, st := range sampleSteps[:steps] {
		intended := start.Add(time.Duration(i) * 500 * time.Millisecond)
		service := time.Duration(math.Exp(rng.NormFloat64()*0.5+math.Log(8e6))) + time.Millisecond
		queued := time.Duration(0)
		if j%100 == 7 { // a stall: requests wait behind it
			queued = time.Duration(rng.IntN(130)) * time.Millisecond
			s.Harness.MaxLagMS = max(s.Harness.MaxLagMS, ms(queued))
			if queued > LateAfterMS*time.Millisecond {
				s.Harness.LateSteps++
			}
		}
		r := &Result{Seq: uint64(j*10 + i), Journey: uint64(j), Step: i, Calls: 1, Endpoint: st.endpoint,
			Event: st.event, Status: 200, Intended: intended, Sent: intended.Add(queued),
			Latency: queued + service, Service: service, BytesOut: 300 + rng.IntN(200), BytesIn: 20}
		if rng.IntN(60) == 0 {
			r.Status, r.Error = 503, "503 Service Unavailable"
		}
		m.Add(r)
		if st.event == "" {
			continue
		}
		delivered.Expected++
		if j%97 == 5 && st.event == "Added to Cart" {
			delivered.Passed = false
			delivered.Failed++
			s.Delivery.NeverDelivered++
			delivered.Examples = appendExample(delivered.Examples, Example{Shopper: fmt.Sprintf("shopper-%04d", j),
				Event: st.event, Expected: "stored on the person", Actual: "not found on person or anonymous id"})
			continue
		}
		delivered.Observed++
		s.RecordDelivery(st.event, r.Latency+time.Duration(20+rng.IntN(180))*time.Millisecond)
		if st.event == "Order Placed" {
			sampleSuppression(s, rng, j, r.Latency, noSend)
		}
	}
}

func sampleSuppression(s *Summary, rng *rand.Rand, j int, lat time.Duration, noSend *Check) {
	s.Suppression.Purchases++
	prop := lat + time.Duration(50+rng.IntN(300))*time.Millisecond
	if j%53 == 11 {
		prop += 31 * time.Second
	}
	s.RecordPropagation(prop)
	margin := 30*time.Second - prop
	s.RecordMargin(margin)
	noSend.Expected++
	if margin < 0 {
		s.Suppression.FalseSends++
		noSend.Passed = false
		noSend.Failed++
		noSend.Examples = appendExample(noSend.Examples, Example{Shopper: fmt.Sprintf("shopper-%04d", j),
			Event: "Order Placed", Expected: "cart message exited before due",
			Actual: fmt.Sprintf("sent; purchase arrived %s after the due time", (-margin).Round(time.Millisecond))})
		return
	}
	noSend.Observed++
}

func appendExample(ex []Example, e Example) []Example {
	if len(ex) >= MaxExamples {
		return ex
	}
	return append(ex, e)
}
