package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/cioharness/cioharness/load"
	"github.com/cioharness/cioharness/report"
)

// execute runs the load, waits for the mock to settle, verifies, and returns
// the summary with its verdict.
func (r *runner) execute(ctx context.Context) (*report.Summary, error) {
	o := r.o
	if !o.quiet {
		fmt.Fprintf(r.env.Stderr, "run: %s · %d journeys planned over %v · %s\n",
			o, o.plan.Planned(), o.plan.Window().Round(time.Millisecond), r.targetText())
	}
	go r.feedLedger()
	r.begin = time.Now()
	results := r.eng.Run(ctx)
	pr := startProgress(r.env.Stderr, !o.noProgress && isTerminal(r.env.Stderr), o.plan.Planned(), r.eng.Stats)
	var m report.Metrics
	for res := range results {
		m.Add(&res)
	}
	m.Close()
	pr.Stop()
	close(r.toLedger)
	<-r.ledgerDone
	st, ended := r.eng.Stats(), time.Now()
	if st.Err != nil {
		return nil, withCode(ExitRuntime, st.Err)
	}
	sum := r.summary(st, &m, ended)
	if ctx.Err() != nil {
		sum.Warnings = append(sum.Warnings, "interrupted: the run was stopped early; nothing was verified")
		sum.Finish(o.thresholds.list)
		return sum, nil
	}
	if err := r.settleAndVerify(ctx, sum); err != nil {
		return nil, err
	}
	sum.Finish(o.thresholds.list)
	return sum, nil
}

func (r *runner) targetText() string {
	switch {
	case r.o.target != "":
		return "target " + r.target + ", mock " + r.mk.url
	case r.mk.srv != nil:
		return "embedded mock " + r.mk.url
	}
	return "mock " + r.mk.url
}

// settleAndVerify waits --settle so that the mock's campaign timers fire,
// then runs the verifier when one is wired in.
func (r *runner) settleAndVerify(ctx context.Context, sum *report.Summary) error {
	if verifyRun == nil {
		sum.Warnings = append(sum.Warnings, "conformance checks not run: this build has no verifier wired in")
		return nil
	}
	if d := r.o.settleTime(); d > 0 {
		if !r.o.quiet {
			fmt.Fprintf(r.env.Stderr, "run: settling %v so that campaign timers fire (--settle)\n", d.Round(time.Millisecond))
		}
		select {
		case <-time.After(d):
		case <-ctx.Done():
			sum.Warnings = append(sum.Warnings, "interrupted while settling; nothing was verified")
			return nil
		}
	}
	if err := verifyRun(ctx, r.led, r.mk.ins, sum); err != nil {
		return withCode(ExitRuntime, fmt.Errorf("verify: %w", err))
	}
	return nil
}

// summary fills the run, journeys, requests, harness and histograms parts.
func (r *runner) summary(st load.Stats, m *report.Metrics, ended time.Time) *report.Summary {
	o := r.o
	sum := report.New()
	sh := o.shard.shard
	sum.Run = report.Run{
		ID: r.gen.RunID(), Version: version, Seed: o.seed, Shard: report.Shard{Index: []int{sh.Index}, Count: sh.Count},
		Scenarios: o.scenarios, API: o.api.String(), Target: r.target, RateProfile: o.rateProfile(),
		Duration: report.Duration(o.plan.Window()), TimeScale: o.timeScale, StartedAt: r.begin.UTC(), EndedAt: ended.UTC(),
	}
	sum.Journeys = report.Journeys{Planned: int64(st.Planned), Started: int64(st.Started), Completed: int64(st.Completed), ByScenario: r.byScenario}
	for _, c := range r.byScenario {
		if st.Started == st.Planned {
			c.Planned = c.Started // generation decides the scenario; only started journeys are known
		}
	}
	m.Fill(sum)
	sum.Harness = harnessOf(st)
	if st.QueuedSteps > 0 {
		sum.Warnings = append(sum.Warnings, fmt.Sprintf("%d steps waited over %v for a free sender (--concurrency %d) or for their shopper's previous answer: the target was slower than the plan; latency_ms includes the wait",
			st.QueuedSteps, load.LateAfter, o.concurrency))
	}
	if st.Skipped > 0 {
		sum.Warnings = append(sum.Warnings, fmt.Sprintf("%d calls not sent: --api %s cannot express them (alias on Track, merge on Pipelines)", st.Skipped, o.api.String()))
	}
	return sum
}

func harnessOf(st load.Stats) report.Harness {
	h := report.Harness{
		PlannedRate: round3(st.PlannedRate), AchievedRate: round3(st.AchievedRate),
		Steps: int64(st.Steps), LateSteps: int64(st.LateSteps),
		MaxLagMS: round3(float64(st.MaxLag) / 1e6), CPUSeconds: round3(st.CPU.Seconds()),
	}
	if st.Requests > 0 {
		h.CPUPerReqUS = round3(float64(st.CPU) / 1e3 / float64(st.Requests))
	}
	return h
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// finish writes the requested files and the summary, and returns the exit
// code of the verdict.
func (r *runner) finish(ctx context.Context, sum *report.Summary) error {
	o := r.o
	files := []struct {
		path   string
		render func(io.Writer) error
	}{{o.out, sum.Encode}, {o.html, sum.WriteHTML}, {o.junit, sum.WriteJUnit}}
	for _, f := range files {
		if f.path == "" {
			continue
		}
		if err := writeOutput(f.path, nil, f.render); err != nil {
			return withCode(ExitRuntime, err)
		}
	}
	if !o.quiet {
		if err := sum.WriteText(r.env.Stdout); err != nil {
			return withCode(ExitRuntime, err)
		}
	}
	if ctx.Err() != nil {
		return withCode(ExitRuntime, errInterrupted)
	}
	return quietExit(sum.Verdict.ExitCode)
}
