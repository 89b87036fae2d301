package mockcio

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Inspector reads and drives a mock: *Server does it in process, *Client over
// HTTP (GET /__mock/...), with the same views, so verify/ and run work the
// same way against an embedded mock and a separate `cioharness mock`.
type Inspector interface {
	// Person returns the person an identifier (id, email, cio_<id>) names;
	// ok=false when there is none.
	Person(ctx context.Context, identifier string) (p PersonView, ok bool, err error)
	// People returns one page of people in creation order.
	People(ctx context.Context, page PageRequest) (PeoplePage, error)
	// Anonymous returns the events kept under an anonymous id.
	Anonymous(ctx context.Context, anonymousID string) (v AnonymousView, ok bool, err error)
	Stats(ctx context.Context) (StatsView, error)
	// Requests returns up to limit of the latest journal entries, oldest first.
	Requests(ctx context.Context, limit int) ([]RequestView, error)
	Config(ctx context.Context) (ConfigView, error)
	PutConfig(ctx context.Context, c ConfigView) error
	// Reset empties people, events, journal, counters and the retention
	// engines' state; configuration and fault rules stay.
	Reset(ctx context.Context) error
	Faults(ctx context.Context) ([]FaultRule, error)
	PutFaults(ctx context.Context, rules []FaultRule) error
	Messages(ctx context.Context, campaign, person string) ([]MessageView, error)
	Segments(ctx context.Context) ([]SegmentView, error)
	Segment(ctx context.Context, name string, members bool) (v SegmentView, ok bool, err error)
	Violations(ctx context.Context) ([]ViolationView, error)
}

// PageRequest asks for one page of GET /__mock/people.
type PageRequest struct {
	Limit int    // people per page: default 100, at most MaxPageSize
	After string // cio_id cursor: PeoplePage.Next of the previous page
	Full  bool   // full views (attributes, events, devices) instead of summaries
	// NoMessages leaves the messages out of full views (readers that take
	// them in bulk from Messages; messages=0 on the wire).
	NoMessages bool
}

// MaxPageSize is the largest page of GET /__mock/people.
const MaxPageSize = 10000

// PeoplePage is GET /__mock/people: people in creation order and the cursor
// of the next page ("" at the end).
type PeoplePage struct {
	People []PersonView `json:"people"`
	Next   string       `json:"next,omitempty"`
}

var (
	_ Inspector = (*Server)(nil)
	_ Inspector = (*Client)(nil)
)

// Person implements Inspector.
func (s *Server) Person(_ context.Context, identifier string) (PersonView, bool, error) {
	v, ok := s.store.person(identifier)
	if ok && v.CioID != "" {
		v.Messages = s.personMessages(v.CioID)
	}
	return v, ok, nil
}

// People implements Inspector.
func (s *Server) People(_ context.Context, pr PageRequest) (PeoplePage, error) {
	if pr.Limit <= 0 {
		pr.Limit = 100
	}
	pr.Limit = min(pr.Limit, MaxPageSize)
	people, next := s.store.people(pr.After, pr.Limit, pr.Full)
	if pr.Full && !pr.NoMessages {
		for i := range people {
			people[i].Messages = s.personMessages(people[i].CioID)
		}
	}
	return PeoplePage{People: people, Next: next}, nil
}

// Anonymous implements Inspector.
func (s *Server) Anonymous(_ context.Context, aid string) (AnonymousView, bool, error) {
	v, ok := s.store.anonymous(aid)
	return v, ok, nil
}

// Stats implements Inspector.
func (s *Server) Stats(context.Context) (StatsView, error) {
	v := s.counts.view()
	v.People = s.store.nPeople.Load()
	v.Events = s.store.nEvents.Load()
	v.AnonymousEvents = s.store.nAnonEvents.Load()
	v.Duplicates = s.store.nDuplicates.Load()
	v.Ignored = s.store.nIgnored.Load()
	v.PendingTimers = s.retention.PendingTimers()
	if rs, ok := s.retention.(retentionStatser); ok {
		r := rs.RetentionStats()
		v.Retention = &r
	}
	return v, nil
}

// Requests implements Inspector.
func (s *Server) Requests(_ context.Context, limit int) ([]RequestView, error) {
	return s.journal.last(limit), nil
}

// Config implements Inspector.
func (s *Server) Config(context.Context) (ConfigView, error) {
	c := s.retention.Config()
	c.TimeScale = s.TimeScale()
	return c, nil
}

// PutConfig implements Inspector: a zero TimeScale leaves it unchanged.
func (s *Server) PutConfig(_ context.Context, c ConfigView) error {
	if c.TimeScale < 0 || c.TimeScale > 1e9 {
		return errors.New("mockcio: time_scale must be a positive number")
	}
	if err := s.retention.SetConfig(c); err != nil {
		return err
	}
	if c.TimeScale > 0 {
		return s.SetTimeScale(c.TimeScale)
	}
	return nil
}

// Reset implements Inspector.
func (s *Server) Reset(context.Context) error {
	s.store.reset()
	s.journal.reset()
	s.counts.reset()
	s.retention.Reset()
	return nil
}

// Faults implements Inspector.
func (s *Server) Faults(context.Context) ([]FaultRule, error) {
	if f := s.faults.Load(); f != nil {
		return f.Rules(), nil
	}
	return []FaultRule{}, nil
}

// PutFaults implements Inspector: it replaces the rules (none removes all).
func (s *Server) PutFaults(_ context.Context, rules []FaultRule) error {
	for i, r := range rules {
		if err := r.Validate(); err != nil {
			return fmt.Errorf("mockcio: fault rule %d: %w", i+1, err)
		}
	}
	if f := s.faults.Load(); f != nil {
		if err := f.Set(rules); err != nil {
			return err
		}
	} else if len(rules) > 0 && !s.faults.CompareAndSwap(nil, NewFaults(s.opts.Seed, rules)) {
		return s.PutFaults(context.Background(), rules) // a concurrent PUT created them
	}
	s.faultsOn.Store(len(rules) > 0)
	return nil
}

// Messages implements Inspector.
func (s *Server) Messages(_ context.Context, campaign, person string) ([]MessageView, error) {
	return s.retention.Messages(campaign, person), nil
}

// Segments implements Inspector.
func (s *Server) Segments(context.Context) ([]SegmentView, error) {
	return s.retention.Segments(), nil
}

// Segment implements Inspector.
func (s *Server) Segment(_ context.Context, name string, members bool) (SegmentView, bool, error) {
	v, ok := s.retention.Segment(name, members)
	return v, ok, nil
}

// Violations implements Inspector.
func (s *Server) Violations(context.Context) ([]ViolationView, error) {
	return s.retention.Violations(), nil
}

// host is the Server as the retention engines see it (Host).
type host struct{ s *Server }

func (h host) Now() time.Time                       { return h.s.Now() }
func (h host) TimeScale() float64                   { return h.s.TimeScale() }
func (h host) EachPerson(fn func(*PersonView) bool) { h.s.store.eachPerson(fn) }
func (h host) Person(identifier string) (PersonView, bool) {
	return h.s.store.person(identifier)
}

// EachPerson calls fn with a full snapshot of every person in creation
// order until fn returns false (the Host view, for in-process readers).
func (s *Server) EachPerson(fn func(p *PersonView) bool) {
	s.store.eachPerson(func(p *PersonView) bool {
		p.Messages = s.personMessages(p.CioID)
		return fn(p)
	})
}

// personMessages lists a person's campaign messages, never nil.
func (s *Server) personMessages(cioID string) []MessageView {
	if m := s.retention.PersonMessages(cioID); m != nil {
		return m
	}
	return []MessageView{}
}
