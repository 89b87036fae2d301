package mockcio

import (
	"encoding/json"
	"fmt"
	"time"
)

// faultJSON is the JSON form of a FaultRule.
type faultJSON struct {
	Status     int     `json:"status,omitempty"`
	P          float64 `json:"p,omitempty"`
	RetryAfter string  `json:"retry_after,omitempty"`
	Latency    string  `json:"latency,omitempty"`
	LatencyMax string  `json:"latency_max,omitempty"`
	Reset      bool    `json:"reset,omitempty"`
	Stall      string  `json:"stall,omitempty"`
	Every      string  `json:"every,omitempty"`
	Path       string  `json:"path,omitempty"`
	Spec       string  `json:"spec,omitempty"` // the flag syntax, for reading
}

// MarshalJSON encodes durations as strings and adds the flag syntax as "spec".
func (r FaultRule) MarshalJSON() ([]byte, error) {
	ds := func(d time.Duration) string {
		if d == 0 {
			return ""
		}
		return d.String()
	}
	lat := ds(r.Latency)
	if r.Status == 0 && !r.Reset && r.Stall == 0 && r.LatencyMax == 0 {
		lat = r.Latency.String() // a rule without effect keeps "latency":"0s"
	}
	return json.Marshal(faultJSON{
		Status: r.Status, P: r.P, RetryAfter: ds(r.RetryAfter), Latency: lat,
		LatencyMax: ds(r.LatencyMax), Reset: r.Reset, Stall: ds(r.Stall), Every: ds(r.Every),
		Path: r.Path, Spec: r.String(),
	})
}

// UnmarshalJSON accepts an object (as MarshalJSON writes it) or a string in
// the flag syntax, and validates the rule.
func (r *FaultRule) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		rule, err := ParseFaultRule(s)
		if err != nil {
			return err
		}
		*r = rule
		return nil
	}
	var j faultJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("fault rule: %w", err)
	}
	if j.Status == 0 && !j.Reset && j.Latency == "" && j.LatencyMax == "" && j.Stall == "" {
		return fmt.Errorf("fault rule: no effect: give status, reset, latency or stall")
	}
	rule := FaultRule{Status: j.Status, P: j.P, Reset: j.Reset, Path: j.Path}
	for _, f := range []struct {
		name string
		in   string
		out  *time.Duration
	}{
		{"retry_after", j.RetryAfter, &rule.RetryAfter}, {"latency", j.Latency, &rule.Latency},
		{"latency_max", j.LatencyMax, &rule.LatencyMax}, {"stall", j.Stall, &rule.Stall},
		{"every", j.Every, &rule.Every},
	} {
		if f.in == "" {
			continue
		}
		d, err := parseDur(f.in)
		if err != nil {
			return fmt.Errorf("fault rule: %s: %w", f.name, err)
		}
		*f.out = d
	}
	if err := rule.Validate(); err != nil {
		return fmt.Errorf("fault rule: %w", err)
	}
	*r = rule
	return nil
}
