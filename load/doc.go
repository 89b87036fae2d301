// Package load is the engine of cioharness run: it starts shopper journeys at
// a planned arrival rate and sends their steps to a target over HTTP, timing
// every request from the moment it was due.
//
// # Pacing (open model)
//
// A Pacer maps hit n (journey n of the whole run, all shards) to the offset
// from the start of the run at which it is due: Constant (n/rate) or Ramp
// (piecewise-linear stages from 0/s, like k6's ramping-arrival-rate). The
// schedule is absolute, so starts never wait for earlier journeys and a
// harness that stalled catches up. A Plan adds the limits (duration, journey
// count) and the shard: shard i of n starts the global journeys j with
// j % n == i-1 at the global schedule's times, so each shard paces at rate/n.
//
// # Scheduling
//
// Each started journey has one pending step at a time in a time-ordered heap
// owned by one scheduler goroutine; step k is due at start + Offset/TimeScale
// (history steps, with negative offsets, at the start). The shopper's next
// step enters the heap only once the previous one was answered (k6-like
// per-shopper state), but it keeps its intended time. No goroutine is started
// per shopper or per request: a pool of at most Concurrency senders does the
// I/O. When all are busy, due steps wait in the heap and their latency still
// counts from their intended time (wrk2's coordinated-omission correction).
// With Batch > 1, due batchable calls are grouped into /v1/batch or
// /api/v2/batch requests of up to Batch calls; a partial batch leaves after
// FlushDelay.
//
// # Timing
//
// Every request yields exactly one report.Result on the channel Run returns:
// Latency from the earliest intended time of its steps, Service from the
// moment it was handed to the HTTP client. The engine also measures its own
// lag: how long after a step became eligible (due, the shopper's previous step
// answered, a sender free) it was sent. Steps more than LateAfter late by the
// harness's doing, and an achieved start rate under 95% of the plan, make the
// run invalid (Stats.Valid, SPEC.md §3.6). Waiting for a busy target is not
// the harness's lag: it is counted in QueuedSteps and shows in latency.
//
// # HTTP
//
// A plain-http target is reached through the engine's own HTTP/1.1 client:
// each sender owns one keep-alive connection and writes and reads it itself,
// which halves the CPU per request of net/http's transport (two goroutines per
// connection). https targets, and Config.StdClient, use net/http with
// NewTransport. Requests are never retried: the harness measures the path as
// it is (only a request that failed on a reused keep-alive connection before
// any answer arrived is sent again on a new one, as net/http does).
package load
