package verify

import (
	"fmt"
	"testing"
)

// TestCleanTrafficPasses sends generated d2c traffic to the mock unchanged and
// expects every check to pass with zero failures.
func TestCleanTrafficPasses(t *testing.T) {
	t.Parallel()
	for _, seed := range []int64{1, 2, 3, 4, 5} {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			t.Parallel()
			sum := runTraffic(t, seed, 60, nil).verifyHTTP(t)
			for _, c := range sum.Checks {
				if !c.Passed || c.Failed != 0 {
					t.Errorf("%s: passed=%v failed=%d note=%q examples=%+v", c.Name, c.Passed, c.Failed, c.Note, c.Examples)
				}
			}
			if got, want := len(sum.Checks), 20; got < want {
				t.Errorf("got %d checks, want at least %d", got, want)
			}
		})
	}
}
