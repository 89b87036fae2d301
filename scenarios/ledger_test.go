package scenarios

import (
	"strings"
	"testing"
	"time"

	"github.com/cioharness/cioharness/cio"
)

const (
	anonA = "anon-a"
	anonB = "anon-b"
	uid   = "run-1"
	mail  = "ada@example.com"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func min_(m float64) time.Duration { return time.Duration(m * float64(time.Minute)) }

func anonEvent(m float64, dev int, anon, name, id string) Step {
	return Step{Offset: min_(m), Device: dev, Call: cio.Call{Kind: cio.KindTrack, Name: name, ID: id, AnonymousID: anon, Data: []byte(`{"cart_id":"c1","value":10,"currency":"USD"}`)}}
}

func userEvent(m float64, userID, email, name, id string) Step {
	return Step{Offset: min_(m), Call: cio.Call{Kind: cio.KindTrack, Name: name, ID: id, UserID: userID, Email: email}}
}

func identifyStep(m float64, dev int, anon, userID, email, data string) Step {
	return Step{Offset: min_(m), Device: dev, Call: cio.Call{Kind: cio.KindIdentify, AnonymousID: anon, UserID: userID, Email: email, Data: []byte(data)}}
}

func journeyOf(steps ...Step) *Journey {
	return &Journey{Index: 1, Scenario: "hand", Shopper: &Shopper{ExternalID: uid, Email: mail}, Steps: steps}
}

// placement summarises where each event id ended: "person-key/via" or "anon:ID".
func placement(rec *Record) map[string]string {
	out := map[string]string{}
	for _, p := range rec.People {
		for _, ev := range p.Events {
			out[ev.ID] = p.Key() + "/" + ev.Via
		}
	}
	for _, a := range rec.Anonymous {
		for _, ev := range a.Events {
			out[ev.ID] = "anon:" + a.AnonymousID
		}
	}
	return out
}

var identityRuleCases = []struct {
	name   string
	steps  []Step
	want   map[string]string
	people int
}{
	{"identify before anonymous activity", []Step{
		identifyStep(0, 0, anonA, uid, mail, `{}`),
		userEvent(1, uid, "", "Viewed Product", "e1"),
	}, map[string]string{"e1": uid + "/direct"}, 1},
	{"identify after anonymous activity merges it", []Step{
		anonEvent(0, 0, anonA, "Viewed Product", "e1"),
		anonEvent(2, 0, anonA, "Added to Cart", "e2"),
		identifyStep(10, 0, anonA, "", mail, `{}`),
	}, map[string]string{"e1": mail + "/anonymous_merge", "e2": mail + "/anonymous_merge"}, 1},
	{"late anonymous event inside 5 minutes merges", []Step{
		identifyStep(10, 0, anonA, uid, mail, `{}`),
		anonEvent(14.9, 0, anonA, "Viewed Product", "late"),
	}, map[string]string{"late": uid + "/anonymous_merge"}, 1},
	{"late anonymous event outside 5 minutes stays anonymous", []Step{
		identifyStep(10, 0, anonA, uid, mail, `{}`),
		anonEvent(15.5, 0, anonA, "Viewed Product", "late"),
	}, map[string]string{"late": "anon:" + anonA}, 1},
	{"two devices, only one identifies", []Step{
		anonEvent(0, 0, anonA, "Viewed Product", "phone"),
		anonEvent(5, 1, anonB, "Viewed Product", "laptop"),
		identifyStep(6, 1, anonB, "", mail, `{}`),
		userEvent(7, "", mail, "Order Placed", "order"),
	}, map[string]string{"phone": "anon:" + anonA, "laptop": mail + "/anonymous_merge", "order": mail + "/direct"}, 1},
	{"second device identifies later by id: guest profile gains the id", []Step{
		anonEvent(0, 0, anonA, "Added to Cart", "cart"),
		identifyStep(6, 1, anonB, "", mail, `{}`),
		identifyStep(60, 0, anonA, uid, mail, `{}`),
	}, map[string]string{"cart": uid + "/anonymous_merge"}, 1},
	{"anonymous events received over 30 days before the identify expire", []Step{
		anonEvent(0, 0, anonA, "Viewed Product", "old"),
		anonEvent(2*24*60, 0, anonA, "Viewed Product", "recent"),
		identifyStep(31*24*60, 0, anonA, uid, "", `{}`),
	}, map[string]string{"recent": uid + "/anonymous_merge"}, 1},
	{"identify naming two people changes nothing", []Step{
		identifyStep(0, 0, anonA, "", mail, `{}`),
		identifyStep(1, 1, anonB, uid, "", `{}`),
		identifyStep(2, 1, "", uid, mail, `{}`),
		anonEvent(3, 1, anonB, "Viewed Product", "late"),
	}, map[string]string{"late": uid + "/anonymous_merge"}, 2},
	{"merge of two known profiles moves events", []Step{
		identifyStep(0, 0, anonA, "", mail, `{"vip_tier":"none","orders_count":1}`),
		userEvent(1, "", mail, "Order Placed", "guest-order"),
		identifyStep(30, 1, anonB, uid, "new@example.com", `{"orders_count":2}`),
		userEvent(31, uid, "", "Order Placed", "account-order"),
		{Offset: min_(40), Call: cio.Call{Kind: cio.KindMerge, Primary: cio.Identifier{Type: cio.IDID, Value: uid}, Secondary: cio.Identifier{Type: cio.IDEmail, Value: mail}}},
	}, map[string]string{"guest-order": uid + "/profile_merge", "account-order": uid + "/direct"}, 1},
	{"two known profiles without a merge stay two", []Step{
		identifyStep(0, 0, anonA, "", mail, `{}`),
		identifyStep(30, 1, anonB, uid, "new@example.com", `{}`),
	}, map[string]string{}, 2},
}

func TestLedgerIdentityRules(t *testing.T) {
	for _, tt := range identityRuleCases {
		t.Run(tt.name, func(t *testing.T) {
			rec := NewLedger().Add(journeyOf(tt.steps...), t0, 60)
			got := placement(rec)
			if len(got) != len(tt.want) {
				t.Errorf("placement = %v, want %v", got, tt.want)
			}
			for id, want := range tt.want {
				if got[id] != want {
					t.Errorf("event %s: got %q, want %q", id, got[id], want)
				}
			}
			if len(rec.People) != tt.people {
				t.Errorf("people = %d, want %d", len(rec.People), tt.people)
			}
		})
	}
}

func TestLedgerMergeAttributes(t *testing.T) {
	rec := NewLedger().Add(journeyOf(
		identifyStep(0, 0, anonA, "", mail, `{"vip_tier":"none","orders_count":1,"sms_consent":true}`),
		identifyStep(30, 1, anonB, uid, "new@example.com", `{"orders_count":2,"vip_tier":""}`),
		Step{Offset: min_(40), Call: cio.Call{Kind: cio.KindMerge, Primary: cio.Identifier{Type: cio.IDID, Value: uid}, Secondary: cio.Identifier{Type: cio.IDEmail, Value: mail}}},
	), t0, 60)
	p := rec.People[0]
	for k, want := range map[string]string{"orders_count": "2", "vip_tier": `"none"`, "sms_consent": "true", "email": `"new@example.com"`} {
		if got := string(p.Attributes[k]); got != want {
			t.Errorf("%s = %s, want %s (primary wins, blanks filled)", k, got, want)
		}
	}
	if got, want := len(p.AnonymousIDs), 2; got != want {
		t.Errorf("anonymous ids = %v, want both", p.AnonymousIDs)
	}
}

func TestLedgerEmailChangeByIDIsIgnored(t *testing.T) {
	l := NewLedger()
	rec := l.Add(journeyOf(
		identifyStep(0, 0, anonA, uid, mail, `{"vip_tier":"none"}`),
		identifyStep(20, 0, "", uid, "changed@example.com", `{"vip_tier":"gold"}`),
		userEvent(21, uid, "", "Subscription Canceled", "e1"),
	), t0, 60)
	if len(rec.People) != 1 {
		t.Fatalf("people = %d, want 1", len(rec.People))
	}
	p := rec.People[0]
	// Changing an identifier needs the cio_id: the whole call is dropped.
	if p.Email != mail || string(p.Attributes["email"]) != `"`+mail+`"` || string(p.Attributes["vip_tier"]) != `"none"` {
		t.Errorf("email = %q / %s, vip_tier %s; want the first email and none", p.Email, p.Attributes["email"], p.Attributes["vip_tier"])
	}
	if l.Person(mail) != p || l.Person(uid) != p || l.Person("changed@example.com") != nil {
		t.Errorf("lookups by id, email and the refused email are wrong")
	}
	if got := placement(rec)["e1"]; got != uid+"/direct" {
		t.Errorf("event after the refused change: %q, want on the person", got)
	}
}

var campaignOutcomeCases = []struct {
	name  string
	steps []Step
	want  string // "" = never triggered
}{
	{"abandoner gets the message", []Step{
		identifyStep(0, 0, anonA, uid, mail, `{}`),
		userEvent(1, uid, "", EventAddedToCart, "add"),
	}, OutcomeSent},
	{"buyer within the delay exits", []Step{
		identifyStep(0, 0, anonA, uid, mail, `{}`),
		userEvent(1, uid, "", EventAddedToCart, "add"),
		userEvent(50, uid, "", EventOrderPlaced, "order"),
	}, OutcomeExited},
	{"buyer after the delay still got the message", []Step{
		identifyStep(0, 0, anonA, uid, mail, `{}`),
		userEvent(1, uid, "", EventAddedToCart, "add"),
		userEvent(62, uid, "", EventOrderPlaced, "order"),
	}, OutcomeSent},
	{"anonymous cart merged at identify triggers from the identify", []Step{
		anonEvent(0, 0, anonA, EventAddedToCart, "add"),
		identifyStep(30, 0, anonA, "", mail, `{}`),
		userEvent(85, "", mail, EventOrderPlaced, "order"),
	}, OutcomeExited},
	{"old history never triggers", []Step{
		identifyStep(-100*24*60, 0, anonA, uid, mail, `{}`),
		userEvent(-100*24*60, uid, "", EventAddedToCart, "add"),
	}, ""},
	{"cart that never reaches a person never triggers", []Step{
		anonEvent(0, 0, anonA, EventAddedToCart, "add"),
	}, ""},
	{"order landed before a late-merged cart: sent, converted", []Step{
		anonEvent(0, 0, anonA, EventAddedToCart, "add"),
		identifyStep(10, 1, anonB, "", mail, `{}`),
		userEvent(15, "", mail, EventOrderPlaced, "order"),
		identifyStep(40, 0, anonA, uid, mail, `{}`),
	}, OutcomeSent + "+converted"},
	{"second cart after the due time enters again", []Step{
		identifyStep(0, 0, anonA, uid, mail, `{}`),
		userEvent(1, uid, "", EventAddedToCart, "add"),
		userEvent(30, uid, "", EventAddedToCart, "add-while-waiting"),
		userEvent(70, uid, "", EventAddedToCart, "add-again"),
		userEvent(80, uid, "", EventOrderPlaced, "order"),
	}, OutcomeSent + "," + OutcomeExited},
}

func TestLedgerCampaignOutcome(t *testing.T) {
	for _, tt := range campaignOutcomeCases {
		t.Run(tt.name, func(t *testing.T) {
			rec := NewLedger(CartAbandonment).Add(journeyOf(tt.steps...), t0, 60)
			var got []string
			for _, p := range rec.People {
				for _, o := range p.Campaigns {
					s := o.Outcome
					if o.Converted && o.Outcome == OutcomeSent {
						s += "+converted"
					}
					got = append(got, s)
				}
			}
			if g := strings.Join(got, ","); g != tt.want {
				t.Errorf("outcomes = %q, want %q", g, tt.want)
			}
		})
	}
}

func TestLedgerBuiltinCampaigns(t *testing.T) {
	rec := NewLedger().Add(journeyOf(
		anonEvent(0, 0, anonA, EventViewedProduct, "view"),
		identifyStep(2, 0, anonA, uid, mail, `{}`),
		userEvent(3, uid, "", EventCheckoutStarted, "checkout"),
	), t0, 60)
	got := map[string]string{}
	for _, o := range rec.People[0].Campaigns {
		got[o.Campaign] = o.Outcome
	}
	want := map[string]string{"browse_abandonment": OutcomeSent, "checkout_abandonment": OutcomeSent}
	if len(got) != len(want) || got["browse_abandonment"] != want["browse_abandonment"] || got["checkout_abandonment"] != want["checkout_abandonment"] {
		t.Errorf("outcomes = %v, want %v", got, want)
	}
}

func TestLedgerSegment(t *testing.T) {
	l := NewLedger()
	l.Add(journeyOf(
		identifyStep(0, 0, anonA, uid, mail, `{}`),
		userEvent(10, uid, "", EventAddedToCart, "add"),
		userEvent(100, uid, "", EventOrderPlaced, "order"),
	), t0, 60)
	seg := Segment{Name: "cart abandoners",
		Performed:    []EventWindow{{Event: EventAddedToCart, Within: 2 * time.Hour}},
		NotPerformed: []EventWindow{{Event: EventOrderPlaced, Within: 2 * time.Hour}}}
	real := func(m float64) time.Time { return t0.Add(min_(m) / 60) }
	tests := []struct {
		at   float64
		want int
	}{{5, 0}, {20, 1}, {99, 1}, {101, 0}}
	for _, tt := range tests {
		if got := len(l.SegmentMembers(seg, real(tt.at))); got != tt.want {
			t.Errorf("members at +%vm = %d, want %d", tt.at, got, tt.want)
		}
	}
	twice := Segment{Name: "repeat carts", Performed: []EventWindow{{Event: EventAddedToCart, MinCount: 2}}}
	if got := len(l.SegmentMembers(twice, real(200))); got != 0 {
		t.Errorf("min_count 2 with one cart: %d members, want 0", got)
	}
	rec := l.Records()[0]
	if got := len(rec.PersonAt(rec.People[0], real(50)).Events); got != 1 {
		t.Errorf("PersonAt(+50m) has %d events, want 1 (the cart, not yet the order)", got)
	}
}

func TestLedgerSuppressAndDelete(t *testing.T) {
	suppress := Step{Offset: min_(5), Call: cio.Call{Kind: cio.KindSuppress, UserID: uid}}
	unsuppress := Step{Offset: min_(8), Call: cio.Call{Kind: cio.KindUnsuppress, UserID: uid}}
	del := Step{Offset: min_(5), Call: cio.Call{Kind: cio.KindDelete, UserID: uid}}
	tests := []struct {
		name   string
		steps  []Step
		events []string // event ids on the one person at the end; nil = nobody
	}{
		{"suppressed identifiers are ignored", []Step{
			identifyStep(0, 0, anonA, uid, mail, `{}`), userEvent(1, uid, "", "A", "e1"), suppress,
			userEvent(6, uid, "", "B", "e2"), identifyStep(7, 0, "", "", mail, `{}`),
		}, nil},
		{"unsuppress frees the identifiers for a fresh person", []Step{
			identifyStep(0, 0, anonA, uid, mail, `{}`), userEvent(1, uid, "", "A", "e1"), suppress, unsuppress,
			userEvent(9, "", mail, "B", "e2"),
		}, []string{"e2"}},
		{"a deleted person is re-created by a later call", []Step{
			identifyStep(0, 0, anonA, uid, mail, `{}`), userEvent(1, uid, "", "A", "e1"), del,
			userEvent(6, uid, "", "B", "e2"),
		}, []string{"e2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := NewLedger().Add(journeyOf(tt.steps...), t0, 60)
			if tt.events == nil {
				if len(rec.People) != 0 {
					t.Errorf("people = %d, want none", len(rec.People))
				}
				return
			}
			if len(rec.People) != 1 {
				t.Fatalf("people = %d, want 1", len(rec.People))
			}
			var got []string
			for _, ev := range rec.People[0].Events {
				got = append(got, ev.ID)
			}
			if strings.Join(got, ",") != strings.Join(tt.events, ",") {
				t.Errorf("events = %v, want %v", got, tt.events)
			}
		})
	}
}
