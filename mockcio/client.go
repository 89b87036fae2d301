package mockcio

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Client drives a mock over HTTP through its inspection API. It implements
// Inspector with the same views as *Server.
type Client struct {
	base string
	hc   *http.Client
}

// NewClient returns a client of the mock at baseURL (e.g.
// http://127.0.0.1:8420). hc nil means http.DefaultClient.
func NewClient(baseURL string, hc *http.Client) *Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{base: strings.TrimRight(baseURL, "/"), hc: hc}
}

// do sends one request; out nil discards the answer. It returns found=false
// for a 404 and an error for any other non-2xx status.
func (c *Client) do(ctx context.Context, method, path string, in, out any) (found bool, err error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return false, fmt.Errorf("mockcio client: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return false, fmt.Errorf("mockcio client: %w", err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return false, fmt.Errorf("mockcio client: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return false, fmt.Errorf("mockcio client: %s %s: %w", method, path, err)
	}
	if resp.StatusCode == http.StatusNotFound {
		return false, nil
	}
	if resp.StatusCode/100 != 2 {
		var e inspectError
		_ = json.Unmarshal(b, &e)
		return false, fmt.Errorf("mockcio client: %s %s: %s: %s", method, path, resp.Status, e.Error)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return false, fmt.Errorf("mockcio client: %s %s: %w", method, path, err)
		}
	}
	return true, nil
}

func (c *Client) get(ctx context.Context, path string, out any) error {
	found, err := c.do(ctx, http.MethodGet, path, nil, out)
	if err == nil && !found {
		return fmt.Errorf("mockcio client: GET %s: 404 (is %s a mock?)", path, c.base)
	}
	return err
}

// Person implements Inspector.
func (c *Client) Person(ctx context.Context, identifier string) (PersonView, bool, error) {
	var v PersonView
	ok, err := c.do(ctx, http.MethodGet, "/__mock/people/"+url.PathEscape(identifier), nil, &v)
	return v, ok, err
}

// People implements Inspector.
func (c *Client) People(ctx context.Context, pr PageRequest) (PeoplePage, error) {
	q := url.Values{}
	if pr.Limit > 0 {
		q.Set("limit", strconv.Itoa(pr.Limit))
	}
	if pr.After != "" {
		q.Set("after", pr.After)
	}
	if pr.Full {
		q.Set("full", "1")
	}
	if pr.NoMessages {
		q.Set("messages", "0")
	}
	var v PeoplePage
	err := c.get(ctx, "/__mock/people?"+q.Encode(), &v)
	return v, err
}

// Anonymous implements Inspector.
func (c *Client) Anonymous(ctx context.Context, aid string) (AnonymousView, bool, error) {
	var v AnonymousView
	ok, err := c.do(ctx, http.MethodGet, "/__mock/anonymous/"+url.PathEscape(aid), nil, &v)
	return v, ok, err
}

// Stats implements Inspector.
func (c *Client) Stats(ctx context.Context) (StatsView, error) {
	var v StatsView
	return v, c.get(ctx, "/__mock/stats", &v)
}

// Requests implements Inspector.
func (c *Client) Requests(ctx context.Context, limit int) ([]RequestView, error) {
	var v []RequestView
	return v, c.get(ctx, "/__mock/requests?limit="+strconv.Itoa(limit), &v)
}

// Config implements Inspector.
func (c *Client) Config(ctx context.Context) (ConfigView, error) {
	var v ConfigView
	return v, c.get(ctx, "/__mock/config", &v)
}

// PutConfig implements Inspector.
func (c *Client) PutConfig(ctx context.Context, cfg ConfigView) error {
	_, err := c.do(ctx, http.MethodPut, "/__mock/config", cfg, nil)
	return err
}

// Reset implements Inspector.
func (c *Client) Reset(ctx context.Context) error {
	_, err := c.do(ctx, http.MethodPost, "/__mock/reset", nil, nil)
	return err
}

// Faults implements Inspector.
func (c *Client) Faults(ctx context.Context) ([]FaultRule, error) {
	var v []FaultRule
	return v, c.get(ctx, "/__mock/faults", &v)
}

// PutFaults implements Inspector.
func (c *Client) PutFaults(ctx context.Context, rules []FaultRule) error {
	if rules == nil {
		rules = []FaultRule{}
	}
	_, err := c.do(ctx, http.MethodPut, "/__mock/faults", rules, nil)
	return err
}

// Messages implements Inspector.
func (c *Client) Messages(ctx context.Context, campaign, person string) ([]MessageView, error) {
	q := url.Values{}
	if campaign != "" {
		q.Set("campaign", campaign)
	}
	if person != "" {
		q.Set("person", person)
	}
	var v []MessageView
	return v, c.get(ctx, "/__mock/messages?"+q.Encode(), &v)
}

// Segments implements Inspector.
func (c *Client) Segments(ctx context.Context) ([]SegmentView, error) {
	var v []SegmentView
	return v, c.get(ctx, "/__mock/segments", &v)
}

// Segment implements Inspector.
func (c *Client) Segment(ctx context.Context, name string, members bool) (SegmentView, bool, error) {
	var v SegmentView
	p := "/__mock/segments/" + url.PathEscape(name)
	if members {
		p += "?members=1"
	}
	ok, err := c.do(ctx, http.MethodGet, p, nil, &v)
	return v, ok, err
}

// Violations implements Inspector.
func (c *Client) Violations(ctx context.Context) ([]ViolationView, error) {
	var v []ViolationView
	return v, c.get(ctx, "/__mock/violations", &v)
}
