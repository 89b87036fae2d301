package scenarios

import (
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"time"

	"github.com/cioharness/cioharness/cio"
)

// SampleEpoch is the fixed start time used when none is given: sample output
// and golden files are stamped from it.
var SampleEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// DefaultTimeScale is shopper seconds per real second (SPEC §5).
const DefaultTimeScale = 60

// Options configure a Generator.
type Options struct {
	Seed  int64
	RunID string // prefixes external ids; "" means DefaultRunID(Seed)
	// Epoch and TimeScale place date attributes (first_order_date,
	// last_order_date) in real time: an action at offset o is dated
	// Epoch + o/TimeScale, as if its journey started at Epoch. Zero values
	// mean SampleEpoch and DefaultTimeScale. Event timestamps are not
	// affected: the engine stamps those.
	Epoch     time.Time
	TimeScale float64
}

// Generator turns (seed, index) into journeys. It is safe for concurrent use.
type Generator struct {
	mix    *Mix
	cum    []float64 // cumulative weights
	seed   uint64
	runID  string
	runTag uint64 // hash of the run id, mixed into anonymous ids
	epoch  time.Time
	scale  float64
	data   *data
}

// DefaultRunID is the run id for a seed when none is given: deterministic, so
// the same seed addresses the same people.
func DefaultRunID(seed int64) string {
	h := mix64(uint64(seed) ^ 0x636f6861726e6573)
	return "r" + strconv.FormatUint(h%(36*36*36*36*36*36), 36)
}

// NewGenerator builds the catalog and name pools for opts.Seed and returns a
// generator of mix's journeys.
func NewGenerator(mix *Mix, opts Options) (*Generator, error) {
	if mix == nil {
		return nil, errors.New("scenarios: nil mix")
	}
	if err := mix.Validate(); err != nil {
		return nil, fmt.Errorf("scenarios: %w", err)
	}
	if opts.TimeScale < 0 {
		return nil, fmt.Errorf("scenarios: time scale %v must be positive", opts.TimeScale)
	}
	g := &Generator{mix: mix, seed: uint64(opts.Seed), runID: opts.RunID, epoch: opts.Epoch, scale: opts.TimeScale}
	if g.runID == "" {
		g.runID = DefaultRunID(opts.Seed)
	}
	if !validRunID(g.runID) {
		return nil, fmt.Errorf("scenarios: run id %q: want 1 to 100 letters, digits, '.', '_' or '-'", g.runID)
	}
	if g.epoch.IsZero() {
		g.epoch = SampleEpoch
	}
	if g.scale == 0 {
		g.scale = DefaultTimeScale
	}
	h := fnv.New64a()
	h.Write([]byte(g.runID))
	g.runTag = h.Sum64()
	sum := 0.0
	for _, e := range mix.Entries {
		sum += e.Weight
		g.cum = append(g.cum, sum)
	}
	for i := range g.cum {
		g.cum[i] /= sum
	}
	g.data = newData(opts.Seed)
	return g, nil
}

// validRunID: the run id goes into external ids and email local parts.
func validRunID(s string) bool {
	if len(s) == 0 || len(s) > 100 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// RunID returns the run id that prefixes external ids.
func (g *Generator) RunID() string { return g.runID }

// Mix returns the generator's mix.
func (g *Generator) Mix() *Mix { return g.mix }

// Journey returns journey index of the seed's sequence: a pure function of
// (seed, run id, index). Shard i of n runs the indexes j with j%n == i-1.
func (g *Generator) Journey(index uint64) *Journey {
	r := rng{s: subSeed(g.seed, index)}
	u := r.float()
	k := 0
	for k < len(g.cum)-1 && u >= g.cum[k] {
		k++
	}
	sc := g.mix.Entries[k].Scenario
	s := &gen{g: g, r: &r, sc: sc}
	s.j = &Journey{Index: index, Scenario: sc.Name, Shopper: g.shopper(&r, index, sc)}
	s.start()
	s.run(sc.steps)
	s.finish()
	sortSteps(s.j.Steps)
	g.assignIDs(&r, s.j.Steps)
	return s.j
}

// assignIDs gives every call a ULID of its nominal time and seeded entropy,
// all cut from one string (one allocation per journey).
func (g *Generator) assignIDs(r *rng, steps []Step) {
	buf := make([]byte, 0, 26*len(steps))
	for i := range steps {
		t := g.epoch.Add(time.Duration(float64(steps[i].Offset) / g.scale))
		buf = cio.MakeULID(t, uint16(r.next()), r.next()).AppendTo(buf)
	}
	all := string(buf)
	for i := range steps {
		steps[i].Call.ID = all[26*i : 26*i+26]
	}
}

// sortSteps sorts by offset, stably (insertion sort: journeys are short and
// nearly sorted).
func sortSteps(st []Step) {
	for i := 1; i < len(st); i++ {
		for k := i; k > 0 && st[k].Offset < st[k-1].Offset; k-- {
			st[k], st[k-1] = st[k-1], st[k]
		}
	}
}

func (g *Generator) shopper(r *rng, index uint64, sc *Scenario) *Shopper {
	d := g.data
	fi, li := r.intn(len(d.firstNames)), r.intn(len(d.lastNames))
	ext := g.runID + "-" + strconv.FormatUint(index, 10)
	b := make([]byte, 0, 96)
	b = append(append(append(b, d.firstSlugs[fi]...), '.'), d.lastSlugs[li]...)
	b = append(append(append(append(b, '+'), ext...), '@'), emailDomains[r.intn(len(emailDomains))]...)
	sh := &Shopper{
		ExternalID:   ext,
		Email:        string(b),
		Phone:        phone(r.intn(10000000)),
		FirstName:    d.firstNames[fi],
		LastName:     d.lastNames[li],
		EmailConsent: r.chance(0.7),
		SMSConsent:   r.chance(0.35),
		Devices:      make([]Device, len(sc.Devices)),
	}
	for i, dv := range sc.Devices {
		sh.Devices[i] = Device{Kind: dv.Kind, AnonymousID: uuid(r.next()^g.runTag, r.next())}
	}
	return sh
}

// phone is a fictional +1 555 number.
func phone(n int) string {
	b := []byte("+15550000000")
	for i := len(b) - 1; n > 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b)
}

// uuid formats 128 bits as a version-4 UUID, the form analytics SDKs use for
// anonymous ids.
func uuid(hi, lo uint64) string {
	const hex = "0123456789abcdef"
	hi = hi&^(0xf<<12) | 4<<12
	lo = lo&^(3<<62) | 2<<62
	var b [36]byte
	pos := 0
	for i := 0; i < 32; i++ {
		if i == 8 || i == 12 || i == 16 || i == 20 {
			b[pos] = '-'
			pos++
		}
		var nib uint64
		if i < 16 {
			nib = hi >> (60 - 4*i) & 0xf
		} else {
			nib = lo >> (60 - 4*(i-16)) & 0xf
		}
		b[pos] = hex[nib]
		pos++
	}
	return string(b[:])
}

// date is an action's date attribute in unix seconds (see Options).
func (g *Generator) date(off time.Duration) int64 {
	return g.epoch.Add(time.Duration(float64(off) / g.scale)).Unix()
}
