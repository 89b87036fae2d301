package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Shard names the part of a run's journey sequence a results file covers:
// "2/3" is shard 2 of 3; a merge of shards 1 and 3 of 3 is "1,3/3".
type Shard struct {
	Index []int // 1-based, sorted
	Count int
}

// ParseShard parses "i/n" or "i,j,…/n".
func ParseShard(s string) (Shard, error) {
	is, ns, ok := strings.Cut(s, "/")
	if !ok {
		return Shard{}, fmt.Errorf("shard %q: want i/n", s)
	}
	n, err := strconv.Atoi(ns)
	if err != nil || n < 1 {
		return Shard{}, fmt.Errorf("shard %q: bad count", s)
	}
	var sh Shard
	sh.Count = n
	for _, p := range strings.Split(is, ",") {
		i, err := strconv.Atoi(p)
		if err != nil || i < 1 || i > n {
			return Shard{}, fmt.Errorf("shard %q: index must be 1..%d", s, n)
		}
		if slices.Contains(sh.Index, i) {
			return Shard{}, fmt.Errorf("shard %q: index %d twice", s, i)
		}
		sh.Index = append(sh.Index, i)
	}
	slices.Sort(sh.Index)
	return sh, nil
}

// String formats the shard as ParseShard reads it.
func (sh Shard) String() string {
	if sh.Count == 0 {
		return "1/1"
	}
	parts := make([]string, len(sh.Index))
	for i, v := range sh.Index {
		parts[i] = strconv.Itoa(v)
	}
	return strings.Join(parts, ",") + "/" + strconv.Itoa(sh.Count)
}

// Complete reports whether every shard of the run is covered.
func (sh Shard) Complete() bool { return sh.Count == 0 || len(sh.Index) == sh.Count }

// MarshalText implements encoding.TextMarshaler.
func (sh Shard) MarshalText() ([]byte, error) { return []byte(sh.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (sh *Shard) UnmarshalText(b []byte) error {
	v, err := ParseShard(string(b))
	if err != nil {
		return err
	}
	*sh = v
	return nil
}

// RunID derives a run id from the seed and the settings that define the run
// (scenarios, api, rate profile, duration, shard count …), so that every shard
// process of one run computes the same id without talking to the others, and
// Merge can tell shards of one run from different runs.
func RunID(seed int64, settings ...string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%d", seed)
	for _, s := range settings {
		fmt.Fprintf(h, "\x00%s", s)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}
