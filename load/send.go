package load

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/cioharness/cioharness/cio"
	"github.com/cioharness/cioharness/report"
)

// NewTransport returns the HTTP transport the engine uses by default: HTTP/1.1
// with keep-alive, one idle connection kept per possible in-flight request, no
// compression and no proxy, so that the harness measures the path to the
// target and not its own connection churn.
func NewTransport(concurrency int, timeout time.Duration) *http.Transport {
	return &http.Transport{
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          concurrency,
		MaxIdleConnsPerHost:   concurrency,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: timeout,
		DisableCompression:    true,
		ForceAttemptHTTP2:     false,
		TLSNextProto:          map[string]func(string, *tls.Conn) http.RoundTripper{},
		WriteBufferSize:       16 << 10,
		ReadBufferSize:        8 << 10,
	}
}

// headers returns the read-only header sets every request shares: one for
// requests with a JSON body, one without.
func (e *Engine) headers() (withBody, noBody http.Header) {
	noBody = http.Header{}
	for k, v := range e.cfg.Header {
		noBody[http.CanonicalHeaderKey(k)] = v
	}
	noBody.Set("Authorization", e.auth)
	if noBody.Get("User-Agent") == "" {
		noBody.Set("User-Agent", "cioharness")
	}
	withBody = noBody.Clone()
	withBody.Set("Content-Type", "application/json")
	return withBody, noBody
}

// sender is one goroutine of the pool; its buffers are reused per request.
type sender struct {
	s              *scheduler
	withBody, none http.Header
	calls          []cio.Call
	ptrs           []*cio.Call
	rbuf           []byte
	body           []byte  // reused request body (own HTTP/1.1 client only)
	h1             *h1conn // nil: net/http
}

func (s *scheduler) sender() {
	defer s.wg.Done()
	w := &sender{s: s, rbuf: make([]byte, 4<<10)}
	w.withBody, w.none = s.e.headers()
	if s.e.cfg.Transport == nil && !s.e.cfg.StdClient {
		w.h1 = newH1(s.e.cfg.Target, w.none, s.e.cfg.Timeout)
	}
	for t := range s.ready {
		w.do(t)
		s.done <- t
	}
	if w.h1 != nil {
		w.h1.close()
	}
}

// actionTime is the real time of a step's action: start + Offset/time-scale,
// in the past for history steps.
func (s *scheduler) actionTime(it *item) time.Time {
	off := it.js.j.Steps[it.step].Offset
	return s.t0.Add(it.js.start + time.Duration(float64(off)/s.e.cfg.TimeScale))
}

// encode builds the request for t, stamping each call's Timestamp with its
// action time on a copy (journeys are shared and never modified).
func (w *sender) encode(t *task) (cio.Request, error) {
	api := w.s.e.cfg.API
	w.calls = w.calls[:0]
	for i := range t.items {
		c := t.items[i].js.j.Steps[t.items[i].step].Call
		c.Timestamp = w.s.actionTime(&t.items[i])
		w.calls = append(w.calls, c)
	}
	if !t.batch {
		if w.h1 == nil { // net/http may still read a body after answering
			return cio.Encode(api, &w.calls[0])
		}
		req, err := cio.EncodeTo(w.body[:0], api, &w.calls[0])
		if cap(req.Body) > cap(w.body) {
			w.body = req.Body[:0]
		}
		return req, err
	}
	w.ptrs = w.ptrs[:0]
	for i := range w.calls {
		w.ptrs = append(w.ptrs, &w.calls[i])
	}
	return cio.EncodeBatch(api, w.ptrs)
}

// do sends t and emits its one Result.
func (w *sender) do(t *task) {
	s, st := w.s, &w.s.e.st
	first := &t.items[0]
	res := report.Result{
		Journey: first.js.j.Index, Step: first.step, Calls: len(t.items),
		Intended: s.t0.Add(t.due),
	}
	req, err := w.encode(t)
	if c := &w.calls[0]; !t.batch && c.Kind.IsEvent() {
		res.Event = c.Name
	}
	res.Endpoint, res.BytesOut = req.Endpoint, len(req.Body)
	sent := s.now()
	res.Seq = s.seq.Add(1) - 1
	w.account(t, sent)
	if err == nil {
		res.Status, res.BytesIn, err = w.roundTrip(req)
	} else {
		err = errors.Join(errEncode, err)
	}
	t.done = s.now()
	res.Sent = s.t0.Add(sent)
	res.Latency, res.Service = t.done-t.due, t.done-sent
	if err != nil {
		res.Error = err.Error()
	} else if !res.OK() {
		res.Error = strconv.Itoa(res.Status) + " " + http.StatusText(res.Status)
	}
	st.requests.Add(1)
	if !res.OK() {
		st.errors.Add(1)
	}
	if f := s.e.cfg.OnStep; f != nil {
		for i := range t.items {
			f(t.items[i].js.j, t.items[i].step, &res)
		}
	}
	s.out <- res
}

var errEncode = errors.New("load: encode")

// account records the harness's own lag for the steps of t sent at sent.
func (w *sender) account(t *task, sent time.Duration) {
	st := &w.s.e.st
	n := uint64(len(t.items))
	st.steps.Add(n)
	lag := sent - t.eligible
	st.lag(lag)
	if lag > LateAfter {
		st.late.Add(n)
	}
	for i := range t.items {
		if t.eligible-t.items[i].due > LateAfter {
			st.queued.Add(1)
		}
	}
}

// roundTrip sends one request and reads the whole answer.
func (w *sender) roundTrip(r cio.Request) (status, bytesIn int, err error) {
	if w.h1 != nil {
		return w.h1.do(r.Method, r.Path, r.Body)
	}
	var body io.Reader = http.NoBody
	h := w.none
	if r.Body != nil {
		body, h = bytes.NewReader(r.Body), w.withBody
	}
	req, err := http.NewRequestWithContext(w.s.reqCtx, r.Method, w.s.e.base+r.Path, body)
	if err != nil {
		return 0, 0, err
	}
	req.Header = h
	resp, err := w.s.e.client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	for {
		n, rerr := resp.Body.Read(w.rbuf)
		bytesIn += n
		if rerr == io.EOF {
			return resp.StatusCode, bytesIn, nil
		}
		if rerr != nil {
			return resp.StatusCode, bytesIn, rerr
		}
	}
}
