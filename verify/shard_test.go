package verify

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cioharness/cioharness/mockcio"
	"github.com/cioharness/cioharness/report"
	"github.com/cioharness/cioharness/scenarios"
)

// shardLedger is the ledger of shard k (0-based) of n: the journeys i with
// i%n == k, as that shard's generator would have recorded them.
func shardLedger(t *testing.T, tr *traffic, seed int64, count, k, n int) *scenarios.Ledger {
	t.Helper()
	js, _, err := generate(seed, count, tr.scale, tr.starts)
	if err != nil {
		t.Fatal(err)
	}
	led := scenarios.NewLedger()
	for i, j := range js {
		if i%n == k {
			led.Add(j, tr.starts.Add(time.Duration(i)*2*time.Second), tr.scale)
		}
	}
	return led
}

func verifyLedger(t *testing.T, tr *traffic, led *scenarios.Ledger, opt Options) *report.Summary {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	opt.Now = tr.clock.now
	sum := report.New()
	if err := Run(ctx, mockcio.NewClient(tr.srv.URL, nil), led, sum, opt); err != nil {
		t.Fatal(err)
	}
	return sum
}

// outcomes lists each check as "name passed expected/observed/failed".
func outcomes(s *report.Summary) []string {
	var out []string
	for _, c := range s.Checks {
		out = append(out, fmt.Sprintf("%s %v %d/%d/%d", c.Name, c.Passed, c.Expected, c.Observed, c.Failed))
	}
	slices.Sort(out)
	return out
}

// TestShardedVerificationAddsUp verifies one mock holding a whole run shard
// by shard, each shard knowing only its own journeys: the merged checks
// equal those of the whole run, and the shards announce no other shard's
// shoppers as defects.
func TestShardedVerificationAddsUp(t *testing.T) {
	t.Parallel()
	const seed, count, n = 3, 60, 3
	tr := runTraffic(t, seed, count, nil)
	whole := verifyLedger(t, tr, tr.led, Options{})
	var shards []*report.Summary
	for k := range n {
		sum := verifyLedger(t, tr, shardLedger(t, tr, seed, count, k, n), Options{Shards: n})
		sum.Run.Shard = report.Shard{Index: []int{k + 1}, Count: n}
		for _, c := range sum.Checks {
			wantScope := ""
			if contains(ContractRules, c.Name) {
				wantScope = report.ScopeMock
			}
			if c.Scope != wantScope {
				t.Errorf("shard %d: %s scope %q, want %q", k+1, c.Name, c.Scope, wantScope)
			}
		}
		if c := checkOf(sum, CheckDelivered); c == nil || strings.Contains(c.Note, "match nothing") {
			t.Errorf("shard %d: %s announces other shards' events as strays: %+v", k+1, CheckDelivered, c)
		}
		shards = append(shards, roundTrip(t, sum))
	}
	merged, err := report.Merge(shards...)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := outcomes(merged), outcomes(whole); !slices.Equal(got, want) {
		t.Errorf("merged shards' checks differ from the whole run's:\n got  %q\n want %q", got, want)
	}
	people := 0
	for _, r := range tr.led.Records() {
		people += len(r.People)
	}
	if c := checkOf(whole, CheckSegmentsTruth); c == nil || people == 0 || c.Expected == 0 || c.Expected%int64(people) != 0 {
		t.Errorf("whole run %s = %+v, want one item per shopper (%d) and segment", CheckSegmentsTruth, c, people)
	}
}

// TestWholeRunFlagsUnknownShoppers verifies a mock holding more than the
// ledger knows as a whole run: the unknown members and events are defects.
func TestWholeRunFlagsUnknownShoppers(t *testing.T) {
	t.Parallel()
	const seed, count = 3, 60
	tr := runTraffic(t, seed, count, nil)
	sum := verifyLedger(t, tr, shardLedger(t, tr, seed, count, 0, 3), Options{Shards: 1})
	c := checkOf(sum, CheckSegmentsTruth)
	if c == nil || c.Passed || c.Failed == 0 || len(c.Examples) == 0 || !strings.Contains(c.Examples[0].Expected, "no shopper of the run") {
		t.Errorf("%s = %+v, want the other journeys' members flagged", CheckSegmentsTruth, c)
	}
	if c := checkOf(sum, CheckDelivered); c == nil || !strings.Contains(c.Note, "match nothing") {
		t.Errorf("%s = %+v, want the unknown events announced", CheckDelivered, c)
	}
	for _, c := range sum.Checks {
		if c.Scope != "" {
			t.Errorf("%s has scope %q in a whole run", c.Name, c.Scope)
		}
	}
}

func roundTrip(t *testing.T, s *report.Summary) *report.Summary {
	t.Helper()
	var b bytes.Buffer
	if err := s.Encode(&b); err != nil {
		t.Fatal(err)
	}
	d, err := report.Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
