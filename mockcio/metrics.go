package mockcio

import (
	"bufio"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// serveMetrics writes GET /metrics in the Prometheus text exposition format.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	st, _ := s.Stats(r.Context())
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	metric(bw, "cioharness_mock_requests_total", "counter", "Customer.io API requests by endpoint and status.")
	for _, ep := range sortedKeys(st.Requests) {
		for _, code := range sortedKeys(st.Requests[ep]) {
			sample(bw, "cioharness_mock_requests_total", st.Requests[ep][code], "endpoint", ep, "status", code)
		}
	}
	metric(bw, "cioharness_mock_faulted_total", "counter", "Requests that got an injected fault, by endpoint and fault.")
	for _, ep := range sortedKeys(st.Faulted) {
		for _, f := range sortedKeys(st.Faulted[ep]) {
			sample(bw, "cioharness_mock_faulted_total", st.Faulted[ep][f], "endpoint", ep, "fault", f)
		}
	}
	metric(bw, "cioharness_mock_not_processed_total", "counter", "Calls answered 200 but not processed (permissive Pipelines).")
	for _, ep := range sortedKeys(st.Invalid) {
		sample(bw, "cioharness_mock_not_processed_total", st.Invalid[ep], "endpoint", ep)
	}
	for _, g := range []struct {
		name, help string
		v          int64
	}{
		{"cioharness_mock_people", "People stored.", st.People},
		{"cioharness_mock_events", "Events stored on people.", st.Events},
		{"cioharness_mock_anonymous_events", "Events kept under anonymous ids, not merged.", st.AnonymousEvents},
		{"cioharness_mock_duplicate_events_total", "Events dropped as duplicates by id or messageId.", st.Duplicates},
		{"cioharness_mock_ignored_commands_total", "Commands that changed nothing (suppressed, conflicting, unknown).", st.Ignored},
		{"cioharness_mock_pending_timers", "Campaign timers not yet due.", int64(st.PendingTimers)},
	} {
		typ := "gauge"
		if strings.HasSuffix(g.name, "_total") {
			typ = "counter"
		}
		metric(bw, g.name, typ, g.help)
		sample(bw, g.name, g.v)
	}
	if st.Retention != nil {
		retentionMetrics(bw, st.Retention)
	}
}

func metric(w *bufio.Writer, name, typ, help string) {
	w.WriteString("# HELP " + name + " " + help + "\n# TYPE " + name + " " + typ + "\n")
}

// sample writes one line; labels are name, value pairs.
func sample(w *bufio.Writer, name string, v int64, labels ...string) {
	w.WriteString(name)
	for i := 0; i+1 < len(labels); i += 2 {
		if i == 0 {
			w.WriteByte('{')
		} else {
			w.WriteByte(',')
		}
		w.WriteString(labels[i] + `="` + escapeLabel(labels[i+1]) + `"`)
	}
	if len(labels) > 0 {
		w.WriteByte('}')
	}
	w.WriteString(" " + strconv.FormatInt(v, 10) + "\n")
}

func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
