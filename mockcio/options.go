package mockcio

import (
	"errors"
	"fmt"
	"time"

	"github.com/cioharness/cioharness/cio"
)

// Defaults of Options.
const (
	DefaultAddr        = "127.0.0.1:0" // NewServer's listen address
	DefaultJournalSize = 10000         // requests kept by the journal
)

// Options configure a Server. The zero value is usable.
type Options struct {
	// Addr is the listen address of NewServer (default 127.0.0.1:0).
	Addr string
	// Credentials are the keys the mock accepts (default cio.TestCredentials).
	Credentials cio.Credentials
	// TimeScale is shopper seconds per real second (default
	// DefaultTimeScale, 60).
	TimeScale float64
	// JournalSize is how many requests GET /__mock/requests keeps (default 10000).
	JournalSize int
	// Faults are the fault injection rules applied to the Customer.io
	// endpoints (nil: none until PUT /__mock/faults). After NewServer,
	// change the rules with Server.PutFaults or PUT /__mock/faults, not
	// with Faults.Set: the Server skips Faults that had no rules.
	Faults *Faults
	// Seed seeds the Faults that PUT /__mock/faults creates when Faults is nil.
	Seed int64
	// RateLimit is the soft rate limit (nil: none).
	RateLimit *RateLimiter
	// Now is the clock (default time.Now). Tests inject one to move time.
	Now func() time.Time
	// Retention is the campaign, segment and contract engine (default: the
	// package's built-in engines when present, else NopRetention). It is
	// built from the Server's Host by newRetention when nil.
	Retention Retention
}

// withDefaults fills the zero fields and validates the rest.
func (o Options) withDefaults() (Options, error) {
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	if o.Credentials == (cio.Credentials{}) {
		o.Credentials = cio.TestCredentials
	}
	if o.Credentials.SiteID == "" || o.Credentials.APIKey == "" || o.Credentials.PipelinesKey == "" {
		return o, errors.New("mockcio: credentials need a site id, an api key and a pipelines key")
	}
	if o.TimeScale == 0 {
		o.TimeScale = DefaultTimeScale
	}
	if o.TimeScale < 0 || o.TimeScale > 1e9 {
		return o, fmt.Errorf("mockcio: time scale %v: want a positive number", o.TimeScale)
	}
	if o.JournalSize == 0 {
		o.JournalSize = DefaultJournalSize
	}
	if o.JournalSize < 0 {
		return o, fmt.Errorf("mockcio: journal size %d: want a positive number", o.JournalSize)
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o, nil
}
