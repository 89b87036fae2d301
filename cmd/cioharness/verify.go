package main

import (
	"context"
	"time"

	"github.com/cioharness/cioharness/mockcio"
	"github.com/cioharness/cioharness/report"
	"github.com/cioharness/cioharness/scenarios"
	"github.com/cioharness/cioharness/verify"
)

func init() { verifyRun = runVerify }

// runVerify is the verifier wired into `run` (the settle wait is done by the
// caller): the checks of SPEC.md §8, delivery and suppression timings. Timing
// boundaries closer than the harness's own worst lag are not judged.
// A shard of a sharded run (--shard i/n) judges its own shoppers on the
// shared mock (verify.Options.Shards).
func runVerify(ctx context.Context, led *scenarios.Ledger, ins mockcio.Inspector, sum *report.Summary) error {
	tol := max(verify.DefaultTolerance, time.Duration(sum.Harness.MaxLagMS*float64(time.Millisecond)))
	if err := verify.Run(ctx, ins, led, sum, verify.Options{Tolerance: tol, Shards: sum.Run.Shard.Count}); err != nil {
		return err
	}
	if _, skipped, err := verify.MockCampaigns(ctx, ins); err == nil {
		for _, name := range skipped {
			sum.Warnings = append(sum.Warnings, "campaign "+name+" has a filter: its outcomes are not verified")
		}
	}
	return nil
}

// ledgerFor returns the ledger of a run: it predicts the outcomes of the
// campaigns pushed to the mock (--campaigns, else the built-ins).
func ledgerFor(o *runOpts) *scenarios.Ledger {
	cs := mockcio.BuiltinConfig().Campaigns
	if o.campaignsText != nil {
		if parsed, _, err := mockcio.ParseCampaigns(o.campaigns, o.campaignsText); err == nil {
			cs = parsed
		}
	}
	lc, _ := verify.LedgerCampaigns(cs)
	if len(lc) == 0 {
		// No campaign the ledger can predict: one that nothing triggers
		// (NewLedger without campaigns would predict the built-ins).
		lc = []scenarios.Campaign{{Name: "(none)", Trigger: "\x00"}}
	}
	return scenarios.NewLedger(lc...)
}
