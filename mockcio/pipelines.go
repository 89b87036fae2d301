package mockcio

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/cioharness/cioharness/cio"
)

// pipelinesReject answers a Pipelines failure: in strict mode with status and
// {"errors":[...]}, else 200 {} with the call counted as not processed.
func (s *Server) pipelinesReject(w http.ResponseWriter, a *apiReq, strict bool, status int, errs []V2Error) {
	a.note = errs[0].Message
	if strict {
		writeV2Errors(w, status, errs)
		return
	}
	a.note = "not processed: " + a.note
	s.counts.invalid[a.ep].Add(1)
	writeOK(w)
}

// pipelinesBody authenticates a Pipelines call (Basic key with an empty
// password) and reads at most limit bytes.
func (s *Server) pipelinesBody(w http.ResponseWriter, r *http.Request, a *apiReq, limit int64) ([]byte, bool, bool) {
	strict := r.Header.Get("X-Strict-Mode") == "1"
	u, p, ok := cio.ParseBasic(r.Header.Get("Authorization"))
	if !ok || u != s.opts.Credentials.PipelinesKey || p != "" {
		s.pipelinesReject(w, a, strict, http.StatusUnauthorized,
			[]V2Error{{Reason: "unauthorized", Message: "unauthorized: invalid pipelines api key"}})
		return nil, strict, false
	}
	body, err := readBody(w, r, limit)
	if err != nil {
		msg, code := "could not read the request body", http.StatusBadRequest
		if isTooLarge(err) {
			msg, code = "request body larger than "+strconv.FormatInt(limit, 10)+" bytes", http.StatusRequestEntityTooLarge
		}
		s.pipelinesReject(w, a, strict, code, []V2Error{{Reason: "invalid", Message: msg}})
		return nil, strict, false
	}
	return body, strict, true
}

// pipelinesOne serves /v1/identify, track, page, screen, alias and group.
func (s *Server) pipelinesOne(typ string) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, a *apiReq) {
		body, strict, ok := s.pipelinesBody(w, r, a, cio.MaxEntityBytes)
		if !ok {
			return
		}
		cmds, bad := decodeMessage(body, typ, nil)
		if bad != nil {
			s.pipelinesReject(w, a, strict, http.StatusBadRequest,
				[]V2Error{{Reason: "invalid", Field: bad.field, Message: bad.msg}})
			return
		}
		applied := len(cmds) == 0
		for _, c := range cmds {
			applied = s.exec(c) || applied
		}
		done(w, a, applied)
	}
}

// pipelinesBatch serves /v1/batch. Strict mode rejects the whole batch when
// any item is invalid (nothing applied); permissive mode applies the valid
// items and counts the others as not processed.
func (s *Server) pipelinesBatch(w http.ResponseWriter, r *http.Request, a *apiReq) {
	body, strict, ok := s.pipelinesBody(w, r, a, cio.MaxBatchBytes)
	if !ok {
		return
	}
	var b cio.Batch
	if !isObject(body) || json.Unmarshal(body, &b) != nil || b.Batch == nil {
		s.pipelinesReject(w, a, strict, http.StatusBadRequest,
			[]V2Error{{Reason: "invalid", Field: "batch", Message: `body must be {"batch":[...]}`}})
		return
	}
	var errs []V2Error
	var cmds []*command
	for i, raw := range b.Batch {
		var cs []*command
		var bad *badRequest
		if len(raw) > cio.MaxEntityBytes {
			bad = invalid("", "batch item larger than 32 KB")
		} else {
			cs, bad = decodeMessage(raw, "", b.Context)
		}
		if bad != nil {
			idx := i
			errs = append(errs, V2Error{BatchIndex: &idx, Reason: "invalid", Field: bad.field, Message: bad.msg})
			continue
		}
		cmds = append(cmds, cs...)
	}
	if len(errs) > 0 && strict {
		a.note = strconv.Itoa(len(errs)) + " invalid items"
		writeV2Errors(w, http.StatusBadRequest, errs)
		return
	}
	for _, c := range cmds {
		s.exec(c)
	}
	if len(errs) > 0 {
		a.note = strconv.Itoa(len(errs)) + " items not processed: " + errs[0].Message
		s.counts.invalid[a.ep].Add(int64(len(errs)))
	}
	writeOK(w)
}

// pipelinesWho types a Pipelines userId: an email when it has "@", a
// cio_id with the cio_ prefix, else an id.
func pipelinesWho(userID string) cio.Identifier { return cio.ParsePathIdentifier(userID) }

// decodeMessage decodes one Pipelines call. typ is the endpoint's type, or
// "" for a batch item (which carries its own); batchCtx is the batch's
// context, used when the item has none.
func decodeMessage(raw []byte, typ string, batchCtx json.RawMessage) ([]*command, *badRequest) {
	var m cio.Message
	if isNull(raw) || !isObject(raw) || json.Unmarshal(raw, &m) != nil {
		return nil, invalid("", "body must be a JSON object")
	}
	if typ == "" {
		typ = m.Type
	}
	if len(m.Context) == 0 {
		m.Context = batchCtx
	}
	if len(m.UserID) > cio.MaxIDBytes {
		return nil, invalid("userId", "userId longer than 150 bytes")
	}
	var ts int64
	if m.Timestamp != "" {
		t, err := cio.ParseISOTime(m.Timestamp)
		if err != nil {
			return nil, invalid("timestamp", "timestamp must be ISO-8601")
		}
		ts = t.UnixNano()
	}
	switch typ {
	case "identify":
		return decodeIdentifyMsg(&m)
	case "track", "page", "screen":
		return decodeEventMsg(&m, typ, ts)
	case "alias":
		if m.UserID == "" || m.PreviousID == "" {
			return nil, invalid("previousId", "alias needs previousId and userId")
		}
		return []*command{{kind: cmdIdentify, who: pipelinesWho(m.UserID), anonID: m.PreviousID}}, nil
	case "group":
		return nil, nil // objects are out of the mock's scope
	case "":
		return nil, invalid("type", "type is required")
	}
	return nil, invalid("type", "unknown type "+strconv.Quote(typ))
}

func decodeIdentifyMsg(m *cio.Message) ([]*command, *badRequest) {
	c := &command{kind: cmdIdentify}
	if bad := decodeAttrs(m.Traits, c, attrRules{field: "traits"}); bad != nil {
		return nil, bad
	}
	aid := m.AnonymousID
	if aid != "" {
		c.anonID = aid
	}
	switch {
	case m.UserID != "":
		c.who = pipelinesWho(m.UserID)
	case c.bodyEmail != "":
		c.who = cio.Identifier{Type: cio.IDEmail, Value: c.bodyEmail}
	case aid != "":
		c.kind = cmdIdentifyAnon
	default:
		return nil, invalid("userId", "userId or anonymousId is required")
	}
	return []*command{c}, nil
}

func decodeEventMsg(m *cio.Message, typ string, ts int64) ([]*command, *badRequest) {
	if m.UserID == "" && m.AnonymousID == "" {
		return nil, invalid("userId", "userId or anonymousId is required")
	}
	name := m.Event
	if typ != "track" {
		name = pageName(m, typ)
	} else if strings.TrimSpace(name) == "" {
		return nil, invalid("event", "event is required")
	}
	if typ == "track" {
		if c, bad, ok := decodeSemantic(m); ok {
			if bad != nil {
				return nil, bad
			}
			return []*command{c}, nil
		}
	}
	evTyp := typ
	if typ == "track" {
		evTyp = "event"
	}
	ev, bad := decodeEvent(eventFields{name: name, typ: evTyp,
		id: m.MessageID, ts: ts, data: m.Properties, api: apiPipelines, dataField: "properties"})
	if bad != nil {
		return nil, bad
	}
	if m.UserID != "" {
		return []*command{{kind: cmdTrack, who: pipelinesWho(m.UserID), event: ev}}, nil
	}
	return []*command{{kind: cmdTrackAnon, anonID: m.AnonymousID, event: ev}}, nil
}

// pageName is a page or screen call's event name: its name, else the URL or
// path in its properties, else the type.
func pageName(m *cio.Message, typ string) string {
	if strings.TrimSpace(m.Name) != "" {
		return m.Name
	}
	var p struct{ URL, Path string }
	_ = json.Unmarshal(m.Properties, &p)
	for _, v := range []string{p.URL, p.Path} {
		if v != "" {
			return v
		}
	}
	return typ
}

// decodeSemantic turns Customer.io's semantic track events into commands;
// ok=false for an ordinary event.
func decodeSemantic(m *cio.Message) (c *command, bad *badRequest, ok bool) {
	var k cmdKind
	switch strings.TrimSpace(m.Event) {
	case cio.EventUserDeleted:
		k = cmdDelete
	case cio.EventUserSuppressed:
		k = cmdSuppress
	case cio.EventUserUnsuppress:
		k = cmdUnsuppress
	case cio.EventDeviceUpdated:
		k = cmdDeviceAdd
	case cio.EventDeviceDeleted:
		k = cmdDeviceDelete
	default:
		return nil, nil, false
	}
	if m.UserID == "" {
		return nil, invalid("userId", m.Event+" needs userId"), true
	}
	c = &command{kind: k, who: pipelinesWho(m.UserID)}
	if k == cmdDeviceAdd || k == cmdDeviceDelete {
		var ctx struct {
			Device struct{ Token, Type string } `json:"device"`
		}
		_ = json.Unmarshal(m.Context, &ctx)
		if ctx.Device.Token == "" {
			return nil, invalid("context.device.token", m.Event+" needs context.device.token"), true
		}
		c.device = deviceIn{token: ctx.Device.Token}
		if k == cmdDeviceAdd {
			d, bad := decodeDevice(ctx.Device.Token, ctx.Device.Type, 0, m.Properties)
			if bad != nil {
				return nil, bad, true
			}
			c.device = d
		}
	}
	return c, nil, true
}
