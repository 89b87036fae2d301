package scenarios

import (
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// stepSpec describes an op's parameters: the keys it accepts, the key a bare
// scalar value sets, the key it requires, and its defaults.
type stepSpec struct {
	keys     []string
	scalar   string
	required string
	defaults func(*step)
}

func noDefaults(*step) {}

var stepSpecs = map[op]stepSpec{
	opViewProducts: {keys: []string{"count", "gap", "product", "category", "anonymous"}, scalar: "count",
		defaults: func(s *step) { s.gap = dist{kind: distUniform, a: 20e9, b: 90e9} }},
	opPageView:             {keys: []string{"path", "title", "anonymous"}, scalar: "path", required: "path", defaults: noDefaults},
	opAddToCart:            {keys: []string{"quantity", "product", "category"}, scalar: "quantity", defaults: func(s *step) { s.product = pickCurrent }},
	opRemoveFromCart:       {defaults: noDefaults},
	opCheckoutStarted:      {defaults: noDefaults},
	opOrderPlaced:          {keys: []string{"discount", "profile"}, defaults: noDefaults},
	opIdentify:             {keys: []string{"by", "attributes", "consent"}, scalar: "by", defaults: func(s *step) { s.by = byBoth }},
	opProfileUpdate:        {keys: []string{"attributes", "email"}, defaults: noDefaults},
	opSubscriptionCanceled: {keys: []string{"reasons"}, defaults: func(s *step) { s.reasons = defaultCancelReasons }},
	opCustomEvent:          {keys: []string{"name", "type", "properties", "anonymous"}, scalar: "name", required: "name", defaults: func(s *step) { s.kind = "event" }},
	opWait:                 {keys: []string{"dist", "mean", "median", "stddev", "sigma", "min", "max"}, required: "", defaults: noDefaults},
	opAt:                   {keys: []string{"at"}, scalar: "at", required: "at", defaults: noDefaults},
	opBranch:               {keys: []string{"p", "then", "else"}, required: "p", defaults: noDefaults},
	opRepeat:               {keys: []string{"times", "steps"}, scalar: "", required: "steps", defaults: noDefaults},
	opSwitchDevice:         {scalar: "device", required: "device", keys: []string{"device"}, defaults: noDefaults},
}

var defaultCancelReasons = []string{"too_expensive", "too_much_product", "switching_brand", "other"}

func sortStrings(s []string) { sort.Strings(s) }

// param sets one parameter of st.
func (p *parser) param(st *step, op, key string, v *yaml.Node, s *Scenario) {
	what := op + "." + key
	switch key {
	case "count", "times":
		st.count = p.intRange(v, what)
	case "quantity":
		st.quantity = p.intRange(v, what)
		if st.quantity.lo < 1 {
			p.errorf(v, "%s: at least 1", what)
		}
	case "gap":
		st.gap = p.dist(v, what)
	case "product":
		switch p.str(v, what) {
		case "current":
			st.product = pickCurrent
		case "new":
			st.product = pickNew
		default:
			p.errorf(v, "%s: want current or new", what)
		}
	case "anonymous":
		st.anonymous = p.boolean(v, what)
	case "category":
		st.category = p.str(v, what)
		if !slices.Contains(categoryNames(), st.category) {
			p.errorf(v, "%s: unknown category %q (want one of: %s)", what, st.category, strings.Join(categoryNames(), ", "))
		}
	case "path":
		st.path = p.textTmpl(v, what)
	case "title":
		st.title = p.textTmpl(v, what)
	case "discount":
		st.p = p.prob(v, what)
	case "profile":
		st.noProfile = !p.boolean(v, what)
	case "by":
		p.by(st, v, what)
	case "consent":
		st.consent = p.boolean(v, what)
	case "attributes":
		st.props = p.fields(v, what, false, "id", "email", "anonymous_id", "cio_id")
	case "email":
		if p.str(v, what) != "new" {
			p.errorf(v, "%s: the only value is new (the shopper changes email)", what)
		}
		st.newEmail = true
	case "reasons":
		st.reasons = p.stringList(v, what)
	case "name":
		st.name = p.str(v, what)
		if st.name == "" || len(st.name) > 100 {
			p.errorf(v, "%s: want 1 to 100 bytes", what)
		}
	case "type":
		st.kind = p.str(v, what)
		if !contains([]string{"event", "page", "screen"}, st.kind) {
			p.errorf(v, "%s: want event, page or screen", what)
		}
	case "properties":
		st.props = p.fields(v, what, true)
	default:
		p.structParam(st, op, key, v, s)
	}
}

// structParam handles the parameters of wait, at, branch, repeat and switch_device.
func (p *parser) structParam(st *step, op, key string, v *yaml.Node, s *Scenario) {
	what := op + "." + key
	switch key {
	case "at":
		p.at(st, v)
	case "p":
		st.p = p.prob(v, what)
	case "then", "steps":
		st.then = p.steps(v, s, what)
	case "else":
		st.els = p.steps(v, s, what)
	case "device":
		name := p.str(v, what)
		st.device = -1
		for i, d := range s.Devices {
			if d.Name == name {
				st.device = i
			}
		}
		if st.device < 0 {
			p.errorf(v, "%s: no device named %q in devices", what, name)
		}
	}
}

// textTmpl compiles a page path or title: a string template without PII.
func (p *parser) textTmpl(v *yaml.Node, what string) *tmpl {
	t, pii, err := parseStringTmpl(p.str(v, what))
	if err != nil || pii {
		p.errorf(v, "%s: %v", what, errOr(err, "personal data must not be sent in event properties"))
	}
	if t == nil {
		t = constTmpl("")
	}
	return t
}

func (p *parser) at(st *step, v *yaml.Node) {
	if v.Value == "-replenish" {
		st.replenish = true
		return
	}
	d, err := parseDuration(v.Value)
	if err != nil || v.Kind != yaml.ScalarNode {
		p.errorf(v, "at: %v (or -replenish)", errOr(err, "want a duration"))
	}
	st.at = d
}

func (p *parser) by(st *step, v *yaml.Node, what string) {
	switch p.str(v, what) {
	case "email":
		st.by = byEmail
	case "external_id":
		st.by = byExternalID
	case "both":
		st.by = byBoth
	default:
		p.errorf(v, "%s: want email, external_id or both", what)
	}
}

func (p *parser) stringList(v *yaml.Node, what string) []string {
	if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
		p.errorf(v, "%s: want a non-empty list of strings", what)
		return nil
	}
	out := make([]string, 0, len(v.Content))
	for _, e := range v.Content {
		out = append(out, strings.TrimSpace(p.str(e, what)))
	}
	return out
}
