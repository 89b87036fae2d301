package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/cioharness/cioharness/cio"
	"github.com/cioharness/cioharness/mockcio"
)

const mockExamples = `  cioharness mock                                   # 127.0.0.1:8420, test credentials
  cioharness mock --addr 0.0.0.0:8420 --time-scale 3600
  cioharness mock --fault 'status=503,p=0.02' --fault 'latency=20ms-200ms,path=/v1/'
  cioharness mock --fault 'status=429,p=0.05,retry-after=2s' --fault-seed 7
  cioharness mock --rate-limit 100/s --journal 50000
  cioharness mock --campaigns campaigns.yaml --contract plan.yaml
`

// mockOpts is the parsed command line of `cioharness mock`.
type mockOpts struct {
	addr      string
	creds     cio.Credentials
	timeScale float64
	campaigns string
	contract  string
	faults    faultFlag
	faultSeed int64
	journal   int
	rateLimit rateFlag
}

// faultFlag is the repeatable --fault: each value is parsed when given, so a
// bad rule is reported with the flag's name.
type faultFlag struct{ rules []mockcio.FaultRule }

func (f *faultFlag) String() string {
	s := make([]string, len(f.rules))
	for i, r := range f.rules {
		s[i] = r.String()
	}
	return strings.Join(s, " ")
}

func (f *faultFlag) Set(v string) error {
	r, err := mockcio.ParseFaultRule(v)
	if err != nil {
		return err
	}
	f.rules = append(f.rules, r)
	return nil
}

func (*faultFlag) Type() string { return "SPEC" }

// rateFlag is --rate-limit N/s.
type rateFlag struct{ perSecond float64 }

func (r *rateFlag) String() string {
	if r.perSecond == 0 {
		return ""
	}
	return strconv.FormatFloat(r.perSecond, 'g', -1, 64) + "/s"
}

func (r *rateFlag) Set(v string) error {
	n, err := mockcio.ParseRate(v)
	r.perSecond = n
	return err
}

func (*rateFlag) Type() string { return "N/s" }

func parseMockFlags(args []string, env *Env) (*mockOpts, error) {
	o := &mockOpts{creds: cio.TestCredentials}
	fs := newFlagSet("mock", "mock [flags]", mockExamples, env)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8420", "listen address (port 0 picks a free port)")
	fs.StringVar(&o.creds.SiteID, "site-id", o.creds.SiteID, "Track site id the mock accepts")
	fs.StringVar(&o.creds.APIKey, "api-key", o.creds.APIKey, "Track API key the mock accepts")
	fs.StringVar(&o.creds.PipelinesKey, "pipelines-key", o.creds.PipelinesKey, "Pipelines API key the mock accepts")
	fs.Float64Var(&o.timeScale, "time-scale", mockcio.DefaultTimeScale, "shopper seconds per real second")
	fs.StringVar(&o.campaigns, "campaigns", "", "campaigns and truth segments `FILE` (YAML)")
	fs.StringVar(&o.contract, "contract", "", "tracking plan `FILE` (YAML)")
	fs.Var(&o.faults, "fault", "fault injection rule, repeatable, e.g. status=503,p=0.02 (SPEC §4.3)")
	fs.Int64Var(&o.faultSeed, "fault-seed", 1, "seed of the fault decisions")
	fs.IntVar(&o.journal, "journal", mockcio.DefaultJournalSize, "requests kept by the journal (GET /__mock/requests)")
	fs.Var(&o.rateLimit, "rate-limit", "soft rate limit answered with 429 and Retry-After, e.g. 100/s")
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, usageError("unexpected argument %q", fs.Arg(0))
	}
	switch {
	case o.timeScale <= 0:
		return nil, usageError("--time-scale: %v: want a positive number", o.timeScale)
	case o.journal <= 0:
		return nil, usageError("--journal: %d: want a positive number", o.journal)
	case o.creds.SiteID == "" || o.creds.APIKey == "" || o.creds.PipelinesKey == "":
		return nil, usageError("--site-id, --api-key and --pipelines-key must not be empty")
	}
	if o.campaigns != "" {
		if _, _, err := mockcio.LoadCampaignsFile(o.campaigns); err != nil {
			return nil, usageError("--campaigns: %v", err)
		}
	}
	if o.contract != "" {
		if _, err := mockcio.LoadPlanFile(o.contract); err != nil {
			return nil, usageError("--contract: %v", err)
		}
	}
	return o, nil
}

// mockCmd serves the mock Customer.io until ctx is cancelled (SPEC.md §3.2).
func mockCmd(ctx context.Context, args []string, env *Env) error {
	o, err := parseMockFlags(args, env)
	if err != nil {
		return err
	}
	srv, err := mockcio.NewServer(mockcio.Options{
		Addr:        o.addr,
		Credentials: o.creds,
		TimeScale:   o.timeScale,
		JournalSize: o.journal,
		Faults:      mockcio.NewFaults(o.faultSeed, o.faults.rules),
		Seed:        o.faultSeed,
		RateLimit:   mockcio.NewRateLimiter(o.rateLimit.perSecond),
	})
	if err != nil {
		return withCode(ExitRuntime, fmt.Errorf("listen %s: %w", o.addr, err))
	}
	defer srv.Close()
	if err := pushRetentionConfig(ctx, srv.URL, o); err != nil {
		return err
	}
	printEndpoints(env.Stderr, srv.URL, o)
	<-ctx.Done()
	fmt.Fprintln(env.Stderr, "mock: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		fmt.Fprintf(env.Stderr, "mock: requests still open after 5s, closing them: %v\n", err)
	}
	return nil
}

// pushRetentionConfig hands the --campaigns and --contract files to the mock
// through PUT /__mock/config (YAML text in JSON strings), the same way a
// `cioharness run --mock URL` configures a separate mock.
func pushRetentionConfig(ctx context.Context, base string, o *mockOpts) error {
	cfg := map[string]string{}
	for key, path := range map[string]string{"campaigns": o.campaigns, "contract": o.contract} {
		if path == "" {
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return usageError("--%s: %v", key, err)
		}
		cfg[key] = string(b)
	}
	if len(cfg) == 0 {
		return nil
	}
	body, _ := json.Marshal(cfg)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, base+"/__mock/config", bytes.NewReader(body))
	if err != nil {
		return withCode(ExitRuntime, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return withCode(ExitRuntime, fmt.Errorf("configure mock: %w", err))
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return usageError("--campaigns/--contract: the mock refused the configuration: %s %s", resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}

// printEndpoints tells the user where the mock listens and what it serves,
// in one write: whoever reads the URL line (a script, a test) then has the
// whole banner.
func printEndpoints(w io.Writer, base string, o *mockOpts) {
	var b strings.Builder
	fmt.Fprintf(&b, "mock Customer.io listening on %s\n", base)
	fmt.Fprintf(&b, "  Track v1   %s/api/v1/...   Basic %s:%s\n", base, o.creds.SiteID, o.creds.APIKey)
	fmt.Fprintf(&b, "  Track v2   %s/api/v2/entity, /api/v2/batch\n", base)
	fmt.Fprintf(&b, "  Pipelines  %s/v1/identify|track|page|screen|alias|group|batch   Basic %s:\n", base, o.creds.PipelinesKey)
	fmt.Fprintf(&b, "  inspect    %s/__mock/people/{id}, /__mock/stats, /__mock/requests   metrics %s/metrics\n", base, base)
	if len(o.faults.rules) > 0 {
		fmt.Fprintf(&b, "  faults     %s (seed %d)\n", o.faults.String(), o.faultSeed)
	}
	if o.rateLimit.perSecond > 0 {
		fmt.Fprintf(&b, "  rate limit %s, then 429 with Retry-After\n", o.rateLimit.String())
	}
	io.WriteString(w, b.String())
}
