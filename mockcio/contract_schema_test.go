package mockcio

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"
)

const schemaPlan = `
events:
  - name: Order Placed
    schema:
      type: object
      required: [order_id, value]
      properties:
        order_id: {type: string}
        value: {type: number, minimum: 0}
        items:
          type: array
          items: {type: object, required: [sku]}
`

func TestContractJSONSchema(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, data string
		want       map[string]int64
	}{
		{"valid", `{"order_id":"o1","value":10,"items":[{"sku":"a"}]}`, map[string]int64{}},
		{"missing required", `{"value":10}`, map[string]int64{RuleRequiredProperties: 1}},
		{"missing required in an item", `{"order_id":"o1","value":1,"items":[{"x":1}]}`, map[string]int64{RuleRequiredProperties: 1}},
		{"wrong type", `{"order_id":"o1","value":"10"}`, map[string]int64{RulePropertyTypes: 1}},
		{"other keyword", `{"order_id":"o1","value":-1}`, map[string]int64{RulePropertyTypes: 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := NewEngine(newFakeHost(1), EngineOptions{ManualTimers: true, Empty: true})
			if err := e.SetConfig(ConfigView{Contract: mustJSONString(schemaPlan)}); err != nil {
				t.Fatal(err)
			}
			e.EventAccepted(PersonRef{CioID: "p"}, EventView{Name: "Order Placed", Type: "event", Data: json.RawMessage(tc.data)})
			if got := ruleCounts(e); !maps.Equal(got, tc.want) {
				t.Errorf("got %v, want %v\n%s", got, tc.want, mustMarshal(e.Violations()))
			}
		})
	}
}

func TestContractBadSchemaHasLine(t *testing.T) {
	t.Parallel()
	doc := "events:\n  - name: A\n    schema: {type: objekt}\n"
	_, err := ParsePlan("p.yaml", []byte(doc))
	if err == nil || !strings.HasPrefix(err.Error(), `p.yaml:2: event "A": schema:`) {
		t.Errorf("got %v, want p.yaml:2: event \"A\": schema: …", err)
	}
}
