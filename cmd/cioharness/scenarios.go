package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cioharness/cioharness/cio"
	"github.com/cioharness/cioharness/scenarios"
)

const scenariosUsage = `Usage: cioharness scenarios list | show NAME | validate FILE... | sample NAME [flags]

  list             the built-in scenarios and mixes, one line each
  show NAME        print a built-in as a file to copy and edit
  validate FILE... check scenario or mix files; errors as file:line (exit 2)
  sample NAME      print one generated journey as the HTTP requests it sends

Examples:
  cioharness scenarios list
  cioharness scenarios show cart-abandon > my-cart.yaml
  cioharness scenarios validate my-cart.yaml
  cioharness scenarios sample cross-device-checkout --seed 7 --api track
`

// scenariosCmd lists, shows, validates and samples scenarios (SPEC §3.4).
func scenariosCmd(_ context.Context, args []string, env *Env) error {
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, scenariosUsage)
		return usageError("scenarios: want a subcommand: list, show, validate or sample")
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(env.Stderr, scenariosUsage)
		return nil
	case "list":
		return scenariosList(args[1:], env)
	case "show":
		return scenariosShow(args[1:], env)
	case "validate":
		return scenariosValidate(args[1:], env)
	case "sample":
		return scenariosSample(args[1:], env)
	}
	fmt.Fprint(env.Stderr, scenariosUsage)
	return usageError("scenarios: unknown subcommand %q", args[0])
}

func scenariosList(args []string, env *Env) error {
	fs := newFlagSet("scenarios list", "scenarios list", "  cioharness scenarios list\n", env)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("scenarios list takes no arguments")
	}
	for _, b := range scenarios.Builtins() {
		kind := ""
		if b.Kind == "mix" {
			kind = "(mix) "
		}
		if _, err := fmt.Fprintf(env.Stdout, "%-24s %s%s\n", b.Name, kind, b.Description); err != nil {
			return err
		}
	}
	return nil
}

func scenariosShow(args []string, env *Env) error {
	fs := newFlagSet("scenarios show", "scenarios show NAME", "  cioharness scenarios show purchase > my-purchase.yaml\n", env)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("scenarios show: want one built-in name (see 'cioharness scenarios list')")
	}
	src, ok := scenarios.BuiltinSource(fs.Arg(0))
	if !ok {
		return usageError("scenarios show: no built-in named %q (see 'cioharness scenarios list')", fs.Arg(0))
	}
	_, err := env.Stdout.Write(src)
	return err
}

func scenariosValidate(args []string, env *Env) error {
	fs := newFlagSet("scenarios validate", "scenarios validate FILE...", "  cioharness scenarios validate my-journey.yaml my-mix.yaml\n", env)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError("scenarios validate: want at least one FILE")
	}
	bad := false
	for _, f := range fs.Args() {
		err := scenarios.ValidateFile(f)
		if err == nil {
			fmt.Fprintf(env.Stdout, "%s: ok\n", f)
			continue
		}
		bad = true
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintln(env.Stderr, line)
		}
	}
	if bad {
		return quietExit(ExitUsage)
	}
	return nil
}

// sampleOpts are the flags of scenarios sample.
type sampleOpts struct {
	seed      int64
	index     uint64
	api       string
	timeScale float64
	runID     string
}

func scenariosSample(args []string, env *Env) error {
	var o sampleOpts
	fs := newFlagSet("scenarios sample", "scenarios sample NAME|FILE [flags]",
		"  cioharness scenarios sample cross-device-checkout --seed 7\n  cioharness scenarios sample d2c --seed 3 --index 12 --api track-v2\n", env)
	fs.Int64Var(&o.seed, "seed", 1, "seed of the run")
	fs.Uint64Var(&o.index, "index", 0, "journey index in the seed's sequence")
	fs.StringVar(&o.api, "api", "pipelines", "wire format: pipelines, track or track-v2")
	fs.Float64Var(&o.timeScale, "time-scale", scenarios.DefaultTimeScale, "shopper seconds per real second, for the timestamps")
	fs.StringVar(&o.runID, "run-id", "", "run id prefixing external ids (default: derived from --seed)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("scenarios sample: want one scenario or mix (name or file)")
	}
	api, err := cio.ParseAPI(o.api)
	if err != nil {
		return usageError("--api: %v", err)
	}
	if !(o.timeScale > 0) {
		return usageError("--time-scale: must be positive")
	}
	mix, err := scenarios.LoadMix([]string{fs.Arg(0)})
	if err != nil {
		return withCode(ExitUsage, err)
	}
	g, err := scenarios.NewGenerator(mix, scenarios.Options{Seed: o.seed, RunID: o.runID, TimeScale: o.timeScale})
	if err != nil {
		return withCode(ExitUsage, err)
	}
	return writeSample(env.Stdout, g.Journey(o.index), api, o, fs.Arg(0))
}

// writeSample prints a journey as HTTP requests, stamped as if it started at
// scenarios.SampleEpoch.
func writeSample(w io.Writer, j *scenarios.Journey, api cio.API, o sampleOpts, name string) error {
	start := scenarios.SampleEpoch
	host := "track.customer.io"
	if api == cio.APIPipelines {
		host = "cdp.customer.io"
	}
	auth := cio.TestCredentials.Authorization(api)
	var b strings.Builder
	fmt.Fprintf(&b, "# cioharness scenarios sample %s --seed %d --index %d --api %s\n", name, o.seed, o.index, api)
	fmt.Fprintf(&b, "# journey %d: scenario %s, shopper %s <%s>\n", j.Index, j.Scenario, j.Shopper.ExternalID, j.Shopper.Email)
	for i, d := range j.Shopper.Devices {
		fmt.Fprintf(&b, "# device %d: %s, anonymous id %s\n", i, d.Kind, d.AnonymousID)
	}
	fmt.Fprintf(&b, "# journey start %s, time scale %g (test credentials)\n", start.Format(time.RFC3339), o.timeScale)
	for i, st := range j.Steps {
		c := st.Call
		c.Timestamp = start.Add(time.Duration(float64(st.Offset) / o.timeScale))
		fmt.Fprintf(&b, "\n### step %d at %s shopper time, device %d (%s), action time %s\n",
			i+1, fmtOffset(st.Offset), st.Device, j.Shopper.Devices[st.Device].Kind, c.Timestamp.Format("2006-01-02T15:04:05.000Z07:00"))
		req, err := cio.Encode(api, &c)
		if err != nil {
			if errors.Is(err, cio.ErrUnsupported) {
				fmt.Fprintf(&b, "# not expressible in %s: %v\n", api, err)
				continue
			}
			return fmt.Errorf("scenarios sample: step %d: %w", i+1, err)
		}
		fmt.Fprintf(&b, "%s %s HTTP/1.1\nHost: %s\nAuthorization: %s\n", req.Method, req.Path, host, auth)
		if req.Body != nil {
			fmt.Fprintf(&b, "Content-Type: application/json\nContent-Length: %d\n\n%s\n", len(req.Body), req.Body)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// fmtOffset prints a shopper-time offset with days: "+1h5m0s", "-41d23h50m58s".
func fmtOffset(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	const day = 24 * time.Hour
	if d < day {
		return sign + d.String()
	}
	rest := ""
	if d%day != 0 {
		rest = (d % day).String()
	}
	return fmt.Sprintf("%s%dd%s", sign, d/day, rest)
}
