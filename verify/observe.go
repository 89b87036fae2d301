package verify

import (
	"context"
	"encoding/json"
	"fmt"
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
	errs := make([]error, 2)
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

func (o *Observation) readPeople(ctx context.Context, ins mockcio.Inspector, pageSize int) error {
	after := ""
	for {
		page, err := ins.People(ctx, mockcio.PageRequest{Limit: pageSize, After: after, Full: true})
		if err != nil {
			return fmt.Errorf("verify: read people: %w", err)
		}
		o.People = append(o.People, page.People...)
		if page.Next == "" || len(page.People) == 0 {
			return nil
		}
		after = page.Next
	}
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
}

// readSegmentMembers re-reads the named truth segments with their members
// (the evidence of a failed segments.truth).
func (o *Observation) readSegmentMembers(ctx context.Context, ins mockcio.Inspector, names map[string]bool, now func() time.Time) error {
	for i := range o.Segments {
		s := &o.Segments[i]
		if !names[s.Name] {
			continue
		}
		from := now()
		v, ok, err := ins.Segment(ctx, s.Name, true)
		if err != nil {
			return fmt.Errorf("verify: read segment %s: %w", s.Name, err)
		}
		if ok {
			*s = SegmentRead{SegmentView: v, From: from, To: now()}
		}
	}
	return nil
}
