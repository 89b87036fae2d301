package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/cioharness/cioharness/mockcio"
)

// Observation is what the mock holds at verification time, read through the
// inspection API.
type Observation struct {
	People     []mockcio.PersonView
	Anonymous  map[string]*mockcio.AnonymousView // by anonymous id, those looked up
	Messages   []mockcio.MessageView
	Segments   []SegmentRead
	Violations []mockcio.ViolationView
	Stats      mockcio.StatsView
	Config     Config
	ReadAt     time.Time // real time the mock's messages were read

	anonListed bool // Anonymous holds every anonymous id with events
}

// listAnonymous reads every anonymous id holding events, page by page.
func (o *Observation) listAnonymous(ctx context.Context, l mockcio.AnonymousLister, pageSize int) error {
	after := ""
	for {
		page, err := l.AnonymousList(ctx, mockcio.PageRequest{Limit: pageSize, After: after})
		if err != nil {
			return fmt.Errorf("verify: list anonymous ids: %w", err)
		}
		for i := range page.Anonymous {
			o.Anonymous[page.Anonymous[i].AnonymousID] = &page.Anonymous[i]
		}
		if page.Next == "" || len(page.Anonymous) == 0 {
			return nil
		}
		after = page.Next
	}
}

// Config is the mock's retention configuration, decoded.
type Config struct {
	TimeScale float64
	Campaigns []mockcio.Campaign
	Segments  []mockcio.Segment
	Plan      *mockcio.Plan
}

// decodeConfig decodes GET /__mock/config.
func decodeConfig(v mockcio.ConfigView) (Config, error) {
	c := Config{TimeScale: v.TimeScale}
	for _, f := range []struct {
		name string
		raw  json.RawMessage
		dst  any
	}{{"campaigns", v.Campaigns, &c.Campaigns}, {"segments", v.Segments, &c.Segments}, {"contract", v.Contract, &c.Plan}} {
		if len(f.raw) == 0 || string(f.raw) == "null" {
			continue
		}
		if err := json.Unmarshal(f.raw, f.dst); err != nil {
			return c, fmt.Errorf("verify: mock config %s: %w", f.name, err)
		}
	}
	return c, nil
}

// observe reads everything but the anonymous ids: people page by page (full
// views, large pages), and the messages, segments, violations, stats and
// configuration concurrently with the paging.
func observe(ctx context.Context, ins mockcio.Inspector, pageSize int, now func() time.Time) (*Observation, error) {
	o := &Observation{Anonymous: map[string]*mockcio.AnonymousView{}}
	var wg sync.WaitGroup
	errs := make([]error, 3)
	if l, ok := ins.(mockcio.AnonymousLister); ok {
		o.anonListed = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[2] = o.listAnonymous(ctx, l, pageSize)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		errs[0] = o.readPeople(ctx, ins, pageSize)
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		errs[1] = o.readRest(ctx, ins, now)
	}()
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return o, nil
}

// readPeople reads every person. The mock's cio_ids are 12-digit hex
// counters: when the first page shows them, ranges of pageSize ids are read
// in parallel, one request each (a page after id lo holds every id up to
// lo+pageSize), so that the mock encodes one range while another decodes.
// Other ids are paged through in order.
func (o *Observation) readPeople(ctx context.Context, ins mockcio.Inspector, pageSize int) error {
	first, err := ins.People(ctx, mockcio.PageRequest{Limit: pageSize, Full: true, NoMessages: true})
	if err != nil {
		return fmt.Errorf("verify: read people: %w", err)
	}
	o.People = first.People
	if first.Next == "" {
		return nil
	}
	lo, ok := hexID(first.Next)
	if !ok {
		return o.pageFrom(ctx, ins, pageSize, first.Next)
	}
	chunks, err := readChunks(ctx, ins, lo, uint64(pageSize), 4)
	for _, c := range chunks {
		o.People = append(o.People, c...)
	}
	return err
}

// pageFrom pages through the people after cursor after, in order.
func (o *Observation) pageFrom(ctx context.Context, ins mockcio.Inspector, pageSize int, after string) error {
	for after != "" {
		page, err := ins.People(ctx, mockcio.PageRequest{Limit: pageSize, After: after, Full: true, NoMessages: true})
		if err != nil {
			return fmt.Errorf("verify: read people: %w", err)
		}
		o.People = append(o.People, page.People...)
		after = page.Next
	}
	return nil
}

// hexID parses a 12-digit hex cio_id.
func hexID(s string) (uint64, bool) {
	if len(s) != 12 {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 16, 64)
	return n, err == nil
}

// readChunks reads the people with ids in (lo+k*size, lo+(k+1)*size] for
// k = 0, 1, … with workers goroutines until a range past the end comes back
// empty; the ranges are returned in order.
func readChunks(ctx context.Context, ins mockcio.Inspector, lo, size uint64, workers int) ([][]mockcio.PersonView, error) {
	var mu sync.Mutex
	var chunks [][]mockcio.PersonView
	var first error
	next, end := uint64(0), uint64(math.MaxUint64)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				k := next
				next++
				stop := k > end || first != nil
				mu.Unlock()
				if stop {
					return
				}
				from := lo + k*size
				page, err := ins.People(ctx, mockcio.PageRequest{Limit: int(size), After: fmt.Sprintf("%012x", from), Full: true, NoMessages: true})
				keep := page.People[:0]
				for _, p := range page.People {
					if id, ok := hexID(p.CioID); ok && id <= from+size {
						keep = append(keep, p)
					}
				}
				mu.Lock()
				switch {
				case err != nil:
					first = fmt.Errorf("verify: read people: %w", err)
				case page.Next == "" && len(keep) == len(page.People):
					end = min(end, k) // nothing after this range
				}
				for uint64(len(chunks)) <= k {
					chunks = append(chunks, nil)
				}
				chunks[k] = keep
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return chunks, first
}

func (o *Observation) readRest(ctx context.Context, ins mockcio.Inspector, now func() time.Time) error {
	cv, err := ins.Config(ctx)
	if err != nil {
		return fmt.Errorf("verify: read config: %w", err)
	}
	if o.Config, err = decodeConfig(cv); err != nil {
		return err
	}
	o.ReadAt = now()
	if o.Messages, err = ins.Messages(ctx, "", ""); err != nil {
		return fmt.Errorf("verify: read messages: %w", err)
	}
	from := now()
	segs, err := ins.Segments(ctx)
	if err != nil {
		return fmt.Errorf("verify: read segments: %w", err)
	}
	to := now()
	for _, s := range segs {
		o.Segments = append(o.Segments, SegmentRead{SegmentView: s, From: from, To: to})
	}
	if o.Violations, err = ins.Violations(ctx); err != nil {
		return fmt.Errorf("verify: read violations: %w", err)
	}
	if o.Stats, err = ins.Stats(ctx); err != nil {
		return fmt.Errorf("verify: read stats: %w", err)
	}
	return nil
}

// readAnonymous looks the anonymous ids up with workers goroutines and keeps
// those the mock knows.
func (o *Observation) readAnonymous(ctx context.Context, ins mockcio.Inspector, ids []string, workers int) error {
	if len(ids) == 0 {
		return nil
	}
	ch := make(chan string)
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for range min(workers, len(ids)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range ch {
				v, ok, err := ins.Anonymous(ctx, id)
				mu.Lock()
				if err != nil && first == nil {
					first = fmt.Errorf("verify: read anonymous id %s: %w", id, err)
				}
				if ok {
					o.Anonymous[id] = &v
				}
				mu.Unlock()
			}
		}()
	}
	for _, id := range ids {
		ch <- id
	}
	close(ch)
	wg.Wait()
	return first
}

// SegmentRead is one truth segment with its members, and the real times just
// before and just after the mock evaluated it.
type SegmentRead struct {
	mockcio.SegmentView
	From, To time.Time
	// Listed: Members were read (an empty list may arrive as nil).
	Listed bool
}

// readSegmentMembers re-reads the named truth segments (every one when names
// is nil) with their members. Each read is a pass of the mock over every
// person, where the counts of all segments take one pass together.
func (o *Observation) readSegmentMembers(ctx context.Context, ins mockcio.Inspector, names map[string]bool, now func() time.Time) error {
	for i := range o.Segments {
		s := &o.Segments[i]
		if names != nil && !names[s.Name] {
			continue
		}
		from := now()
		v, ok, err := ins.Segment(ctx, s.Name, true)
		if err != nil {
			return fmt.Errorf("verify: read segment %s: %w", s.Name, err)
		}
		if ok {
			*s = SegmentRead{SegmentView: v, From: from, To: now(), Listed: true}
		}
	}
	return nil
}
