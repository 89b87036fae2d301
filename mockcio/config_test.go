package mockcio

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cioharness/cioharness/mockcio/builtin"
)

func TestBuiltinConfig(t *testing.T) {
	t.Parallel()
	c := BuiltinConfig()
	names := []string{}
	for _, cp := range c.Campaigns {
		names = append(names, cp.Name+":"+cp.Trigger+"->"+strings.Join(cp.Exit, "|")+"@"+cp.Delay.String())
	}
	want := "cart_abandonment:Added to Cart->Order Placed@1h0m0s checkout_abandonment:Checkout Started->Order Placed@1h0m0s browse_abandonment:Viewed Product->Added to Cart|Order Placed@1h0m0s"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("campaigns:\n got %s\nwant %s", got, want)
	}
	if len(c.Segments) < 3 || c.Contract == nil || len(c.Contract.Events) < 5 {
		t.Fatalf("segments %d, plan %v: want ≥3 segments and the D2C plan", len(c.Segments), c.Contract)
	}
	for _, e := range []string{"Viewed Product", "Added to Cart", "Checkout Started", "Order Placed", "Subscription Canceled"} {
		found := false
		for _, s := range c.Contract.Events {
			found = found || s.Name == e
		}
		if !found {
			t.Errorf("built-in plan lacks %q", e)
		}
	}
	if got := time.Duration(c.Contract.MaxTimestampSkew); got != 5*time.Minute {
		t.Errorf("max_timestamp_skew: got %v, want 5m", got)
	}
}

func TestConfigErrorsHaveLines(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, doc, want string
	}{
		{"unknown campaign key", "campaigns:\n  - name: a\n    trigger: A\n    dealy: 1h\n", "c.yaml:4: unknown key \"dealy\""},
		{"missing trigger", "campaigns:\n  - name: a\n    delay: 1h\n", "c.yaml:2: campaign \"a\": trigger event is required"},
		{"bad duration", "campaigns:\n  - name: a\n    trigger: A\n    delay: soon\n", "c.yaml:4: duration \"soon\""},
		{"bad reentry", "campaigns:\n  - {name: a, trigger: A, reentry: twice}\n", "c.yaml:2: campaign \"a\": reentry \"twice\""},
		{"bad op", "segments:\n  - name: s\n    where:\n      attribute: {name: x, op: like, value: 1}\n", "c.yaml:4: value condition on \"x\": unknown op \"like\""},
		{"two fields in a condition", "segments:\n  - name: s\n    where:\n      performed: A\n      attribute: {name: x, op: exists}\n", "c.yaml:4: a condition needs exactly one"},
		{"event condition outside a filter", "segments:\n  - name: s\n    where:\n      event: {name: x, op: exists}\n", "c.yaml:4: event conditions apply"},
		{"duplicate campaign", "campaigns:\n  - {name: a, trigger: A}\n  - {name: a, trigger: B}\n", "c.yaml:3: campaign \"a\" defined twice"},
		{"syntax", "campaigns: [\n", "c.yaml:1: did not find expected node content"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := ParseCampaigns("c.yaml", []byte(tc.doc))
			var ce *ConfigError
			if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("got %v, want prefix %q", err, tc.want)
			}
		})
	}
}

func TestPlanErrorsHaveLines(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, doc, want string
	}{
		{"unknown type", "events:\n  - name: A\n    properties:\n      x: {type: float}\n", "p.yaml:4: A.x: unknown type \"float\""},
		{"alias reused", "events:\n  - {name: A, aliases: [B]}\n  - {name: B}\n", "p.yaml:3: event name \"B\" already used"},
		{"bad convention", "events: []\nmoney:\n  convention: cents\n  amounts: [value]\n", "p.yaml:3: money: convention \"cents\""},
		{"pair of one", "events: []\nduplicates:\n  - events: [A]\n    window: 1m\n", "p.yaml:3: duplicates"},
		{"unknown key", "events: []\npii: [email]\n", "p.yaml:2: unknown key \"pii\""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParsePlan("p.yaml", []byte(tc.doc))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("got %v, want prefix %q", err, tc.want)
			}
		})
	}
}

func TestLoadFilesAndSetConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cpath, ppath := filepath.Join(dir, "c.yaml"), filepath.Join(dir, "p.yaml")
	if err := os.WriteFile(cpath, builtin.Campaigns, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ppath, builtin.Plan, 0o644); err != nil {
		t.Fatal(err)
	}
	cs, ss, err := LoadCampaignsFile(cpath)
	if err != nil || len(cs) != 3 || len(ss) == 0 {
		t.Fatalf("LoadCampaignsFile: %d campaigns, %d segments, %v", len(cs), len(ss), err)
	}
	if _, err := LoadPlanFile(ppath); err != nil {
		t.Fatalf("LoadPlanFile: %v", err)
	}
	if _, _, err := LoadCampaignsFile(filepath.Join(dir, "missing.yaml")); err == nil {
		t.Error("missing file: got no error")
	}

	e := NewEngine(newFakeHost(1), EngineOptions{ManualTimers: true, Empty: true})
	// JSON (as Go clients send it) round-trips through GET.
	body, _ := json.Marshal(cs)
	if err := e.SetConfig(ConfigView{Campaigns: body, Contract: mustJSONString("builtin")}); err != nil {
		t.Fatalf("SetConfig JSON: %v", err)
	}
	got := e.Config()
	var back []Campaign
	if err := json.Unmarshal(got.Campaigns, &back); err != nil || len(back) != 3 || back[0].Delay != cs[0].Delay {
		t.Errorf("GET campaigns: %s (%v)", got.Campaigns, err)
	}
	if string(got.Contract) == "null" {
		t.Error("GET contract: null after setting builtin")
	}
	// A bad body leaves the engine unchanged.
	if err := e.SetConfig(ConfigView{Campaigns: json.RawMessage(`[{"name":"x"}]`)}); err == nil {
		t.Error("campaign without trigger: got no error")
	}
	if string(e.Config().Campaigns) != string(got.Campaigns) {
		t.Error("failed SetConfig changed the campaigns")
	}
	// YAML text with segments sets both.
	if err := e.SetConfig(ConfigView{Campaigns: mustJSONString("campaigns: []\nsegments:\n  - {name: s, where: {performed: A}}\n")}); err != nil {
		t.Fatal(err)
	}
	if segs := e.Segments(); len(segs) != 1 || segs[0].Name != "s" {
		t.Errorf("segments from the campaigns document: got %+v", segs)
	}
}

func TestParseDuration(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"90m", 90 * time.Minute}, {"30d", 30 * 24 * time.Hour}, {"1d12h", 36 * time.Hour},
		{"2w", 14 * 24 * time.Hour}, {"3600", time.Hour}, {"0.5", 500 * time.Millisecond},
	} {
		got, err := ParseDuration(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseDuration(%q): got %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "d", "-1d", "5x"} {
		if _, err := ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q): got no error", bad)
		}
	}
}
