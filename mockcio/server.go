package mockcio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"math"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// Server is the mock Customer.io. It is an http.Handler (serve it yourself,
// or use NewServer, which listens), and it answers the inspection API in Go
// through the Inspector methods.
type Server struct {
	// URL is the base URL, e.g. http://127.0.0.1:8420 ("" for NewHandler).
	URL string

	opts      Options
	scale     atomic.Uint64 // math.Float64bits
	store     *store
	faults    atomic.Pointer[Faults]
	faultsOn  atomic.Bool // the Faults have rules: only then is Apply (and its lock) on the request path
	limiter   *RateLimiter
	retention Retention
	journal   *journal
	counts    *counters

	ln  net.Listener
	srv *http.Server
}

// NewHandler returns a Server that does not listen: serve it with your own
// http.Server or httptest.Server.
func NewHandler(opts Options) (*Server, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Server{opts: o, limiter: o.RateLimit, journal: newJournal(o.JournalSize), counts: newCounters()}
	s.scale.Store(math.Float64bits(o.TimeScale))
	if o.Faults != nil {
		s.faults.Store(o.Faults)
		s.faultsOn.Store(len(o.Faults.Rules()) > 0)
	}
	s.store = newStore(o.Now, s.TimeScale, func() Retention { return s.retention })
	s.retention = o.Retention
	if s.retention == nil {
		s.retention = newRetention(host{s})
	}
	return s, nil
}

// NewServer returns a Server listening on opts.Addr (default 127.0.0.1:0)
// and serving in a goroutine, like httptest.NewServer. Close stops it.
func NewServer(opts Options) (*Server, error) {
	s, err := NewHandler(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", s.opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("mockcio: listen: %w", err)
	}
	s.ln = ln
	s.URL = "http://" + ln.Addr().String()
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ErrorLog: discardLog}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Handler returns the Server as an http.Handler, to mount it elsewhere.
func (s *Server) Handler() http.Handler { return s }

// Addr is the listen address ("" for NewHandler).
func (s *Server) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Close stops a listening Server at once, closing open connections.
func (s *Server) Close() error {
	if c, ok := s.retention.(io.Closer); ok {
		c.Close()
	}
	if s.srv == nil {
		return nil
	}
	return s.srv.Close()
}

// Shutdown stops a listening Server gracefully, then as Close.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.srv != nil {
		if err := s.srv.Shutdown(ctx); err != nil {
			return err
		}
	}
	return s.Close()
}

// Now is the mock's clock (Host).
func (s *Server) Now() time.Time { return s.opts.Now() }

// TimeScale is shopper seconds per real second (Host).
func (s *Server) TimeScale() float64 { return math.Float64frombits(s.scale.Load()) }

// SetTimeScale changes the time scale; it must be positive.
func (s *Server) SetTimeScale(x float64) error {
	if !(x > 0) || x > 1e9 {
		return fmt.Errorf("mockcio: time scale %v: want a positive number", x)
	}
	s.scale.Store(math.Float64bits(x))
	return nil
}

// ServeHTTP routes Customer.io API calls, the inspection API and /metrics.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/metrics":
		s.serveMetrics(w, r)
	case strings.HasPrefix(p, "/__mock/"):
		s.serveInspect(w, r)
	case strings.HasPrefix(p, "/api/v1/"), strings.HasPrefix(p, "/api/v2/"), strings.HasPrefix(p, "/v1/"):
		s.serveAPI(w, r)
	default:
		writeMetaError(w, http.StatusNotFound, "not found: "+p)
	}
}

// recorder captures the status a handler wrote.
type recorder struct {
	http.ResponseWriter
	status int
}

func (rw *recorder) WriteHeader(code int) {
	if rw.status == 0 {
		rw.status = code
	}
	rw.ResponseWriter.WriteHeader(code)
}

func (rw *recorder) Write(b []byte) (int, error) {
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	return rw.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (fault resets).
func (rw *recorder) Unwrap() http.ResponseWriter { return rw.ResponseWriter }

// apiReq is one Customer.io API request being served.
type apiReq struct {
	ep     int
	params []string // unescaped path parameters
	note   string   // recorded in the journal
}

// serveAPI runs the steps every Customer.io request goes through: faults,
// rate limit, auth, then the endpoint; and records the request.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rw := &recorder{ResponseWriter: w}
	h, a := s.route(r)
	fault := ""
	defer func() {
		st := rw.status
		if st == 0 && fault == "reset" {
			st = 0
		} else if st == 0 {
			st = http.StatusOK
		}
		s.counts.count(a.ep, st, fault)
		s.journal.add(RequestView{Time: start, Method: r.Method, Path: r.URL.RequestURI(),
			Endpoint: endpointLabels[a.ep], Status: st, Fault: fault, Note: a.note,
			DurationMS: float64(time.Since(start).Microseconds()) / 1000})
	}()
	if s.faultsOn.Load() {
		var handled bool
		if fault, handled = s.faults.Load().Apply(rw, r); handled {
			a.note = "fault"
			return
		}
	}
	if ok, retry := s.limiter.Allow(s.Now()); !ok {
		rw.Header().Set("Retry-After", RetryAfterHeader(retry))
		writeMetaErrors(rw, http.StatusTooManyRequests, "rate limit exceeded")
		a.note = "rate limited"
		return
	}
	h(rw, r, a)
}

// readBody reads at most limit bytes of the body; a longer body gives an
// *http.MaxBytesError.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	return io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
}

var discardLog = log.New(io.Discard, "", 0)

func isTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}
