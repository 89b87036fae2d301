package mockcio

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// compileSchema compiles an event's JSON Schema (as decoded from YAML or
// JSON) for its data.
func compileSchema(event string, doc any) (*jsonschema.Schema, error) {
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	url := "plan:///events/" + strings.ReplaceAll(event, " ", "_") + ".json"
	c := jsonschema.NewCompiler()
	if err := c.AddResource(url, inst); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	return sch, nil
}

// checkSchema validates data against sch and maps each failure onto a
// contract rule: a missing required property is contract.required_properties,
// everything else (type, format, enum, bounds…) contract.property_types.
func checkSchema(event string, sch *jsonschema.Schema, data json.RawMessage, out []finding) []finding {
	if len(data) == 0 {
		data = json.RawMessage(`{}`)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return out
	}
	var ve *jsonschema.ValidationError
	if err := sch.Validate(inst); !errors.As(err, &ve) {
		return out
	}
	return schemaFindings(event, ve, out)
}

func schemaFindings(event string, ve *jsonschema.ValidationError, out []finding) []finding {
	if len(ve.Causes) > 0 {
		for _, c := range ve.Causes {
			out = schemaFindings(event, c, out)
		}
		return out
	}
	path := strings.Join(ve.InstanceLocation, ".")
	switch k := ve.ErrorKind.(type) {
	case *kind.Required:
		for _, m := range k.Missing {
			p := m
			if path != "" {
				p = path + "." + m
			}
			out = append(out, finding{RuleRequiredProperties, event, p, "required property missing (schema)", nil})
		}
	case *kind.Type:
		out = append(out, finding{RulePropertyTypes, event, path,
			fmt.Sprintf("want %s, got %s (schema)", strings.Join(k.Want, " or "), k.Got), nil})
	default:
		out = append(out, finding{RulePropertyTypes, event, path,
			"fails schema keyword " + strings.Join(ve.ErrorKind.KeywordPath(), "/"), nil})
	}
	return out
}
