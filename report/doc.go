// Package report owns the results schema (cioharness/result/v1), latency
// metrics on HdrHistogram, thresholds, merging and comparing saved results,
// and the renderers (text, JSON, HTML, JUnit, Markdown). It imports no other
// project package.
//
// # Data flow
//
// The load engine emits one Result per request; one consumer feeds them to a
// Metrics (Add, then Close). After the run, Metrics.Fill writes the requests
// part, the request histograms and the timeline into a Summary; the engine
// fills Run, Journeys and Harness; the verifier records delivery and
// suppression timings (Summary.RecordDelivery, RecordPropagation,
// RecordMargin), sets its counters and appends Checks; then Summary.Finish
// evaluates the thresholds and sets the Verdict. Renderers read the finished
// Summary, never the live Metrics.
//
// # Results file
//
// A Summary is the results JSON of SPEC.md §8 (Encode, Decode). The
// histograms map holds every distribution as an HdrHistogram V2 compressed
// base64 string (1 µs .. 1 hour, 3 significant digits); the percentile
// blocks (latency_ms, service_ms, delivery_ms, propagation_ms, margin_ms)
// are derived from it by Recompute, so Merge of the shards of one run gives
// exactly the percentiles of a single run, and thresholds evaluate on the
// histograms, not on rounded percentiles. Histogram names:
//
//	latency, service                          all requests
//	latency{endpoint=E}, service{endpoint=E}  per endpoint (e.g. pipelines.track)
//	latency{event=N}, service{event=N}        per event name of single-event calls
//	delivery, delivery{event=N}               intended start → stored by the mock
//	suppression.propagation                   purchase → Order Placed on the person
//	suppression.margin                        due time − arrival, when ≥ 0
//	suppression.margin.late                   arrival − due time, when the purchase was late
//
// A check's optional "scope" says what it judged: absent, this shard's own
// shoppers (merging the shards adds the counts); "mock" (ScopeMock), the
// whole state of a mock every shard shares, such as the contract checks of a
// sharded run: each shard read the same mock, so merging keeps the reading
// with the largest expected count (the last reader's) with its examples,
// never a sum. Violations carry the same scope, merged the same way by count.
//
// Exit codes follow SPEC.md §3.6 with the precedence 5 (invalid run), 1
// (a check failed), 4 (a threshold breached); usage (2) and runtime (3)
// errors belong to the command line and never reach a Summary.
package report
