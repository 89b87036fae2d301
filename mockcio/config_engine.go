package mockcio

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Engine is the retention engine of the mock: event-triggered campaigns, truth
// segments and tracking-plan checks over the store's people and events. It
// implements Retention; every NewServer gets one with the built-in campaigns,
// segments and D2C plan.
type Engine struct {
	host   Host
	clock  *Clock
	timers *Timers
	state  atomic.Pointer[engineState]
	cfgMu  sync.Mutex // serializes SetConfig
	shards [campShards]campShard
	viol   violations
	dups   dupTracker
	counts engineCounts
}

type engineCounts struct {
	triggered, sent, exited, dropped, staleTriggers, mergedTriggers atomic.Int64
}

// engineState is one configuration, swapped atomically by SetConfig.
type engineState struct {
	campaigns []Campaign
	segments  []Segment
	plan      *Plan
	byTrigger map[string][]*campaignRT
	byExit    map[string][]*campaignRT
	checker   *checker // nil: no contract checks
}

// EngineOptions configures NewEngine.
type EngineOptions struct {
	// ManualTimers leaves campaign timers to RunDue instead of a goroutine
	// (deterministic tests with a fake clock).
	ManualTimers bool
	// Empty starts without the built-in campaigns, segments and plan.
	Empty bool
}

var _ Retention = (*Engine)(nil)

func init() {
	newRetention = func(h Host) Retention { return NewEngine(h, EngineOptions{}) }
}

// NewEngine returns a retention engine reading people from h.
func NewEngine(h Host, o EngineOptions) *Engine {
	e := &Engine{host: h, clock: ClockFrom(h.Now, h.TimeScale)}
	e.timers = NewTimers(h.Now, e.fire)
	e.timers.manual = o.ManualTimers
	st := &engineState{}
	if !o.Empty {
		cs, ss, plan := builtinConfig()
		st = newState(cs, ss, plan)
	}
	e.state.Store(st)
	return e
}

func newState(cs []Campaign, ss []Segment, plan *Plan) *engineState {
	st := &engineState{
		campaigns: nonNil(cs), segments: nonNil(ss), plan: plan,
		byTrigger: map[string][]*campaignRT{}, byExit: map[string][]*campaignRT{},
	}
	for _, c := range cs {
		rt := compileCampaign(c)
		st.byTrigger[c.Trigger] = append(st.byTrigger[c.Trigger], rt)
		for _, x := range c.Exit {
			st.byExit[x] = append(st.byExit[x], rt)
		}
	}
	if plan != nil {
		st.checker = compilePlan(plan)
	}
	return st
}

// RunDue fires every campaign timer due at or before now (with
// EngineOptions.ManualTimers) and returns how many fired.
func (e *Engine) RunDue(now time.Time) int { return e.timers.RunDue(now) }

// Close stops the timer goroutine; pending journeys stay unresolved.
func (e *Engine) Close() error {
	e.timers.Stop()
	return nil
}

// Identified implements Retention: attribute types against the plan.
func (e *Engine) Identified(p PersonRef, attrs map[string]json.RawMessage, at time.Time) {
	if c := e.state.Load().checker; c != nil && len(attrs) > 0 {
		e.viol.add(p, at, c.checkAttributes(attrs, nil))
	}
}

// EventAccepted implements Retention: the event against the plan.
func (e *Engine) EventAccepted(p PersonRef, ev EventView) {
	c := e.state.Load().checker
	if c == nil {
		return
	}
	var buf [4]finding
	fs := c.checkEvent(&ev, buf[:0])
	subject := p.CioID
	if subject == "" {
		subject = "anon:" + p.AnonymousID
	}
	fs = e.dups.check(c, e.clock, subject, &ev, fs)
	e.viol.add(p, ev.ReceivedAt, fs)
}

// Reset implements Retention.
func (e *Engine) Reset() {
	for i := range e.shards {
		sh := &e.shards[i]
		sh.mu.Lock()
		sh.pending, sh.byPerson, sh.entered, sh.messages, sh.nMsgs, sh.merged = nil, nil, nil, nil, 0, nil
		sh.mu.Unlock()
	}
	e.timers.Clear()
	e.viol.reset()
	e.dups.reset()
	for _, c := range []*atomic.Int64{&e.counts.triggered, &e.counts.sent, &e.counts.exited,
		&e.counts.dropped, &e.counts.staleTriggers, &e.counts.mergedTriggers} {
		c.Store(0)
	}
}

// Config implements Retention.
func (e *Engine) Config() ConfigView {
	st := e.state.Load()
	var v ConfigView
	v.Campaigns, _ = json.Marshal(st.campaigns)
	v.Segments, _ = json.Marshal(st.segments)
	v.Contract, _ = json.Marshal(st.plan)
	return v
}

// SetConfig implements Retention. Each of campaigns, segments and contract is
// JSON, or a JSON string holding YAML text, or the string "builtin"; a
// contract of null or "none" turns checking off. A campaigns document with a
// segments key also sets the segments when c.Segments is absent.
func (e *Engine) SetConfig(c ConfigView) error {
	e.cfgMu.Lock()
	defer e.cfgMu.Unlock()
	old := e.state.Load()
	cs, ss, plan := old.campaigns, old.segments, old.plan
	bcs, bss, bplan := builtinConfig()
	if c.Campaigns != nil {
		text := rawConfigText(c.Campaigns)
		if isWord(text, "builtin") {
			cs, ss = bcs, bss
		} else {
			var err error
			var docSegs []Segment
			if cs, docSegs, err = ParseCampaigns("campaigns", text); err != nil {
				return err
			}
			if hasKey(text, "segments") {
				ss = docSegs
			}
		}
	}
	if c.Segments != nil {
		text := rawConfigText(c.Segments)
		if isWord(text, "builtin") {
			ss = bss
		} else {
			var err error
			if ss, err = ParseSegments("segments", text); err != nil {
				return err
			}
		}
	}
	if c.Contract != nil {
		text := rawConfigText(c.Contract)
		switch {
		case isWord(text, "builtin"):
			plan = bplan
		case isWord(text, "none"), isWord(text, "null"):
			plan = nil
		default:
			var err error
			if plan, err = ParsePlan("contract", text); err != nil {
				return err
			}
		}
	}
	e.state.Store(newState(cs, ss, plan))
	return nil
}

func isWord(text []byte, w string) bool { return strings.TrimSpace(string(text)) == w }

// hasKey reports whether a campaigns document is a mapping naming key at its
// top level (cheap test; the parse already validated it).
func hasKey(text []byte, key string) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(text, &m) == nil {
		_, ok := m[key]
		return ok
	}
	for _, line := range strings.Split(string(text), "\n") {
		if strings.HasPrefix(line, key+":") || strings.HasPrefix(line, `"`+key+`":`) {
			return true
		}
	}
	return false
}

// Messages implements Retention: outcomes (and pending journeys) filtered by
// campaign name and person (any identifier form), ordered by due time.
func (e *Engine) Messages(campaign, person string) []MessageView {
	cioID := ""
	if person != "" {
		cioID = person
		if pv, ok := e.host.Person(person); ok {
			cioID = pv.CioID
		}
	}
	out := []MessageView{}
	if cioID != "" { // one person: their shard's index only
		_, sh := e.shardOf(cioID)
		out = sh.collect(campaign, cioID, out)
	} else {
		for i := range e.shards {
			out = e.shards[i].collect(campaign, "", out)
		}
	}
	sortMessages(out)
	return out
}

// PersonMessages implements Retention.
func (e *Engine) PersonMessages(cioID string) []MessageView {
	_, sh := e.shardOf(cioID)
	out := sh.collect("", cioID, nil)
	sortMessages(out)
	return out
}

func (sh *campShard) collect(campaign, cioID string, out []MessageView) []MessageView {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if cioID != "" { // one person: their index entries only
		out = appendMessages(out, sh.messages[cioID], campaign)
		for _, j := range sh.byPerson[cioID] {
			out = appendPending(out, j, campaign)
		}
		return out
	}
	out = slices.Grow(out, sh.nMsgs+len(sh.pending))
	for _, ms := range sh.messages {
		out = appendMessages(out, ms, campaign)
	}
	for _, j := range sh.pending {
		out = appendPending(out, j, campaign)
	}
	return out
}

// appendMessages appends the messages of ms in campaign ("" = any).
func appendMessages(out, ms []MessageView, campaign string) []MessageView {
	for _, m := range ms {
		if campaign == "" || m.Campaign == campaign {
			out = append(out, m)
		}
	}
	return out
}

// appendPending appends j as a pending message when it is in campaign.
func appendPending(out []MessageView, j *journey, campaign string) []MessageView {
	if campaign != "" && j.camp.Name != campaign {
		return out
	}
	return append(out, MessageView{Campaign: j.camp.Name, Person: j.person,
		TriggeredAt: j.triggeredAt, DueAt: j.dueAt, Outcome: "pending", ExitEventAt: j.exitAt})
}

func sortMessages(ms []MessageView) {
	slices.SortFunc(ms, func(a, b MessageView) int {
		if c := a.DueAt.Compare(b.DueAt); c != 0 {
			return c
		}
		if c := strings.Compare(a.Campaign, b.Campaign); c != 0 {
			return c
		}
		return strings.Compare(a.Person, b.Person)
	})
}

// Violations implements Retention.
func (e *Engine) Violations() []ViolationView { return e.viol.views() }

// PendingTimers implements Retention: journeys waiting for their due time.
func (e *Engine) PendingTimers() int {
	n := 0
	for i := range e.shards {
		sh := &e.shards[i]
		sh.mu.Lock()
		n += len(sh.pending)
		sh.mu.Unlock()
	}
	return n
}

// RetentionStats are the retention engine's counters, part of GET
// /__mock/stats and /metrics.
type RetentionStats struct {
	Triggered       int64 `json:"campaigns_triggered"`
	MessagesSent    int64 `json:"messages_sent"`
	MessagesExited  int64 `json:"messages_exited"`
	JourneysDropped int64 `json:"journeys_dropped"` // person deleted, suppressed or merged into one already waiting
	StaleTriggers   int64 `json:"triggers_too_old"` // timestamped more than 72 h (shopper) before landing
	MergedTriggers  int64 `json:"triggers_via_profile_merge"`
	Violations      int64 `json:"violations"`
	// ViolationsByRule counts contract violations per rule.
	ViolationsByRule map[string]int64 `json:"violations_by_rule"`
}

// retentionStatser is implemented by retention engines with counters.
type retentionStatser interface{ RetentionStats() RetentionStats }

// RetentionStats returns the engine's counters.
func (e *Engine) RetentionStats() RetentionStats {
	st := RetentionStats{
		Triggered: e.counts.triggered.Load(), MessagesSent: e.counts.sent.Load(),
		MessagesExited: e.counts.exited.Load(), JourneysDropped: e.counts.dropped.Load(),
		StaleTriggers: e.counts.staleTriggers.Load(), MergedTriggers: e.counts.mergedTriggers.Load(),
		Violations: e.viol.total.Load(), ViolationsByRule: map[string]int64{},
	}
	e.viol.mu.Lock()
	for k, g := range e.viol.groups {
		st.ViolationsByRule[k.rule] += g.count
	}
	e.viol.mu.Unlock()
	return st
}
