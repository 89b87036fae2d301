package verify

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/cioharness/cioharness/cio"
	"github.com/cioharness/cioharness/mockcio"
	"github.com/cioharness/cioharness/report"
)

// benchJourneys is the run size of BenchmarkVerify: VERIFY_BENCH_JOURNEYS,
// default 10000 (100000 is the figure the issue asks for; it takes about a
// minute to feed).
func benchJourneys() int {
	if n, err := strconv.Atoi(os.Getenv("VERIFY_BENCH_JOURNEYS")); err == nil && n > 0 {
		return n
	}
	return 10000
}

// BenchmarkVerify measures verification through the HTTP inspection API of a
// mock holding a whole run: "read" only fetches what the mock holds (the
// baseline), "apply" only compares it with the ledger, "full" is Run;
// "full-in-process" is Run on the *mockcio.Server itself (what `run` does with
// its embedded mock). Each reports µs/journey. VERIFY_BENCH_SHARDS=n (> 1)
// verifies as a shard of n would, which reads every segment's members (the
// ledger still holds the whole run).
func BenchmarkVerify(b *testing.B) {
	n := benchJourneys()
	tr, err := feed(1, n, testScale, cio.APIPipelines, nil, testSettle, true)
	if tr != nil {
		defer tr.srv.Close()
	}
	if err != nil {
		b.Fatal(err)
	}
	cl := mockcio.NewClient(tr.srv.URL, nil)
	shards, _ := strconv.Atoi(os.Getenv("VERIFY_BENCH_SHARDS"))
	opt := Options{Now: tr.clock.now, Shards: shards}
	ctx := context.Background()
	obs, err := Read(ctx, cl, tr.led, opt)
	if err != nil {
		b.Fatal(err)
	}
	perJourney := func(b *testing.B, start time.Time) {
		b.ReportMetric(float64(time.Since(start).Microseconds())/float64(b.N)/float64(n), "µs/journey")
	}
	b.Run("read", func(b *testing.B) {
		start := time.Now()
		for b.Loop() {
			if _, err := Read(ctx, cl, tr.led, opt); err != nil {
				b.Fatal(err)
			}
		}
		perJourney(b, start)
	})
	b.Run("apply", func(b *testing.B) {
		start := time.Now()
		for b.Loop() {
			Apply(tr.led, obs, report.New(), opt)
		}
		perJourney(b, start)
	})
	b.Run("full", func(b *testing.B) {
		start := time.Now()
		for b.Loop() {
			sum := report.New()
			if err := Run(ctx, cl, tr.led, sum, opt); err != nil {
				b.Fatal(err)
			}
			if c := checkOf(sum, CheckDelivered); c == nil || !c.Passed {
				b.Fatalf("events.delivered: %+v", c)
			}
		}
		perJourney(b, start)
	})
	b.Run("full-in-process", func(b *testing.B) {
		start := time.Now()
		for b.Loop() {
			if err := Run(ctx, tr.srv, tr.led, report.New(), opt); err != nil {
				b.Fatal(err)
			}
		}
		perJourney(b, start)
	})
}
