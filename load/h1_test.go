package load

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestH1Answers checks the sender's own HTTP/1.1 client against net/http's
// server in the shapes it answers with.
func TestH1Answers(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 10000)
	cases := []struct {
		name       string
		keepAlive  bool
		handler    http.HandlerFunc
		wantStatus int
		wantBody   string
	}{
		{"content-length", true, func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, `{"ok":1}`) }, 200, `{"ok":1}`},
		{"chunked", true, func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, big[:5000])
			w.(http.Flusher).Flush()
			_, _ = io.WriteString(w, big[5000:])
		}, 200, big},
		{"no content", true, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }, 204, ""},
		{"error status", true, func(w http.ResponseWriter, r *http.Request) { http.Error(w, "nope", 401) }, 401, "nope\n"},
		{"connection close", false, func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "{}") }, 200, "{}"},
		{"reads the body first", true, func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			if r.Header.Get("Content-Type") != "application/json" || r.Header.Get("X-Extra") != "1" {
				w.WriteHeader(400)
			}
			_, _ = fmt.Fprintf(w, "%d", len(b))
		}, 200, "38"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewUnstartedServer(c.handler)
			srv.Config.SetKeepAlivesEnabled(c.keepAlive)
			srv.Start()
			defer srv.Close()
			h := newH1(srv.URL, http.Header{"X-Extra": {"1"}}, 0)
			for i := 0; i < 3; i++ { // the same connection, or a new one after close
				status, n, err := h.do("POST", "/v1/track", []byte(`{"type":"track","event":"Step 1","x":1}`[:38]))
				if err != nil || status != c.wantStatus {
					t.Fatalf("request %d: status %d, err %v; want %d", i, status, err, c.wantStatus)
				}
				if n < len(c.wantBody) {
					t.Errorf("request %d: read %d bytes, want at least the %d-byte body", i, n, len(c.wantBody))
				}
			}
			h.close()
		})
	}
}

// TestEngineStdClient keeps the net/http path (https targets) exercised.
func TestEngineStdClient(t *testing.T) {
	t.Parallel()
	srv := &countingServer{}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	cfg := baseConfig(ts.URL, fakeSource{steps: 3}, Plan{Pacer: Constant{400}, Journeys: 20})
	cfg.StdClient = true
	res, st := mustRun(t, cfg)
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(res) != 60 || srv.calls != 60 || st.Errors != 0 {
		t.Errorf("results %d, server calls %d, errors %d; want 60, 60, 0", len(res), srv.calls, st.Errors)
	}
}
