package mockcio

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cioharness/cioharness/cio"
)

// TestAnonymousList pages through the anonymous ids holding events, in id
// order, over HTTP; a merged id is not listed.
func TestAnonymousList(t *testing.T) {
	t.Parallel()
	s, err := NewServer(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	send := func(path, body string) {
		req, _ := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", cio.TestCredentials.PipelinesAuthorization())
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
	}
	for _, id := range []string{"c", "a", "d", "b"} {
		send("/v1/page", `{"anonymousId":"`+id+`","name":"/","messageId":"m-`+id+`"}`)
	}
	send("/v1/identify", `{"anonymousId":"d","userId":"u1"}`)
	c := NewClient(s.URL, nil)
	var got []string
	after := ""
	for pages := 0; ; pages++ {
		p, err := c.AnonymousList(t.Context(), PageRequest{Limit: 2, After: after})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range p.Anonymous {
			if len(a.Events) != 1 {
				t.Errorf("%s: %d events, want 1", a.AnonymousID, len(a.Events))
			}
			got = append(got, a.AnonymousID)
		}
		if p.Next == "" || pages > 5 {
			break
		}
		after = p.Next
	}
	if strings.Join(got, ",") != "a,b,c" {
		t.Errorf("listed %v, want a,b,c (d was merged)", got)
	}
}
