package report

import "time"

// Result is the outcome of one HTTP request the load engine sent: the unit the
// engine emits on its result channel and every aggregate consumes.
//
// Latency counts from Intended (the moment the request was due, corrected for
// coordinated omission); Service counts from Sent (when it was written).
type Result struct {
	Seq      uint64        `json:"seq"`             // order of sending within the run
	Journey  uint64        `json:"journey"`         // global journey index (seed sequence)
	Step     int           `json:"step"`            // step index within the journey (first call of a batch)
	Calls    int           `json:"calls"`           // calls carried (1, or the batch size)
	Endpoint string        `json:"endpoint"`        // cio.Request.Endpoint, e.g. "pipelines.track"
	Event    string        `json:"event,omitempty"` // event name for single event calls
	Status   int           `json:"status"`          // HTTP status; 0 when no response
	Error    string        `json:"error,omitempty"` // transport error or non-2xx summary
	Intended time.Time     `json:"intended"`        // when the request was due
	Sent     time.Time     `json:"sent"`            // when it was written
	Latency  time.Duration `json:"latency_ns"`      // done − intended
	Service  time.Duration `json:"service_ns"`      // done − sent
	BytesOut int           `json:"bytes_out"`
	BytesIn  int           `json:"bytes_in,omitempty"`
}

// OK reports whether the request got a 2xx answer.
func (r *Result) OK() bool { return r.Status >= 200 && r.Status < 300 && r.Error == "" }
