package scenarios

import "math"

// rng is a small, fast, seedable generator (splitmix64). Each journey gets its
// own, seeded from (seed, index), so journeys are independent of each other and
// of the order in which they are generated.
type rng struct{ s uint64 }

// mix64 is the splitmix64 finaliser: a good 64-bit hash of x.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// subSeed derives the seed of one stream (e.g. journey index) from a parent seed.
func subSeed(seed, stream uint64) uint64 {
	return mix64(seed ^ mix64(stream+0x9e3779b97f4a7c15))
}

func newRNG(seed uint64) *rng { return &rng{s: seed} }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return mix64(r.s)
}

// intn returns a uniform int in [0, n); n must be positive.
func (r *rng) intn(n int) int {
	return int((r.next() >> 32) * uint64(n) >> 32)
}

// between returns a uniform int in [lo, hi].
func (r *rng) between(lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.intn(hi-lo+1)
}

// float returns a uniform float64 in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return r.float() < p }

// norm returns a standard normal deviate (Box-Muller).
func (r *rng) norm() float64 {
	u := r.float()
	if u < 1e-300 {
		u = 1e-300
	}
	return math.Sqrt(-2*math.Log(u)) * math.Cos(2*math.Pi*r.float())
}

// exp returns an exponential deviate of mean 1.
func (r *rng) exp() float64 { return -math.Log(1 - r.float()) }
