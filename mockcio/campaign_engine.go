package mockcio

import (
	"encoding/json"
	"hash/maphash"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cioharness/cioharness/cio"
)

// campShards is the number of independently locked shards of campaign state;
// a person's journeys live in the shard of their cio_id.
const campShards = 64

// fireGrace delays resolving a journey a little past its due time: an exit
// event stamped as landed just before the due time has its hook called a
// moment after the store stamped it, and must still find the journey waiting.
// MessageView.DueAt stays the exact due time; the exit rule compares with it.
const fireGrace = 5 * time.Millisecond

// journey is one person waiting in one campaign.
type journey struct {
	key         uint64
	camp        *campaignRT
	person      string // cio_id
	triggerTS   time.Time
	triggeredAt time.Time
	dueAt       time.Time
	exitAt      time.Time       // landing time of the exit event; zero while none
	event       []capturedField // content captured from the trigger
}

type campShard struct {
	mu       sync.Mutex
	seq      uint64
	pending  map[uint64]*journey
	byPerson map[string][]*journey
	entered  map[string]struct{} // campaign \x00 cio_id, for reentry "once"
	// messages are the resolved journeys (sent or exited) by person cio_id,
	// so that attaching a person's messages costs only that person's.
	messages map[string][]MessageView
	nMsgs    int
	// merged maps a merged-away cio_id to its primary, for journeys that
	// resolve while the merge moves the history.
	merged map[string]string
}

var shardSeed = maphash.MakeSeed()

func (e *Engine) shardOf(cioID string) (int, *campShard) {
	i := int(maphash.String(shardSeed, cioID) % campShards)
	return i, &e.shards[i]
}

// EventLanded implements Retention: exit events end waiting journeys, trigger
// events start new ones.
func (e *Engine) EventLanded(p PersonRef, ev EventView) {
	st := e.state.Load()
	if p.CioID == "" {
		return
	}
	if cs := st.byExit[ev.Name]; len(cs) > 0 && ev.Via != ViaProfileMerge {
		e.exitJourneys(p.CioID, ev, cs)
	}
	if cs := st.byTrigger[ev.Name]; len(cs) > 0 {
		e.trigger(p, ev, cs)
	}
}

// exitJourneys marks the person's waiting journeys in the campaigns cs as
// exited when ev is timestamped at or after their trigger and lands before
// their due time.
func (e *Engine) exitJourneys(cioID string, ev EventView, cs []*campaignRT) {
	_, sh := e.shardOf(cioID)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	for _, j := range sh.byPerson[cioID] {
		if !j.camp.exit[ev.Name] || !j.exitAt.IsZero() || !slices.Contains(cs, j.camp) {
			continue
		}
		if ev.Timestamp.Before(j.triggerTS) || ev.LandedAt.After(j.dueAt) {
			continue
		}
		j.exitAt = ev.LandedAt
	}
}

// trigger enters the person into each campaign of cs whose rules ev meets.
func (e *Engine) trigger(p PersonRef, ev EventView, cs []*campaignRT) {
	if ev.Via == ViaProfileMerge {
		e.counts.mergedTriggers.Add(1)
		return
	}
	if e.clock.Age(ev.Timestamp, ev.LandedAt) > TriggerWindow {
		e.counts.staleTriggers.Add(1)
		return
	}
	var data map[string]any
	var person *PersonView
	for _, c := range cs {
		if data == nil && c.Filter != nil {
			data = decodeObject(ev.Data)
		}
		if c.Filter != nil {
			if c.needsPerson && person == nil {
				pv, ok := e.host.Person("cio_" + p.CioID)
				if !ok {
					return
				}
				person = &pv
			}
			x := evalCtx{now: ev.LandedAt, clock: e.clock, person: person, event: data}
			if !c.Filter.match(&x) {
				continue
			}
		}
		e.enter(c, p.CioID, ev, captureEvent(c, ev.Data))
	}
}

// enter creates a journey unless the re-entry rule forbids it.
func (e *Engine) enter(c *campaignRT, cioID string, ev EventView, content []capturedField) {
	idx, sh := e.shardOf(cioID)
	sh.mu.Lock()
	if !sh.mayEnter(c, cioID, ev.LandedAt) {
		sh.mu.Unlock()
		return
	}
	sh.seq++
	j := &journey{
		key:  sh.seq<<6 | uint64(idx),
		camp: c, person: cioID,
		triggerTS: ev.Timestamp, triggeredAt: ev.LandedAt,
		dueAt: ev.LandedAt.Add(e.clock.Real(c.delay)),
		event: content,
	}
	sh.add(j)
	sh.mu.Unlock()
	e.counts.triggered.Add(1)
	e.timers.Schedule(j.dueAt.Add(fireGrace), j.key)
}

// mayEnter applies the re-entry rule to a trigger landing at landed; a journey
// whose due time passed counts as ended even before its timer fired.
func (sh *campShard) mayEnter(c *campaignRT, cioID string, landed time.Time) bool {
	switch c.Reentry {
	case ReentryAlways:
		return true
	case ReentryOnce:
		_, seen := sh.entered[c.Name+"\x00"+cioID]
		return !seen
	}
	for _, j := range sh.byPerson[cioID] {
		if j.camp.Name == c.Name && !j.dueAt.Before(landed) {
			return false
		}
	}
	return true
}

func (sh *campShard) add(j *journey) {
	if sh.pending == nil {
		sh.pending = map[uint64]*journey{}
		sh.byPerson = map[string][]*journey{}
		sh.entered = map[string]struct{}{}
	}
	sh.pending[j.key] = j
	sh.byPerson[j.person] = append(sh.byPerson[j.person], j)
	if j.camp.Reentry == ReentryOnce {
		sh.entered[j.camp.Name+"\x00"+j.person] = struct{}{}
	}
}

func (sh *campShard) remove(j *journey) {
	delete(sh.pending, j.key)
	list := sh.byPerson[j.person]
	if i := slices.Index(list, j); i >= 0 {
		list = slices.Delete(list, i, i+1)
	}
	if len(list) == 0 {
		delete(sh.byPerson, j.person)
	} else {
		sh.byPerson[j.person] = list
	}
}

// fire resolves the journey with key at its due time.
func (e *Engine) fire(key uint64, _ time.Time) {
	sh := &e.shards[key&(campShards-1)]
	sh.mu.Lock()
	j := sh.pending[key]
	if j != nil {
		sh.remove(j)
	}
	sh.mu.Unlock()
	if j != nil {
		e.resolve(sh, j)
	}
}

// resolve files the outcome of journey j, taken from its shard sh's pending
// journeys: sent, or exited when an exit event came in time.
func (e *Engine) resolve(sh *campShard, j *journey) {
	m := MessageView{
		Campaign: j.camp.Name, Person: j.person,
		TriggeredAt: j.triggeredAt, DueAt: j.dueAt, ExitEventAt: j.exitAt,
	}
	if j.exitAt.IsZero() {
		m.Outcome = "sent"
		m.Content = e.content(j)
		e.counts.sent.Add(1)
	} else {
		m.Outcome = "exited"
		e.counts.exited.Add(1)
	}
	sh.mu.Lock()
	into, gone := sh.merged[m.Person]
	if !gone {
		sh.addMessage(m)
	}
	sh.mu.Unlock()
	if gone { // merged away since the journey left pending
		e.moveMessages([]MessageView{m}, into)
	}
}

// addMessage indexes a resolved journey under its person.
func (sh *campShard) addMessage(m MessageView) {
	if sh.messages == nil {
		sh.messages = map[string][]MessageView{}
	}
	sh.messages[m.Person] = append(sh.messages[m.Person], m)
	sh.nMsgs++
}

// takeMessages removes and returns the person's resolved journeys.
func (sh *campShard) takeMessages(cioID string) []MessageView {
	ms := sh.messages[cioID]
	delete(sh.messages, cioID)
	sh.nMsgs -= len(ms)
	return ms
}

// captureEvent takes the campaign's content fields from the trigger's raw
// data (no decoding: this runs for every trigger event).
func captureEvent(c *campaignRT, data json.RawMessage) []capturedField {
	out := make([]capturedField, 0, len(c.eventFields))
	if c.topLevel != nil { // one pass over the members for top-level paths
		cio.EachMember(data, func(k, v []byte) {
			for _, key := range c.topLevel[string(k)] {
				out = append(out, capturedField{key, v})
			}
		})
	}
	for _, f := range c.eventFields {
		switch {
		case f.key == "*":
			cio.EachMember(data, func(k, v []byte) { out = append(out, capturedField{cio.MemberKey(k), v}) })
		case strings.Contains(f.path, "."):
			if v, ok := rawPath(data, f.path); ok {
				out = append(out, capturedField{f.key, v})
			}
		}
	}
	return out
}

// capturedField is one content field taken from a trigger's data (a slice
// of these is a third of the size of a map for a pending journey).
type capturedField struct {
	key string
	val json.RawMessage
}

// rawPath follows a dot path into raw JSON objects.
func rawPath(data []byte, path string) (json.RawMessage, bool) {
	if v, ok := cio.MemberValue(data, path); ok {
		return v, true
	}
	head, rest, ok := strings.Cut(path, ".")
	if !ok {
		return nil, false
	}
	sub, ok := cio.MemberValue(data, head)
	if !ok {
		return nil, false
	}
	return rawPath(sub, rest)
}

// content builds a sent message's content: the captured event fields plus
// the profile fields read now.
func (e *Engine) content(j *journey) json.RawMessage {
	out := make(map[string]json.RawMessage, len(j.event)+len(j.camp.personFields))
	for _, f := range j.event {
		out[f.key] = f.val
	}
	if len(j.camp.personFields) > 0 {
		if pv, ok := e.host.Person("cio_" + j.person); ok {
			x := evalCtx{person: &pv}
			for _, f := range j.camp.personFields {
				if v, ok := x.attribute(f.path); ok {
					out[f.key], _ = json.Marshal(v)
				}
			}
		}
	}
	keys := make([]string, 0, len(out))
	for k := range out {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b := make([]byte, 0, 256)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		kb, _ := json.Marshal(k)
		b = append(append(append(b, kb...), ':'), out[k]...)
	}
	return append(b, '}')
}

// PersonRemoved implements Retention: a deleted or suppressed person's
// journeys end without a message (their past messages stay listed under
// their cio_id); a merged-away person's journeys continue on the primary
// unless the primary already waits in that campaign, and their past messages
// move to the primary (Customer.io moves the delivery history).
func (e *Engine) PersonRemoved(p PersonRef, reason RemovedReason, into PersonRef) {
	merge := reason == RemovedMerged && into.CioID != ""
	_, sh := e.shardOf(p.CioID)
	sh.mu.Lock()
	moved := slices.Clone(sh.byPerson[p.CioID])
	for _, j := range moved {
		sh.remove(j)
	}
	var history []MessageView
	if merge {
		history = sh.takeMessages(p.CioID)
		if sh.merged == nil {
			sh.merged = map[string]string{}
		}
		sh.merged[p.CioID] = into.CioID
	}
	sh.mu.Unlock()
	if !merge {
		e.counts.dropped.Add(int64(len(moved)))
		return
	}
	e.moveMessages(history, into.CioID)
	for _, j := range moved {
		idx, dst := e.shardOf(into.CioID)
		dst.mu.Lock()
		if !dst.mayEnter(j.camp, into.CioID, j.triggeredAt) && j.camp.Reentry != ReentryAlways {
			dst.mu.Unlock()
			e.counts.dropped.Add(1)
			continue
		}
		dst.seq++
		j.key, j.person = dst.seq<<6|uint64(idx), into.CioID
		dst.add(j)
		dst.mu.Unlock()
		e.timers.Schedule(j.dueAt.Add(fireGrace), j.key)
	}
}

// moveMessages files a merged-away person's resolved journeys under the
// primary with cio_id into (or where into was merged since).
func (e *Engine) moveMessages(ms []MessageView, into string) {
	if len(ms) == 0 {
		return
	}
	for hops := 0; ; hops++ {
		_, dst := e.shardOf(into)
		dst.mu.Lock()
		if next, ok := dst.merged[into]; ok && hops < 1024 { // no cycles: a merged-away cio_id never returns
			dst.mu.Unlock()
			into = next
			continue
		}
		for _, m := range ms {
			m.Person = into
			dst.addMessage(m)
		}
		dst.mu.Unlock()
		return
	}
}
