package scenarios

import (
	"fmt"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// document is one parsed file: a scenario or a mix.
type document struct {
	scenario *Scenario
	mix      *mixDoc
}

// mixDoc is a mix before its scenario references are resolved.
type mixDoc struct {
	name, description string
	refs              []mixRef
}

type mixRef struct {
	ref    string
	weight float64
	line   int
}

// parseDocument parses a scenario or mix file. file names it in errors.
func parseDocument(file string, data []byte) (*document, error) {
	p := &parser{file: file}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		line := 0
		var te *yaml.TypeError
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		if _, err2 := fmt.Sscanf(msg, "line %d:", &line); err2 == nil {
			msg = strings.TrimSpace(msg[strings.IndexByte(msg, ':')+1:])
		} else if asTypeError(err, &te) {
			msg = strings.Join(te.Errors, "; ")
		}
		return nil, &FileError{File: file, Line: max(line, 1), Msg: msg}
	}
	if len(root.Content) == 0 {
		return nil, &FileError{File: file, Line: 1, Msg: "empty file: want a scenario: or mix: document"}
	}
	doc := root.Content[0]
	m := p.mapping(doc, "file", "scenario", "mix", "description", "devices", "steps", "scenarios")
	out := &document{}
	switch {
	case m == nil:
	case m["scenario"] != nil && m["mix"] != nil:
		p.errorf(m["mix"], "a file is either a scenario or a mix, not both")
	case m["scenario"] != nil:
		out.scenario = p.scenario(m, file)
	case m["mix"] != nil:
		out.mix = p.mixDoc(m)
	default:
		p.errorf(doc, "want a scenario: or mix: key naming the document")
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return out, nil
}

func asTypeError(err error, te **yaml.TypeError) bool {
	t, ok := err.(*yaml.TypeError)
	if ok {
		*te = t
	}
	return ok
}

func (p *parser) scenario(m map[string]*yaml.Node, file string) *Scenario {
	s := &Scenario{Name: p.str(m["scenario"], "scenario"), Source: file}
	for _, k := range []string{"scenarios"} {
		if m[k] != nil {
			p.errorf(m[k], "%s: only a mix has %s", k, k)
		}
	}
	if d := m["description"]; d != nil {
		s.Description = p.str(d, "description")
	}
	if m["devices"] == nil {
		p.errorf(m["scenario"], "devices: required (e.g. devices: [mobile, desktop])")
	} else {
		s.Devices = p.devices(m["devices"])
	}
	if m["steps"] == nil {
		p.errorf(m["scenario"], "steps: required")
		return s
	}
	s.steps = p.steps(m["steps"], s, "steps")
	if len(s.steps) == 0 && len(p.errs) == 0 {
		p.errorf(m["steps"], "steps: empty")
	}
	return s
}

var deviceKinds = []string{"mobile", "desktop", "app"}

func (p *parser) devices(n *yaml.Node) []DeviceSpec {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		p.errorf(n, "devices: want a non-empty list")
		return nil
	}
	var out []DeviceSpec
	for _, d := range n.Content {
		var ds DeviceSpec
		if d.Kind == yaml.ScalarNode {
			ds = DeviceSpec{Name: d.Value, Kind: d.Value}
		} else {
			m := p.mapping(d, "devices", "name", "kind")
			if m["kind"] == nil {
				p.errorf(d, "devices: kind is required (%s)", strings.Join(deviceKinds, ", "))
				continue
			}
			ds.Kind = p.str(m["kind"], "devices.kind")
			ds.Name = ds.Kind
			if m["name"] != nil {
				ds.Name = p.str(m["name"], "devices.name")
			}
		}
		if !contains(deviceKinds, ds.Kind) {
			p.errorf(d, "devices: unknown kind %q (want %s)", ds.Kind, strings.Join(deviceKinds, ", "))
		}
		for _, o := range out {
			if o.Name == ds.Name {
				p.errorf(d, "devices: duplicate name %q (name them: {name: phone, kind: mobile})", ds.Name)
			}
		}
		out = append(out, ds)
	}
	return out
}

func (p *parser) steps(n *yaml.Node, s *Scenario, what string) []*step {
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "%s: want a list of steps", what)
		return nil
	}
	out := make([]*step, 0, len(n.Content))
	for _, sn := range n.Content {
		if st := p.step(sn, s); st != nil {
			out = append(out, st)
		}
	}
	return out
}

// step parses "- op", "- op: scalar" or "- op: {params}".
func (p *parser) step(n *yaml.Node, s *Scenario) *step {
	var name string
	var val *yaml.Node
	switch {
	case n.Kind == yaml.ScalarNode:
		name = n.Value
	case n.Kind == yaml.MappingNode && len(n.Content) == 2:
		name, val = n.Content[0].Value, n.Content[1]
	default:
		p.errorf(n, "step: want one step kind, e.g. '- wait: 5m' or '- checkout_started'")
		return nil
	}
	o, ok := opNames[name]
	if !ok {
		p.errorf(n, "unknown step %q (want one of: %s)", name, strings.Join(sortedOps(), ", "))
		return nil
	}
	st := &step{op: o, line: n.Line, quantity: intRange{1, 1}, count: intRange{1, 1}, consent: true}
	if val != nil && val.Tag == "!!null" {
		val = nil
	}
	p.stepParams(st, name, val, s)
	return st
}

// stepParams fills st from its value node: nil, a scalar (the op's main
// parameter) or a mapping of parameters.
func (p *parser) stepParams(st *step, name string, val *yaml.Node, s *Scenario) {
	spec := stepSpecs[st.op]
	if st.op == opWait {
		if val == nil {
			p.errs = append(p.errs, &FileError{File: p.file, Line: st.line, Msg: "wait: want a duration, a range (2m-10m) or {dist: ...}"})
			return
		}
		st.wait = p.dist(val, "wait")
		return
	}
	if val == nil {
		if spec.required != "" {
			p.errs = append(p.errs, &FileError{File: p.file, Line: st.line, Msg: fmt.Sprintf("%s: %s is required", name, spec.required)})
		}
		spec.defaults(st)
		return
	}
	params := map[string]*yaml.Node{}
	switch val.Kind {
	case yaml.ScalarNode:
		if spec.scalar == "" {
			p.errorf(val, "%s: takes no value here; use a mapping of %s", name, strings.Join(spec.keys, ", "))
			return
		}
		params[spec.scalar] = val
	case yaml.MappingNode:
		params = p.mapping(val, name, spec.keys...)
	default:
		p.errorf(val, "%s: want a value or a mapping of %s", name, strings.Join(spec.keys, ", "))
		return
	}
	if spec.required != "" && params[spec.required] == nil {
		p.errorf(val, "%s: %s is required", name, spec.required)
	}
	spec.defaults(st)
	for _, k := range spec.keys {
		if v := params[k]; v != nil {
			p.param(st, name, k, v, s)
		}
	}
}

func sortedOps() []string {
	out := make([]string, 0, len(opNames))
	for k := range opNames {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}

// resolveRef turns a mix entry into a path relative to the mix file's
// directory, unless it names a built-in.
func resolveRef(mixFile, ref string) string {
	if _, ok := builtinFiles[ref]; ok || filepath.IsAbs(ref) || mixFile == "" || strings.HasPrefix(mixFile, "builtin:") {
		return ref
	}
	return filepath.Join(filepath.Dir(mixFile), ref)
}

func (p *parser) mixDoc(m map[string]*yaml.Node) *mixDoc {
	md := &mixDoc{name: p.str(m["mix"], "mix")}
	for _, k := range []string{"devices", "steps"} {
		if m[k] != nil {
			p.errorf(m[k], "%s: only a scenario has %s", k, k)
		}
	}
	if d := m["description"]; d != nil {
		md.description = p.str(d, "description")
	}
	list := m["scenarios"]
	if list == nil || list.Kind != yaml.SequenceNode || len(list.Content) == 0 {
		p.errorf(m["mix"], "scenarios: want a non-empty list of {scenario: NAME|FILE, weight: N}")
		return md
	}
	for _, e := range list.Content {
		r := mixRef{weight: 1, line: e.Line}
		if e.Kind == yaml.ScalarNode {
			r.ref = e.Value
		} else {
			em := p.mapping(e, "scenarios", "scenario", "weight")
			if em["scenario"] == nil {
				p.errorf(e, "scenarios: scenario is required")
				continue
			}
			r.ref = p.str(em["scenario"], "scenarios.scenario")
			if w := em["weight"]; w != nil {
				if r.weight = p.number(w, "scenarios.weight"); !(r.weight > 0) {
					p.errorf(w, "scenarios.weight: must be positive")
				}
			}
		}
		md.refs = append(md.refs, r)
	}
	return md
}
