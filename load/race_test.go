//go:build race

package load

// raceEnabled: the race detector slows every request several times over.
const raceEnabled = true
