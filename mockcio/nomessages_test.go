package mockcio

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cioharness/cioharness/cio"
)

// TestPeoplePageWithoutMessages: full pages carry each person's messages
// unless messages=0 asks to leave them out.
func TestPeoplePageWithoutMessages(t *testing.T) {
	t.Parallel()
	s, err := NewServer(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/v1/track", strings.NewReader(
		`{"userId":"u1","event":"Added to Cart","messageId":"m1","properties":{"cart_id":"c1","value":1,"currency":"USD"}}`))
	req.Header.Set("Authorization", cio.TestCredentials.PipelinesAuthorization())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	c := NewClient(s.URL, nil)
	for _, tt := range []struct {
		name       string
		noMessages bool
		want       int
	}{{"with messages", false, 1}, {"without messages", true, 0}} {
		page, err := c.People(t.Context(), PageRequest{Full: true, NoMessages: tt.noMessages})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.People) != 1 || len(page.People[0].Messages) != tt.want {
			t.Errorf("%s: %+v, want one person with %d messages", tt.name, page.People, tt.want)
		}
	}
}
