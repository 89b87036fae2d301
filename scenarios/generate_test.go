package scenarios

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cioharness/cioharness/cio"
)

var update = flag.Bool("update", false, "rewrite golden files")

func mustGenerator(t testing.TB, specs []string, seed int64) *Generator {
	t.Helper()
	mix, err := LoadMix(specs)
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGenerator(mix, Options{Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func journeysJSON(t testing.TB, g *Generator, idx []uint64) []byte {
	t.Helper()
	js := make([]*Journey, 0, len(idx))
	for _, i := range idx {
		js = append(js, g.Journey(i))
	}
	b, err := json.MarshalIndent(js, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

func ledgerJSON(t testing.TB, g *Generator, idx []uint64) []byte {
	t.Helper()
	l := NewLedger()
	for _, i := range idx {
		l.Add(g.Journey(i), SampleEpoch.Add(time.Duration(i)*time.Second), DefaultTimeScale)
	}
	var buf bytes.Buffer
	if err := l.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func upTo(n uint64) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = uint64(i)
	}
	return out
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./scenarios -run Golden -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (same seed must give the same bytes; -update if the change is intended)", path)
	}
}

func TestGoldenJourneysAndLedger(t *testing.T) {
	g := mustGenerator(t, nil, 7)
	golden(t, "journeys-d2c-seed7.json", journeysJSON(t, g, upTo(16)))
	golden(t, "ledger-d2c-seed7.json", ledgerJSON(t, g, upTo(16)))
}

func TestSameSeedSameBytes(t *testing.T) {
	a, b := mustGenerator(t, nil, 42), mustGenerator(t, nil, 42)
	if !bytes.Equal(journeysJSON(t, a, upTo(50)), journeysJSON(t, b, upTo(50))) {
		t.Error("two generators with one seed gave different journeys")
	}
	if !bytes.Equal(ledgerJSON(t, a, upTo(50)), ledgerJSON(t, b, upTo(50))) {
		t.Error("two generators with one seed gave different ledgers")
	}
	c := mustGenerator(t, nil, 43)
	if bytes.Equal(journeysJSON(t, a, upTo(5)), journeysJSON(t, c, upTo(5))) {
		t.Error("seeds 42 and 43 gave the same journeys")
	}
}

func TestShardsPartitionTheSequence(t *testing.T) {
	const total, n = 60, 3
	g := mustGenerator(t, nil, 9)
	whole := NewLedger()
	for i := uint64(0); i < total; i++ {
		whole.Add(g.Journey(i), SampleEpoch, DefaultTimeScale)
	}
	merged := NewLedger()
	seen := map[uint64]int{}
	for shard := 1; shard <= n; shard++ {
		gs := mustGenerator(t, nil, 9) // each shard is its own process
		part := NewLedger()
		for j := uint64(0); j < total; j++ {
			if j%n == uint64(shard-1) {
				part.Add(gs.Journey(j), SampleEpoch, DefaultTimeScale)
				seen[j]++
			}
		}
		merged.Merge(part)
	}
	for j := uint64(0); j < total; j++ {
		if seen[j] != 1 {
			t.Errorf("journey %d ran in %d shards, want exactly 1", j, seen[j])
		}
	}
	var a, b bytes.Buffer
	if err := whole.WriteJSON(&a); err != nil {
		t.Fatal(err)
	}
	if err := merged.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("shards 1/3+2/3+3/3 differ from 1/1")
	}
}

func TestJourneyConcurrentUse(t *testing.T) {
	g := mustGenerator(t, nil, 5)
	want := journeysJSON(t, g, upTo(40))
	var wg sync.WaitGroup
	got := make([][]byte, 4)
	for w := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[w] = journeysJSON(t, g, upTo(40))
		}()
	}
	wg.Wait()
	for w := range got {
		if !bytes.Equal(got[w], want) {
			t.Errorf("worker %d: journeys differ under concurrent use", w)
		}
	}
}

// BenchmarkGenerate measures journeys generated with every call encoded as a
// Pipelines request; calls/s is the figure (goal ≥ 200,000 on one core).
func BenchmarkGenerate(b *testing.B) {
	g := mustGenerator(b, nil, 1)
	calls := 0
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		j := g.Journey(uint64(i))
		for k := range j.Steps {
			c := &j.Steps[k].Call
			c.Timestamp = SampleEpoch.Add(j.Steps[k].Offset / 60)
			if _, err := cio.Encode(cio.APIPipelines, c); err != nil {
				b.Fatal(err)
			}
		}
		calls += len(j.Steps)
	}
	reportRates(b, calls, cpu)
}

// reportRates reports calls per wall-clock second and per CPU second.
func reportRates(b *testing.B, calls int, cpu0 time.Duration) {
	b.ReportMetric(float64(calls)/b.Elapsed().Seconds(), "calls/s")
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(calls)/cpu.Seconds(), "calls/cpu-s")
	}
}

// BenchmarkGenerateOnly is generation without encoding.
func BenchmarkGenerateOnly(b *testing.B) {
	g := mustGenerator(b, nil, 1)
	calls := 0
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		calls += len(g.Journey(uint64(i)).Steps)
	}
	reportRates(b, calls, cpu)
}

// BenchmarkEncodeOnly is the baseline: encoding the same calls, pre-generated.
func BenchmarkEncodeOnly(b *testing.B) {
	g := mustGenerator(b, nil, 1)
	var pool []*cio.Call
	for i := 0; i < 1000; i++ {
		j := g.Journey(uint64(i))
		for k := range j.Steps {
			pool = append(pool, &j.Steps[k].Call)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		if _, err := cio.Encode(cio.APIPipelines, pool[i%len(pool)]); err != nil {
			b.Fatal(err)
		}
	}
	reportRates(b, b.N, cpu)
}

// BenchmarkLedgerAdd measures the ledger's cost per journey (B/op is close
// to what it retains).
func BenchmarkLedgerAdd(b *testing.B) {
	g := mustGenerator(b, nil, 1)
	js := make([]*Journey, 1000)
	for i := range js {
		js[i] = g.Journey(uint64(i))
	}
	l := NewLedger()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := *js[i%len(js)]
		j.Index = uint64(i)
		l.Add(&j, SampleEpoch, DefaultTimeScale)
	}
}

func TestNewGeneratorRejectsBadOptions(t *testing.T) {
	mix, err := LoadMix(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []Options{{RunID: "a b"}, {RunID: "x@y"}, {RunID: strings.Repeat("r", 101)}, {TimeScale: -1}} {
		if _, err := NewGenerator(mix, o); err == nil {
			t.Errorf("NewGenerator(%+v) accepted", o)
		}
	}
	g, err := NewGenerator(mix, Options{Seed: 3, RunID: "ci-run_42.a"})
	if err != nil {
		t.Fatal(err)
	}
	if sh := g.Journey(5).Shopper; sh.ExternalID != "ci-run_42.a-5" || !strings.Contains(sh.Email, "+ci-run_42.a-5@") {
		t.Errorf("shopper ids %q %q do not carry the run id", sh.ExternalID, sh.Email)
	}
	if DefaultRunID(1) != DefaultRunID(1) || DefaultRunID(1) == DefaultRunID(2) || !validRunID(DefaultRunID(7)) {
		t.Error("DefaultRunID is not a deterministic, seed-specific, valid run id")
	}
}
