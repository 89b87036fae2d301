package scenarios

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/cioharness/cioharness/cio"
)

var planEvents = map[string]bool{EventViewedProduct: true, EventAddedToCart: true, EventCheckoutStarted: true,
	EventOrderPlaced: true, EventSubscriptionCanceled: true}

var moneyKeys = []string{"price", "value", "subtotal", "total", "discount"}

func TestBuiltinsList(t *testing.T) {
	want := []string{"browse-abandon", "cart-abandon", "cross-device-checkout", "d2c", "purchase",
		"reactivation", "repeat-purchase", "subscription-cancel"}
	got := Builtins()
	if len(got) != len(want) {
		t.Fatalf("Builtins() = %v, want %v", got, want)
	}
	for i, b := range got {
		if b.Name != want[i] || b.Description == "" {
			t.Errorf("builtin %d = %+v, want %s with a description", i, b, want[i])
		}
		if _, ok := BuiltinSource(b.Name); !ok {
			t.Errorf("BuiltinSource(%s) missing", b.Name)
		}
	}
}

// TestBuiltinJourneysFollowThePlan generates journeys of every built-in and
// checks the tracking plan, the span, the wire formats and the identity story.
func TestBuiltinJourneysFollowThePlan(t *testing.T) {
	for _, b := range Builtins() {
		if b.Kind != "scenario" {
			continue
		}
		t.Run(b.Name, func(t *testing.T) {
			g := mustGenerator(t, []string{b.Name}, 11)
			ids := map[string]bool{}
			for i := uint64(0); i < 200; i++ {
				j := g.Journey(i)
				checkJourney(t, j, ids)
				rec := NewLedger().Add(j, SampleEpoch, DefaultTimeScale)
				want := 0
				if len(rec.Linked) > 0 {
					want = 1 // the shopper identified: exactly one person
				}
				if len(rec.People) != want {
					t.Fatalf("journey %d: %d people, want %d", i, len(rec.People), want)
				}
				if want == 0 {
					continue
				}
				if !strings.HasPrefix(rec.People[0].Key(), g.RunID()) && !strings.Contains(rec.People[0].Key(), "+"+g.RunID()) {
					t.Errorf("journey %d: person %q does not carry the run id", i, rec.People[0].Key())
				}
			}
		})
	}
}

func checkJourney(t *testing.T, j *Journey, ids map[string]bool) {
	t.Helper()
	if last := j.Steps[len(j.Steps)-1].Offset; last > 3*time.Hour {
		t.Errorf("journey %d spans %v, want ≤ 3h", j.Index, last)
	}
	sh := j.Shopper
	for k, st := range j.Steps {
		c := &st.Call
		if k > 0 && st.Offset < j.Steps[k-1].Offset {
			t.Fatalf("journey %d: steps not sorted", j.Index)
		}
		if ids[c.ID] || c.ID == "" {
			t.Fatalf("journey %d: call id %q missing or repeated", j.Index, c.ID)
		}
		ids[c.ID] = true
		for _, api := range []cio.API{cio.APIPipelines, cio.APITrack, cio.APITrackV2} {
			if _, err := cio.Encode(api, c); err != nil {
				t.Fatalf("journey %d step %d: %v: %v", j.Index, k, api, err)
			}
		}
		if !json.Valid(c.Data) {
			t.Fatalf("journey %d step %d: data is not JSON: %s", j.Index, k, c.Data)
		}
		switch c.Kind {
		case cio.KindTrack:
			checkEventData(t, j, c)
		case cio.KindIdentify:
			checkAttributes(t, j, c)
		}
		_ = sh
	}
}

func checkEventData(t *testing.T, j *Journey, c *cio.Call) {
	t.Helper()
	if !planEvents[c.Name] {
		t.Errorf("event %q is not in the D2C plan", c.Name)
	}
	sh := j.Shopper
	for _, pii := range []string{sh.Email, sh.Phone, `"` + sh.FirstName + `"`, `"email"`, `"phone"`} {
		if bytes.Contains(c.Data, []byte(pii)) {
			t.Errorf("%s carries personal data %s: %s", c.Name, pii, c.Data)
		}
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(c.Data))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	hasMoney := false
	for _, k := range moneyKeys {
		v, ok := m[k]
		if !ok {
			continue
		}
		hasMoney = true
		n, isNum := v.(json.Number)
		f, err := n.Float64()
		if !isNum || err != nil || f < 0 || math.Abs(f*100-math.Round(f*100)) > 1e-6 {
			t.Errorf("%s.%s = %v, want a major-unit decimal", c.Name, k, v)
		}
	}
	if hasMoney && m["currency"] != currency {
		t.Errorf("%s has amounts but currency %v", c.Name, m["currency"])
	}
	if c.Name == EventAddedToCart || c.Name == EventCheckoutStarted || c.Name == EventOrderPlaced {
		if m["cart_id"] == nil || m["items"] == nil {
			t.Errorf("%s without cart_id or items: %s", c.Name, c.Data)
		}
	}
}

func checkAttributes(t *testing.T, j *Journey, c *cio.Call) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(c.Data, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"first_order_date", "last_order_date"} {
		if v, ok := m[k]; ok {
			f, isNum := v.(float64)
			if !isNum || f != math.Trunc(f) || f < 1e9 || f > 1e10 {
				t.Errorf("%s = %v, want unix seconds", k, v)
			}
		}
	}
	for _, k := range []string{"email_consent", "sms_consent"} {
		if v, ok := m[k]; ok {
			if _, isBool := v.(bool); !isBool {
				t.Errorf("%s = %v, want a boolean", k, v)
			}
		}
	}
}

// TestBuiltinCampaignOutcomes checks the stories against the built-in
// campaigns: abandoners are sent the message, buyers exit ("sent*" is a sent
// message to a shopper who bought: Customer.io's own late-merge outcome).
func TestBuiltinCampaignOutcomes(t *testing.T) {
	tests := []struct {
		scenario, campaign string
		want               []string // every outcome that must occur; "" = not triggered
	}{
		{"browse-abandon", "cart_abandonment", []string{""}},
		{"browse-abandon", "browse_abandonment", []string{"", OutcomeSent}}, // most stay anonymous
		{"cart-abandon", "cart_abandonment", []string{OutcomeSent}},
		{"cart-abandon", "checkout_abandonment", []string{OutcomeSent}},
		{"purchase", "cart_abandonment", []string{OutcomeExited}},
		{"purchase", "checkout_abandonment", []string{OutcomeExited}},
		{"purchase", "browse_abandonment", []string{OutcomeExited}},
		{"cross-device-checkout", "cart_abandonment", []string{"", "sent*"}},
		{"cross-device-checkout", "checkout_abandonment", []string{OutcomeExited}},
		{"repeat-purchase", "cart_abandonment", []string{OutcomeExited}},
		{"subscription-cancel", "cart_abandonment", []string{""}},
		{"reactivation", "cart_abandonment", []string{OutcomeExited, OutcomeSent}},
	}
	for _, tt := range tests {
		t.Run(tt.scenario+"/"+tt.campaign, func(t *testing.T) {
			g := mustGenerator(t, []string{tt.scenario}, 4)
			l := NewLedger()
			seen := map[string]int{}
			for i := uint64(0); i < 200; i++ {
				rec := l.Add(g.Journey(i), SampleEpoch, DefaultTimeScale)
				got := ""
				for _, p := range rec.People {
					for _, o := range p.Campaigns {
						if o.Campaign != tt.campaign {
							continue
						}
						if got != "" {
							t.Fatalf("journey %d: entered %s twice", i, tt.campaign)
						}
						got = o.Outcome
						if o.Converted && o.Outcome == OutcomeSent {
							got += "*"
						}
					}
				}
				seen[got]++
			}
			if len(seen) != len(tt.want) {
				t.Errorf("outcomes %v, want exactly %q", seen, tt.want)
			}
			for _, w := range tt.want {
				if seen[w] == 0 {
					t.Errorf("outcomes %v: %q never occurred", seen, w)
				}
			}
		})
	}
}

// TestLateEventsExerciseBothRules checks that cart-abandon's buffered late
// event sometimes merges and sometimes stays anonymous.
func TestLateEventsExerciseBothRules(t *testing.T) {
	g := mustGenerator(t, []string{"cart-abandon"}, 8)
	merged, anonymous := 0, 0
	for i := uint64(0); i < 400; i++ {
		rec := NewLedger().Add(g.Journey(i), SampleEpoch, DefaultTimeScale)
		for _, a := range rec.Anonymous {
			anonymous += len(a.Events)
		}
		for _, ev := range rec.People[0].Events {
			if ev.Via == ViaAnonymousMerge && ev.Landed > rec.Linked[0].Offset {
				merged++
			}
		}
	}
	if merged == 0 || anonymous == 0 {
		t.Errorf("late events: %d merged, %d left anonymous; want both", merged, anonymous)
	}
}

func TestMixWeights(t *testing.T) {
	g := mustGenerator(t, nil, 2)
	const n = 4000
	count := map[string]int{}
	for i := uint64(0); i < n; i++ {
		count[g.Journey(i).Scenario]++
	}
	for _, e := range g.Mix().Entries {
		want := e.Weight * n // LoadMix scales a mix's weights to sum to 1
		if got := float64(count[e.Scenario.Name]); math.Abs(got-want) > 4*math.Sqrt(want)+5 {
			t.Errorf("%s: %v journeys of %d, want about %v", e.Scenario.Name, got, n, want)
		}
	}
}
