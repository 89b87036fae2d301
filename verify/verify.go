package verify

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/cioharness/cioharness/mockcio"
	"github.com/cioharness/cioharness/report"
	"github.com/cioharness/cioharness/scenarios"
)

// DefaultTolerance is how close (real time) to one of Customer.io's timing
// boundaries an intended arrival may lie before either outcome is accepted:
// the late-merge window, a campaign's due time, the ordering of two arrivals.
const DefaultTolerance = 50 * time.Millisecond

// Options configure a verification.
type Options struct {
	// Settle is how long Run waits before reading the mock (SPEC.md §3.1 --settle).
	Settle time.Duration
	// Tolerance: see DefaultTolerance (0 means it).
	Tolerance time.Duration
	// PageSize is the people page size (0 means mockcio.MaxPageSize).
	PageSize int
	// Workers is how many anonymous ids are looked up at once (0 means 16).
	Workers int
	// Now is the clock (nil means time.Now).
	Now func() time.Time
	// Shards is n of the run's --shard i/n (0 and 1 mean a whole run). With
	// more than one shard the mock also holds the other shards' shoppers:
	// people, members and events the ledger does not know are then theirs,
	// not defects, and the checks judged on the mock's whole state (the
	// contract checks) are marked report.ScopeMock.
	Shards int
}

// sharded reports whether the mock is shared with other shards of the run.
func (o Options) sharded() bool { return o.Shards > 1 }

func (o Options) withDefaults() Options {
	if o.Tolerance <= 0 {
		o.Tolerance = DefaultTolerance
	}
	if o.PageSize <= 0 {
		o.PageSize = mockcio.MaxPageSize
	}
	if o.Workers <= 0 {
		o.Workers = 16
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Run waits opt.Settle (or until ctx ends), reads the mock through ins and
// verifies it against led into sum (see Apply). Call sum.Finish afterwards
// for the verdict.
func Run(ctx context.Context, ins mockcio.Inspector, led *scenarios.Ledger, sum *report.Summary, opt Options) error {
	if opt.Settle > 0 {
		tm := time.NewTimer(opt.Settle)
		select {
		case <-ctx.Done():
			tm.Stop()
			return fmt.Errorf("verify: settle: %w", ctx.Err())
		case <-tm.C:
		}
	}
	obs, err := Read(ctx, ins, led, opt)
	if err != nil {
		return err
	}
	v := apply(led, obs, sum, opt)
	// A whole run reads the members of the segments whose count is off only
	// (a sharded run read them all), then judges those again.
	if names := v.failedSegments; len(names) > 0 {
		if err := obs.readSegmentMembers(ctx, ins, names, v.opt.Now); err != nil {
			return err
		}
		v.put(v.checkSegments())
	}
	return nil
}

// Read reads what the mock holds: every person (full views, ranges of ids
// read in parallel), the anonymous ids with events (in bulk when ins is a
// mockcio.AnonymousLister, else those the ledger keeps events under or whose
// events no person holds, looked up in parallel), messages, the truth
// segment counts (and members, when opt.Shards > 1), violations, stats and
// the configuration.
func Read(ctx context.Context, ins mockcio.Inspector, led *scenarios.Ledger, opt Options) (*Observation, error) {
	opt = opt.withDefaults()
	obs, err := observe(ctx, ins, opt.PageSize, opt.Now)
	if err != nil {
		return nil, err
	}
	if opt.sharded() {
		// The mock-wide counts include the other shards' shoppers: only the
		// members tell this shard's apart.
		if err := obs.readSegmentMembers(ctx, ins, nil, opt.Now); err != nil {
			return nil, err
		}
	}
	if obs.anonListed {
		return obs, nil
	}
	onPeople := map[string]bool{}
	for i := range obs.People {
		for j := range obs.People[i].Events {
			onPeople[obs.People[i].Events[j].ID] = true
		}
	}
	seen := map[string]bool{}
	var ids []string
	want := func(aid string) {
		if aid != "" && !seen[aid] {
			seen[aid] = true
			ids = append(ids, aid)
		}
	}
	for _, r := range led.Records() {
		for _, a := range r.Anonymous {
			want(a.AnonymousID)
		}
		for _, p := range r.People {
			for i := range p.Events {
				if ev := &p.Events[i]; !onPeople[ev.ID] {
					want(ev.AnonymousID)
				}
			}
		}
	}
	if err := obs.readAnonymous(ctx, ins, ids, opt.Workers); err != nil {
		return nil, err
	}
	return obs, nil
}

// verifier holds one verification's state.
type verifier struct {
	led *scenarios.Ledger
	obs *Observation
	sum *report.Summary
	opt Options
	x   *index

	campaigns      []scenarios.Campaign
	failedSegments map[string]bool // segments to read the members of; written by checkSegments
}

// Apply verifies obs against led and writes into sum: one check per SPEC.md
// §8 name (replacing checks of the same name), the delivery and suppression
// timings with their histograms, the mock's violations, and warnings for
// checks with nothing to check and for timing compressed too far.
func Apply(led *scenarios.Ledger, obs *Observation, sum *report.Summary, opt Options) {
	apply(led, obs, sum, opt)
}

func apply(led *scenarios.Ledger, obs *Observation, sum *report.Summary, opt Options) *verifier {
	opt = opt.withDefaults()
	v := &verifier{led: led, obs: obs, sum: sum, opt: opt, x: newIndex(led), campaigns: led.Campaigns()}
	v.x.addPeople(obs.People)
	for _, a := range obs.Anonymous {
		v.x.addAnonymous(a)
	}
	// The index is read-only from here: the checks that do not write into
	// sum run concurrently with those that do.
	pure := []func() report.Check{
		v.checkAnonymousMerge, v.checkCrossContamination, v.checkDuplicateProfiles, v.checkPrimaryID,
		v.checkDelivered, v.checkDuplicated, v.checkProperties, v.checkTimestamps, v.checkOrder,
		v.checkAttributes, v.checkSegments,
	}
	results := make([]report.Check, len(pure))
	var wg sync.WaitGroup
	for i, f := range pure {
		wg.Add(1)
		go func() { defer wg.Done(); results[i] = f() }()
	}
	checks := v.checkSuppression()
	checks = append(checks, v.checkContract()...)
	v.timeDelivery()
	v.warnCompression()
	wg.Wait()
	checks = append(results[:len(results)-1:len(results)-1], append(checks, results[len(results)-1])...)
	if c, ok := v.checkHarness(); ok {
		checks = append(checks, c)
	}
	for _, c := range checks {
		v.put(c)
		if c.Expected == 0 && c.Name != CheckHarnessValidity {
			sum.Warnings = append(sum.Warnings, "check "+c.Name+": "+c.Note)
		}
	}
	sum.Recompute()
	return v
}

// put replaces or appends a check by name.
func (v *verifier) put(c report.Check) {
	for i := range v.sum.Checks {
		if v.sum.Checks[i].Name == c.Name {
			v.sum.Checks[i] = c
			return
		}
	}
	v.sum.Checks = append(v.sum.Checks, c)
}

// checkHarness adds a not-applicable harness.validity check when the load
// engine left no figures; with figures, report.Summary.Finish derives it.
func (v *verifier) checkHarness() (report.Check, bool) {
	h := v.sum.Harness
	if h.PlannedRate > 0 || h.Steps > 0 {
		return report.Check{}, false
	}
	return newTally(CheckHarnessValidity, "no load engine figures: traffic was not sent by the harness").done(), true
}
