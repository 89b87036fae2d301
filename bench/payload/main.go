// Command payload prints the body of one real d2c journey call, encoded for
// Pipelines, for wrk's side of `make bench`: the mean-sized track call of the
// first journeys of seed 1.
package main

import (
	"fmt"
	"log"
	"os"
	"sort"

	"github.com/cioharness/cioharness/cio"
	"github.com/cioharness/cioharness/scenarios"
)

func main() {
	mix, err := scenarios.LoadMix([]string{"d2c"})
	if err != nil {
		log.Fatal(err)
	}
	g, err := scenarios.NewGenerator(mix, scenarios.Options{Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	var bodies [][]byte
	for i := uint64(0); i < 200; i++ {
		for _, st := range g.Journey(i).Steps {
			if st.Call.Kind != cio.KindTrack {
				continue
			}
			req, err := cio.Encode(cio.APIPipelines, &st.Call)
			if err == nil {
				bodies = append(bodies, req.Body)
			}
		}
	}
	if len(bodies) == 0 {
		log.Fatal("payload: no track call generated")
	}
	sort.Slice(bodies, func(i, j int) bool { return len(bodies[i]) < len(bodies[j]) })
	if _, err := os.Stdout.Write(bodies[len(bodies)/2]); err != nil {
		log.Fatal(err)
	}
	fmt.Fprintln(os.Stderr, "payload:", len(bodies[len(bodies)/2]), "bytes (median of", len(bodies), "track calls)")
}
