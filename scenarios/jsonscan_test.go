package scenarios

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
			ok := eachMember([]byte(tt.in), func(k string, v []byte) { got[k] = string(v) })
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

func TestContentKeepsKeysInOrder(t *testing.T) {
	got := string(content([]byte(`{"sku":"A","value":10,"cart_id":"c1","items":[{"sku":"A"}],"other":1}`), CartAbandonment.Content))
	if want := `{"cart_id":"c1","items":[{"sku":"A"}],"value":10}`; got != want {
		t.Errorf("content = %s, want %s", got, want)
	}
}
