package scenarios

import (
	"time"

	"github.com/cioharness/cioharness/cio"
)

// Journey is one shopper's timeline: calls at offsets in shopper time from the
// journey's start. It is a pure function of (seed, global index).
type Journey struct {
	Index    uint64 // global position in the seed's journey sequence
	Scenario string // built-in or file scenario name
	Shopper  *Shopper
	Steps    []Step // sorted by Offset
}

// Step is one call of a journey.
type Step struct {
	// Offset is shopper time since the journey started. The engine sends the
	// step at start + Offset/time-scale and stamps Call.Timestamp with that
	// real time (the shopper's action time). Negative offsets are history:
	// sent at the start, stamped in the past.
	Offset time.Duration
	Device int      // index into Shopper.Devices
	Call   cio.Call // Timestamp is zero here; the engine fills it in
}

// Span is the shopper time from the journey's start to its last step (0 for
// a journey of history only).
func (j *Journey) Span() time.Duration {
	if len(j.Steps) == 0 {
		return 0
	}
	return max(j.Steps[len(j.Steps)-1].Offset, 0)
}
