package report

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// Schema is the schema id of a results file.
const Schema = "cioharness/result/v1"

// Summary is a results file (SPEC.md §8): a plain snapshot that renderers,
// thresholds, Merge and Compare read. Percentile blocks are derived from
// Histograms by Recompute, so a merged file re-derives them exactly.
type Summary struct {
	Schema      string                `json:"schema"`
	Run         Run                   `json:"run"`
	Journeys    Journeys              `json:"journeys"`
	Requests    Requests              `json:"requests"`
	Harness     Harness               `json:"harness"`
	Delivery    Delivery              `json:"delivery"`
	Suppression Suppression           `json:"suppression"`
	Checks      []Check               `json:"checks"`
	Thresholds  []ThresholdResult     `json:"thresholds"`
	Verdict     Verdict               `json:"verdict"`
	Histograms  map[string]*Histogram `json:"histograms"`
	Warnings    []string              `json:"warnings,omitempty"`
	Violations  []Violation           `json:"violations,omitempty"`
	Timeline    *Timeline             `json:"timeline,omitempty"`
}

// Run describes what was run. All shards of one run share ID and Seed.
type Run struct {
	ID          string    `json:"id"`
	Version     string    `json:"version"`
	Seed        int64     `json:"seed"`
	Shard       Shard     `json:"shard"`
	Scenarios   []string  `json:"scenarios"`
	API         string    `json:"api"`
	Target      string    `json:"target"`
	RateProfile string    `json:"rate_profile"` // "10/s" or the --ramp stages
	Duration    Duration  `json:"duration"`     // how long journeys kept starting
	TimeScale   float64   `json:"time_scale"`
	StartedAt   time.Time `json:"started_at"`
	EndedAt     time.Time `json:"ended_at"`
}

// Journeys counts shopper journeys.
type Journeys struct {
	Planned    int64                     `json:"planned"`
	Started    int64                     `json:"started"`
	Completed  int64                     `json:"completed"`
	ByScenario map[string]*JourneyCounts `json:"by_scenario,omitempty"`
}

// JourneyCounts counts the journeys of one scenario.
type JourneyCounts struct {
	Planned   int64 `json:"planned"`
	Started   int64 `json:"started"`
	Completed int64 `json:"completed"`
}

// Requests aggregates the HTTP requests sent to the target. Latency counts
// from each request's intended start (coordinated-omission corrected);
// Service from the moment it was written.
type Requests struct {
	Total      int64                     `json:"total"`
	Calls      int64                     `json:"calls"` // calls carried, more than Total when batching
	Errors     int64                     `json:"errors"`
	BytesOut   int64                     `json:"bytes_out"`
	BytesIn    int64                     `json:"bytes_in"`
	RatePerS   float64                   `json:"rate_per_s"` // achieved requests per second
	FirstAt    time.Time                 `json:"first_at"`
	LastAt     time.Time                 `json:"last_at"`
	LatencyMS  Percentiles               `json:"latency_ms"`
	ServiceMS  Percentiles               `json:"service_ms"`
	ByEndpoint map[string]*EndpointStats `json:"by_endpoint"`
	ByEvent    map[string]*EndpointStats `json:"by_event,omitempty"`
	ErrorKinds map[string]int64          `json:"error_kinds,omitempty"` // most frequent error texts
}

// EndpointStats aggregates the requests of one endpoint (or event name).
type EndpointStats struct {
	Count     int64         `json:"count"`
	Errors    int64         `json:"errors"`
	Status    map[int]int64 `json:"status"` // 0 = no response
	LatencyMS Percentiles   `json:"latency_ms"`
	ServiceMS Percentiles   `json:"service_ms"`
}

// Percentiles summarises a histogram in milliseconds.
type Percentiles struct {
	Count int64   `json:"count"`
	Min   float64 `json:"min"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P99   float64 `json:"p99"`
	P999  float64 `json:"p999"`
	Max   float64 `json:"max"`
	Mean  float64 `json:"mean"`
}

// Harness is the load generator's own health: whether the run measured the
// target or the harness (SPEC.md §3.6, exit code 5).
type Harness struct {
	PlannedRate  float64  `json:"planned_rate"`  // journeys started per second, planned
	AchievedRate float64  `json:"achieved_rate"` // journeys started per second, achieved
	Steps        int64    `json:"steps"`         // steps sent
	LateSteps    int64    `json:"late_steps"`    // steps sent over LateAfter after their intended start
	MaxLagMS     float64  `json:"max_lag_ms"`    // worst lag of a step behind its intended start
	CPUSeconds   float64  `json:"cpu_s"`         // generator CPU (user+system)
	CPUPerReqUS  float64  `json:"cpu_per_request_us"`
	Valid        bool     `json:"valid"`
	Problems     []string `json:"problems,omitempty"`
}

// Delivery is the end-to-end time from each step's intended start to the
// moment the mock stored its event.
type Delivery struct {
	DeliveryMS     Percentiles            `json:"delivery_ms"`
	ByEvent        map[string]Percentiles `json:"by_event,omitempty"`
	Delivered      int64                  `json:"delivered"`
	NeverDelivered int64                  `json:"never_delivered"`
}

// Suppression holds purchase-suppression timings: propagation from the
// shopper's purchase to the Order Placed stored on the right person, and the
// margin between that arrival and the cart message's due time (negative when
// the purchase arrived too late).
type Suppression struct {
	PropagationMS Percentiles `json:"propagation_ms"`
	MarginMS      Percentiles `json:"margin_ms"`
	Purchases     int64       `json:"purchases"`
	FalseSends    int64       `json:"false_sends"`
	MissedSends   int64       `json:"missed_sends"`
}

// Check is one conformance check (SPEC.md §8 check names).
type Check struct {
	Name     string    `json:"name"`
	Passed   bool      `json:"passed"`
	Expected int64     `json:"expected"` // items that should hold (events produced, people, …)
	Observed int64     `json:"observed"` // items the mock showed holding
	Failed   int64     `json:"failed"`   // items that did not hold
	Note     string    `json:"note,omitempty"`
	Examples []Example `json:"examples,omitempty"` // at most MaxExamples
	// Scope is what the check judged: "" this shard's own shoppers (Merge
	// adds the shards' counts), ScopeMock the shared mock's whole state
	// (Merge keeps one shard's reading instead of adding).
	Scope string `json:"scope,omitempty"`
}

// ScopeMock is the Scope of a check or violation judged on the whole state
// of a mock that every shard of a run shares: each shard reads the same
// figures, so Merge keeps the largest reading (the last reader's) instead of
// adding them.
const ScopeMock = "mock"

// MaxExamples is the most examples a check keeps.
const MaxExamples = 10

// Example is one piece of evidence for a failed check.
type Example struct {
	Shopper   string `json:"shopper"`
	Event     string `json:"event,omitempty"`
	Attribute string `json:"attribute,omitempty"`
	Expected  string `json:"expected"`
	Actual    string `json:"actual"`
}

// ThresholdResult is a threshold evaluated on the results. Value is the
// metric in its natural unit (milliseconds for durations, a fraction for
// rates, a count otherwise); nil when there was no data.
type ThresholdResult struct {
	Expr   string   `json:"expr"`
	Value  *float64 `json:"value"`
	Shown  string   `json:"shown"` // Value formatted like the expression
	Passed bool     `json:"passed"`
}

// Verdict statuses.
const (
	StatusPass    = "pass"
	StatusFail    = "fail"
	StatusInvalid = "invalid"
)

// Verdict is the outcome of a run and its exit code (SPEC.md §3.6).
type Verdict struct {
	Status   string   `json:"status"`
	ExitCode int      `json:"exit_code"`
	Reasons  []string `json:"reasons,omitempty"`
}

// Violation is one row of the mock's contract-violations table.
type Violation struct {
	Rule     string   `json:"rule"`
	Event    string   `json:"event,omitempty"`
	Property string   `json:"property,omitempty"`
	Count    int64    `json:"count"`
	Samples  []string `json:"samples,omitempty"`
	Scope    string   `json:"scope,omitempty"` // see Check.Scope
}

// Duration is a time.Duration written as a Go duration string ("30s").
type Duration time.Duration

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("duration: %w", err)
	}
	*d = Duration(v)
	return nil
}

// New returns an empty Summary with its schema id set.
func New() *Summary {
	return &Summary{Schema: Schema, Histograms: map[string]*Histogram{}, Run: Run{Shard: Shard{Index: []int{1}, Count: 1}},
		Requests: Requests{ByEndpoint: map[string]*EndpointStats{}}}
}

// Histogram returns the named histogram, creating it when missing. Names
// follow the threshold metrics: "latency", "latency{endpoint=pipelines.track}",
// "service{event=Order Placed}", "delivery", "delivery{event=…}",
// "suppression.propagation", "suppression.margin" (non-negative margins) and
// "suppression.margin.late" (magnitudes of negative margins).
func (s *Summary) Histogram(name string) *Histogram {
	if s.Histograms == nil {
		s.Histograms = map[string]*Histogram{}
	}
	h := s.Histograms[name]
	if h == nil {
		h = &Histogram{}
		s.Histograms[name] = h
	}
	return h
}

// RecordDelivery records one event's delivery time overall and by name.
func (s *Summary) RecordDelivery(event string, d time.Duration) {
	s.Histogram(HistDelivery).Record(d)
	if event != "" {
		s.Histogram(Selected(HistDelivery, "event", event)).Record(d)
	}
	s.Delivery.Delivered++
}

// RecordPropagation records one purchase's propagation time.
func (s *Summary) RecordPropagation(d time.Duration) {
	s.Histogram(HistPropagation).Record(d)
}

// RecordMargin records one suppression margin; negative when late.
func (s *Summary) RecordMargin(d time.Duration) {
	if d < 0 {
		s.Histogram(HistMarginLate).Record(-d)
		return
	}
	s.Histogram(HistMargin).Record(d)
}

// Histogram names.
const (
	HistLatency     = "latency"
	HistService     = "service"
	HistDelivery    = "delivery"
	HistPropagation = "suppression.propagation"
	HistMargin      = "suppression.margin"
	HistMarginLate  = "suppression.margin.late"
)

// Selected returns a histogram name with a selector: Selected("latency",
// "endpoint", "pipelines.track") is "latency{endpoint=pipelines.track}".
func Selected(base, key, value string) string { return base + "{" + key + "=" + value + "}" }

// Encode writes s as indented JSON.
func (s *Summary) Encode(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return fmt.Errorf("report: encode: %w", err)
	}
	return nil
}

// Decode reads a results file and checks its schema id.
func Decode(r io.Reader) (*Summary, error) {
	s := New()
	dec := json.NewDecoder(r)
	if err := dec.Decode(s); err != nil {
		return nil, fmt.Errorf("report: decode: %w", err)
	}
	if s.Schema != Schema {
		return nil, fmt.Errorf("report: decode: schema %q, want %q", s.Schema, Schema)
	}
	for k, h := range s.Histograms {
		if h == nil {
			s.Histograms[k] = &Histogram{}
		}
	}
	return s, nil
}
