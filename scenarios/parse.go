package scenarios

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// FileError is one problem in a scenario or mix file, at file:line.
type FileError struct {
	File string
	Line int
	Msg  string
}

func (e *FileError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// parser collects the errors of one file.
type parser struct {
	file string
	errs []error
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	p.errs = append(p.errs, &FileError{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) err() error { return errors.Join(p.errs...) }

// mapping returns the key/value pairs of a mapping node, reporting
// duplicates and keys outside allowed (nil allows any).
func (p *parser) mapping(n *yaml.Node, what string, allowed ...string) map[string]*yaml.Node {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s: want a mapping", what)
		return nil
	}
	out := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if _, dup := out[k.Value]; dup {
			p.errorf(k, "%s: duplicate key %q", what, k.Value)
		}
		if allowed != nil && !contains(allowed, k.Value) {
			p.errorf(k, "%s: unknown key %q (want one of: %s)", what, k.Value, strings.Join(allowed, ", "))
			continue
		}
		out[k.Value] = v
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (p *parser) str(n *yaml.Node, what string) string {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.errorf(n, "%s: want a string", what)
		return ""
	}
	return n.Value
}

func (p *parser) boolean(n *yaml.Node, what string) bool {
	var b bool
	if n.Kind != yaml.ScalarNode || n.Decode(&b) != nil {
		p.errorf(n, "%s: want true or false", what)
	}
	return b
}

func (p *parser) prob(n *yaml.Node, what string) float64 {
	f, err := strconv.ParseFloat(n.Value, 64)
	if n.Kind != yaml.ScalarNode || err != nil || f < 0 || f > 1 {
		p.errorf(n, "%s: want a probability between 0 and 1", what)
	}
	return f
}

func (p *parser) number(n *yaml.Node, what string) float64 {
	f, err := strconv.ParseFloat(n.Value, 64)
	if n.Kind != yaml.ScalarNode || err != nil {
		p.errorf(n, "%s: want a number", what)
	}
	return f
}

func (p *parser) intRange(n *yaml.Node, what string) intRange {
	r, err := parseIntRange(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil {
		p.errorf(n, "%s: %v", what, errOr(err, "want N or LO-HI"))
	}
	return r
}

func errOr(err error, msg string) any {
	if err != nil {
		return err
	}
	return msg
}

func (p *parser) dist(n *yaml.Node, what string) dist {
	if n.Kind == yaml.ScalarNode {
		d, err := parseDistScalar(n.Value)
		if err != nil {
			p.errorf(n, "%s: %v", what, err)
		}
		if d.a < 0 {
			p.errorf(n, "%s: negative wait (use at: for history)", what)
		}
		return d
	}
	m := p.mapping(n, what, "dist", "mean", "median", "stddev", "sigma", "min", "max")
	d := dist{}
	dur := func(key string) time0 {
		v, ok := m[key]
		if !ok {
			return time0{}
		}
		x, err := parseDuration(v.Value)
		if err != nil || x < 0 {
			p.errorf(v, "%s.%s: %v", what, key, errOr(err, "must not be negative"))
		}
		return time0{x, true}
	}
	kind, ok := m["dist"]
	if !ok {
		p.errorf(n, "%s: dist is required (exponential, normal or lognormal)", what)
		return d
	}
	d.kind = kind.Value
	d.min, d.max = dur("min").d, dur("max").d
	switch d.kind {
	case distExp:
		d.a = p.need(dur("mean"), n, what+".mean")
	case distNormal:
		d.a, d.b = p.need(dur("mean"), n, what+".mean"), p.need(dur("stddev"), n, what+".stddev")
	case distLogN:
		d.a = p.need(dur("median"), n, what+".median")
		d.sigma = 1
		if s, ok := m["sigma"]; ok {
			d.sigma = p.number(s, what+".sigma")
		}
	default:
		p.errorf(kind, "%s: unknown dist %q (want exponential, normal or lognormal)", what, d.kind)
	}
	if d.max > 0 && d.max < d.min {
		p.errorf(n, "%s: max below min", what)
	}
	return d
}

type time0 struct {
	d  time.Duration
	ok bool
}

func (p *parser) need(t time0, n *yaml.Node, what string) time.Duration {
	if !t.ok {
		p.errorf(n, "%s is required", what)
	}
	return t.d
}

// fields compiles a mapping of templated values (event properties or
// profile attributes). noPII rejects personal data.
func (p *parser) fields(n *yaml.Node, what string, noPII bool, reserved ...string) []field {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s: want a mapping", what)
		return nil
	}
	var out []field
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := what + "." + k.Value
		switch {
		case contains(reserved, k.Value):
			p.errorf(k, "%s: reserved key (set identifiers with by:)", key)
			continue
		case noPII && contains(piiKeys, strings.ToLower(k.Value)):
			p.errorf(k, "%s: personal data must not be sent in event properties", key)
			continue
		}
		out = append(out, field{key: k.Value, val: p.value(v, key, noPII)})
	}
	return out
}

// piiKeys are property names that carry personal data.
var piiKeys = []string{"email", "phone", "first_name", "last_name", "name_first", "address", "ip"}

func (p *parser) value(v *yaml.Node, what string, noPII bool) *tmpl {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!str" {
		t, pii, err := parseStringTmpl(v.Value)
		if err != nil {
			p.errorf(v, "%s: %v", what, err)
			return constTmpl(v.Value)
		}
		if pii && noPII {
			p.errorf(v, "%s: personal data must not be sent in event properties", what)
		}
		return t
	}
	var x any
	if err := v.Decode(&x); err != nil {
		p.errorf(v, "%s: %v", what, err)
		return constTmpl(nil)
	}
	if _, err := json.Marshal(x); err != nil {
		p.errorf(v, "%s: not representable as JSON: %v", what, err)
		return constTmpl(nil)
	}
	return constTmpl(x)
}
