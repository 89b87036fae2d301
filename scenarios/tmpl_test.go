package scenarios

import "testing"

func TestTemplates(t *testing.T) {
	g := mustGenerator(t, []string{"purchase"}, 1)
	s := &gen{g: g, r: &rng{s: 1}, sc: g.mix.Entries[0].Scenario}
	s.j = &Journey{Index: 3, Shopper: g.shopper(s.r, 3, s.sc)}
	s.start()
	s.cartID = "cart_x"
	tests := []struct {
		in       string
		wantJSON string
		wantText string
	}{
		{"plain", `"plain"`, "plain"},
		{"{cart.id}", `"cart_x"`, "cart_x"},
		{"{journey.index}", `3`, "3"},
		{"{shopper.email_consent}", boolJSON(s.j.Shopper.EmailConsent), boolJSON(s.j.Shopper.EmailConsent)},
		{`say "{cart.id}"`, `"say \"cart_x\""`, `say "cart_x"`},
		{"/p/{product.sku}?q=1", `"/p/` + s.current.sku + `?q=1"`, "/p/" + s.current.sku + "?q=1"},
	}
	for _, tt := range tests {
		tm, _, err := parseStringTmpl(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(tm.appendJSON(nil, s)); got != tt.wantJSON {
			t.Errorf("%q as JSON = %s, want %s", tt.in, got, tt.wantJSON)
		}
		if got := string(tm.appendText(nil, s)); got != tt.wantText {
			t.Errorf("%q as text = %s, want %s", tt.in, got, tt.wantText)
		}
	}
	if got := string(constTmpl("x y").appendText(nil, s)); got != "x y" {
		t.Errorf("constant text = %q, want x y", got)
	}
	if _, pii, _ := parseStringTmpl("hi {shopper.first_name}"); !pii {
		t.Error("first_name not flagged as personal data")
	}
}

func boolJSON(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func TestAppendMoney(t *testing.T) {
	for cents, want := range map[int64]string{2499: "24.99", 2450: "24.5", 2400: "24", 5: "0.05", -150: "-1.5", 0: "0"} {
		if got := string(appendMoney(nil, cents)); got != want {
			t.Errorf("appendMoney(%d) = %s, want %s", cents, got, want)
		}
	}
}
