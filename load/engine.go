package load

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/cioharness/cioharness/cio"
	"github.com/cioharness/cioharness/report"
	"github.com/cioharness/cioharness/scenarios"
)

// Source yields journeys by global index. Journey must be a pure function of
// the index and safe for concurrent use; the engine never modifies a journey.
// *scenarios.Generator is the production Source.
type Source interface {
	Journey(index uint64) *scenarios.Journey
}

// Config is everything an Engine needs. Fields are named after the run flags
// they come from; Validate names the field of the first problem.
type Config struct {
	Source      Source
	Plan        Plan
	TimeScale   float64 // shopper seconds per real second (> 0)
	Target      string  // base URL that receives the journey traffic
	API         cio.API
	Batch       int             // calls per batch request; 0 or 1 sends calls singly
	Credentials cio.Credentials // Authorization per API
	Header      http.Header     // extra headers on every request
	Concurrency int             // most requests in flight (>= 1)

	// Timeout bounds the wait for a response's headers; 0 means 30s.
	Timeout time.Duration
	// FlushDelay is the longest a partial batch waits for more due calls;
	// 0 means 5ms.
	FlushDelay time.Duration
	// Grace is how long in-flight requests may finish after the context is
	// cancelled before they are aborted; 0 means 2s.
	Grace time.Duration

	// OnStart, if set, is called from the scheduler goroutine, in start order,
	// with each journey and its intended real start (e.g. Ledger.Add).
	OnStart func(j *scenarios.Journey, start time.Time)
	// OnFinish, if set, is called from the scheduler goroutine when a
	// journey's last step was answered (or skipped).
	OnFinish func(j *scenarios.Journey)
	// OnStep, if set, is called from the sender goroutines (concurrently) for
	// every step a request carried, with that request's result.
	OnStep func(j *scenarios.Journey, step int, r *report.Result)

	// Transport replaces the HTTP client (tests). By default a plain-http
	// target gets one HTTP/1.1 keep-alive connection per sender, written
	// and read by that sender alone, and an https target net/http with
	// NewTransport.
	Transport http.RoundTripper
	// StdClient uses net/http with NewTransport for plain http too.
	StdClient bool
}

// ConfigError names the Config field (spelled as its run flag) of a problem.
type ConfigError struct {
	Field string
	Err   error
}

func (e *ConfigError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

func fieldErr(field, format string, args ...any) error {
	return &ConfigError{Field: field, Err: fmt.Errorf(format, args...)}
}

// MaxBatch bounds Config.Batch; Customer.io's 500 KB batch limit is reached
// long before with real payloads.
const MaxBatch = 1000

// Validate checks the configuration before anything starts.
func (c *Config) Validate() error {
	if c.Source == nil {
		return fieldErr("scenario", "no journey source")
	}
	if err := c.Plan.Validate(); err != nil {
		return fieldErr("rate", "%w", err)
	}
	if !(c.TimeScale > 0) || math.IsInf(c.TimeScale, 0) {
		return fieldErr("time-scale", "want a finite number > 0, got %v", c.TimeScale)
	}
	u, err := url.Parse(c.Target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fieldErr("target", "want an http(s) base URL, got %q", c.Target)
	}
	switch c.API {
	case cio.APIPipelines, cio.APITrack, cio.APITrackV2:
	default:
		return fieldErr("api", "unknown api %v", c.API)
	}
	if c.Batch < 0 || c.Batch > MaxBatch {
		return fieldErr("batch", "want 1..%d, got %d", MaxBatch, c.Batch)
	}
	if c.Batch > 1 && c.API == cio.APITrack {
		return fieldErr("batch", "track (v1) has no batch request; use --api pipelines or track-v2")
	}
	if c.Concurrency < 1 {
		return fieldErr("concurrency", "want >= 1, got %d", c.Concurrency)
	}
	if c.Timeout < 0 || c.FlushDelay < 0 || c.Grace < 0 {
		return fieldErr("timeout", "negative duration")
	}
	return nil
}

// Engine drives journeys at a target: the pacer starts journeys, the
// scheduler fires their steps at the intended times, and a bounded pool of
// senders does the I/O. Create one with New and call Run once.
type Engine struct {
	cfg    Config
	base   string // target without a trailing slash
	auth   string // Authorization header value
	client *http.Client
	ran    atomic.Bool
	st     counters
}

// New validates cfg and returns an engine ready to Run.
func New(cfg Config) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.FlushDelay == 0 {
		cfg.FlushDelay = 5 * time.Millisecond
	}
	if cfg.Grace == 0 {
		cfg.Grace = 2 * time.Second
	}
	if cfg.Batch == 0 {
		cfg.Batch = 1
	}
	rt := cfg.Transport
	if rt == nil {
		rt = NewTransport(cfg.Concurrency, cfg.Timeout)
	}
	e := &Engine{
		cfg:    cfg,
		base:   trimSlash(cfg.Target),
		auth:   cfg.Credentials.Authorization(cfg.API),
		client: &http.Client{Transport: rt, CheckRedirect: noRedirect},
	}
	e.st.planned = cfg.Plan.Planned()
	return e, nil
}

func trimSlash(s string) string {
	for len(s) > 0 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// ErrRunTwice is the error of a second call to Run.
var ErrRunTwice = errors.New("load: engine already ran")

// Run starts the run and returns the channel of results: exactly one per
// request, closed when every started journey has finished or ctx was
// cancelled and the in-flight requests have ended. The caller must drain it.
func (e *Engine) Run(ctx context.Context) <-chan report.Result {
	out := make(chan report.Result, 4*e.cfg.Concurrency+64)
	if e.ran.Swap(true) {
		e.st.setErr(ErrRunTwice)
		close(out)
		return out
	}
	s := newScheduler(e, out)
	go s.run(ctx)
	return out
}
