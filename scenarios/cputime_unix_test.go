//go:build unix

package scenarios

import (
	"syscall"
	"time"
)

// cpuTime is the process's user+system CPU time: benchmarks report calls per
// CPU second too, which other load on a shared machine does not distort.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
