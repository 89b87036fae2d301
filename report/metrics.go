package report

import (
	"time"
)

// maxErrorKinds bounds the distinct error texts Metrics keeps; the rest are
// counted under "other".
const maxErrorKinds = 20

// Metrics aggregates Results: latency (from the intended start) and service
// time histograms overall, per endpoint and per event name; counts by endpoint
// and status; errors; bytes; first and last times; requests over time. The
// zero value is ready to use. It is not safe for concurrent use: one consumer
// goroutine calls Add, as the engine's result channel is read by one reader.
type Metrics struct {
	// Start anchors the timeline; when zero, the first result's intended start
	// (truncated to the second) is used.
	Start time.Time

	latency, service Histogram
	endpoints        map[string]*group
	events           map[string]*group
	total, calls     int64
	errors           int64
	bytesOut         int64
	bytesIn          int64
	errorKinds       map[string]int64
	first, last      time.Time
	timeline         timelineBuilder
}

// group aggregates the requests of one endpoint or event name.
type group struct {
	latency, service Histogram
	count, errors    int64
	status           map[int]int64
}

func (g *group) add(r *Result) {
	g.count++
	if !r.OK() {
		g.errors++
	}
	if g.status == nil {
		g.status = map[int]int64{}
	}
	g.status[r.Status]++
	g.latency.Record(r.Latency)
	g.service.Record(r.Service)
}

// Add accounts for one result.
func (m *Metrics) Add(r *Result) {
	m.total++
	calls := r.Calls
	if calls < 1 {
		calls = 1
	}
	m.calls += int64(calls)
	m.bytesOut += int64(r.BytesOut)
	m.bytesIn += int64(r.BytesIn)
	m.latency.Record(r.Latency)
	m.service.Record(r.Service)
	if m.endpoints == nil {
		m.endpoints, m.events = map[string]*group{}, map[string]*group{}
	}
	groupFor(m.endpoints, r.Endpoint).add(r)
	if r.Event != "" {
		groupFor(m.events, r.Event).add(r)
	}
	if !r.OK() {
		m.errors++
		m.addErrorKind(r)
	}
	if m.first.IsZero() || r.Intended.Before(m.first) {
		m.first = r.Intended
	}
	if done := r.Intended.Add(r.Latency); done.After(m.last) {
		m.last = done
	}
	if m.Start.IsZero() {
		m.Start = r.Intended.Truncate(time.Second)
	}
	m.timeline.add(m.Start, r)
}

func groupFor(m map[string]*group, k string) *group {
	g := m[k]
	if g == nil {
		g = &group{}
		m[k] = g
	}
	return g
}

func (m *Metrics) addErrorKind(r *Result) {
	k := r.Error
	if k == "" {
		k = "status " + itoa(r.Status)
	}
	if m.errorKinds == nil {
		m.errorKinds = map[string]int64{}
	}
	if _, ok := m.errorKinds[k]; !ok && len(m.errorKinds) >= maxErrorKinds {
		k = "other"
	}
	m.errorKinds[k]++
}

// Close ends the aggregation; Add must not be called after it. It exists so
// that every aggregate has the same Add/Close shape.
func (m *Metrics) Close() {}

// Count is the number of results added.
func (m *Metrics) Count() int64 { return m.total }

// Errors is the number of results that were not a 2xx answer.
func (m *Metrics) Errors() int64 { return m.errors }

// Latency returns the overall corrected-latency histogram (read only).
func (m *Metrics) Latency() *Histogram { return &m.latency }

// Fill writes the requests part, the request histograms and the timeline of
// s, then recomputes its derived fields. It replaces what s held for them.
func (m *Metrics) Fill(s *Summary) {
	r := &s.Requests
	r.Total, r.Calls, r.Errors = m.total, m.calls, m.errors
	r.BytesOut, r.BytesIn = m.bytesOut, m.bytesIn
	r.FirstAt, r.LastAt = m.first, m.last
	r.ErrorKinds = copyCounts(m.errorKinds)
	r.ByEndpoint = map[string]*EndpointStats{}
	r.ByEvent = nil
	s.Histogram(HistLatency) // make sure the map exists
	s.Histograms[HistLatency] = m.latency.Clone()
	s.Histograms[HistService] = m.service.Clone()
	fillGroups(s, m.endpoints, "endpoint", r.ByEndpoint)
	if len(m.events) > 0 {
		r.ByEvent = map[string]*EndpointStats{}
		fillGroups(s, m.events, "event", r.ByEvent)
	}
	s.Timeline = m.timeline.build(m.Start)
	s.Recompute()
}

func fillGroups(s *Summary, groups map[string]*group, key string, out map[string]*EndpointStats) {
	for name, g := range groups {
		out[name] = &EndpointStats{Count: g.count, Errors: g.errors, Status: copyStatus(g.status)}
		s.Histograms[Selected(HistLatency, key, name)] = g.latency.Clone()
		s.Histograms[Selected(HistService, key, name)] = g.service.Clone()
	}
}

func copyCounts(m map[string]int64) map[string]int64 {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]int64, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func copyStatus(m map[int]int64) map[int]int64 {
	out := make(map[int]int64, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
