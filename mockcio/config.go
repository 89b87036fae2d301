package mockcio

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// RetentionConfig is the retention part of the mock's configuration: campaigns
// and truth segments (one file, `--campaigns`) and the tracking plan
// (`--contract`). JSON and YAML use the same field names.
type RetentionConfig struct {
	Campaigns []Campaign `json:"campaigns" yaml:"campaigns"`
	Segments  []Segment  `json:"segments" yaml:"segments"`
	Contract  *Plan      `json:"contract,omitempty" yaml:"contract,omitempty"`
}

// ConfigError is an invalid configuration file or body, located by file and
// line (Line 0 when unknown).
type ConfigError struct {
	File string
	Line int
	Msg  string
}

// Error formats "file:line: msg".
func (e *ConfigError) Error() string {
	switch {
	case e.File != "" && e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	case e.File != "":
		return e.File + ": " + e.Msg
	case e.Line > 0:
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// campaignsDoc is the campaigns file: a mapping with campaigns and segments.
type campaignsDoc struct {
	Campaigns []Campaign `yaml:"campaigns"`
	Segments  []Segment  `yaml:"segments"`
}

// ParseCampaigns parses a campaigns file (YAML or JSON): a mapping with
// `campaigns` and `segments` lists, or a bare list of campaigns. name labels
// errors ("file:line: …").
func ParseCampaigns(name string, data []byte) ([]Campaign, []Segment, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, nil, yamlError(name, err)
	}
	doc := docNode(&root)
	if doc == nil {
		return []Campaign{}, []Segment{}, nil
	}
	var out campaignsDoc
	var err error
	if doc.Kind == yaml.SequenceNode {
		err = doc.Decode(&out.Campaigns)
	} else {
		err = decodeStrict(doc, &out)
	}
	if err != nil {
		return nil, nil, yamlError(name, err)
	}
	if err := validateCampaigns(out.Campaigns, out.Segments); err != nil {
		return nil, nil, yamlError(name, err)
	}
	return nonNil(out.Campaigns), nonNil(out.Segments), nil
}

// ParseSegments parses a list of truth segments, or a campaigns file whose
// segments are taken.
func ParseSegments(name string, data []byte) ([]Segment, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlError(name, err)
	}
	doc := docNode(&root)
	if doc == nil || doc.Kind != yaml.SequenceNode {
		_, segs, err := ParseCampaigns(name, data)
		return segs, err
	}
	var segs []Segment
	if err := doc.Decode(&segs); err != nil {
		return nil, yamlError(name, err)
	}
	if err := validateCampaigns(nil, segs); err != nil {
		return nil, yamlError(name, err)
	}
	return nonNil(segs), nil
}

// ParsePlan parses a tracking plan (YAML or JSON, SPEC.md §7).
func ParsePlan(name string, data []byte) (*Plan, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlError(name, err)
	}
	doc := docNode(&root)
	if doc == nil {
		return nil, &ConfigError{File: name, Msg: "empty tracking plan"}
	}
	var p Plan
	if err := doc.Decode(&p); err != nil {
		return nil, yamlError(name, err)
	}
	if err := p.Validate(); err != nil {
		return nil, yamlError(name, err)
	}
	return &p, nil
}

// LoadCampaignsFile reads and parses a campaigns file.
func LoadCampaignsFile(path string) ([]Campaign, []Segment, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("campaigns: %w", err)
	}
	return ParseCampaigns(path, data)
}

// LoadPlanFile reads and parses a tracking-plan file.
func LoadPlanFile(path string) (*Plan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("contract: %w", err)
	}
	return ParsePlan(path, data)
}

// rawConfigText turns a ConfigView field into parseable text: a JSON string
// holds YAML text, anything else is JSON (which YAML reads too).
func rawConfigText(raw json.RawMessage) []byte {
	var s string
	if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		return []byte(s)
	}
	return raw
}

func docNode(root *yaml.Node) *yaml.Node {
	n := root
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil
		}
		n = n.Content[0]
	}
	if n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return nil
	}
	return n
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// lineErr is an error at a line of the input, before the file name is known.
type lineErr struct {
	line int
	msg  string
}

func (e *lineErr) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

func errAt(line int, format string, args ...any) error {
	return &lineErr{line: line, msg: fmt.Sprintf(format, args...)}
}

var yamlLineRE = regexp.MustCompile(`line (\d+): (.*)`)

// yamlError turns a yaml.v3 or lineErr error into a ConfigError naming file
// and line.
func yamlError(name string, err error) error {
	var le *lineErr
	if errors.As(err, &le) {
		return &ConfigError{File: name, Line: le.line, Msg: le.msg}
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n")
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &ConfigError{File: name, Line: line, Msg: strings.TrimSpace(m[2])}
	}
	return &ConfigError{File: name, Msg: strings.TrimSpace(msg)}
}

// decodeStrict decodes a mapping node into v (a pointer to a struct with yaml
// tags), rejecting keys the struct does not name.
func decodeStrict(n *yaml.Node, v any) error {
	if n.Kind != yaml.MappingNode {
		return errAt(n.Line, "expected a mapping, got %s", nodeKind(n))
	}
	keys := yamlKeys(reflect.TypeOf(v).Elem())
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if !slices.Contains(keys, k.Value) {
			return errAt(k.Line, "unknown key %q (known: %s)", k.Value, strings.Join(keys, ", "))
		}
	}
	return n.Decode(v)
}

func yamlKeys(t reflect.Type) []string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if tag != "" && tag != "-" {
			keys = append(keys, tag)
		}
	}
	return keys
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "nothing"
}

// UnmarshalYAML reads a duration string ("2h", "30d") or a number of seconds.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return errAt(n.Line, "expected a duration such as 1h or 30d, got %s", nodeKind(n))
	}
	v, err := ParseDuration(n.Value)
	if err != nil {
		return errAt(n.Line, "%v", err)
	}
	*d = Duration(v)
	return nil
}
