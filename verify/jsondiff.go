package verify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
)

// decodeJSON decodes raw JSON (numbers as float64: JSON has one number
// type); empty or null is {}.
func decodeJSON(raw []byte) (any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return map[string]any{}, nil
	}
	var v any
	err := json.Unmarshal(raw, &v)
	return v, err
}

// jsonType names a decoded value's JSON type.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number, float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// short renders a value for an example, cut to 80 bytes.
func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 80 {
		return string(b[:77]) + "..."
	}
	return string(b)
}

// equalJSON compares decoded values semantically: object key order is
// ignored, numbers compare by value (10 equals 10.0), types must match.
func equalJSON(a, b any) bool {
	switch x := a.(type) {
	case json.Number:
		y, ok := b.(json.Number)
		return ok && numEqual(x, y)
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !equalJSON(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return a == b
}

func numEqual(a, b json.Number) bool {
	if a == b {
		return true
	}
	x, okx := new(big.Float).SetString(string(a))
	y, oky := new(big.Float).SetString(string(b))
	return okx && oky && x.Cmp(y) == 0
}

// diffJSON lists how got differs from want, each as a short phrase naming
// the property path: lost, renamed, truncated, re-typed, changed or added.
func diffJSON(want, got any) []string {
	var out []string
	diffAt("", want, got, &out)
	return out
}

func diffAt(path string, want, got any, out *[]string) {
	wm, wok := want.(map[string]any)
	gm, gok := got.(map[string]any)
	if wok && gok {
		diffObject(path, wm, gm, out)
		return
	}
	wa, wok := want.([]any)
	ga, gok := got.([]any)
	if wok && gok && len(wa) == len(ga) {
		for i := range wa {
			diffAt(path+"["+strconv.Itoa(i)+"]", wa[i], ga[i], out)
		}
		return
	}
	if equalJSON(want, got) {
		return
	}
	name := strings.TrimPrefix(path, ".")
	if name == "" {
		name = "(data)"
	}
	ws, wIsStr := want.(string)
	gs, gIsStr := got.(string)
	switch {
	case jsonType(want) != jsonType(got):
		*out = append(*out, fmt.Sprintf("re-typed %s: %s %s -> %s %s", name, jsonType(want), short(want), jsonType(got), short(got)))
	case wIsStr && gIsStr && len(gs) < len(ws) && strings.HasPrefix(ws, gs):
		*out = append(*out, fmt.Sprintf("truncated %s: %s -> %s", name, short(want), short(got)))
	default:
		*out = append(*out, fmt.Sprintf("changed %s: %s -> %s", name, short(want), short(got)))
	}
}

func diffObject(path string, want, got map[string]any, out *[]string) {
	var lost, added []string
	for k := range want {
		if _, ok := got[k]; !ok {
			lost = append(lost, k)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			added = append(added, k)
		}
	}
	sort.Strings(lost)
	sort.Strings(added)
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if g, ok := got[k]; ok {
			diffAt(path+"."+k, want[k], g, out)
		}
	}
	used := map[string]bool{}
	for _, k := range lost {
		renamed := ""
		for _, a := range added {
			if !used[a] && equalJSON(want[k], got[a]) {
				renamed = a
				used[a] = true
				break
			}
		}
		if renamed != "" {
			*out = append(*out, fmt.Sprintf("renamed %s -> %s", strings.TrimPrefix(path+"."+k, "."), strings.TrimPrefix(path+"."+renamed, ".")))
			continue
		}
		*out = append(*out, fmt.Sprintf("lost %s (%s)", strings.TrimPrefix(path+"."+k, "."), short(want[k])))
	}
	for _, a := range added {
		if !used[a] {
			*out = append(*out, fmt.Sprintf("added %s (%s)", strings.TrimPrefix(path+"."+a, "."), short(got[a])))
		}
	}
}
