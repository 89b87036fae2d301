package verify

import (
	"time"

	"github.com/cioharness/cioharness/cio"
	"github.com/cioharness/cioharness/mockcio"
	"github.com/cioharness/cioharness/scenarios"
)

func sendAt(r *scenarios.Record, landed time.Duration) time.Time {
	return r.Start.Add(realOffset(r, landed))
}

func findEvent(e *scenarios.Expected, id string) *scenarios.ExpectedEvent {
	for i := range e.Events {
		if e.Events[i].ID == id {
			return &e.Events[i]
		}
	}
	return nil
}

func directTrigger(led *scenarios.Ledger, outcome string, extra func(e *scenarios.Expected, o *scenarios.Outcome) bool) func(*scenarios.Expected, *scenarios.Outcome) bool {
	return func(e *scenarios.Expected, o *scenarios.Outcome) bool {
		tr := findEvent(e, o.TriggerEventID)
		return o.Outcome == outcome && (outcome == scenarios.OutcomeExited || !o.Converted) && tr != nil && tr.Offset >= 0 &&
			(extra == nil || extra(e, o))
	}
}

// byJourney applies fn to every call of journey j.
func byJourney(j uint64, fn func(c *cio.Call)) twist {
	return func(r *scenarios.Record, s send) []send {
		if r.Index == j {
			fn(&s.call)
		}
		return []send{s}
	}
}

func pickDirect(led *scenarios.Ledger, name string) (*scenarios.Expected, *scenarios.ExpectedEvent) {
	return pickEvent(led, direct(name))
}

var defects = []defect{
	{"drop an event", CheckDelivered, func(led *scenarios.Ledger) twist {
		_, ev := pickDirect(led, scenarios.EventViewedProduct)
		if ev == nil {
			return nil
		}
		return onEvent(ev.ID, func(send) []send { return nil })
	}, "not stored"},
	{"send an event twice with a new id", CheckDuplicated, func(led *scenarios.Ledger) twist {
		_, ev := pickDirect(led, scenarios.EventAddedToCart)
		if ev == nil {
			return nil
		}
		return onEvent(ev.ID, func(s send) []send {
			again := s
			again.call.ID, again.at = newID(s.call.ID), s.at.Add(5*time.Millisecond)
			return []send{s, again}
		})
	}, "stored 2 times"},
	{"rename, truncate and re-type properties", CheckProperties, func(led *scenarios.Ledger) twist {
		_, ev := pickDirect(led, scenarios.EventViewedProduct)
		if ev == nil {
			return nil
		}
		return editEvent(ev.ID, func(c *cio.Call) {
			editData(c, func(m map[string]any) {
				m["product_sku"] = m["sku"]
				delete(m, "sku")
				m["name"] = m["name"].(string)[:3]
				m["price"] = "12.00"
			})
		})
	}, "renamed sku -> product_sku"},
	{"shift a timestamp", CheckTimestamps, func(led *scenarios.Ledger) twist {
		_, ev := pickDirect(led, scenarios.EventViewedProduct)
		if ev == nil {
			return nil
		}
		return editEvent(ev.ID, func(c *cio.Call) { c.Timestamp = c.Timestamp.Add(time.Minute) })
	}, "off by"},
	{"send the cart after the purchase", CheckOrder, func(led *scenarios.Ledger) twist {
		e, o := pickOutcome(led, scenarios.CartAbandonment.Name, directTrigger(led, scenarios.OutcomeExited,
			func(e *scenarios.Expected, o *scenarios.Outcome) bool {
				x := findEvent(e, o.ExitEventID)
				tr := findEvent(e, o.TriggerEventID)
				return x != nil && x.Via == scenarios.ViaDirect && tr.Via == scenarios.ViaDirect && x.Landed-tr.Landed > time.Minute
			}))
		if o == nil {
			return nil
		}
		r := recordOf(led, e)
		exitAt := sendAt(r, findEvent(e, o.ExitEventID).Landed)
		return onEvent(o.TriggerEventID, func(s send) []send { s.at = exitAt.Add(20 * time.Millisecond); return []send{s} })
	}, "landed"},
	{"identify without the anonymous id", CheckAnonymousMerge, func(led *scenarios.Ledger) twist {
		e, _ := pickEvent(led, func(e *scenarios.Expected, ev *scenarios.ExpectedEvent) bool {
			return ev.Via == scenarios.ViaAnonymousMerge
		})
		if e == nil {
			return nil
		}
		return byJourney(e.Journey, func(c *cio.Call) {
			if !c.Anonymous() {
				c.AnonymousID = ""
			}
		})
	}, "on the identified person"},
	{"send an event on another shopper", CheckCrossContamination, func(led *scenarios.Ledger) twist {
		a, ev := pickDirect(led, scenarios.EventViewedProduct)
		if ev == nil {
			return nil
		}
		var b *scenarios.Expected
		for _, p := range led.People() {
			if p.ID != "" && p.Journey != a.Journey {
				b = p
				break
			}
		}
		if b == nil {
			return nil
		}
		return editEvent(ev.ID, func(c *cio.Call) { c.UserID, c.Email = b.ID, "" })
	}, "holds an event of shopper"},
	{"send an event under a second id", CheckDuplicateProfiles, func(led *scenarios.Ledger) twist {
		_, ev := pickDirect(led, scenarios.EventViewedProduct)
		if ev == nil {
			return nil
		}
		return editEvent(ev.ID, func(c *cio.Call) { c.UserID += "-dup" })
	}, "2 profiles"},
	{"key a shopper by email", CheckPrimaryID, func(led *scenarios.Ledger) twist {
		var e *scenarios.Expected
		for _, p := range led.People() {
			if p.ID != "" && p.Email != "" && len(recordOf(led, p).People) == 1 {
				e = p
				break
			}
		}
		if e == nil {
			return nil
		}
		return byJourney(e.Journey, func(c *cio.Call) {
			if c.UserID == e.ID {
				c.UserID = ""
				if c.Email == "" {
					c.Email = e.Email
				}
			}
		})
	}, "keyed by email only"},
	{"re-type an attribute", CheckAttributes, func(led *scenarios.Ledger) twist {
		var e *scenarios.Expected
		for _, p := range led.People() {
			if _, ok := p.Attributes["email_consent"]; ok {
				e = p
				break
			}
		}
		if e == nil {
			return nil
		}
		return byJourney(e.Journey, func(c *cio.Call) {
			if c.Kind == cio.KindIdentify {
				editData(c, func(m map[string]any) {
					if _, ok := m["email_consent"]; ok {
						m["email_consent"] = "yes"
					}
				})
			}
		})
	}, "wrong type"},
	{"lose the purchase", CheckNoSendAfterBuy, func(led *scenarios.Ledger) twist {
		_, o := pickOutcome(led, scenarios.CartAbandonment.Name, directTrigger(led, scenarios.OutcomeExited, nil))
		if o == nil {
			return nil
		}
		return onEvent(o.ExitEventID, func(send) []send { return nil })
	}, "message sent"},
	{"a purchase the shopper never made", CheckSendsToAbandoners, func(led *scenarios.Ledger) twist {
		e, o := pickOutcome(led, scenarios.CartAbandonment.Name, directTrigger(led, scenarios.OutcomeSent, nil))
		if o == nil {
			return nil
		}
		return onEvent(o.TriggerEventID, func(s send) []send {
			buy := s
			buy.call.Name, buy.call.ID = scenarios.EventOrderPlaced, newID(s.call.ID)
			buy.at = o.TriggeredAt.Add(30 * time.Millisecond)
			buy.call.Timestamp = buy.at
			buy.call.UserID, buy.call.Email = e.ID, e.Email
			return []send{s, buy}
		})
	}, "message"},
	{"a cart with the wrong value", CheckMessageContent, func(led *scenarios.Ledger) twist {
		_, o := pickOutcome(led, scenarios.CartAbandonment.Name, directTrigger(led, scenarios.OutcomeSent, nil))
		if o == nil {
			return nil
		}
		return editEvent(o.TriggerEventID, func(c *cio.Call) {
			editData(c, func(m map[string]any) { m["value"] = m["value"].(float64) + 1 })
		})
	}, "value"},
	{"an alias instead of the canonical name", mockcio.RuleEventNames, func(led *scenarios.Ledger) twist {
		_, ev := pickDirect(led, scenarios.EventViewedProduct)
		if ev == nil {
			return nil
		}
		return editEvent(ev.ID, func(c *cio.Call) { c.Name = "Product Viewed" })
	}, "Product Viewed"},
	{"a price as a string", mockcio.RulePropertyTypes, func(led *scenarios.Ledger) twist {
		_, ev := pickDirect(led, scenarios.EventViewedProduct)
		if ev == nil {
			return nil
		}
		return editEvent(ev.ID, func(c *cio.Call) { editData(c, func(m map[string]any) { m["price"] = "12.00" }) })
	}, "price"},
	{"a required property missing", mockcio.RuleRequiredProperties, func(led *scenarios.Ledger) twist {
		_, ev := pickDirect(led, scenarios.EventViewedProduct)
		if ev == nil {
			return nil
		}
		return editEvent(ev.ID, func(c *cio.Call) { editData(c, func(m map[string]any) { delete(m, "sku") }) })
	}, "sku"},
	{"both names of a duplicate pair", mockcio.RuleDuplicateSemantics, func(led *scenarios.Ledger) twist {
		_, ev := pickDirect(led, scenarios.EventCheckoutStarted)
		if ev == nil {
			return nil
		}
		return onEvent(ev.ID, func(s send) []send {
			dup := s
			dup.call.Name, dup.call.ID, dup.at = "Initiated Checkout", newID(s.call.ID), s.at.Add(5*time.Millisecond)
			return []send{s, dup}
		})
	}, "Checkout"},
	{"an email in event data", mockcio.RulePIIInEvents, func(led *scenarios.Ledger) twist {
		_, ev := pickDirect(led, scenarios.EventViewedProduct)
		if ev == nil {
			return nil
		}
		return editEvent(ev.ID, func(c *cio.Call) { editData(c, func(m map[string]any) { m["email"] = "x@example.com" }) })
	}, "email"},
	{"a cart value in cents", mockcio.RuleMoney, func(led *scenarios.Ledger) twist {
		_, ev := pickDirect(led, scenarios.EventAddedToCart)
		if ev == nil {
			return nil
		}
		return editEvent(ev.ID, func(c *cio.Call) {
			editData(c, func(m map[string]any) { m["value"] = float64(int(m["value"].(float64)*100 + 0.5)) })
		})
	}, ""},
	{"a lost purchase moves a shopper between segments", CheckSegmentsTruth, func(led *scenarios.Ledger) twist {
		_, ev := pickDirect(led, scenarios.EventOrderPlaced)
		if ev == nil {
			return nil
		}
		return onEvent(ev.ID, func(send) []send { return nil })
	}, "member"},
}

func recordOf(led *scenarios.Ledger, e *scenarios.Expected) *scenarios.Record {
	for _, r := range led.Records() {
		if r.Index == e.Journey {
			return r
		}
	}
	return nil
}
