package mockcio

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// Answers in Customer.io's shapes. Where Customer.io publishes no body (401,
// 413, 429), the mock uses the shape of the API's other errors, which every
// official client parses.

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"meta":{"error":"encode"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// writeOK answers 200 {}.
func writeOK(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", "2")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("{}"))
}

type metaErrorsBody struct {
	Meta struct {
		Errors []string `json:"errors"`
	} `json:"meta"`
}

type metaErrorBody struct {
	Meta struct {
		Error string `json:"error"`
	} `json:"meta"`
}

// writeMetaErrors answers {"meta":{"errors":[...]}} (Track v1 events, devices).
func writeMetaErrors(w http.ResponseWriter, status int, msgs ...string) {
	var b metaErrorsBody
	b.Meta.Errors = msgs
	writeJSON(w, status, b)
}

// writeMetaError answers {"meta":{"error":"..."}} (Track v1 merge, 401).
func writeMetaError(w http.ResponseWriter, status int, msg string) {
	var b metaErrorBody
	b.Meta.Error = msg
	writeJSON(w, status, b)
}

// V2Error is one error of a Track v2 answer (and of strict Pipelines answers).
type V2Error struct {
	BatchIndex *int   `json:"batch_index,omitempty"`
	Reason     string `json:"reason"`
	Field      string `json:"field,omitempty"`
	Message    string `json:"message"`
}

// v2ErrorsBody is {"errors":[...]}; for 401, 413 and 429 it also carries
// meta.errors so that clients reading either shape see the message.
type v2ErrorsBody struct {
	Errors []V2Error `json:"errors"`
	Meta   *struct {
		Errors []string `json:"errors"`
	} `json:"meta,omitempty"`
}

func writeV2Errors(w http.ResponseWriter, status int, errs []V2Error) {
	writeJSON(w, status, v2ErrorsBody{Errors: errs})
}

// writeV2Both answers {"errors":[...],"meta":{"errors":[...]}}.
func writeV2Both(w http.ResponseWriter, status int, reason, msg string) {
	b := v2ErrorsBody{Errors: []V2Error{{Reason: reason, Message: msg}}}
	b.Meta = &struct {
		Errors []string `json:"errors"`
	}{Errors: []string{msg}}
	writeJSON(w, status, b)
}

// badRequest is a validation failure: a message and the field it is about.
type badRequest struct {
	field, msg string
}

func (e *badRequest) Error() string { return e.msg }

func invalid(field, msg string) *badRequest { return &badRequest{field: field, msg: msg} }
