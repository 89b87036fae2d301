package mockcio

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// inspectError is the body of an inspection API error.
type inspectError struct {
	Error string `json:"error"`
}

func writeInspectError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, inspectError{Error: msg})
}

// serveInspect answers the inspection API under /__mock/ (SPEC.md §4.2).
func (s *Server) serveInspect(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.EscapedPath(), "/__mock/")
	name, arg, hasArg := strings.Cut(rest, "/")
	if hasArg {
		u, err := url.PathUnescape(arg)
		if err != nil || u == "" {
			writeInspectError(w, http.StatusNotFound, "bad path")
			return
		}
		arg = u
	}
	if method := inspectMethod(name, r.Method); r.Method != method {
		w.Header().Set("Allow", method)
		writeInspectError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed")
		return
	}
	ctx, q := r.Context(), r.URL.Query()
	switch {
	case name == "people" && hasArg:
		v, ok, _ := s.Person(ctx, arg)
		found(w, v, ok, "no person "+strconv.Quote(arg))
	case name == "people":
		limit, _ := strconv.Atoi(q.Get("limit"))
		full := q.Get("full") == "1" || q.Get("full") == "true"
		page, _ := s.People(ctx, PageRequest{Limit: limit, After: q.Get("after"), Full: full, NoMessages: q.Get("messages") == "0"})
		writeJSON(w, http.StatusOK, page)
	case name == "anonymous" && !hasArg:
		limit, _ := strconv.Atoi(q.Get("limit"))
		page, _ := s.AnonymousList(ctx, PageRequest{Limit: limit, After: q.Get("after")})
		writeJSON(w, http.StatusOK, page)
	case name == "anonymous" && hasArg:
		v, ok, _ := s.Anonymous(ctx, arg)
		found(w, v, ok, "no anonymous id "+strconv.Quote(arg))
	case name == "messages":
		v, _ := s.Messages(ctx, q.Get("campaign"), q.Get("person"))
		writeJSON(w, http.StatusOK, orEmpty(v))
	case name == "segments" && hasArg:
		v, ok, _ := s.Segment(ctx, arg, q.Get("members") == "1" || q.Get("members") == "true")
		found(w, v, ok, "no segment "+strconv.Quote(arg))
	case name == "segments":
		v, _ := s.Segments(ctx)
		writeJSON(w, http.StatusOK, orEmpty(v))
	case name == "violations":
		v, _ := s.Violations(ctx)
		writeJSON(w, http.StatusOK, orEmpty(v))
	case name == "stats":
		v, _ := s.Stats(ctx)
		writeJSON(w, http.StatusOK, v)
	case name == "requests":
		limit, _ := strconv.Atoi(q.Get("limit"))
		v, _ := s.Requests(ctx, limit)
		writeJSON(w, http.StatusOK, v)
	case name == "config" || name == "faults":
		s.serveSettings(w, r, name)
	case name == "reset":
		_ = s.Reset(ctx)
		writeJSON(w, http.StatusOK, struct{}{})
	default:
		writeInspectError(w, http.StatusNotFound, "no inspection endpoint "+strconv.Quote(r.URL.Path))
	}
}

// inspectMethod is the method an inspection route accepts: PUT too for
// config and faults, POST for reset, else GET.
func inspectMethod(name, got string) string {
	switch {
	case (name == "config" || name == "faults") && got == http.MethodPut:
		return http.MethodPut
	case name == "reset":
		return http.MethodPost
	}
	return http.MethodGet
}

func orEmpty[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

func found(w http.ResponseWriter, v any, ok bool, msg string) {
	if !ok {
		writeInspectError(w, http.StatusNotFound, msg)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// serveSettings answers GET|PUT /__mock/config and /__mock/faults.
func (s *Server) serveSettings(w http.ResponseWriter, r *http.Request, name string) {
	ctx := r.Context()
	if r.Method == http.MethodPut {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 8<<20))
		if err == nil {
			err = s.putSettings(r, name, body)
		}
		if err != nil {
			writeInspectError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	if name == "config" {
		v, _ := s.Config(ctx)
		writeJSON(w, http.StatusOK, v)
		return
	}
	v, _ := s.Faults(ctx)
	writeJSON(w, http.StatusOK, orEmpty(v))
}

func (s *Server) putSettings(r *http.Request, name string, body []byte) error {
	if name == "config" {
		var c ConfigView
		if err := json.Unmarshal(body, &c); err != nil {
			return err
		}
		return s.PutConfig(r.Context(), c)
	}
	rules, err := decodeFaultRules(body)
	if err != nil {
		return err
	}
	return s.PutFaults(r.Context(), rules)
}

// decodeFaultRules reads a JSON array of rules (objects or flag-syntax
// strings), or {"rules":[...]}.
func decodeFaultRules(body []byte) ([]FaultRule, error) {
	var rules []FaultRule
	if err := json.Unmarshal(body, &rules); err == nil {
		return rules, nil
	}
	var wrapped struct {
		Rules []FaultRule `json:"rules"`
	}
	if err := json.Unmarshal(body, &wrapped); err != nil {
		return nil, err
	}
	return wrapped.Rules, nil
}
