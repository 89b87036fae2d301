package scenarios

import (
	"strconv"
	"time"

	"github.com/cioharness/cioharness/cio"
)

// gen is the state of one journey being generated.
type gen struct {
	g  *Generator
	r  *rng
	sc *Scenario
	j  *Journey

	t       time.Duration // shopper time since the journey's start
	dev     int           // current device
	known   []identBy     // per device: how it identified (0 = anonymous)
	hasID   bool          // the shopper has logged in somewhere: the backend knows the external id
	email   string        // current email
	emails  int           // email changes so far
	current *product      // viewed or bought last
	cart    []line
	cartID  string
	carts   int
	orders  int
	first   time.Duration
	orderID string
	total   int64

	arena   []byte // the journey's payloads, sliced per call
	scratch []byte
}

type line struct {
	p   *product
	qty int
}

func (s *gen) start() {
	s.known = make([]identBy, len(s.sc.Devices))
	s.email = s.j.Shopper.Email
	s.current = s.g.data.products[s.r.intn(len(s.g.data.products))]
	s.arena = make([]byte, 0, max(512, s.sc.arenaHint.Load()))
	s.j.Steps = make([]Step, 0, max(8, s.sc.stepsHint.Load()))
}

// finish records size hints for the scenario's next journeys: a moving
// average with headroom. Capacities only: the output does not depend on them.
func (s *gen) finish() {
	if n := int64(len(s.arena)); n < 1<<20 {
		h := s.sc.arenaHint.Load()
		s.sc.arenaHint.Store((7*h + n*5/4) / 8)
	}
	if n := int64(len(s.j.Steps)); n < 4096 {
		h := s.sc.stepsHint.Load()
		s.sc.stepsHint.Store((7*h + n + 2) / 8)
	}
}

// run executes steps in order, advancing shopper time.
func (s *gen) run(steps []*step) {
	for _, st := range steps {
		s.exec(st)
	}
}

func (s *gen) exec(st *step) {
	switch st.op {
	case opViewProducts:
		s.viewProducts(st)
	case opPageView:
		s.pageView(st)
	case opAddToCart:
		s.addToCart(st)
	case opRemoveFromCart:
		s.removeFromCart()
	case opCheckoutStarted:
		s.checkoutStarted()
	case opOrderPlaced:
		s.orderPlaced(st)
	case opIdentify:
		s.identify(st.by, st.consent, st.props)
	case opProfileUpdate:
		s.profileUpdate(st)
	case opSubscriptionCanceled:
		s.subscriptionCanceled(st)
	case opCustomEvent:
		s.customEvent(st)
	case opWait:
		s.t += st.wait.sample(s.r)
	case opAt:
		s.t = st.at
		if st.replenish {
			s.t = -s.current.replenish
		}
	case opBranch:
		if s.r.chance(st.p) {
			s.run(st.then)
		} else {
			s.run(st.els)
		}
	case opRepeat:
		for n := st.count.sample(s.r); n > 0; n-- {
			s.run(st.then)
		}
	case opSwitchDevice:
		s.dev = st.device
	}
}

// begin starts a payload in the arena; end returns it as the call's data.
func (s *gen) begin() int { s.arena = append(s.arena, '{'); return len(s.arena) - 1 }

func (s *gen) end(start int) []byte {
	s.arena = append(s.arena, '}')
	return s.arena[start:len(s.arena):len(s.arena)]
}

// who says whose identifiers a call carries.
type who uint8

const (
	fromDevice    who = iota // the current device: its identity if it identified, always its anonymous id
	fromAnonymous            // the current device's anonymous id only (a buffered SDK event)
	fromBackend              // the shop's backend: external id if known, else email; no anonymous id
)

// emit appends a call at the current time.
func (s *gen) emit(kind cio.Kind, name string, data []byte, w who) *cio.Call {
	c := cio.Call{Kind: kind, Name: name, Data: data} // ID: assigned at the end
	dev := s.j.Shopper.Devices[s.dev]
	switch w {
	case fromDevice:
		c.AnonymousID = dev.AnonymousID
		switch s.known[s.dev] {
		case byEmail:
			c.Email = s.email
		case byExternalID, byBoth:
			c.UserID = s.j.Shopper.ExternalID
		}
	case fromAnonymous:
		c.AnonymousID = dev.AnonymousID
	case fromBackend:
		if s.hasID {
			c.UserID = s.j.Shopper.ExternalID
		} else {
			c.Email = s.email
		}
	}
	s.j.Steps = append(s.j.Steps, Step{Offset: s.t, Device: s.dev, Call: c})
	return &s.j.Steps[len(s.j.Steps)-1].Call
}

// identify sends an identify from the current device with its anonymous id.
func (s *gen) identify(by identBy, consent bool, attrs []field) {
	sh := s.j.Shopper
	at := s.begin()
	s.arena = cio.AppendString(append(s.arena, `"first_name":`...), sh.FirstName)
	s.arena = cio.AppendString(append(s.arena, `,"last_name":`...), sh.LastName)
	if consent {
		s.arena = strconv.AppendBool(append(s.arena, `,"email_consent":`...), sh.EmailConsent)
		s.arena = strconv.AppendBool(append(s.arena, `,"sms_consent":`...), sh.SMSConsent)
	}
	s.appendFields(attrs)
	c := s.emit(cio.KindIdentify, "", s.end(at), fromAnonymous)
	if by != byExternalID {
		c.Email = s.email
	}
	if by != byEmail {
		c.UserID = sh.ExternalID
		s.hasID = true
	}
	if by > s.known[s.dev] {
		s.known[s.dev] = by
	}
}

// appendFields appends templated members after existing ones.
func (s *gen) appendFields(fs []field) {
	for _, f := range fs {
		if s.arena[len(s.arena)-1] != '{' {
			s.arena = append(s.arena, ',')
		}
		s.arena = f.val.appendJSON(append(cio.AppendString(s.arena, f.key), ':'), s)
	}
}

func (s *gen) profileUpdate(st *step) {
	at := s.begin()
	s.appendFields(st.props)
	if st.newEmail {
		s.emails++
		s.email = newEmail(s.j.Shopper.Email, s.emails)
	}
	c := s.emit(cio.KindIdentify, "", s.end(at), fromBackend)
	c.Email = s.email
}

// newEmail is the shopper's n-th changed address: same mailbox, new tag.
func newEmail(orig string, n int) string {
	at := len(orig)
	for i := len(orig) - 1; i >= 0; i-- {
		if orig[i] == '@' {
			at = i
			break
		}
	}
	return orig[:at] + ".v" + strconv.Itoa(n+1) + orig[at:]
}
