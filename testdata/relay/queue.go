package main

import (
	"time"

	"github.com/cioharness/cioharness/cio"
)

// batcher is one worker: it collects calls from its queue and flushes them
// when BatchSize calls wait or the first of them has waited FlushInterval.
// Flushes are sequential, so the worker's calls reach upstream in order.
// When the queue is closed it flushes what is left and returns.
func (r *relay) batcher(q <-chan *cio.Call) {
	var buf []*cio.Call
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case c, ok := <-q:
			if !ok {
				r.flush(buf)
				return
			}
			if len(buf) == 0 {
				timer.Reset(r.cfg.FlushInterval)
			}
			buf = append(buf, c)
			if len(buf) >= r.cfg.BatchSize {
				timer.Stop()
				r.flush(buf)
				buf = nil
			}
		case <-timer.C:
			r.flush(buf)
			buf = nil
		}
	}
}

// holder is the slow-flush defect's purchase queue: every call is held for
// hold before it is forwarded, as when orders reach the relay through a
// batched order-sync path. On close it flushes at once.
func (r *relay) holder(q <-chan *cio.Call, hold time.Duration) {
	type held struct {
		c   *cio.Call
		due time.Time
	}
	var buf []held
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	release := func(all bool) {
		now := time.Now()
		var out []*cio.Call
		for len(buf) > 0 && (all || !buf[0].due.After(now)) {
			out = append(out, buf[0].c)
			buf = buf[1:]
		}
		r.flush(out)
		if len(buf) > 0 {
			timer.Reset(time.Until(buf[0].due))
		}
	}
	for {
		select {
		case c, ok := <-q:
			if !ok {
				release(true)
				return
			}
			buf = append(buf, held{c, time.Now().Add(hold)})
			if len(buf) == 1 {
				timer.Reset(hold)
			}
		case <-timer.C:
			release(false)
		}
	}
}

// flush forwards one batch of calls upstream.
func (r *relay) flush(calls []*cio.Call) {
	if len(calls) == 0 {
		return
	}
	if r.cfg.on(defFlushTimestamps) {
		now := time.Now()
		for _, c := range calls {
			if c.Kind.IsEvent() {
				c.Timestamp = now
			}
		}
	}
	reqs := r.build(calls)
	if r.raceSem == nil {
		r.deliver(reqs)
		return
	}
	// reorder: every request races on its own after a random delay.
	for _, u := range reqs {
		r.raceSem <- struct{}{}
		r.racers.Go(func() {
			defer func() { <-r.raceSem }()
			r.sleep(r.jitter(r.cfg.ReorderJitter))
			r.deliver([]upReq{u})
		})
	}
}

// upReq is one upstream request and the calls it carries.
type upReq struct {
	cio.Request
	calls []*cio.Call
}

// build encodes calls as upstream requests, in order. Track v1 takes one
// request per call. Track v2 takes runs of batchable calls as /api/v2/batch
// requests (split to stay under 500 KB) and anything else (anonymous events)
// as single requests in between. A call the wire format cannot carry (an
// identify with only an anonymousId) is dropped and logged.
func (r *relay) build(calls []*cio.Call) []upReq {
	api := r.cfg.UpstreamAPI
	var out, run []upReq
	endRun := func() {
		out = append(out, r.v2Batches(run)...)
		run = nil
	}
	for _, c := range calls {
		req, err := cio.Encode(api, c)
		if err != nil {
			r.st.dropped.Add(1)
			r.log.Printf("dropped %v call %q: %v", c.Kind, c.ID, err)
			continue
		}
		if api == cio.APITrackV2 && cio.Batchable(api, c) {
			run = append(run, upReq{req, []*cio.Call{c}})
			continue
		}
		endRun()
		out = append(out, upReq{req, []*cio.Call{c}})
	}
	endRun()
	return out
}

// v2Batches joins single v2 entity requests into batch requests.
func (r *relay) v2Batches(run []upReq) []upReq {
	if len(run) == 0 {
		return nil
	}
	calls := make([]*cio.Call, 0, len(run))
	for _, u := range run {
		calls = append(calls, u.calls...)
	}
	req, err := cio.EncodeBatch(cio.APITrackV2, calls)
	if err == nil && len(req.Body) <= cio.MaxBatchBytes {
		return []upReq{{req, calls}}
	}
	if len(run) == 1 {
		return run // one entity: send it alone
	}
	mid := len(run) / 2
	return append(r.v2Batches(run[:mid]), r.v2Batches(run[mid:])...)
}

// withoutIDs rebuilds requests from their calls with the event ids removed:
// the retry-new-id defect's retried batch.
func (r *relay) withoutIDs(reqs []upReq) []upReq {
	var calls []*cio.Call
	for _, u := range reqs {
		for _, c := range u.calls {
			cc := *c
			cc.ID = ""
			calls = append(calls, &cc)
		}
	}
	return r.build(calls)
}
