package scenarios_test

import (
	"fmt"
	"time"

	"github.com/cioharness/cioharness/scenarios"
)

// Generate journeys of a seed, shard 2 of 3, and predict what Customer.io
// must hold.
func Example() {
	mix, err := scenarios.LoadMix([]string{"cross-device-checkout"})
	if err != nil {
		panic(err)
	}
	gen, err := scenarios.NewGenerator(mix, scenarios.Options{Seed: 7})
	if err != nil {
		panic(err)
	}
	ledger := scenarios.NewLedger(scenarios.CartAbandonment)
	const shard, shards = 2, 3
	for j := uint64(0); j < 9; j++ {
		if j%shards != shard-1 {
			continue
		}
		journey := gen.Journey(j)
		rec := ledger.Add(journey, scenarios.SampleEpoch.Add(time.Duration(j)*time.Second), 60)
		p := rec.People[0]
		outcome := "not triggered"
		for _, o := range p.Campaigns {
			outcome = o.Outcome
		}
		fmt.Printf("journey %d: %d calls, person %s, %d anonymous ids linked, cart campaign %s\n",
			j, len(journey.Steps), p.Key(), len(p.AnonymousIDs), outcome)
	}
	// Output:
	// journey 1: 12 calls, person rr3tobj-1, 2 anonymous ids linked, cart campaign sent
	// journey 4: 8 calls, person hyman.langosh+rr3tobj-4@example.net, 1 anonymous ids linked, cart campaign not triggered
	// journey 7: 13 calls, person rr3tobj-7, 2 anonymous ids linked, cart campaign sent
}
