package verify

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/cioharness/cioharness/mockcio"
	"github.com/cioharness/cioharness/scenarios"
)

// LedgerCampaigns converts the mock's campaigns into those the ledger can
// predict (scenarios.NewLedger(campaigns...)). Campaigns with a filter are
// left out and named in skipped: the ledger does not model filters. A
// message field is predicted when its source is "event.<same name>".
func LedgerCampaigns(cs []mockcio.Campaign) (out []scenarios.Campaign, skipped []string) {
	for _, c := range cs {
		if c.Filter != nil {
			skipped = append(skipped, c.Name)
			continue
		}
		lc := scenarios.Campaign{Name: c.Name, Trigger: c.Trigger, Exit: append([]string(nil), c.Exit...),
			Delay: time.Duration(c.Delay), Reentry: c.Reentry}
		for k, src := range c.Content {
			if strings.TrimPrefix(src, "event.") == k && strings.HasPrefix(src, "event.") {
				lc.Content = append(lc.Content, k)
			}
		}
		sort.Strings(lc.Content)
		out = append(out, lc)
	}
	return out, skipped
}

// MockCampaigns reads the mock's configured campaigns through ins and
// converts them with LedgerCampaigns.
func MockCampaigns(ctx context.Context, ins mockcio.Inspector) ([]scenarios.Campaign, []string, error) {
	cv, err := ins.Config(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("verify: read config: %w", err)
	}
	c, err := decodeConfig(cv)
	if err != nil {
		return nil, nil, err
	}
	out, skipped := LedgerCampaigns(c.Campaigns)
	return out, skipped, nil
}
