package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/cioharness/cioharness/load"
	"github.com/cioharness/cioharness/mockcio"
	"github.com/cioharness/cioharness/report"
	"github.com/cioharness/cioharness/scenarios"
)

// verifyRun is the verifier's hook. After the load and the settle time it
// compares the ledger (what the shoppers did and what Customer.io must show)
// with what the mock holds, read through ins, and fills the summary's checks,
// delivery and suppression parts. verify.go sets it; when nil, the run
// reports the load figures and harness validity only.
var verifyRun func(ctx context.Context, led *scenarios.Ledger, ins mockcio.Inspector, sum *report.Summary) error

// runCmd drives shopper journeys at the target and reports (SPEC.md §3.1).
func runCmd(ctx context.Context, args []string, env *Env) error {
	o, err := parseRunFlags(args, env)
	if err != nil {
		return err
	}
	mk, err := openMock(ctx, o, env)
	if err != nil {
		return err
	}
	defer mk.close()
	target := o.target
	if target == "" {
		target = mk.url
	}
	if err := reachable(ctx, target); err != nil {
		return withCode(ExitRuntime, fmt.Errorf("target %s unreachable: %w", target, err))
	}
	r, err := newRunner(o, mk, target, env)
	if err != nil {
		return err
	}
	sum, err := r.execute(ctx)
	if err != nil {
		return err
	}
	return r.finish(ctx, sum)
}

// mockConn is the mock the run configures and verifies against: embedded
// (srv set) or a separate `cioharness mock` reached over HTTP.
type mockConn struct {
	url string
	ins mockcio.Inspector
	srv *mockcio.Server
}

func (m *mockConn) close() {
	if m.srv != nil {
		_ = m.srv.Close()
	}
}

// openMock starts or reaches the mock, resets it (unless this is one shard of
// several: the operator resets a shared mock once, before starting them) and
// pushes the run's time scale, campaigns and contract.
func openMock(ctx context.Context, o *runOpts, env *Env) (*mockConn, error) {
	m := &mockConn{}
	if o.mockURL != "" {
		m.url = strings.TrimRight(o.mockURL, "/")
		m.ins = mockcio.NewClient(m.url, nil)
	} else {
		srv, err := mockcio.NewServer(mockcio.Options{Addr: o.mockAddr, Credentials: o.creds, TimeScale: o.timeScale, Seed: o.seed})
		if err != nil {
			return nil, withCode(ExitRuntime, fmt.Errorf("--mock-addr %s: %w", o.mockAddr, err))
		}
		m.srv, m.url, m.ins = srv, srv.URL, srv
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if o.shard.shard.Count <= 1 {
		if err := m.ins.Reset(cctx); err != nil {
			m.close()
			return nil, withCode(ExitRuntime, fmt.Errorf("reset the mock at %s: %w", m.url, err))
		}
	} else if !o.quiet {
		fmt.Fprintf(env.Stderr, "run: shard %v does not reset the shared mock; reset it once before starting the shards (POST %s/__mock/reset)\n", o.shard.shard, m.url)
	}
	cfg := mockcio.ConfigView{TimeScale: o.timeScale, Campaigns: configText(o.campaignsText), Contract: configText(o.contractText)}
	if err := m.ins.PutConfig(cctx, cfg); err != nil {
		m.close()
		return nil, withCode(ExitRuntime, fmt.Errorf("configure the mock at %s: %w", m.url, err))
	}
	return m, nil
}

// configText is a retention file for PUT /__mock/config: its YAML text as a
// JSON string, or "builtin".
func configText(b []byte) json.RawMessage {
	if b == nil {
		b = []byte("builtin")
	}
	out, _ := json.Marshal(string(b))
	return out
}

// reachable dials the target once, so that a wrong --target is a runtime
// error up front rather than a run of connection errors.
func reachable(ctx context.Context, target string) error {
	u, err := url.Parse(target)
	if err != nil {
		return err
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), map[bool]string{true: "443", false: "80"}[u.Scheme == "https"])
	}
	d := net.Dialer{Timeout: 5 * time.Second}
	c, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return err
	}
	return c.Close()
}

// runner holds one run's parts: generator, ledger, engine and the per
// scenario counts the engine's callbacks keep.
type runner struct {
	o          *runOpts
	env        *Env
	mk         *mockConn
	target     string
	gen        *scenarios.Generator
	led        *scenarios.Ledger
	eng        *load.Engine
	toLedger   chan started
	ledgerDone chan struct{}
	byScenario map[string]*report.JourneyCounts // scheduler goroutine only, until the run ends
	begin      time.Time
}

// started is one journey start on its way to the ledger.
type started struct {
	j     *scenarios.Journey
	start time.Time
}

func newRunner(o *runOpts, mk *mockConn, target string, env *Env) (*runner, error) {
	r := &runner{o: o, env: env, mk: mk, target: target, led: ledgerFor(o),
		toLedger: make(chan started, 4096), ledgerDone: make(chan struct{}), byScenario: map[string]*report.JourneyCounts{}}
	var err error
	r.gen, err = scenarios.NewGenerator(o.mix, scenarios.Options{Seed: o.seed, Epoch: time.Now(), TimeScale: o.timeScale})
	if err != nil {
		return nil, usageError("--scenario: %v", err)
	}
	r.eng, err = load.New(load.Config{
		Source: r.gen, Plan: o.plan, TimeScale: o.timeScale, Target: target, API: o.api.api,
		Batch: o.batch, Credentials: o.creds, Header: o.headers.h, Concurrency: o.concurrency,
		OnStart: r.onStart, OnFinish: r.onFinish,
	})
	if err != nil {
		return nil, usageError("--%v", err) // a load.ConfigError names its flag
	}
	return r, nil
}

// onStart runs on the scheduler goroutine: it must be quick, so the ledger's
// simulation of the journey happens on the ledger goroutine.
func (r *runner) onStart(j *scenarios.Journey, start time.Time) {
	c := r.byScenario[j.Scenario]
	if c == nil {
		c = &report.JourneyCounts{}
		r.byScenario[j.Scenario] = c
	}
	c.Started++
	r.toLedger <- started{j, start}
}

func (r *runner) onFinish(j *scenarios.Journey) { r.byScenario[j.Scenario].Completed++ }

func (r *runner) feedLedger() {
	defer close(r.ledgerDone)
	for s := range r.toLedger {
		r.led.Add(s.j, s.start, r.o.timeScale)
	}
}
