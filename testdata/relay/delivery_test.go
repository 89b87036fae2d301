package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// trackBody is a Pipelines track call for user with a ULID-shaped id from n.
func trackBody(user, event string, n int) string {
	return fmt.Sprintf(`{"userId":%q,"messageId":"01KB5M1ZHA%016d","timestamp":%q,"event":%q,"properties":{"n":%d}}`,
		user, n, ts1, event, n)
}

// failFirst answers status (with header) to the first k requests, then 200.
func failFirst(k, status int, header http.Header) func(int, *http.Request) (int, http.Header) {
	return func(n int, _ *http.Request) (int, http.Header) {
		if n < k {
			return status, header
		}
		return http.StatusOK, nil
	}
}

// TestRetries checks which upstream answers the relay retries, that a retry
// repeats the request byte for byte (same event id) and when it gives up.
func TestRetries(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name              string
		reply             func(int, *http.Request) (int, http.Header)
		maxRetries        int
		wantSent          int // upstream requests for the one call
		forwarded, failed int64
	}{
		{"503 twice then 200", failFirst(2, 503, nil), 8, 3, 1, 0},
		{"500, 502, 504 retried", func(n int, _ *http.Request) (int, http.Header) {
			return [...]int{500, 502, 504, 200}[min(n, 3)], nil
		}, 8, 4, 1, 0},
		{"408 retried", failFirst(1, 408, nil), 8, 2, 1, 0},
		{"429 retried", failFirst(1, 429, nil), 8, 2, 1, 0},
		{"400 not retried", failFirst(1, 400, nil), 8, 1, 0, 1},
		{"401 not retried", failFirst(1, 401, nil), 8, 1, 0, 1},
		{"gives up after max retries", failFirst(100, 503, nil), 3, 4, 0, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			up := newUpstream(t, tc.reply)
			tr := startRelay(t, up, func(c *config) { c.MaxRetries = tc.maxRetries })
			tr.mustPost(t, "/v1/track", trackBody("u-1", "Added to Cart", 1))
			tr.drain(t)
			got := up.requests()
			if len(got) != tc.wantSent {
				t.Fatalf("upstream got %d requests; want %d", len(got), tc.wantSent)
			}
			for i := 1; i < len(got); i++ {
				if got[i].Body != got[0].Body || got[i].Path != got[0].Path {
					t.Errorf("retry %d differs from the first attempt:\n%s %s\n%s %s", i, got[i].Path, got[i].Body, got[0].Path, got[0].Body)
				}
			}
			if s := tr.Stats(); s.Forwarded != tc.forwarded || s.Dropped != tc.failed {
				t.Errorf("forwarded %d dropped %d; want %d, %d", s.Forwarded, s.Dropped, tc.forwarded, tc.failed)
			}
		})
	}
}

// TestRetryAfter checks that a 429's Retry-After is honoured instead of the
// (much shorter) backoff.
func TestRetryAfter(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, failFirst(1, 429, http.Header{"Retry-After": {"1"}}))
	tr := startRelay(t, up, nil) // backoff would be ~1 ms
	tr.mustPost(t, "/v1/track", trackBody("u-1", "Order Placed", 1))
	got := up.waitRequests(t, 2)
	if gap := got[1].At.Sub(got[0].At); gap < 950*time.Millisecond {
		t.Errorf("retry came %v after the 429; want at least the 1s Retry-After", gap)
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"2", 2 * time.Second},
		{"0.5", 500 * time.Millisecond},
		{now.Add(3 * time.Second).Format(http.TimeFormat), 3 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"soon", 0},
		{"-1", 0},
	}
	for _, tc := range cases {
		if got := parseRetryAfter(tc.in, now); got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %v; want %v", tc.in, got, tc.want)
		}
	}
}

// TestGracefulFlush checks that closing the relay forwards everything still
// queued, even though neither the batch size nor the flush interval was hit.
func TestGracefulFlush(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, nil)
	tr := startRelay(t, up, func(c *config) { c.BatchSize, c.FlushInterval = 1000, time.Hour })
	const n = 50
	for i := range n {
		tr.mustPost(t, "/v1/track", trackBody(fmt.Sprintf("u-%d", i%5), "Viewed Product", i))
	}
	if got := len(up.requests()); got != 0 {
		t.Fatalf("upstream got %d requests before shutdown; want 0 (batches still open)", got)
	}
	tr.drain(t)
	if got := len(up.stored()); got != n {
		t.Errorf("after shutdown upstream stored %d calls; want %d", got, n)
	}
	if code, _ := tr.post(t, "/v1/track", trackBody("u-1", "Late", 99)); code != http.StatusServiceUnavailable {
		t.Errorf("POST after shutdown = %d; want 503", code)
	}
}

// TestShutdownDeadline checks that a drain gives up when its deadline passes
// with the upstream still failing, and counts what it dropped.
func TestShutdownDeadline(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, failFirst(1<<30, 503, nil))
	tr := startRelay(t, up, func(c *config) { c.MaxRetries, c.RetryBase = 1000, 20*time.Millisecond })
	tr.mustPost(t, "/v1/track", trackBody("u-1", "Order Placed", 1))
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	tr.Close(ctx)
	if s := tr.Stats(); s.Dropped != 1 || s.Forwarded != 0 {
		t.Errorf("dropped %d forwarded %d; want 1, 0", s.Dropped, s.Forwarded)
	}
}

// TestPersonOrder checks that a person's calls leave in the order they came,
// across several workers and batches, including the anonymous calls of a
// device the person later identifies from.
func TestPersonOrder(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, nil)
	tr := startRelay(t, up, func(c *config) { c.Workers, c.BatchSize = 4, 3 })
	const people, each = 6, 12
	for i := range each {
		for p := range people {
			user, anon := fmt.Sprintf("u-%d", p), fmt.Sprintf("anon-%d", p)
			switch {
			case i < 4: // anonymous browsing
				tr.mustPost(t, "/v1/track", fmt.Sprintf(`{"anonymousId":%q,"event":"Viewed Product","properties":{"n":%d}}`, anon, i))
			case i == 4:
				tr.mustPost(t, "/v1/identify", fmt.Sprintf(`{"userId":%q,"anonymousId":%q,"traits":{"n":%d}}`, user, anon, i))
			default:
				tr.mustPost(t, "/v1/track", fmt.Sprintf(`{"userId":%q,"event":"Added to Cart","properties":{"n":%d}}`, user, i))
			}
		}
	}
	tr.drain(t)
	seen := map[string]int{} // person → last n
	for _, r := range up.requests() {
		m := object(t, r.Body)
		who := strings.TrimPrefix(fmt.Sprint(field(m, "anonymous_id")), "anon-")
		if p := strings.TrimPrefix(r.Path, "/api/v1/customers/u-"); p != r.Path {
			who = strings.SplitN(p, "/", 2)[0]
		}
		n := field(m, "data", "n")
		if n == nil {
			n = field(m, "n")
		}
		var k int
		fmt.Sscan(fmt.Sprint(n), &k)
		if last, ok := seen[who]; ok && k <= last {
			t.Errorf("person %s: call %d arrived after call %d", who, k, last)
		}
		seen[who] = k
	}
	if len(seen) != people {
		t.Errorf("saw %d people; want %d", len(seen), people)
	}
}
