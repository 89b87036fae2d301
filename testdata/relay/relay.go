package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cioharness/cioharness/cio"
)

// relay accepts Pipelines calls, queues them per person and forwards them.
type relay struct {
	cfg    config
	log    *log.Logger
	client *http.Client
	emails emails

	mu     sync.RWMutex // held for reading while enqueuing, for writing by Close
	closed bool
	queues []chan *cio.Call // one per worker
	slow   chan *cio.Call   // slow-flush: purchase events
	owner  map[string]int   // identity → worker, so a person's calls stay in order
	wg     sync.WaitGroup

	racers  sync.WaitGroup // reorder: requests sent on their own
	raceSem chan struct{}  // reorder: bounds racers in flight

	rngMu sync.Mutex
	rng   *rand.Rand

	stop   context.Context // cancelled when the shutdown deadline passes
	cancel context.CancelFunc
	st     counters
}

// counters are the relay's own statistics, served at GET /__relay/stats.
type counters struct {
	received, forwarded, dropped, retries, requests, rejected atomic.Int64
}

// Stats is a snapshot of the counters.
type Stats struct {
	Received  int64 `json:"received"`  // Pipelines messages accepted
	Forwarded int64 `json:"forwarded"` // calls the upstream accepted
	Dropped   int64 `json:"dropped"`   // calls given up on (4xx, retries exhausted, drop-on-429)
	Retries   int64 `json:"retries"`   // upstream retries
	Requests  int64 `json:"requests"`  // upstream requests sent, retries included
	Rejected  int64 `json:"rejected"`  // messages refused on input (bad type, bad timestamp)
}

func newRelay(cfg config) (*relay, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	lg := cfg.Log
	if lg == nil {
		lg = log.New(io.Discard, "", 0)
	}
	r := &relay{
		cfg:    cfg,
		log:    lg,
		client: &http.Client{Timeout: cfg.Timeout, Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Workers + 1}},
		owner:  map[string]int{},
		rng:    rand.New(rand.NewPCG(cfg.Seed, 0x5eed)),
	}
	if cfg.on(defReorder) {
		r.raceSem = make(chan struct{}, 64)
	}
	r.stop, r.cancel = context.WithCancel(context.Background())
	for range cfg.Workers {
		q := make(chan *cio.Call, cfg.QueueSize)
		r.queues = append(r.queues, q)
		r.wg.Go(func() { r.batcher(q) })
	}
	if cfg.on(defSlowFlush) {
		r.slow = make(chan *cio.Call, cfg.QueueSize)
		r.wg.Go(func() { r.holder(r.slow, cfg.SlowFlushInterval) })
	}
	return r, nil
}

// Close stops accepting calls and flushes every queue, retrying until ctx ends.
func (r *relay) Close(ctx context.Context) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.closed = true
	for _, q := range r.queues {
		close(q)
	}
	if r.slow != nil {
		close(r.slow)
	}
	r.mu.Unlock()
	done := make(chan struct{})
	go func() { r.wg.Wait(); r.racers.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		r.cancel() // give up retries; workers drop what is left
		<-done
	}
	r.cancel()
}

// Stats returns the counters.
func (r *relay) Stats() Stats {
	return Stats{
		Received: r.st.received.Load(), Forwarded: r.st.forwarded.Load(), Dropped: r.st.dropped.Load(),
		Retries: r.st.retries.Load(), Requests: r.st.requests.Load(), Rejected: r.st.rejected.Load(),
	}
}

// Handler serves the Pipelines endpoints and GET /__relay/stats.
func (r *relay) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/{kind}", r.handlePipelines)
	mux.HandleFunc("GET /__relay/stats", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(r.Stats())
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	return mux
}

var pipelinesKinds = map[string]bool{"identify": true, "track": true, "page": true, "screen": true, "alias": true, "group": true, "batch": true}

func (r *relay) handlePipelines(w http.ResponseWriter, req *http.Request) {
	kind := req.PathValue("kind")
	if !pipelinesKinds[kind] {
		writeError(w, http.StatusNotFound, "unknown endpoint /v1/"+kind)
		return
	}
	if user, _, ok := cio.ParseBasic(req.Header.Get("Authorization")); !ok || user != r.cfg.Creds.PipelinesKey {
		writeError(w, http.StatusUnauthorized, "bad or missing Pipelines key")
		return
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, cio.MaxBatchBytes+1))
	if err != nil || len(body) > cio.MaxBatchBytes {
		writeError(w, http.StatusRequestEntityTooLarge, "body over 500 KB")
		return
	}
	msgs, batchCtx, err := decodeMessages(kind, body)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	now := time.Now()
	calls := make([]*cio.Call, 0, len(msgs))
	for i := range msgs {
		c, err := toCall(&msgs[i], batchCtx, now)
		if errors.Is(err, errIgnored) {
			continue
		}
		if err != nil {
			r.st.rejected.Add(1)
			r.log.Printf("rejected %s message %q: %v", msgs[i].Type, msgs[i].MessageID, err)
			continue
		}
		calls = append(calls, c)
	}
	if err := r.enqueue(req.Context(), calls); err != nil {
		writeError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	r.st.received.Add(int64(len(msgs)))
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, "{}")
}

func decodeMessages(kind string, body []byte) ([]cio.Message, json.RawMessage, error) {
	if kind != "batch" {
		var m cio.Message
		if err := json.Unmarshal(body, &m); err != nil {
			return nil, nil, fmt.Errorf("invalid JSON body: %w", err)
		}
		if m.Type == "" {
			m.Type = kind
		}
		return []cio.Message{m}, nil, nil
	}
	var b cio.Batch
	if err := json.Unmarshal(body, &b); err != nil {
		return nil, nil, fmt.Errorf("invalid JSON batch: %w", err)
	}
	msgs := make([]cio.Message, len(b.Batch))
	for i, raw := range b.Batch {
		if err := json.Unmarshal(raw, &msgs[i]); err != nil {
			return nil, nil, fmt.Errorf("batch item %d: %w", i, err)
		}
	}
	return msgs, b.Context, nil
}

func writeError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	b := append([]byte(`{"errors":[{"reason":"relay","message":`), cio.AppendString(nil, msg)...)
	_, _ = w.Write(append(b, "}]}"...))
}

// enqueue applies the mapping defects and puts each call on its queue,
// waiting for room (back-pressure reaches the client as latency).
func (r *relay) enqueue(ctx context.Context, calls []*cio.Call) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		return errors.New("relay is shutting down")
	}
	for _, c0 := range calls {
		q := r.queueFor(c0)
		for _, c := range r.applyDefects(c0) {
			select {
			case q <- c:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return nil
}

// queueFor picks the queue of c. A person's calls share one queue, so they
// leave in the order they came: every identity a call names (external id,
// email, anonymous id) is pinned to the queue of the first one already seen.
// Under reorder each call goes to a random queue; under slow-flush purchases
// go to the slow queue.
func (r *relay) queueFor(c *cio.Call) chan *cio.Call {
	if r.slow != nil && c.Kind == cio.KindTrack && purchaseNames[c.Name] {
		return r.slow
	}
	if r.cfg.on(defReorder) {
		return r.queues[r.intn(len(r.queues))]
	}
	ids := make([]string, 0, 3)
	for _, id := range []string{"u:" + c.UserID, "e:" + c.Email, "a:" + c.AnonymousID} {
		if len(id) > 2 {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return r.queues[0]
	}
	r.rngMu.Lock()
	defer r.rngMu.Unlock()
	w, found := -1, false
	for _, id := range ids {
		if w, found = r.owner[id]; found {
			break
		}
	}
	if !found {
		h := fnv.New32a()
		h.Write([]byte(ids[0]))
		w = int(h.Sum32() % uint32(len(r.queues)))
	}
	for _, id := range ids {
		if _, ok := r.owner[id]; !ok {
			r.owner[id] = w
		}
	}
	return r.queues[w]
}

func (r *relay) intn(n int) int {
	r.rngMu.Lock()
	defer r.rngMu.Unlock()
	return r.rng.IntN(n)
}

func (r *relay) jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	r.rngMu.Lock()
	defer r.rngMu.Unlock()
	return time.Duration(r.rng.Int64N(int64(d)))
}
