package mockcio

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/cioharness/cioharness/cio"
)

// v2Body authenticates a Track v2 call and reads at most limit bytes.
func (s *Server) v2Body(w http.ResponseWriter, r *http.Request, a *apiReq, limit int64) ([]byte, bool) {
	if !s.trackAuth(w, r, a, true) {
		return nil, false
	}
	body, err := readBody(w, r, limit)
	if err != nil {
		if isTooLarge(err) {
			a.note = "too large"
			writeV2Both(w, http.StatusRequestEntityTooLarge, "too_large", "request body larger than "+strconv.FormatInt(limit, 10)+" bytes")
		} else {
			a.note = "read error"
			writeV2Errors(w, http.StatusBadRequest, []V2Error{{Reason: "invalid", Message: "could not read the request body"}})
		}
		return nil, false
	}
	return body, true
}

func (s *Server) v2Entity(w http.ResponseWriter, r *http.Request, a *apiReq) {
	body, ok := s.v2Body(w, r, a, cio.MaxEntityBytes)
	if !ok {
		return
	}
	c, bad := decodeV2(body)
	if bad != nil {
		a.note = bad.msg
		writeV2Errors(w, http.StatusBadRequest, []V2Error{{Reason: "invalid", Field: bad.field, Message: bad.msg}})
		return
	}
	applied := c == nil || s.exec(c)
	done(w, a, applied)
}

// v2Batch applies every valid item and answers 207 listing the invalid ones
// by 0-based batch_index; a body that is not a batch is a 400.
func (s *Server) v2Batch(w http.ResponseWriter, r *http.Request, a *apiReq) {
	body, ok := s.v2Body(w, r, a, cio.MaxBatchBytes)
	if !ok {
		return
	}
	var b cio.Batch
	if !isObject(body) || json.Unmarshal(body, &b) != nil || b.Batch == nil {
		a.note = "not a batch"
		writeV2Errors(w, http.StatusBadRequest, []V2Error{{Reason: "invalid", Field: "batch", Message: `body must be {"batch":[...]}`}})
		return
	}
	var errs []V2Error
	cmds := make([]*command, 0, len(b.Batch))
	for i, raw := range b.Batch {
		var c *command
		var bad *badRequest
		if len(raw) > cio.MaxEntityBytes {
			bad = invalid("", "batch item larger than 32 KB")
		} else {
			c, bad = decodeV2(raw)
		}
		if bad != nil {
			idx := i
			errs = append(errs, V2Error{BatchIndex: &idx, Reason: "invalid", Field: bad.field, Message: bad.msg})
			continue
		}
		cmds = append(cmds, c)
	}
	for _, c := range cmds {
		if c != nil {
			s.exec(c)
		}
	}
	if len(errs) > 0 {
		a.note = strconv.Itoa(len(errs)) + " invalid items"
		writeV2Errors(w, http.StatusMultiStatus, errs)
		return
	}
	writeOK(w)
}

// decodeV2 decodes one Track v2 entity into a store command; nil with no
// error is an accepted operation the mock keeps no state for (objects,
// deliveries, relationships).
func decodeV2(raw []byte) (*command, *badRequest) {
	var e cio.V2Entity
	if !isObject(raw) || json.Unmarshal(raw, &e) != nil {
		return nil, invalid("", "entity must be a JSON object")
	}
	switch e.Type {
	case "person":
	case "object", "delivery":
		if e.Action == "" {
			return nil, invalid("action", "action is required")
		}
		return nil, nil
	case "":
		return nil, invalid("type", "type is required")
	default:
		return nil, invalid("type", "type must be person, object or delivery")
	}
	if e.Action == "merge" {
		body, _ := json.Marshal(map[string]json.RawMessage{"primary": e.Primary, "secondary": e.Secondary})
		c, msg := decodeMerge(body)
		if msg != "" {
			return nil, invalid("primary", msg)
		}
		return c, nil
	}
	var who cio.Identifier
	if err := who.UnmarshalJSON(e.Identifiers); err != nil {
		return nil, invalid("identifiers", "identifiers: "+err.Error())
	}
	if who.Type == cio.IDID && len(who.Value) > cio.MaxIDBytes {
		return nil, invalid("identifiers", "id longer than 150 bytes")
	}
	return decodeV2Person(&e, who)
}

func decodeV2Person(e *cio.V2Entity, who cio.Identifier) (*command, *badRequest) {
	c := &command{who: who}
	switch e.Action {
	case "identify":
		c.kind = cmdIdentify
		if bad := decodeAttrs(e.Attributes, c, attrRules{limits: true, reserved: true, field: "attributes"}); bad != nil {
			return nil, bad
		}
		if e.Timestamp != 0 && c.attrTS == 0 {
			c.attrTS = int64(e.Timestamp) * 1e9
		}
	case "delete":
		c.kind = cmdDelete
	case "suppress":
		c.kind = cmdSuppress
	case "unsuppress":
		c.kind = cmdUnsuppress
	case "event", "page", "screen":
		ev, bad := decodeEvent(eventFields{name: e.Name, typ: e.Action, id: e.ID, ts: int64(e.Timestamp) * 1e9,
			data: e.Attributes, api: apiTrackV2, dataField: "attributes"})
		if bad != nil {
			return nil, bad
		}
		c.kind, c.event = cmdTrack, ev
	case "add_device", "delete_device":
		if e.Device == nil || e.Device.Token == "" {
			return nil, invalid("device.token", "device.token is required")
		}
		c.kind, c.device = cmdDeviceDelete, deviceIn{token: e.Device.Token}
		if e.Action == "add_device" {
			d, bad := decodeDevice(e.Device.Token, e.Device.Platform, int64(e.Device.LastUsed), e.Device.Attributes)
			if bad != nil {
				return nil, bad
			}
			c.kind, c.device = cmdDeviceAdd, d
		}
	case "add_relationships", "delete_relationships":
		return nil, nil
	case "":
		return nil, invalid("action", "action is required")
	default:
		return nil, invalid("action", "unknown person action "+strconv.Quote(e.Action))
	}
	return c, nil
}
