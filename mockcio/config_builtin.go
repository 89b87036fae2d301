package mockcio

import (
	"sync"

	"github.com/cioharness/cioharness/mockcio/builtin"
)

var builtinOnce = sync.OnceValues(func() (*RetentionConfig, error) {
	cs, ss, err := ParseCampaigns("builtin/campaigns.yaml", builtin.Campaigns)
	if err != nil {
		return nil, err
	}
	plan, err := ParsePlan("builtin/plan.yaml", builtin.Plan)
	if err != nil {
		return nil, err
	}
	return &RetentionConfig{Campaigns: cs, Segments: ss, Contract: plan}, nil
})

// BuiltinConfig returns the built-in campaigns, truth segments and D2C
// tracking plan (parsed from package builtin).
func BuiltinConfig() RetentionConfig {
	c, err := builtinOnce()
	if err != nil {
		panic("mockcio: built-in configuration: " + err.Error()) // covered by tests
	}
	return *c
}

func builtinConfig() ([]Campaign, []Segment, *Plan) {
	c := BuiltinConfig()
	return c.Campaigns, c.Segments, c.Contract
}
