package scenarios

import (
	"encoding/json"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cioharness/cioharness/cio"
)

// Customer.io's identity windows (customerio-api.md §5), in shopper time.
const (
	LateMergeWindow    = 5 * time.Minute     // anonymous events arriving this long after the identify still merge
	AnonymousRetention = 30 * 24 * time.Hour // anonymous events received longer ago than this are gone
	TriggerWindow      = 72 * time.Hour      // only events this recent when they land can trigger a campaign
)

// How an event reached its person (the mock's "via").
const (
	ViaDirect         = "direct"
	ViaAnonymousMerge = "anonymous_merge"
	ViaProfileMerge   = "profile_merge"
)

// Campaign outcomes.
const (
	OutcomeSent   = "sent"
	OutcomeExited = "exited"
)

// Campaign is an event-triggered campaign whose outcomes the ledger predicts
// (the mock's rules, mockcio/campaign_engine.go): a person enters when a
// Trigger event lands on them and is sent the message Delay later, unless an
// Exit event performed at or after the trigger's action lands on them while
// they wait. Durations are shopper time.
type Campaign struct {
	Name    string        `json:"name"`
	Trigger string        `json:"trigger"`
	Exit    []string      `json:"exit,omitempty"`
	Delay   time.Duration `json:"delay"`
	// Reentry: ReentryAfterExit (default: not while waiting, again once the
	// due time passed), ReentryOnce or ReentryAlways.
	Reentry string `json:"reentry,omitempty"`
	// Content lists the trigger's data keys a message shows.
	Content []string `json:"content,omitempty"`
}

// Re-entry rules of a Campaign.
const (
	ReentryAfterExit = "after_exit"
	ReentryOnce      = "once"
	ReentryAlways    = "always"
)

// CartAbandonment is the built-in cart-abandonment campaign (SPEC §6).
var CartAbandonment = Campaign{Name: "cart_abandonment", Trigger: EventAddedToCart, Exit: []string{EventOrderPlaced},
	Delay: time.Hour, Content: []string{"cart_id", "items", "value", "currency"}}

// BuiltinCampaigns are the mock's built-in campaigns (mockcio/builtin/campaigns.yaml):
// cart, checkout and browse abandonment, each with a one-hour delay.
func BuiltinCampaigns() []Campaign {
	return []Campaign{
		CartAbandonment,
		{Name: "checkout_abandonment", Trigger: EventCheckoutStarted, Exit: []string{EventOrderPlaced},
			Delay: time.Hour, Content: []string{"cart_id", "items", "value", "currency"}},
		{Name: "browse_abandonment", Trigger: EventViewedProduct, Exit: []string{EventAddedToCart, EventOrderPlaced},
			Delay: time.Hour, Content: []string{"sku", "name", "price", "currency", "url"}},
	}
}

// Ledger is the ground truth of a run: every journey's calls and what
// Customer.io must hold because of them. It is built from generation only.
// It is safe for concurrent use.
type Ledger struct {
	mu        sync.Mutex
	campaigns []Campaign
	records   map[uint64]*Record
	byKey     map[string]*Expected
}

// NewLedger returns an empty ledger predicting the given campaigns (none
// given means BuiltinCampaigns).
func NewLedger(campaigns ...Campaign) *Ledger {
	if len(campaigns) == 0 {
		campaigns = BuiltinCampaigns()
	}
	return &Ledger{campaigns: campaigns, records: map[uint64]*Record{}, byKey: map[string]*Expected{}}
}

// Record is the ground truth of one journey.
type Record struct {
	Index     uint64            `json:"index"`
	Scenario  string            `json:"scenario"`
	Start     time.Time         `json:"start"`
	TimeScale float64           `json:"time_scale"`
	Calls     []CallRecord      `json:"calls"`
	Linked    []Identification  `json:"linked,omitempty"`
	People    []*Expected       `json:"people"`
	Anonymous []AnonymousRecord `json:"anonymous,omitempty"`
}

// CallRecord is one call as the shopper made it.
type CallRecord struct {
	Offset      time.Duration `json:"offset"` // intended shopper-time offset from the journey's start
	At          time.Time     `json:"at"`     // the action time stamped on the wire
	Device      int           `json:"device"` // index into the shopper's devices
	AnonymousID string        `json:"anonymous_id,omitempty"`
	Kind        cio.Kind      `json:"kind"`
	Name        string        `json:"name,omitempty"`
	ID          string        `json:"id,omitempty"`
	UserID      string        `json:"user_id,omitempty"`
	Email       string        `json:"email,omitempty"`
}

// Identification is the moment an anonymous id was linked to a person.
type Identification struct {
	AnonymousID string        `json:"anonymous_id"`
	Device      int           `json:"device"`
	Offset      time.Duration `json:"offset"`
	At          time.Time     `json:"at"`
	Person      string        `json:"person"` // the person's Key at the time
}

// Expected is one person as Customer.io must hold them at the end of the run.
type Expected struct {
	Journey      uint64                     `json:"journey"`
	ID           string                     `json:"id,omitempty"`
	Email        string                     `json:"email,omitempty"`
	AnonymousIDs []string                   `json:"anonymous_ids,omitempty"`
	Attributes   map[string]json.RawMessage `json:"attributes"`
	Events       []ExpectedEvent            `json:"events"`
	Campaigns    []Outcome                  `json:"campaigns,omitempty"`
}

// Key is the identifier to look the person up by: the external id when it
// has one, else the email.
func (e *Expected) Key() string {
	if e.ID != "" {
		return e.ID
	}
	return e.Email
}

// ExpectedEvent is an event that must be on a person (or stay anonymous).
type ExpectedEvent struct {
	Name        string          `json:"name"`
	Type        string          `json:"type"` // event, page or screen
	ID          string          `json:"id"`
	Data        json.RawMessage `json:"data,omitempty"`
	Offset      time.Duration   `json:"offset"`    // shopper time of the action
	Timestamp   time.Time       `json:"timestamp"` // the action time on the wire
	Via         string          `json:"via,omitempty"`
	AnonymousID string          `json:"anonymous_id,omitempty"`
	Device      int             `json:"device"`
	Landed      time.Duration   `json:"landed"` // shopper offset at which it reached its place
}

// Outcome is one expected campaign journey of a person.
type Outcome struct {
	Campaign       string    `json:"campaign"`
	Outcome        string    `json:"outcome"`          // sent or exited
	TriggerEventID string    `json:"trigger_event_id"` // the event that started it
	TriggerAt      time.Time `json:"trigger_at"`       // the trigger's action time
	TriggeredAt    time.Time `json:"triggered_at"`     // when the trigger landed on the person
	DueAt          time.Time `json:"due_at"`           // TriggeredAt + delay
	ExitEventID    string    `json:"exit_event_id,omitempty"`
	ExitEventAt    time.Time `json:"exit_event_at,omitzero"` // exited: when the exit event landed
	// Converted: the shopper performed an exit event after the trigger's
	// action and it landed by the due time. A sent outcome with Converted
	// is a message to a buyer that Customer.io's own rules produce (the
	// exit landed before the trigger did, e.g. an anonymous cart merged by
	// a login after the order), not a fault of the ingestion path.
	Converted bool            `json:"converted,omitempty"`
	Content   json.RawMessage `json:"content,omitempty"` // sent: the trigger's Content keys
}

// AnonymousRecord holds events that must stay under an anonymous id.
type AnonymousRecord struct {
	AnonymousID string          `json:"anonymous_id"`
	Events      []ExpectedEvent `json:"events"`
}

// Add records journey j, started (its offset 0) at start in real time, run at
// timeScale shopper seconds per real second, and returns its record.
func (l *Ledger) Add(j *Journey, start time.Time, timeScale float64) *Record {
	if timeScale <= 0 {
		timeScale = DefaultTimeScale
	}
	rec := simulate(j, start.UTC(), timeScale, l.campaigns)
	l.put(rec)
	return rec
}

// put stores a record, replacing any earlier one of the same journey.
func (l *Ledger) put(rec *Record) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if old := l.records[rec.Index]; old != nil {
		for _, p := range old.People {
			delete(l.byKey, "id:"+p.ID)
			delete(l.byKey, "email:"+strings.ToLower(p.Email))
		}
	}
	l.records[rec.Index] = rec
	for _, p := range rec.People {
		if p.ID != "" {
			l.byKey["id:"+p.ID] = p
		}
		if p.Email != "" {
			l.byKey["email:"+strings.ToLower(p.Email)] = p
		}
	}
}

// Person finds an expected person by external id or email.
func (l *Ledger) Person(identifier string) *Expected {
	l.mu.Lock()
	defer l.mu.Unlock()
	if p := l.byKey["id:"+identifier]; p != nil {
		return p
	}
	return l.byKey["email:"+strings.ToLower(identifier)]
}

// Records returns every journey's record, sorted by index.
func (l *Ledger) Records() []*Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]*Record, 0, len(l.records))
	for _, r := range l.records {
		out = append(out, r)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Index < out[b].Index })
	return out
}

// People returns every expected person, by journey index.
func (l *Ledger) People() []*Expected {
	var out []*Expected
	for _, r := range l.Records() {
		out = append(out, r.People...)
	}
	return out
}

// Campaigns returns the campaigns the ledger predicts.
func (l *Ledger) Campaigns() []Campaign { return append([]Campaign(nil), l.campaigns...) }

// WriteJSON writes the whole ledger as indented JSON, records sorted by
// index: the same journeys give the same bytes, whatever the order of Add.
func (l *Ledger) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Campaigns []Campaign `json:"campaigns"`
		Records   []*Record  `json:"records"`
	}{l.campaigns, l.Records()})
}

// Merge adds every record of o (e.g. another shard's ledger) to l.
func (l *Ledger) Merge(o *Ledger) {
	for _, r := range o.Records() {
		l.put(r)
	}
}
