package mockcio

import (
	"encoding/json"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// BenchmarkCampaignJourneys enters people into the built-in cart campaign
// through EventLanded (trigger checks, content capture, timer) and resolves
// their journeys at the due time, with 100,000 other journeys pending.
// Reported: journeys entered and resolved per second, and the live heap per
// pending journey (measured once on the 100,000).
//
//	go test ./mockcio -run '^$' -bench CampaignJourneys -benchtime 200000x
func BenchmarkCampaignJourneys(b *testing.B) {
	const pending = 100_000
	h := &benchHost{}
	e := NewEngine(h, EngineOptions{ManualTimers: true})
	data := json.RawMessage(validCart)
	now := time.Now()
	far := now.Add(-time.Hour) // landed long ago at scale 1: due in the future, never fired here
	heap0 := heapAfterGC()
	for i := 0; i < pending; i++ {
		p := PersonRef{CioID: "pending-" + strconv.Itoa(i)}
		e.EventLanded(p, EventView{Name: "Added to Cart", Type: "event", Via: ViaDirect,
			Timestamp: far, LandedAt: now.Add(24 * time.Hour), Data: data})
	}
	perJourney := float64(heapAfterGC()-heap0) / pending
	if got := e.PendingTimers(); got != pending {
		b.Fatalf("pending: got %d, want %d", got, pending)
	}
	refs := make([]PersonRef, 4096)
	for i := range refs {
		refs[i] = PersonRef{CioID: "p-" + strconv.Itoa(i)}
	}
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	for i := 0; i < b.N; i++ {
		e.EventLanded(refs[i%len(refs)], EventView{Name: "Added to Cart", Type: "event", Via: ViaDirect,
			Timestamp: now, LandedAt: now, Data: data})
		if i%len(refs) == len(refs)-1 {
			e.RunDue(now.Add(2 * time.Hour))
		}
	}
	e.RunDue(now.Add(2 * time.Hour))
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "journeys/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N)/1e3, "cpu-µs/journey")
	b.ReportMetric(perJourney, "B/pending-journey")
	if got := e.PendingTimers(); got != pending {
		b.Fatalf("pending after: got %d, want %d", got, pending)
	}
	runtime.KeepAlive(e)
}

// benchHost is a Host with no people at scale 1.
type benchHost struct{}

func (benchHost) Now() time.Time                      { return time.Now() }
func (benchHost) TimeScale() float64                  { return 1 }
func (benchHost) Person(string) (PersonView, bool)    { return PersonView{Email: "x@y.z"}, true }
func (benchHost) EachPerson(func(p *PersonView) bool) {}
