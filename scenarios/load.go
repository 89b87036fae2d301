package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
)

//go:embed builtin/*.yaml
var builtinFS embed.FS

// builtinFiles maps built-in names to their embedded file names.
var builtinFiles = func() map[string]string {
	out := map[string]string{}
	entries, _ := fs.ReadDir(builtinFS, "builtin")
	for _, e := range entries {
		out[strings.TrimSuffix(e.Name(), ".yaml")] = "builtin/" + e.Name()
	}
	return out
}()

// DefaultMix is the built-in used when no scenario is given.
const DefaultMix = "d2c"

// Builtin describes one embedded scenario or mix.
type Builtin struct {
	Name        string
	Kind        string // "scenario" or "mix"
	Description string
}

// Builtins lists the embedded scenarios and mixes, sorted by name.
func Builtins() []Builtin {
	names := make([]string, 0, len(builtinFiles))
	for n := range builtinFiles {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]Builtin, 0, len(names))
	for _, n := range names {
		doc, err := loadDoc(n)
		if err != nil {
			continue // built-ins are tested to parse
		}
		b := Builtin{Name: n, Kind: "scenario"}
		if doc.mix != nil {
			b.Kind, b.Description = "mix", doc.mix.description
		} else {
			b.Description = doc.scenario.Description
		}
		out = append(out, b)
	}
	return out
}

// BuiltinSource returns the YAML text of a built-in scenario or mix.
func BuiltinSource(name string) ([]byte, bool) {
	f, ok := builtinFiles[name]
	if !ok {
		return nil, false
	}
	b, err := builtinFS.ReadFile(f)
	return b, err == nil
}

// loadDoc reads and parses a built-in name or a file path.
func loadDoc(ref string) (*document, error) {
	if f, ok := builtinFiles[ref]; ok {
		b, err := builtinFS.ReadFile(f)
		if err != nil {
			return nil, err
		}
		return parseDocument("builtin:"+path.Base(f), b)
	}
	b, err := os.ReadFile(ref)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !strings.ContainsAny(ref, "./") {
			return nil, fmt.Errorf("scenarios: %q is neither a built-in (see 'cioharness scenarios list') nor a file", ref)
		}
		return nil, fmt.Errorf("scenarios: %w", err)
	}
	return parseDocument(ref, b)
}

// LoadMix loads the scenarios named by specs, each a built-in scenario or mix
// name or the path of a scenario or mix file, into one mix. No specs means the
// d2c mix. A scenario counts with weight 1; a mix's weights are scaled to sum
// to 1, so each spec gets an equal share. Errors carry file:line.
func LoadMix(specs []string) (*Mix, error) {
	if len(specs) == 0 {
		specs = []string{DefaultMix}
	}
	mix := &Mix{Name: strings.Join(specs, "+")}
	for _, spec := range specs {
		m, err := loadOne(spec, 0)
		if err != nil {
			return nil, err
		}
		if len(specs) == 1 {
			mix.Name, mix.Description = m.Name, m.Description
		}
		sum := 0.0
		for _, e := range m.Entries {
			sum += e.Weight
		}
		for _, e := range m.Entries {
			mix.Entries = append(mix.Entries, MixEntry{Scenario: e.Scenario, Weight: e.Weight / sum})
		}
	}
	if err := mix.Validate(); err != nil {
		return nil, fmt.Errorf("scenarios: %w", err)
	}
	return mix, nil
}

// loadOne loads a spec as a mix (a scenario becomes a mix of one). depth
// stops mixes that include each other.
func loadOne(spec string, depth int) (*Mix, error) {
	if depth > 4 {
		return nil, fmt.Errorf("scenarios: %s: mixes nested too deep (a mix including itself?)", spec)
	}
	doc, err := loadDoc(spec)
	if err != nil {
		return nil, err
	}
	if doc.scenario != nil {
		return &Mix{Name: doc.scenario.Name, Description: doc.scenario.Description,
			Entries: []MixEntry{{Scenario: doc.scenario, Weight: 1}}}, nil
	}
	md := doc.mix
	mix := &Mix{Name: md.name, Description: md.description}
	file := spec
	if f, ok := builtinFiles[spec]; ok {
		file = "builtin:" + path.Base(f)
	}
	for _, r := range md.refs {
		sub, err := loadOne(resolveRef(file, r.ref), depth+1)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", file, r.line, err)
		}
		sum := 0.0
		for _, e := range sub.Entries {
			sum += e.Weight
		}
		for _, e := range sub.Entries {
			mix.Entries = append(mix.Entries, MixEntry{Scenario: e.Scenario, Weight: r.weight * e.Weight / sum})
		}
	}
	return mix, nil
}

// ValidateFile parses a scenario or mix file and everything it refers to,
// returning every problem found with file:line.
func ValidateFile(file string) error {
	_, err := loadOne(file, 0)
	return err
}
