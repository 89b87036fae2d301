package mockcio

import (
	"context"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// AnonymousPage is GET /__mock/anonymous?limit=&after=: the anonymous ids
// that hold events not (yet) merged, sorted by id, with those events, and the
// cursor of the next page ("" at the end).
type AnonymousPage struct {
	Anonymous []AnonymousView `json:"anonymous"`
	Next      string          `json:"next,omitempty"`
}

// AnonymousLister lists anonymous ids in bulk (one page per call). *Server
// and *Client implement it; it is separate from Inspector so that adding it
// changes no existing implementation.
type AnonymousLister interface {
	AnonymousList(ctx context.Context, page PageRequest) (AnonymousPage, error)
}

var (
	_ AnonymousLister = (*Server)(nil)
	_ AnonymousLister = (*Client)(nil)
)

// anonymousIDs returns, sorted, the anonymous ids after after that hold events.
func (s *store) anonymousIDs(after string) []string {
	var out []string
	for i := range s.stripes {
		st := &s.stripes[i]
		st.mu.Lock()
		for k, b := range st.anon {
			if id := strings.TrimPrefix(k, "anon:"); id > after && len(b.events) > 0 {
				out = append(out, id)
			}
		}
		st.mu.Unlock()
	}
	sort.Strings(out)
	return out
}

// AnonymousList implements AnonymousLister (Limit default 100, at most
// MaxPageSize; Full is ignored: pages are always full).
func (s *Server) AnonymousList(_ context.Context, pr PageRequest) (AnonymousPage, error) {
	if pr.Limit <= 0 {
		pr.Limit = 100
	}
	pr.Limit = min(pr.Limit, MaxPageSize)
	ids := s.store.anonymousIDs(pr.After)
	page := AnonymousPage{Anonymous: make([]AnonymousView, 0, min(pr.Limit, len(ids)))}
	for i, id := range ids {
		if len(page.Anonymous) == pr.Limit {
			page.Next = ids[i-1]
			break
		}
		if v, ok := s.store.anonymous(id); ok && len(v.Events) > 0 {
			page.Anonymous = append(page.Anonymous, v)
		}
	}
	return page, nil
}

// AnonymousList implements AnonymousLister.
func (c *Client) AnonymousList(ctx context.Context, pr PageRequest) (AnonymousPage, error) {
	q := url.Values{}
	if pr.Limit > 0 {
		q.Set("limit", strconv.Itoa(pr.Limit))
	}
	if pr.After != "" {
		q.Set("after", pr.After)
	}
	var v AnonymousPage
	err := c.get(ctx, "/__mock/anonymous?"+q.Encode(), &v)
	return v, err
}
