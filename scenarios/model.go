package scenarios

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// Scenario is one parsed journey template: devices and a list of steps.
type Scenario struct {
	Name        string
	Description string
	Devices     []DeviceSpec
	Source      string // "builtin" or the file it was read from
	steps       []*step

	// Size hints from earlier journeys, so that generation allocates once.
	arenaHint atomic.Int64
	stepsHint atomic.Int64
}

// DeviceSpec is a device a scenario's shopper uses; each gets its own anonymous id.
type DeviceSpec struct {
	Name string // referred to by switch_device
	Kind string // mobile, desktop or app
}

// Mix weights scenarios: each journey picks one with probability weight/sum.
type Mix struct {
	Name        string
	Description string
	Entries     []MixEntry
}

// MixEntry is one weighted scenario of a mix.
type MixEntry struct {
	Scenario *Scenario
	Weight   float64
}

// op is a step's kind.
type op uint8

const (
	opViewProducts op = iota + 1
	opPageView
	opAddToCart
	opRemoveFromCart
	opCheckoutStarted
	opOrderPlaced
	opIdentify
	opProfileUpdate
	opSubscriptionCanceled
	opCustomEvent
	opWait
	opAt
	opBranch
	opRepeat
	opSwitchDevice
)

// opNames are the YAML spellings of the ops.
var opNames = map[string]op{
	"view_products": opViewProducts, "page_view": opPageView, "add_to_cart": opAddToCart,
	"remove_from_cart": opRemoveFromCart, "checkout_started": opCheckoutStarted,
	"order_placed": opOrderPlaced, "identify": opIdentify, "profile_update": opProfileUpdate,
	"subscription_canceled": opSubscriptionCanceled, "custom_event": opCustomEvent,
	"wait": opWait, "at": opAt, "branch": opBranch, "repeat": opRepeat, "switch_device": opSwitchDevice,
}

// identBy says which identifiers an identify carries.
type identBy uint8

const (
	byEmail identBy = iota + 1
	byExternalID
	byBoth
)

// productPick says which product a step uses.
type productPick uint8

const (
	pickNew     productPick = iota // a random catalog product
	pickCurrent                    // the journey's current product (viewed last, or the hero)
)

// step is one compiled scenario step. Which fields matter depends on op.
type step struct {
	op   op
	line int

	count     intRange // view_products, repeat
	quantity  intRange // add_to_cart
	gap       dist     // view_products: time between views
	wait      dist     // wait
	at        time.Duration
	replenish bool    // at: -replenish
	p         float64 // branch probability; order_placed discount probability
	then, els []*step // branch arms; repeat body in then
	device    int     // switch_device
	product   productPick
	category  string // products picked come from this category ("" = any)
	anonymous bool   // event sent with the anonymous id only, even after identify
	by        identBy
	consent   bool
	noProfile bool // order_placed: no profile update after the order
	newEmail  bool // profile_update: the shopper changes email
	kind      string
	name      string
	path      *tmpl
	title     *tmpl
	props     []field // custom_event properties; identify/profile_update attributes
	reasons   []string
}

// field is one templated key of an event or profile.
type field struct {
	key string
	val *tmpl
}

// Validate checks a scenario built or edited in code; parsed scenarios are
// already valid. Errors name the step's line when known.
func (s *Scenario) Validate() error {
	if s.Name == "" {
		return errors.New("scenario: name is empty")
	}
	if len(s.Devices) == 0 {
		return fmt.Errorf("scenario %s: no devices", s.Name)
	}
	if len(s.steps) == 0 {
		return fmt.Errorf("scenario %s: no steps", s.Name)
	}
	return validateSteps(s, s.steps)
}

func validateSteps(s *Scenario, steps []*step) error {
	for _, st := range steps {
		switch st.op {
		case opSwitchDevice:
			if st.device < 0 || st.device >= len(s.Devices) {
				return fmt.Errorf("scenario %s: line %d: switch_device: no device %d", s.Name, st.line, st.device)
			}
		case opBranch, opRepeat:
			if err := errors.Join(validateSteps(s, st.then), validateSteps(s, st.els)); err != nil {
				return err
			}
		case 0:
			return fmt.Errorf("scenario %s: line %d: step has no kind", s.Name, st.line)
		}
	}
	return nil
}

// Validate checks the mix: at least one scenario, positive weights.
func (m *Mix) Validate() error {
	if len(m.Entries) == 0 {
		return fmt.Errorf("mix %s: no scenarios", m.Name)
	}
	for _, e := range m.Entries {
		if e.Scenario == nil {
			return fmt.Errorf("mix %s: entry without scenario", m.Name)
		}
		if !(e.Weight > 0) {
			return fmt.Errorf("mix %s: scenario %s: weight must be positive", m.Name, e.Scenario.Name)
		}
		if err := e.Scenario.Validate(); err != nil {
			return fmt.Errorf("mix %s: %w", m.Name, err)
		}
	}
	return nil
}

// Names lists the mix's scenario names in order.
func (m *Mix) Names() []string {
	out := make([]string, len(m.Entries))
	for i, e := range m.Entries {
		out[i] = e.Scenario.Name
	}
	return out
}
