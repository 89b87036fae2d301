package mockcio

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/cioharness/cioharness/cio"
)

// BenchmarkPlanValidation measures the mock's hot path (a Track v1 "Added to
// Cart" served in process: auth, decode, store, campaigns) with tracking-plan
// validation off — the baseline — and on, for a valid call and for a call
// that breaks four rules. The three variants run interleaved in ten rounds
// so that load from other processes hits them alike; each variant's figure
// is its best round. Reported: calls/s per variant and the throughput ratio
// of "on" to "off", from wall time and from process CPU time (the CPU
// figure resists load from other processes; goal: validation costs under
// 25%, ratio ≥ 0.75).
//
//	go test ./mockcio -run '^$' -bench PlanValidation -benchtime 100000x
func BenchmarkPlanValidation(b *testing.B) {
	variants := []struct {
		name, contract, data string
	}{
		{"off", "none", validCart},
		{"on_valid", "builtin", validCart},
		{"on_violating", "builtin", `{"cart_id":"c1","sku":"S1","price":"10.50","quantity":2,"email":"a@b.c","value":21}`},
	}
	servers := make([]*Server, len(variants))
	reqs := make([][]cio.Request, len(variants))
	auth := cio.TestCredentials.Authorization(cio.APITrack)
	for v, tc := range variants {
		s, err := NewHandler(Options{TimeScale: 60})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		if err := s.retention.SetConfig(ConfigView{Contract: mustJSONString(tc.contract)}); err != nil {
			b.Fatal(err)
		}
		servers[v] = s
		for i := 0; i < 4096; i++ {
			c := &cio.Call{Kind: cio.KindTrack, UserID: "user-" + strconv.Itoa(i%1000), Name: "Added to Cart",
				Timestamp: time.Now(), Data: json.RawMessage(tc.data)}
			req, err := cio.Encode(cio.APITrack, c)
			if err != nil {
				b.Fatal(err)
			}
			reqs[v] = append(reqs[v], req)
		}
	}
	const rounds = 10
	best := make([]time.Duration, len(variants))
	bestCPU := make([]time.Duration, len(variants))
	b.ResetTimer()
	done := 0
	for r := 0; r < rounds; r++ {
		n := (b.N - done) / (rounds - r)
		for v := range variants {
			start, cpu0 := time.Now(), cpuTime()
			for i := 0; i < n; i++ {
				serveOne(b, servers[v], reqs[v][(done+i)%4096], auth)
			}
			per := time.Duration(max(n, 1))
			if el := time.Since(start) / per; n > 0 && (best[v] == 0 || el < best[v]) {
				best[v] = el
			}
			if c := (cpuTime() - cpu0) / per; n > 0 && (bestCPU[v] == 0 || c < bestCPU[v]) {
				bestCPU[v] = c
			}
		}
		done += n
	}
	b.StopTimer()
	for v, tc := range variants {
		if best[v] == 0 {
			continue
		}
		b.ReportMetric(1e9/float64(best[v]), tc.name+"-calls/s")
		b.ReportMetric(float64(bestCPU[v])/1e3, tc.name+"-cpu-µs/call")
		if v > 0 {
			b.ReportMetric(float64(best[0])/float64(best[v]), tc.name+"-x-off")
			b.ReportMetric(float64(bestCPU[0])/float64(bestCPU[v]), tc.name+"-x-off-by-cpu")
		}
	}
}

// BenchmarkCheckEvent is the plan check alone on a valid "Added to Cart".
func BenchmarkCheckEvent(b *testing.B) {
	c := compilePlan(BuiltinConfig().Contract)
	ev := EventView{Name: "Added to Cart", Type: "event", Data: json.RawMessage(validCart)}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if fs := c.checkEvent(&ev, nil); len(fs) != 0 {
			b.Fatalf("findings on a valid call: %v", fs)
		}
	}
}
