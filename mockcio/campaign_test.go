package mockcio

import (
	"encoding/json"
	"testing"
	"time"
)

const cartCampaign = `
campaigns:
  - name: cart
    trigger: Added to Cart
    delay: 1h
    exit: Order Placed
    content:
      cart_id: event.cart_id
      value: event.value
      email: person.email
`

// At scale 60 one shopper hour is one real minute.
const scale60 = 60

func TestCampaignRules(t *testing.T) {
	t.Parallel()
	min := time.Minute // one shopper hour at scale 60
	cases := []struct {
		name string
		// run lands events for person "p" and returns the real time to run timers at.
		run         func(h *fakeHost, e *Engine, p PersonRef)
		wantOutcome string // "" = no journey at all
		wantExitAt  time.Time
	}{
		{
			name: "no exit event: sent",
			run: func(h *fakeHost, e *Engine, p PersonRef) {
				h.land(e, p, ev("Added to Cart", t0, t0, `{"cart_id":"c1","value":10}`))
			},
			wantOutcome: "sent",
		},
		{
			name: "exit before due: exited at the exit event's arrival",
			run: func(h *fakeHost, e *Engine, p PersonRef) {
				h.land(e, p, ev("Added to Cart", t0, t0, `{"cart_id":"c1"}`))
				h.land(e, p, ev("Order Placed", t0.Add(30*time.Second), t0.Add(40*time.Second), ""))
			},
			wantOutcome: "exited", wantExitAt: t0.Add(40 * time.Second),
		},
		{
			name: "exit after due: sent",
			run: func(h *fakeHost, e *Engine, p PersonRef) {
				h.land(e, p, ev("Added to Cart", t0, t0, `{"cart_id":"c1"}`))
				h.land(e, p, ev("Order Placed", t0.Add(30*time.Second), t0.Add(min+time.Millisecond), ""))
			},
			wantOutcome: "sent",
		},
		{
			name: "exit landing exactly at the due time: exited",
			run: func(h *fakeHost, e *Engine, p PersonRef) {
				h.land(e, p, ev("Added to Cart", t0, t0, `{}`))
				h.land(e, p, ev("Order Placed", t0.Add(time.Second), t0.Add(min), ""))
			},
			wantOutcome: "exited", wantExitAt: t0.Add(min),
		},
		{
			name: "exit event timestamped before the trigger: sent",
			run: func(h *fakeHost, e *Engine, p PersonRef) {
				h.land(e, p, ev("Added to Cart", t0, t0, `{}`))
				h.land(e, p, ev("Order Placed", t0.Add(-time.Second), t0.Add(time.Second), ""))
			},
			wantOutcome: "sent",
		},
		{
			name: "exit event arrived before the trigger (out of order): sent",
			run: func(h *fakeHost, e *Engine, p PersonRef) {
				h.land(e, p, ev("Order Placed", t0.Add(time.Second), t0, ""))
				h.land(e, p, ev("Added to Cart", t0, t0.Add(2*time.Second), `{}`))
			},
			wantOutcome: "sent",
		},
		{
			name: "exit through a profile merge does not count: sent",
			run: func(h *fakeHost, e *Engine, p PersonRef) {
				h.land(e, p, ev("Added to Cart", t0, t0, `{}`))
				x := ev("Order Placed", t0.Add(time.Second), t0.Add(2*time.Second), "")
				x.Via = ViaProfileMerge
				h.land(e, p, x)
			},
			wantOutcome: "sent",
		},
		{
			name: "trigger older than 72h: no journey",
			run: func(h *fakeHost, e *Engine, p PersonRef) {
				// 73 shopper hours = 73 real minutes at scale 60.
				h.land(e, p, ev("Added to Cart", t0.Add(-73*min), t0, `{}`))
			},
		},
		{
			name: "trigger just inside 72h: sent",
			run: func(h *fakeHost, e *Engine, p PersonRef) {
				h.land(e, p, ev("Added to Cart", t0.Add(-71*min), t0, `{}`))
			},
			wantOutcome: "sent",
		},
		{
			name: "trigger arriving through a profile merge: no journey",
			run: func(h *fakeHost, e *Engine, p PersonRef) {
				x := ev("Added to Cart", t0, t0, `{}`)
				x.Via = ViaProfileMerge
				h.land(e, p, x)
			},
		},
		{
			name: "anonymous trigger merged within 72h: sent",
			run: func(h *fakeHost, e *Engine, p PersonRef) {
				x := ev("Added to Cart", t0.Add(-10*min), t0, `{}`)
				x.Via, x.ReceivedAt = ViaAnonymousMerge, t0.Add(-10*min)
				h.land(e, p, x)
			},
			wantOutcome: "sent",
		},
		{
			name: "anonymous trigger merged after 72h: no journey",
			run: func(h *fakeHost, e *Engine, p PersonRef) {
				x := ev("Added to Cart", t0.Add(-80*min), t0, `{}`)
				x.Via, x.ReceivedAt = ViaAnonymousMerge, t0.Add(-80*min)
				h.land(e, p, x)
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newFakeHost(scale60)
			e := newTestEngine(t, h, cartCampaign)
			p := h.person("p", nil)
			tc.run(h, e, p)
			e.RunDue(t0.Add(10 * min))
			msgs := e.Messages("", "")
			if tc.wantOutcome == "" {
				if len(msgs) != 0 {
					t.Fatalf("got %d messages %+v, want none", len(msgs), msgs)
				}
				return
			}
			if len(msgs) != 1 {
				t.Fatalf("got %d messages %+v, want 1", len(msgs), msgs)
			}
			m := msgs[0]
			if got, want := m.Outcome, tc.wantOutcome; got != want {
				t.Errorf("outcome: got %q, want %q", got, want)
			}
			if !m.ExitEventAt.Equal(tc.wantExitAt) {
				t.Errorf("exit_event_at: got %v, want %v", m.ExitEventAt, tc.wantExitAt)
			}
			if got, want := m.DueAt.Sub(m.TriggeredAt), min; got != want {
				t.Errorf("due - triggered: got %v, want %v (1 shopper hour at scale 60)", got, want)
			}
		})
	}
}

func TestCampaignContentAndPending(t *testing.T) {
	t.Parallel()
	h := newFakeHost(scale60)
	e := newTestEngine(t, h, cartCampaign)
	p := h.person("p", nil)
	h.land(e, p, ev("Added to Cart", t0, t0, `{"cart_id":"c9","value":49.99,"items":[1]}`))
	if got := e.PendingTimers(); got != 1 {
		t.Fatalf("pending: got %d, want 1", got)
	}
	msgs := e.Messages("cart", "p@x.test")
	if len(msgs) != 1 || msgs[0].Outcome != "pending" {
		t.Fatalf("before due: got %+v, want one pending", msgs)
	}
	if n := e.RunDue(t0.Add(59 * time.Second)); n != 0 {
		t.Fatalf("fired %d timers before due", n)
	}
	e.RunDue(t0.Add(time.Minute + fireGrace))
	msgs = e.Messages("cart", "p")
	if len(msgs) != 1 || msgs[0].Outcome != "sent" {
		t.Fatalf("got %+v, want one sent", msgs)
	}
	var got map[string]any
	if err := json.Unmarshal(msgs[0].Content, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"cart_id": "c9", "value": 49.99, "email": "p@x.test"}
	if len(got) != len(want) || got["cart_id"] != want["cart_id"] || got["value"] != want["value"] || got["email"] != want["email"] {
		t.Errorf("content: got %v, want %v", got, want)
	}
	if n := len(e.Messages("other", "")) + len(e.Messages("", "nobody")); n != 0 {
		t.Errorf("filters: got %d messages for another campaign or person, want 0", n)
	}
	if got := e.PendingTimers(); got != 0 {
		t.Errorf("pending after due: got %d, want 0", got)
	}
}

func TestCampaignReentryAndFilter(t *testing.T) {
	t.Parallel()
	cfg := `
campaigns:
  - {name: default, trigger: A, delay: 1h}
  - {name: once, trigger: A, delay: 1h, reentry: once}
  - {name: always, trigger: A, delay: 1h, reentry: always}
  - name: big
    trigger: A
    delay: 1h
    filter:
      and:
        - event: {name: value, op: gte, value: 100}
        - attribute: {name: vip_tier, op: equals, value: gold}
`
	h := newFakeHost(scale60)
	e := newTestEngine(t, h, cfg)
	gold := h.person("gold", map[string]any{"vip_tier": "gold"})
	h.land(e, gold, ev("A", t0, t0, `{"value":150}`))
	h.land(e, gold, ev("A", t0, t0.Add(time.Second), `{"value":50}`))
	e.RunDue(t0.Add(2 * time.Minute))
	h.land(e, gold, ev("A", t0, t0.Add(3*time.Minute), `{"value":50}`))
	e.RunDue(t0.Add(10 * time.Minute))
	none := h.person("none", map[string]any{"vip_tier": "none"})
	h.land(e, none, ev("A", t0, t0, `{"value":500}`))
	e.RunDue(t0.Add(10 * time.Minute))
	count := func(c, p string) int { return len(e.Messages(c, p)) }
	for _, tc := range []struct {
		campaign, person string
		want             int
	}{
		{"default", "gold", 2}, // second trigger while waiting ignored; third after the end enters
		{"once", "gold", 1},
		{"always", "gold", 3},
		{"big", "gold", 1}, // only the first trigger has value ≥ 100
		{"big", "none", 0}, // not gold
		{"default", "none", 1},
	} {
		if got := count(tc.campaign, tc.person); got != tc.want {
			t.Errorf("%s/%s: got %d messages, want %d", tc.campaign, tc.person, got, tc.want)
		}
	}
}

func TestCampaignPersonRemoved(t *testing.T) {
	t.Parallel()
	h := newFakeHost(scale60)
	e := newTestEngine(t, h, cartCampaign)
	del, sec, pri := h.person("del", nil), h.person("sec", nil), h.person("pri", nil)
	h.land(e, del, ev("Added to Cart", t0, t0, `{}`))
	h.land(e, sec, ev("Added to Cart", t0, t0, `{"cart_id":"s"}`))
	e.PersonRemoved(del, RemovedDeleted, PersonRef{})
	e.PersonRemoved(sec, RemovedMerged, pri)
	// The journey continues on the primary, and the primary's purchase exits it.
	h.land(e, pri, ev("Order Placed", t0.Add(time.Second), t0.Add(2*time.Second), ""))
	e.RunDue(t0.Add(time.Hour))
	if n := len(e.Messages("", "del")); n != 0 {
		t.Errorf("deleted person: got %d messages, want 0", n)
	}
	msgs := e.Messages("", "pri")
	if len(msgs) != 1 || msgs[0].Outcome != "exited" {
		t.Errorf("primary: got %+v, want one exited journey moved from the secondary", msgs)
	}
}

func TestCampaignTimeScale3600(t *testing.T) {
	t.Parallel()
	// At scale 3600 a one-hour delay is one real second.
	h := &realHost{fakeHost: newFakeHost(3600)}
	e := NewEngine(h, EngineOptions{Empty: true})
	t.Cleanup(func() { e.Close() })
	if err := e.SetConfig(ConfigView{Campaigns: mustJSONString(cartCampaign)}); err != nil {
		t.Fatal(err)
	}
	buyer, abandoner := h.person("buyer", nil), h.person("abandoner", nil)
	start := time.Now()
	h.land(e, abandoner, ev("Added to Cart", start, start, `{"cart_id":"a"}`))
	h.land(e, buyer, ev("Added to Cart", start, start, `{"cart_id":"b"}`))
	time.Sleep(250 * time.Millisecond) // a quarter of a shopper hour
	now := time.Now()
	if now.Sub(start) >= 900*time.Millisecond {
		t.Skipf("machine too loaded: the purchase would land %v after the cart, near the 1s due time", now.Sub(start))
	}
	h.land(e, buyer, ev("Order Placed", now, now, ""))
	deadline := time.Now().Add(5 * time.Second)
	for e.PendingTimers() > 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	resolved := time.Now()
	msgs := e.Messages("cart", "")
	if len(msgs) != 2 {
		t.Fatalf("got %d messages %+v, want 2", len(msgs), msgs)
	}
	outcomes := map[string]string{}
	for _, m := range msgs {
		outcomes[m.Person] = m.Outcome
		if got := m.DueAt.Sub(m.TriggeredAt); got != time.Second {
			t.Errorf("%s: due - triggered = %v, want 1s", m.Person, got)
		}
	}
	if outcomes["buyer"] != "exited" || outcomes["abandoner"] != "sent" {
		t.Errorf("outcomes: got %v, want buyer exited, abandoner sent", outcomes)
	}
	// Never early; late by at most 1.5 s on a loaded machine (the timers'
	// precision is TestTimersGoroutinePrecision's business).
	if elapsed := resolved.Sub(start); elapsed < time.Second || elapsed > 2500*time.Millisecond {
		t.Errorf("resolved after %v, want about 1s (1s to 2.5s)", elapsed)
	}
}

// realHost is a fakeHost on the wall clock.
type realHost struct{ *fakeHost }

func (realHost) Now() time.Time { return time.Now() }
