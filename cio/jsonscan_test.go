package cio

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestEachMemberMatchesEncodingJSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"empty", `{}`, true},
		{"spaces", " { \"a\" : 1 ,\n\"b\":\t\"x\" } ", true},
		{"nested", `{"items":[{"sku":"A","q":[1,{"z":"}"}]}],"v":24.5,"n":null,"t":true}`, true},
		{"escapes", `{"k\"ey":"va\"l\\","u":"\u00e9}"}`, true},
		{"not an object", `[1,2]`, false},
		{"truncated", `{"a":[1,2}`, false},
		{"missing colon", `{"a" 1}`, false},
		{"trailing comma", `{"a":1,}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]string{}
			ok := EachMember([]byte(tt.in), func(k, v []byte) { got[MemberKey(k)] = string(v) })
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if !ok {
				return
			}
			var want map[string]json.RawMessage
			if err := json.Unmarshal([]byte(tt.in), &want); err != nil {
				t.Fatal(err)
			}
			wantS := map[string]string{}
			for k, v := range want {
				wantS[k] = string(v)
			}
			if !reflect.DeepEqual(got, wantS) {
				t.Errorf("members = %v, want %v", got, wantS)
			}
		})
	}
}

func TestEachElemMatchesEncodingJSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"empty", `[]`, true},
		{"mixed", ` [1, "a,]", {"b":[2]}, null ,true] `, true},
		{"not an array", `{"a":1}`, false},
		{"truncated", `[1,{"a":2]`, false},
		{"trailing comma", `[1,]`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			ok := EachElem([]byte(tt.in), func(v []byte) { got = append(got, string(v)) })
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if !ok {
				return
			}
			var want []json.RawMessage
			if err := json.Unmarshal([]byte(tt.in), &want); err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("elements = %q, want %d", got, len(want))
			}
			for i := range want {
				if got[i] != string(want[i]) {
					t.Errorf("element %d = %s, want %s", i, got[i], want[i])
				}
			}
		})
	}
}

func TestMemberValue(t *testing.T) {
	obj := []byte(`{"a":1,"b":{"c":"x"},"a":2}`)
	if v, ok := MemberValue(obj, "b"); !ok || string(v) != `{"c":"x"}` {
		t.Errorf("b = %s, %v", v, ok)
	}
	if v, ok := MemberValue(obj, "a"); !ok || string(v) != "1" {
		t.Errorf("a = %s, %v; want the first", v, ok)
	}
	if _, ok := MemberValue(obj, "z"); ok {
		t.Error("z found")
	}
}
