package verify

import (
	"context"
	"testing"
	"time"

	"github.com/cioharness/cioharness/mockcio"
	"github.com/cioharness/cioharness/report"
)

// TestChunkedReadMatchesPaging: reading people in parallel id ranges (small
// pages force many ranges) returns exactly the people of an in-order paging,
// in order, and the verification is the same.
func TestChunkedReadMatchesPaging(t *testing.T) {
	t.Parallel()
	tr := runTraffic(t, 2, 60, nil)
	cl := mockcio.NewClient(tr.srv.URL, nil)
	ctx := context.Background()
	for _, size := range []int{1, 7, 50, 1000} {
		chunked := &Observation{}
		if err := chunked.readPeople(ctx, cl, size); err != nil {
			t.Fatal(err)
		}
		paged := &Observation{}
		if err := paged.pageFrom(ctx, cl, size, "000000000000"); err != nil {
			t.Fatal(err)
		}
		if len(chunked.People) != len(paged.People) || len(paged.People) == 0 {
			t.Fatalf("page size %d: %d people in ranges, %d paged", size, len(chunked.People), len(paged.People))
		}
		for i := range paged.People {
			if chunked.People[i].CioID != paged.People[i].CioID {
				t.Fatalf("page size %d: person %d is %s in ranges, %s paged", size, i, chunked.People[i].CioID, paged.People[i].CioID)
			}
		}
	}
	small, big := report.New(), report.New()
	if err := Run(ctx, cl, tr.led, small, Options{PageSize: 5, Now: tr.clock.now}); err != nil {
		t.Fatal(err)
	}
	if err := Run(ctx, cl, tr.led, big, Options{Now: tr.clock.now}); err != nil {
		t.Fatal(err)
	}
	for i := range big.Checks {
		a, b := small.Checks[i], big.Checks[i]
		if a.Name != b.Name || a.Expected != b.Expected || a.Failed != b.Failed {
			t.Errorf("page size 5: %+v; default: %+v", a, b)
		}
	}
}

func TestLedgerCampaigns(t *testing.T) {
	t.Parallel()
	cs := mockcio.BuiltinConfig().Campaigns
	cs = append(cs, mockcio.Campaign{Name: "filtered", Trigger: "Viewed Product", Filter: &mockcio.Condition{}})
	got, skipped := LedgerCampaigns(cs)
	if len(got) != 3 || len(skipped) != 1 || skipped[0] != "filtered" {
		t.Fatalf("got %d campaigns, skipped %v; want the 3 built-ins and filtered skipped", len(got), skipped)
	}
	cart := got[0]
	if cart.Name != "cart_abandonment" || cart.Trigger != "Added to Cart" || cart.Delay != time.Hour ||
		len(cart.Exit) != 1 || cart.Exit[0] != "Order Placed" || len(cart.Content) != 4 {
		t.Errorf("cart: %+v, want trigger Added to Cart, exit Order Placed, 1h, content cart_id items value currency", cart)
	}
}
