package scenarios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseErrorsCarryFileLine(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string // substring after the file name
	}{
		{"unknown step", "scenario: x\ndevices: [mobile]\nsteps:\n  - fly_away\n", ":4: unknown step \"fly_away\""},
		{"unknown param", "scenario: x\ndevices: [mobile]\nsteps:\n  - view_products: {count: 2, colour: red}\n", ":4: view_products: unknown key \"colour\""},
		{"bad count", "scenario: x\ndevices: [mobile]\nsteps:\n  - view_products: 3-1\n", ":4: view_products.count: bad count"},
		{"bad wait", "scenario: x\ndevices: [mobile]\nsteps:\n  - wait: soon\n", ":4: wait: bad duration \"soon\""},
		{"negative wait", "scenario: x\ndevices: [mobile]\nsteps:\n  - wait: -5m\n", ":4: wait: negative wait"},
		{"bad dist", "scenario: x\ndevices: [mobile]\nsteps:\n  - wait: {dist: poisson, mean: 5m}\n", ":4: wait: unknown dist \"poisson\""},
		{"unknown device", "scenario: x\ndevices: [mobile]\nsteps:\n  - switch_device: tablet\n", ":4: switch_device.device: no device named \"tablet\""},
		{"bad device kind", "scenario: x\ndevices: [watch]\nsteps:\n  - checkout_started\n", ":2: devices: unknown kind \"watch\""},
		{"branch probability", "scenario: x\ndevices: [mobile]\nsteps:\n  - branch: {p: 1.5, then: [checkout_started]}\n", ":4: branch.p: want a probability"},
		{"nested error line", "scenario: x\ndevices: [mobile]\nsteps:\n  - branch:\n      p: 0.5\n      then:\n        - wait: 1m\n        - add_to_cart: {quantity: 0}\n", ":8: add_to_cart.quantity: at least 1"},
		{"pii in event", "scenario: x\ndevices: [mobile]\nsteps:\n  - custom_event:\n      name: Quiz Completed\n      properties: {who: \"{shopper.email}\"}\n", ":6: custom_event.properties.who: personal data"},
		{"pii key in event", "scenario: x\ndevices: [mobile]\nsteps:\n  - custom_event:\n      name: Quiz Completed\n      properties:\n        email: x\n", ":7: custom_event.properties.email: personal data"},
		{"unknown variable", "scenario: x\ndevices: [mobile]\nsteps:\n  - page_view: \"/p/{product.colour}\"\n", ":4: page_view.path: unknown variable {product.colour}"},
		{"reserved attribute", "scenario: x\ndevices: [mobile]\nsteps:\n  - identify: {by: email, attributes: {email: a@b.c}}\n", ":4: identify.attributes.email: reserved key"},
		{"unknown category", "scenario: x\ndevices: [mobile]\nsteps:\n  - view_products: {category: Shoes}\n", ":4: view_products.category: unknown category \"Shoes\""},
		{"missing required", "scenario: x\ndevices: [mobile]\nsteps:\n  - custom_event: {type: page}\n", ":4: custom_event: name is required"},
		{"no kind", "devices: [mobile]\nsteps: [checkout_started]\n", ":1: want a scenario: or mix: key"},
		{"yaml syntax", "scenario: x\ndevices: [mobile]\nsteps:\n\t- wait: 1m\n", ":4: found character that cannot start any token"},
		{"mix weight", "mix: m\nscenarios:\n  - {scenario: purchase, weight: 0}\n", ":3: scenarios.weight: must be positive"},
		{"mix unknown ref", "mix: m\nscenarios:\n  - {scenario: nonesuch, weight: 1}\n", ":3: "},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, dir, strings.ReplaceAll(tt.name, " ", "-")+".yaml", tt.body)
			err := ValidateFile(p)
			if err == nil {
				t.Fatalf("ValidateFile accepted:\n%s", tt.body)
			}
			if got := err.Error(); !strings.Contains(got, p+tt.want) {
				t.Errorf("error = %q, want it to contain %q", got, p+tt.want)
			}
			if _, err := LoadMix([]string{p}); err == nil {
				t.Error("LoadMix accepted an invalid file")
			}
		})
	}
}

func TestParseCollectsSeveralErrors(t *testing.T) {
	p := writeFile(t, t.TempDir(), "two.yaml", "scenario: x\ndevices: [mobile]\nsteps:\n  - wait: later\n  - fly\n")
	err := ValidateFile(p)
	if err == nil || !strings.Contains(err.Error(), ":4:") || !strings.Contains(err.Error(), ":5:") {
		t.Errorf("error = %v, want both line 4 and line 5", err)
	}
}

func TestDistributions(t *testing.T) {
	r := &rng{s: 1}
	tests := []struct {
		in       string
		lo, hi   time.Duration
		wantKind string
	}{
		{"5m", 5 * time.Minute, 5 * time.Minute, distFixed},
		{"2m-10m", 2 * time.Minute, 10 * time.Minute, distUniform},
		{"1.5d", 36 * time.Hour, 36 * time.Hour, distFixed},
		{"-30d", -30 * 24 * time.Hour, -30 * 24 * time.Hour, distFixed},
	}
	for _, tt := range tests {
		d, err := parseDistScalar(tt.in)
		if err != nil || d.kind != tt.wantKind {
			t.Fatalf("%s: %v kind %q, want %q", tt.in, err, d.kind, tt.wantKind)
		}
		for i := 0; i < 200; i++ {
			if v := d.sample(r); v < tt.lo || v > tt.hi {
				t.Fatalf("%s: sample %v outside [%v, %v]", tt.in, v, tt.lo, tt.hi)
			}
		}
	}
	exp := dist{kind: distExp, a: 10 * time.Minute, max: time.Hour}
	var sum time.Duration
	for i := 0; i < 4000; i++ {
		v := exp.sample(r)
		if v < 0 || v > time.Hour {
			t.Fatalf("exponential sample %v outside [0, 1h]", v)
		}
		sum += v
	}
	if mean := sum / 4000; mean < 8*time.Minute || mean > 11*time.Minute {
		t.Errorf("exponential mean = %v, want about 10m (slightly less: clamped at 1h)", mean)
	}
}

func TestExampleScenarioFile(t *testing.T) {
	const path = "../testdata/scenarios/example.yaml"
	if err := ValidateFile(path); err != nil {
		t.Fatal(err)
	}
	g := mustGenerator(t, []string{path}, 3)
	for i := uint64(0); i < 50; i++ {
		j := g.Journey(i)
		if len(j.Steps) == 0 || j.Scenario != "quiz-to-purchase" {
			t.Fatalf("journey %d: %d steps of %q", i, len(j.Steps), j.Scenario)
		}
	}
	if err := ValidateFile("../testdata/scenarios/example-mix.yaml"); err != nil {
		t.Fatal(err)
	}
}
