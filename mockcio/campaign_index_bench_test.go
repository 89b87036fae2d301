package mockcio

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/cioharness/cioharness/cio"
)

// newMessagesMock returns a mock holding n identified people with one sent
// cart message each (filed through the engine's message index, as fire does).
func newMessagesMock(b *testing.B, n int) *Server {
	s, err := NewHandler(Options{JournalSize: 16})
	if err != nil {
		b.Fatal(err)
	}
	auth := cio.TestCredentials.TrackAuthorization()
	for i := range n {
		req, err := cio.Encode(cio.APITrack, &cio.Call{Kind: cio.KindIdentify, UserID: fmt.Sprintf("user-%d", i)})
		if err != nil {
			b.Fatal(err)
		}
		serveOne(b, s, req, auth)
	}
	e, ok := s.retention.(*Engine)
	if !ok {
		b.Fatalf("retention is %T, want *Engine", s.retention)
	}
	camp := e.state.Load().byTrigger["Added to Cart"][0]
	now := time.Now()
	s.store.eachPerson(func(p *PersonView) bool {
		idx, sh := e.shardOf(p.CioID)
		sh.mu.Lock()
		sh.addMessage(MessageView{Campaign: camp.Name, Person: p.CioID, TriggeredAt: now, DueAt: now, Outcome: "sent"})
		sh.seq++ // and a pending journey, without a timer
		sh.add(&journey{key: sh.seq<<6 | uint64(idx), camp: camp, person: p.CioID,
			triggeredAt: now, dueAt: now.Add(time.Hour)})
		sh.mu.Unlock()
		return true
	})
	return s
}

// attachAll looks up every person's messages (the attaching alone).
func attachAll(b *testing.B, s *Server, ids []string) time.Duration {
	start := time.Now()
	for _, id := range ids {
		if ms := s.personMessages(id); len(ms) != 2 {
			b.Fatalf("person %s: messages %+v, want two", id, ms)
		}
	}
	return time.Since(start)
}

// readAll reads every person with their messages, through EachPerson or
// through full people pages of MaxPageSize, and checks each has their two
// messages.
func readAll(b *testing.B, s *Server, paged bool, n int) time.Duration {
	start := time.Now()
	seen := 0
	check := func(p *PersonView) {
		if len(p.Messages) != 2 || p.Messages[0].Person != p.CioID || p.Messages[1].Person != p.CioID {
			b.Fatalf("person %s: messages %+v, want two of theirs", p.CioID, p.Messages)
		}
		seen++
	}
	if paged {
		for pr := (PageRequest{Full: true, Limit: MaxPageSize}); ; {
			page, err := s.People(context.Background(), pr)
			if err != nil {
				b.Fatal(err)
			}
			for i := range page.People {
				check(&page.People[i])
			}
			if pr.After = page.Next; pr.After == "" {
				break
			}
		}
	} else {
		s.EachPerson(func(p *PersonView) bool { check(p); return true })
	}
	if seen != n {
		b.Fatalf("read %d people, want %d", seen, n)
	}
	return time.Since(start)
}

// BenchmarkPeopleWithMessages reads every person with their campaign
// messages at 10,000 and at 40,000 people (each with one sent message and
// one pending journey), in the same run, and reports the time per person at
// each size and their ratio (x-per-person-40k: about 1 when attaching is
// linear, about 4 when it scans a shard's messages per person). attach looks
// up the messages alone; each_person and full_pages are the whole reads
// (their store part grows a little faster than linear: each_person sorts
// everyone, each page scans the people after its cursor).
// Setup is done once.
//
//	go test ./mockcio -run '^$' -bench PeopleWithMessages -benchtime 3x
func BenchmarkPeopleWithMessages(b *testing.B) {
	const small, large = 10_000, 40_000
	ms, ml := newMessagesMock(b, small), newMessagesMock(b, large)
	ids := func(s *Server) (out []string) {
		s.store.eachPerson(func(p *PersonView) bool { out = append(out, p.CioID); return true })
		return out
	}
	idsS, idsL := ids(ms), ids(ml)
	for _, path := range []struct {
		name string
		read func(s *Server, ids []string) time.Duration
	}{
		{"attach", func(s *Server, ids []string) time.Duration { return attachAll(b, s, ids) }},
		{"each_person", func(s *Server, ids []string) time.Duration { return readAll(b, s, false, len(ids)) }},
		{"full_pages", func(s *Server, ids []string) time.Duration { return readAll(b, s, true, len(ids)) }},
	} {
		b.Run(path.name, func(b *testing.B) {
			var ts, tl time.Duration
			for range b.N {
				runtime.GC() // each read starts from the same heap state
				ts += path.read(ms, idsS)
				runtime.GC()
				tl += path.read(ml, idsL)
			}
			perS := float64(ts.Nanoseconds()) / float64(b.N*small)
			perL := float64(tl.Nanoseconds()) / float64(b.N*large)
			b.ReportMetric(perS, "ns/person-10k")
			b.ReportMetric(perL, "ns/person-40k")
			b.ReportMetric(perL/perS, "x-per-person-40k")
		})
	}
}
