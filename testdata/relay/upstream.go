package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"
)

// outcome is what one upstream attempt came to.
type outcome struct {
	ok         bool
	retry      bool // worth another attempt: 408, 429, 5xx, network error
	status     int  // 0 for a network error
	retryAfter time.Duration
	rejected   int // 207: items refused
	detail     string
}

// deliver sends reqs in order. A request that fails with a retryable error is
// sent again, unchanged (same event ids, so a request that did land is not
// stored twice), after a backoff or the Retry-After the upstream asked for,
// up to MaxRetries times; then its calls are dropped and logged. A permanent
// error (other 4xx) drops that request's calls at once.
//
// Defects: drop-on-429 drops the rest of the batch at the first 429;
// retry-new-id, on a 5xx, rebuilds the whole batch without event ids and
// sends it again from its first request, so the calls that had already
// landed are stored a second time.
func (r *relay) deliver(reqs []upReq) {
	attempt, restarts := 0, 0
	for i := 0; i < len(reqs); {
		out := r.send(reqs[i])
		switch {
		case out.ok:
			r.st.forwarded.Add(int64(len(reqs[i].calls) - out.rejected))
			r.dropCalls(out.rejected, reqs[i], out)
			i, attempt = i+1, 0
			continue
		case !out.retry:
			r.dropCalls(len(reqs[i].calls), reqs[i], out)
			i, attempt = i+1, 0
			continue
		case out.status == http.StatusTooManyRequests && r.cfg.on(defDropOn429):
			r.dropRest(reqs[i:], out)
			return
		case attempt >= r.cfg.MaxRetries:
			r.dropCalls(len(reqs[i].calls), reqs[i], out)
			i, attempt = i+1, 0
			continue
		}
		attempt++
		r.st.retries.Add(1)
		if !r.sleep(r.backoff(attempt, out.retryAfter)) {
			r.dropRest(reqs[i:], outcome{detail: "shutdown deadline passed"})
			return
		}
		if r.cfg.on(defRetryNewID) && out.status >= 500 && restarts < r.cfg.MaxRetries {
			restarts++
			reqs, i = r.withoutIDs(reqs), 0
		}
	}
}

func (r *relay) dropCalls(n int, u upReq, out outcome) {
	if n <= 0 {
		return
	}
	r.st.dropped.Add(int64(n))
	r.log.Printf("dropped %d call(s) of %s %s: status %d %s", n, u.Method, u.Path, out.status, out.detail)
}

func (r *relay) dropRest(reqs []upReq, out outcome) {
	for _, u := range reqs {
		r.dropCalls(len(u.calls), u, out)
	}
}

// send makes one upstream attempt.
func (r *relay) send(u upReq) outcome {
	var body io.Reader
	if u.Body != nil {
		body = bytes.NewReader(u.Body)
	}
	req, err := http.NewRequestWithContext(r.stop, u.Method, r.cfg.Upstream+u.Path, body)
	if err != nil {
		return outcome{detail: err.Error()}
	}
	req.Header.Set("Authorization", r.cfg.Creds.TrackAuthorization())
	req.Header.Set("User-Agent", "cioharness-relay/1")
	if u.Body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	r.st.requests.Add(1)
	resp, err := r.client.Do(req)
	if err != nil {
		return outcome{retry: r.stop.Err() == nil, detail: err.Error()}
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	out := outcome{status: resp.StatusCode, detail: string(msg)}
	switch code := resp.StatusCode; {
	case code == http.StatusMultiStatus:
		var e struct {
			Errors []json.RawMessage `json:"errors"`
		}
		_ = json.Unmarshal(msg, &e)
		out.ok, out.rejected = true, min(len(e.Errors), len(u.calls))
	case code >= 200 && code < 300:
		out.ok = true
	case code == http.StatusTooManyRequests:
		out.retry, out.retryAfter = true, parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	case code == http.StatusRequestTimeout || code >= 500:
		out.retry, out.retryAfter = true, parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return out
}

// parseRetryAfter reads a Retry-After header: delay seconds or an HTTP date.
// Anything else is zero (use the backoff).
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// backoff is the wait before retry number attempt (1-based): Retry-After
// when the upstream gave one, else RetryBase doubled per attempt with
// jitter in its upper half; both capped at RetryMax.
func (r *relay) backoff(attempt int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, r.cfg.RetryMax)
	}
	d := r.cfg.RetryBase << min(attempt-1, 20)
	if d <= 0 || d > r.cfg.RetryMax {
		d = r.cfg.RetryMax
	}
	return d/2 + r.jitter(d/2)
}

// sleep waits d; false if the shutdown deadline passed first.
func (r *relay) sleep(d time.Duration) bool {
	if d <= 0 {
		return r.stop.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.stop.Done():
		return false
	}
}
