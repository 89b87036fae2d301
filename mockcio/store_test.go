package mockcio

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cioharness/cioharness/cio"
)

// TestConcurrentCommandsKeepInvariants runs identifies, events, anonymous
// merges, merges and deletes on overlapping people from many goroutines
// (run it with -race) and checks the store's counts against its contents.
func TestConcurrentCommandsKeepInvariants(t *testing.T) {
	m := newTMock(t, Options{TimeScale: 1})
	const workers, people = 8, 40
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 60 {
				u := (w*7 + i) % people
				id, email, anon := fmt.Sprintf("u%d", u), fmt.Sprintf("e%d%%40x.com", u), fmt.Sprintf("a%d", u)
				switch i % 6 {
				case 0:
					m.call("PUT", "/api/v1/customers/"+id, `{"email":"`+strings.ReplaceAll(email, "%40", "@")+`","anonymous_id":"`+anon+`"}`)
				case 1:
					m.call("POST", "/api/v1/customers/"+email+"/events", fmt.Sprintf(`{"name":"E","id":"%d-%d"}`, u, i%4))
				case 2:
					m.call("POST", "/v1/track", fmt.Sprintf(`{"anonymousId":"%s","event":"A","messageId":"m%d"}`, anon, i))
				case 3:
					m.call("POST", "/api/v1/merge_customers", fmt.Sprintf(`{"primary":{"id":"%s"},"secondary":{"id":"u%d"}}`, id, (u+1)%people))
				case 4:
					m.call("POST", "/api/v1/customers/"+id+"/events", `{"name":"D"}`)
				case 5:
					if u%5 == 0 {
						m.call("DELETE", "/api/v1/customers/"+id, "")
					}
				}
			}
		}()
	}
	wg.Wait()
	var persons, events int64
	seenKeys := map[string]string{}
	m.s.EachPerson(func(p *PersonView) bool {
		persons++
		events += int64(len(p.Events))
		ids := map[string]bool{}
		for _, e := range p.Events {
			if e.ID != "" && ids[e.ID] {
				t.Errorf("person %s holds event id %s twice", p.CioID, e.ID)
			}
			ids[e.ID] = true
		}
		for _, k := range []string{"id:" + p.ID, "email:" + strings.ToLower(p.Email)} {
			if k == "id:" || k == "email:" {
				continue
			}
			if other, dup := seenKeys[k]; dup {
				t.Errorf("%s names two people: %s and %s", k, other, p.CioID)
			}
			seenKeys[k] = p.CioID
			if got := m.person(strings.TrimPrefix(strings.TrimPrefix(k, "id:"), "email:")); got.CioID != p.CioID {
				t.Errorf("%s resolves to %s, want %s", k, got.CioID, p.CioID)
			}
		}
		return true
	})
	st := m.stats()
	if st.People != persons || st.Events != events {
		t.Fatalf("stats people=%d events=%d, contents people=%d events=%d", st.People, st.Events, persons, events)
	}
}

// TestHeapPerStoredEvent measures the heap a stored event costs beyond its
// data bytes (goal: under 400 B), and logs the cost of a person.
func TestHeapPerStoredEvent(t *testing.T) {
	if testing.Short() {
		t.Skip("memory measurement skipped in -short")
	}
	const nPeople, perPerson = 1000, 60
	s, err := NewHandler(Options{Retention: NopRetention{}})
	if err != nil {
		t.Fatal(err)
	}
	before := heapInUse()
	for i := range nPeople {
		s.exec(&command{kind: cmdIdentify, who: cio.Identifier{Type: cio.IDID, Value: fmt.Sprintf("user-%06d", i)},
			bodyEmail: fmt.Sprintf("user-%06d@example.com", i),
			attrs:     []attrKV{{"plan", []byte(`"gold"`)}, {"orders_count", []byte("3")}}})
	}
	afterPeople := heapInUse()
	data := []byte(`{"sku":"SKU-1","price":19.99}`)
	start := time.Now()
	for i := range nPeople * perPerson {
		s.exec(&command{kind: cmdTrack, who: cio.Identifier{Type: cio.IDID, Value: fmt.Sprintf("user-%06d", i%nPeople)},
			event: eventIn{name: "Viewed Product", id: cio.MakeULID(start, 1, uint64(i)).String(), ts: start.UnixNano(), data: data, api: apiTrack}})
	}
	afterEvents := heapInUse()
	n := nPeople * perPerson
	perEvent := (float64(afterEvents) - float64(afterPeople) - float64(n*len(data))) / float64(n)
	perPersonB := (float64(afterPeople) - float64(before)) / nPeople
	t.Logf("heap per stored event (beyond %d data bytes): %.0f B; per person (2 attributes): %.0f B", len(data), perEvent, perPersonB)
	if st, _ := s.Stats(t.Context()); st.Events != int64(n) {
		t.Fatalf("stored %d events, want %d", st.Events, n)
	}
	if perEvent >= 400 {
		t.Fatalf("heap per event %.0f B, goal < 400 B", perEvent)
	}
	runtime.KeepAlive(s)
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
