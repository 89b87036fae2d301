//go:build linux

package load

import (
	"syscall"
	"time"
)

// preciseSleep blocks the calling thread in nanosleep, which on Linux wakes
// within tens of microseconds, unlike a runtime timer.
func preciseSleep(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	_ = syscall.Nanosleep(&ts, nil)
}
