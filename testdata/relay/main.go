// Command relay is the reference ingestion path used by cioharness's end-to-end
// tests and README walkthrough: it accepts Pipelines calls (POST /v1/identify,
// track, page, screen, alias, group, batch), queues them, and forwards them to a
// Customer.io Track API (v1 or v2) the way real relays do: batching by size and
// flush interval, one ordered queue per person across a pool of workers,
// retries with backoff on 429 (honouring Retry-After) and 5xx, event ids kept
// so that retries de-duplicate, and a flush of the queue on shutdown.
//
// It is correct by default. Each --defect NAME switches on one realistic bug
// (see defects.go and README.md ("Through an ingestion path")) so that tests can prove the
// harness catches it.
//
// The first line on stdout is the relay's base URL; logs go to stderr.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cioharness/cioharness/cio"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run parses args, serves until ctx ends, then drains the queue. It returns
// the exit code: 0, 2 for bad flags, 3 for a runtime error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseConfig(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "relay: %v\n", err)
		return 2
	}
	logger := log.New(stderr, "relay: ", log.LstdFlags|log.Lmicroseconds)
	cfg.Log = logger
	r, err := newRelay(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "relay: %v\n", err)
		return 2
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		fmt.Fprintf(stderr, "relay: listen: %v\n", err)
		r.Close(context.Background())
		return 3
	}
	url := "http://" + ln.Addr().String()
	fmt.Fprintln(stdout, url)
	logger.Printf("listening on %s, forwarding to %s (%v), defects: %s", url, cfg.Upstream, cfg.UpstreamAPI, cfg.defectList())

	srv := &http.Server{Handler: r.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	code := 0
	select {
	case <-ctx.Done():
	case err := <-errc:
		logger.Printf("serve: %v", err)
		code = 3
	}
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	_ = srv.Shutdown(sctx)
	r.Close(sctx)
	s := r.Stats()
	logger.Printf("stopped: %d messages received, %d calls forwarded, %d dropped, %d retries", s.Received, s.Forwarded, s.Dropped, s.Retries)
	return code
}

// defectFlag collects repeatable --defect values.
type defectFlag map[string]bool

func (d defectFlag) String() string { return strings.Join(sortedKeys(d), ",") }

func (d defectFlag) Set(v string) error {
	for _, name := range strings.Split(v, ",") {
		name = strings.TrimSpace(name)
		if !knownDefect(name) {
			return fmt.Errorf("unknown defect %q (want one of %s)", name, strings.Join(defectNames, ", "))
		}
		d[name] = true
	}
	return nil
}

func parseConfig(args []string, stderr io.Writer) (config, error) {
	cfg := defaultConfig()
	fs := flag.NewFlagSet("relay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var api string
	defects := defectFlag{}
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address")
	fs.StringVar(&cfg.Upstream, "upstream", "", "base URL of the Customer.io Track API to forward to (required), e.g. http://127.0.0.1:8420")
	fs.StringVar(&api, "upstream-api", "track", "wire format upstream: track (v1) or track-v2")
	fs.StringVar(&cfg.Creds.SiteID, "site-id", cfg.Creds.SiteID, "Track site id sent upstream")
	fs.StringVar(&cfg.Creds.APIKey, "api-key", cfg.Creds.APIKey, "Track API key sent upstream")
	fs.StringVar(&cfg.Creds.PipelinesKey, "pipelines-key", cfg.Creds.PipelinesKey, "Pipelines key accepted from clients")
	fs.IntVar(&cfg.Workers, "workers", cfg.Workers, "forwarding workers (one ordered queue each)")
	fs.IntVar(&cfg.BatchSize, "batch-size", cfg.BatchSize, "calls per flush")
	fs.DurationVar(&cfg.FlushInterval, "flush-interval", cfg.FlushInterval, "longest wait of a call before its batch is flushed")
	fs.IntVar(&cfg.QueueSize, "queue", cfg.QueueSize, "calls each worker queues before clients are held back")
	fs.IntVar(&cfg.MaxRetries, "max-retries", cfg.MaxRetries, "retries of a failed upstream request before its calls are dropped")
	fs.DurationVar(&cfg.RetryBase, "retry-base", cfg.RetryBase, "first retry backoff (doubles, capped by --retry-max)")
	fs.DurationVar(&cfg.RetryMax, "retry-max", cfg.RetryMax, "largest backoff and largest Retry-After honoured")
	fs.DurationVar(&cfg.Timeout, "upstream-timeout", cfg.Timeout, "timeout of one upstream request")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", cfg.ShutdownTimeout, "longest time to drain the queue on shutdown")
	fs.Var(defects, "defect", "switch on a defect (repeatable): "+strings.Join(defectNames, ", "))
	fs.DurationVar(&cfg.SlowFlushInterval, "slow-flush-interval", cfg.SlowFlushInterval, "slow-flush: how long purchase events are held")
	fs.DurationVar(&cfg.ReorderJitter, "reorder-jitter", cfg.ReorderJitter, "reorder: largest random delay of each upstream request (sent on its own, 64 at most in flight)")
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "seed of the relay's randomness (backoff jitter, reorder)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	a, err := cio.ParseAPI(api)
	if err != nil || a == cio.APIPipelines {
		return cfg, fmt.Errorf("--upstream-api: want track or track-v2, got %q", api)
	}
	cfg.UpstreamAPI = a
	cfg.Defects = defects
	return cfg, cfg.validate()
}
