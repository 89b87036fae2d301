package main

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"time"

	"github.com/spf13/pflag"

	"github.com/cioharness/cioharness/cio"
	"github.com/cioharness/cioharness/load"
	"github.com/cioharness/cioharness/mockcio"
	"github.com/cioharness/cioharness/scenarios"
)

const runExamples = `  cioharness run                                      # d2c mix, 10 journeys/s for 30s, embedded mock
  cioharness run --time-scale 3600 -r 20/s -d 10s     # the 'make run' demo: 1 real second = 1 shopper hour
  cioharness run -s cart-abandon -s purchase -n 1000 -o results.json
  cioharness run --ramp 30s:50/s,2m:50/s,30s:0/s --threshold 'latency.p99<250ms' --junit junit.xml
  cioharness run --api track-v2 --batch 50 --concurrency 64
  cioharness run --target http://relay:8080 --mock-addr 0.0.0.0:8420   # through an ingestion path
  cioharness run --mock http://mock:8420 --shard 2/4 -o shard-2.json  # one of four generators
`

// runOpts is the parsed command line of `cioharness run` (SPEC.md §3.1).
type runOpts struct {
	scenarios   []string
	rate        startRateFlag
	ramp        rampFlag
	duration    time.Duration
	journeys    uint64
	target      string
	api         apiFlag
	batch       int
	mockURL     string
	mockAddr    string
	creds       cio.Credentials
	headers     headerFlag
	timeScale   float64
	settle      settleFlag
	seed        int64
	shard       shardFlag
	concurrency int
	contract    string
	campaigns   string
	thresholds  thresholdFlag
	out, html   string
	junit       string
	quiet       bool
	noProgress  bool

	// Derived by validate.
	mix           *scenarios.Mix
	plan          load.Plan
	campaignsText []byte // nil: built-in
	contractText  []byte // nil: built-in
	maxDelay      time.Duration
	changed       func(name string) bool
}

func runFlagSet(o *runOpts, env *Env) *pflag.FlagSet {
	fs := newFlagSet("run", "run [flags]", runExamples, env)
	fs.StringArrayVarP(&o.scenarios, "scenario", "s", []string{"d2c"}, "built-in scenario or mix `NAME`, or a scenario/mix FILE (repeatable)")
	fs.VarP(&o.rate, "rate", "r", "journeys started per second, open model: starts never wait for earlier journeys")
	fs.Var(&o.ramp, "ramp", "linear stages of the start rate from 0/s instead of --rate, e.g. 30s:50/s,2m:50/s,30s:0/s")
	fs.DurationVarP(&o.duration, "duration", "d", 30*time.Second, "how long journeys keep starting (with --ramp: the stages' total)")
	fs.Uint64VarP(&o.journeys, "journeys", "n", 0, "stop starting after N journeys over all shards (whichever of -d/-n comes first)")
	fs.StringVar(&o.target, "target", "", "base `URL` of the ingestion path that receives journey traffic (default: the mock)")
	fs.Var(&o.api, "api", "wire format sent to the target: pipelines, track or track-v2")
	fs.IntVar(&o.batch, "batch", 1, "calls per batch request (/v1/batch with pipelines, /api/v2/batch with track-v2)")
	fs.StringVar(&o.mockURL, "mock", "", "`URL` of a running 'cioharness mock' to configure and verify against (default: embedded)")
	fs.StringVar(&o.mockAddr, "mock-addr", "127.0.0.1:0", "listen `ADDR` of the embedded mock (fix it when an ingestion path must reach it)")
	fs.StringVar(&o.creds.SiteID, "site-id", o.creds.SiteID, "Track site id sent to the target and accepted by the mock")
	fs.StringVar(&o.creds.APIKey, "api-key", o.creds.APIKey, "Track API key sent to the target and accepted by the mock")
	fs.StringVar(&o.creds.PipelinesKey, "pipelines-key", o.creds.PipelinesKey, "Pipelines API key sent to the target and accepted by the mock")
	fs.VarP(&o.headers, "header", "H", "extra header to the target (repeatable)")
	fs.Float64Var(&o.timeScale, "time-scale", scenarios.DefaultTimeScale, "shopper seconds per real second (60: one real second is one shopper minute)")
	fs.Var(&o.settle, "settle", "real time to wait after the last step before verifying; derived: the longest campaign delay after scaling, plus 10% and 1s")
	fs.Int64Var(&o.seed, "seed", 1, "same seed: same shoppers, journeys, payloads and expected outcomes")
	fs.Var(&o.shard, "shard", "run only shard i of n of the journey sequence; --rate is the total over all shards")
	fs.IntVar(&o.concurrency, "concurrency", 512, "most requests in flight; beyond it requests queue and their latency counts from their intended start")
	fs.StringVar(&o.contract, "contract", "", "tracking plan `FILE` (YAML; default: the built-in D2C plan)")
	fs.StringVar(&o.campaigns, "campaigns", "", "campaigns and truth segments `FILE` (YAML; default: built-in)")
	fs.Var(&o.thresholds, "threshold", "pass/fail rule on the results, e.g. 'latency.p99<250ms' (repeatable; exit 4 when breached)")
	fs.StringVarP(&o.out, "out", "o", "", "write the results JSON to `FILE`")
	fs.StringVar(&o.html, "html", "", "write the HTML report to `FILE`")
	fs.StringVar(&o.junit, "junit", "", "write JUnit XML to `FILE`")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "no summary on stdout")
	fs.BoolVar(&o.noProgress, "no-progress", false, "no progress bars (they go to stderr, and only when it is a terminal)")
	return fs
}

// parseRunFlags parses and validates the command line; every error is a
// usage error (exit 2) naming its flag.
func parseRunFlags(args []string, env *Env) (*runOpts, error) {
	o := &runOpts{creds: cio.TestCredentials, api: apiFlag{cio.APIPipelines}, rate: startRateFlag{perSecond: 10}, shard: shardFlag{load.Shard{Index: 1, Count: 1}}}
	fs := runFlagSet(o, env)
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, usageError("unexpected argument %q (scenarios go in -s/--scenario)", fs.Arg(0))
	}
	o.changed = fs.Changed
	if err := o.validate(); err != nil {
		return nil, err
	}
	return o, nil
}

// validate checks every flag once, before anything starts, and derives the
// plan, the mix and the retention configuration.
func (o *runOpts) validate() error {
	if err := o.validatePlan(); err != nil {
		return err
	}
	if err := o.validateEndpoints(); err != nil {
		return err
	}
	switch {
	case !(o.timeScale > 0) || o.timeScale > 1e9:
		return usageError("--time-scale: %v: want a positive number", o.timeScale)
	case o.concurrency < 1:
		return usageError("--concurrency: %d: want >= 1", o.concurrency)
	case o.batch < 1 || o.batch > load.MaxBatch:
		return usageError("--batch: %d: want 1..%d", o.batch, load.MaxBatch)
	case o.batch > 1 && o.api.api == cio.APITrack:
		return usageError("--batch: track (v1) has no batch request; use --api pipelines or track-v2")
	case o.creds.SiteID == "" || o.creds.APIKey == "" || o.creds.PipelinesKey == "":
		return usageError("--site-id, --api-key and --pipelines-key must not be empty")
	}
	mix, err := scenarios.LoadMix(o.scenarios)
	if err != nil {
		return usageError("--scenario: %v", err)
	}
	o.mix = mix
	return o.loadRetention()
}

func (o *runOpts) validatePlan() error {
	if o.changed("rate") && o.changed("ramp") {
		return usageError("--rate and --ramp exclude each other: --ramp sets the start rate by stages")
	}
	if o.duration <= 0 && !o.changed("ramp") && o.journeys == 0 {
		return usageError("--duration: %v: want a positive duration (or -n/--journeys)", o.duration)
	}
	p := load.Plan{Pacer: load.Constant{PerSecond: o.rate.perSecond}, Duration: o.duration, Journeys: o.journeys, Shard: o.shard.shard}
	if o.changed("ramp") {
		p.Pacer = o.ramp.ramp
		if !o.changed("duration") {
			p.Duration = 0 // the stages' total
		}
	} else if o.journeys > 0 && !o.changed("duration") {
		p.Duration = 0 // -n alone: as long as N journeys take
	}
	if err := p.Validate(); err != nil {
		return usageError("--rate/--duration: %v", err)
	}
	if p.Total() == 0 {
		return usageError("--rate/--duration: the plan starts no journey (%s for %v)", o.rate.String(), o.duration)
	}
	o.plan = p
	return nil
}

func (o *runOpts) validateEndpoints() error {
	for _, f := range []struct{ name, v string }{{"target", o.target}, {"mock", o.mockURL}} {
		if f.v == "" {
			continue
		}
		if u, err := url.Parse(f.v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usageError("--%s: %q: want an http(s) URL such as http://127.0.0.1:8420", f.name, f.v)
		}
	}
	if o.mockURL != "" && o.changed("mock-addr") {
		return usageError("--mock and --mock-addr exclude each other: --mock-addr places the embedded mock, --mock uses a running one")
	}
	if _, _, err := net.SplitHostPort(o.mockAddr); err != nil {
		return usageError("--mock-addr: %q: want HOST:PORT, e.g. 127.0.0.1:8420", o.mockAddr)
	}
	return nil
}

// loadRetention reads --campaigns and --contract (checking them as the mock
// will) and finds the longest campaign delay for the derived --settle.
func (o *runOpts) loadRetention() error {
	campaigns := mockcio.BuiltinConfig().Campaigns
	if o.campaigns != "" {
		b, err := os.ReadFile(o.campaigns)
		if err != nil {
			return usageError("--campaigns: %v", err)
		}
		if campaigns, _, err = mockcio.ParseCampaigns(o.campaigns, b); err != nil {
			return usageError("--campaigns: %v", err)
		}
		o.campaignsText = b
	}
	if o.contract != "" {
		b, err := os.ReadFile(o.contract)
		if err != nil {
			return usageError("--contract: %v", err)
		}
		if _, err := mockcio.ParsePlan(o.contract, b); err != nil {
			return usageError("--contract: %v", err)
		}
		o.contractText = b
	}
	for _, c := range campaigns {
		o.maxDelay = max(o.maxDelay, time.Duration(c.Delay))
	}
	return nil
}

// settleTime is --settle, or the longest campaign delay in real time plus a
// margin of a second and 10%, so that every campaign timer has fired.
func (o *runOpts) settleTime() time.Duration {
	if o.settle.set {
		return o.settle.d
	}
	d := time.Duration(float64(o.maxDelay) / o.timeScale)
	return d + d/10 + time.Second
}

// rateProfile is the start-rate plan as the flags spell it.
func (o *runOpts) rateProfile() string {
	if o.changed("ramp") {
		return o.ramp.String()
	}
	return o.rate.String()
}

var errInterrupted = errors.New("interrupted")

func (o *runOpts) String() string {
	return fmt.Sprintf("%v at %s, api %v, shard %v", o.scenarios, o.rateProfile(), o.api.api, o.shard.shard)
}
