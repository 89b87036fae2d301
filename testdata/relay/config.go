package main

import (
	"fmt"
	"log"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cioharness/cioharness/cio"
)

// The defects the relay can switch on; each is documented in defects.go and
// README.md ("Through an ingestion path").
const (
	defDropAnonymousID   = "drop-anonymous-id"
	defKeyByEmail        = "key-by-email"
	defStringMoney       = "string-money"
	defRenameSKU         = "rename-sku"
	defFlushTimestamps   = "flush-timestamps"
	defSlowFlush         = "slow-flush"
	defRetryNewID        = "retry-new-id"
	defDropOn429         = "drop-on-429"
	defDuplicateCheckout = "duplicate-checkout"
	defReorder           = "reorder"
	defEmailInEvents     = "email-in-events"
	defMixedMoney        = "mixed-money"
)

var defectNames = []string{
	defDropAnonymousID, defKeyByEmail, defStringMoney, defRenameSKU, defFlushTimestamps,
	defSlowFlush, defRetryNewID, defDropOn429, defDuplicateCheckout, defReorder,
	defEmailInEvents, defMixedMoney,
}

func knownDefect(name string) bool { return slices.Contains(defectNames, name) }

// config is everything the relay is told on its command line.
type config struct {
	Addr        string
	Upstream    string  // base URL of the Track API, without /api/v1
	UpstreamAPI cio.API // APITrack or APITrackV2
	Creds       cio.Credentials

	Workers       int
	BatchSize     int
	FlushInterval time.Duration
	QueueSize     int

	MaxRetries      int
	RetryBase       time.Duration
	RetryMax        time.Duration
	Timeout         time.Duration
	ShutdownTimeout time.Duration

	Defects           map[string]bool
	SlowFlushInterval time.Duration
	ReorderJitter     time.Duration
	Seed              uint64

	Log *log.Logger // nil: discard
}

func defaultConfig() config {
	return config{
		Addr:              "127.0.0.1:0",
		UpstreamAPI:       cio.APITrack,
		Creds:             cio.TestCredentials,
		Workers:           4,
		BatchSize:         20,
		FlushInterval:     20 * time.Millisecond,
		QueueSize:         10000,
		MaxRetries:        8,
		RetryBase:         50 * time.Millisecond,
		RetryMax:          5 * time.Second,
		Timeout:           10 * time.Second,
		ShutdownTimeout:   30 * time.Second,
		Defects:           map[string]bool{},
		SlowFlushInterval: 5 * time.Second,
		ReorderJitter:     300 * time.Millisecond,
		Seed:              1,
	}
}

func (c *config) validate() error {
	u, err := url.Parse(c.Upstream)
	switch {
	case c.Upstream == "":
		return fmt.Errorf("--upstream is required (the mock's base URL, e.g. http://127.0.0.1:8420)")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("--upstream: want an http(s) base URL, got %q", c.Upstream)
	case c.UpstreamAPI != cio.APITrack && c.UpstreamAPI != cio.APITrackV2:
		return fmt.Errorf("--upstream-api: want track or track-v2")
	case c.Workers < 1:
		return fmt.Errorf("--workers: want at least 1, got %d", c.Workers)
	case c.BatchSize < 1:
		return fmt.Errorf("--batch-size: want at least 1, got %d", c.BatchSize)
	case c.FlushInterval <= 0:
		return fmt.Errorf("--flush-interval: want a positive duration, got %v", c.FlushInterval)
	case c.QueueSize < 1:
		return fmt.Errorf("--queue: want at least 1, got %d", c.QueueSize)
	case c.MaxRetries < 0:
		return fmt.Errorf("--max-retries: want 0 or more, got %d", c.MaxRetries)
	case c.RetryBase <= 0 || c.RetryMax < c.RetryBase:
		return fmt.Errorf("--retry-base/--retry-max: want 0 < base <= max, got %v, %v", c.RetryBase, c.RetryMax)
	case c.Timeout <= 0:
		return fmt.Errorf("--upstream-timeout: want a positive duration, got %v", c.Timeout)
	case c.SlowFlushInterval <= 0:
		return fmt.Errorf("--slow-flush-interval: want a positive duration, got %v", c.SlowFlushInterval)
	case c.ReorderJitter < 0:
		return fmt.Errorf("--reorder-jitter: want 0 or more, got %v", c.ReorderJitter)
	}
	c.Upstream = strings.TrimRight(c.Upstream, "/")
	for name := range c.Defects {
		if !knownDefect(name) {
			return fmt.Errorf("--defect: unknown defect %q", name)
		}
	}
	return nil
}

func (c *config) on(defect string) bool { return c.Defects[defect] }

func (c *config) defectList() string {
	if len(c.Defects) == 0 {
		return "none"
	}
	return strings.Join(sortedKeys(c.Defects), ",")
}

func sortedKeys(m map[string]bool) []string {
	var ks []string
	for k, v := range m {
		if v {
			ks = append(ks, k)
		}
	}
	slices.Sort(ks)
	return ks
}
