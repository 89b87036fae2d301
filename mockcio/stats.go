package mockcio

import (
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/cioharness/cioharness/cio"
)

// Endpoint labels of the mock's counters: cio's labels plus the ones the
// generator never sends.
const (
	EndpointV1Region = "v1.region"
	EndpointUnknown  = "unknown"
)

var endpointLabels = []string{
	cio.EndpointV1Identify, cio.EndpointV1Delete, cio.EndpointV1Event, cio.EndpointV1AnonEvent,
	cio.EndpointV1Merge, cio.EndpointV1Suppress, cio.EndpointV1Unsuppress, cio.EndpointV1DeviceAdd,
	cio.EndpointV1DeviceDelete, EndpointV1Region, cio.EndpointV2Entity, cio.EndpointV2Batch,
	cio.EndpointPipelines + "identify", cio.EndpointPipelines + "track", cio.EndpointPipelines + "page",
	cio.EndpointPipelines + "screen", cio.EndpointPipelines + "alias", cio.EndpointPipelines + "group",
	cio.EndpointPipelinesBatch, EndpointUnknown,
}

var endpointIndex = func() map[string]int {
	m := make(map[string]int, len(endpointLabels))
	for i, l := range endpointLabels {
		m[l] = i
	}
	return m
}()

const maxStatus = 600

// counters are the request counts; they survive journal eviction.
type counters struct {
	status  [][maxStatus]atomic.Int64 // endpoint × status
	invalid []atomic.Int64            // per endpoint: calls not processed (permissive Pipelines, ignored items)
	mu      sync.Mutex
	faulted map[[2]string]int64 // endpoint, fault → count
}

func newCounters() *counters {
	return &counters{
		status:  make([][maxStatus]atomic.Int64, len(endpointLabels)),
		invalid: make([]atomic.Int64, len(endpointLabels)),
		faulted: map[[2]string]int64{},
	}
}

func (c *counters) count(ep, status int, fault string) {
	if status < 0 || status >= maxStatus {
		status = 0
	}
	c.status[ep][status].Add(1)
	if fault != "" {
		c.mu.Lock()
		c.faulted[[2]string{endpointLabels[ep], fault}]++
		c.mu.Unlock()
	}
}

func (c *counters) reset() {
	for i := range c.status {
		for j := range c.status[i] {
			c.status[i][j].Store(0)
		}
		c.invalid[i].Store(0)
	}
	c.mu.Lock()
	c.faulted = map[[2]string]int64{}
	c.mu.Unlock()
}

// StatsView is GET /__mock/stats.
type StatsView struct {
	// Requests counts requests by endpoint label and status code.
	Requests map[string]map[string]int64 `json:"requests"`
	// Faulted counts requests that got an injected fault, by endpoint and fault.
	Faulted map[string]map[string]int64 `json:"faulted"`
	// Invalid counts calls answered 200 but not processed (permissive
	// Pipelines validation failures), by endpoint.
	Invalid         map[string]int64 `json:"invalid"`
	TotalRequests   int64            `json:"total_requests"`
	People          int64            `json:"people"`
	Events          int64            `json:"events"`
	AnonymousEvents int64            `json:"anonymous_events"`
	Duplicates      int64            `json:"duplicates"` // events dropped by id / messageId
	Ignored         int64            `json:"ignored"`    // commands that changed nothing (suppressed, conflicts, unknown)
	PendingTimers   int              `json:"pending_timers"`
	// Retention holds the campaign and contract counters (messages sent and
	// exited, violations), when the retention engine keeps them.
	Retention *RetentionStats `json:"retention,omitempty"`
}

func (c *counters) view() StatsView {
	v := StatsView{Requests: map[string]map[string]int64{}, Faulted: map[string]map[string]int64{}, Invalid: map[string]int64{}}
	for i, ep := range endpointLabels {
		for st := range c.status[i] {
			if n := c.status[i][st].Load(); n > 0 {
				if v.Requests[ep] == nil {
					v.Requests[ep] = map[string]int64{}
				}
				v.Requests[ep][strconv.Itoa(st)] = n
				v.TotalRequests += n
			}
		}
		if n := c.invalid[i].Load(); n > 0 {
			v.Invalid[ep] = n
		}
	}
	c.mu.Lock()
	for k, n := range c.faulted {
		if v.Faulted[k[0]] == nil {
			v.Faulted[k[0]] = map[string]int64{}
		}
		v.Faulted[k[0]][k[1]] = n
	}
	c.mu.Unlock()
	return v
}
