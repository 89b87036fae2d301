package scenarios

import "testing"

func TestContentKeepsKeysInOrder(t *testing.T) {
	got := string(content([]byte(`{"sku":"A","value":10,"cart_id":"c1","items":[{"sku":"A"}],"other":1}`), CartAbandonment.Content))
	if want := `{"cart_id":"c1","items":[{"sku":"A"}],"value":10}`; got != want {
		t.Errorf("content = %s, want %s", got, want)
	}
}
