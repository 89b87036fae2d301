package mockcio

import (
	"encoding/json"
	"net/http"

	"github.com/cioharness/cioharness/cio"
)

// v1Body authenticates a Track v1 call and reads its body. It answers 401
// or 413 itself and then returns ok=false.
func (s *Server) v1Body(w http.ResponseWriter, r *http.Request, a *apiReq) ([]byte, bool) {
	if !s.trackAuth(w, r, a, false) {
		return nil, false
	}
	body, err := readBody(w, r, cio.MaxV1RequestBytes)
	if err != nil {
		if isTooLarge(err) {
			a.note = "too large"
			writeMetaErrors(w, http.StatusRequestEntityTooLarge, "request body larger than 1 MiB")
		} else {
			a.note = "read error"
			writeMetaErrors(w, http.StatusBadRequest, "could not read the request body")
		}
		return nil, false
	}
	return body, true
}

// reject answers a Track v1 validation failure with meta.errors.
func reject(w http.ResponseWriter, a *apiReq, bad *badRequest) {
	a.note = bad.msg
	writeMetaErrors(w, http.StatusBadRequest, bad.msg)
}

// done answers 200 {} and notes a command that changed nothing.
func done(w http.ResponseWriter, a *apiReq, applied bool) {
	if !applied && a.note == "" {
		a.note = "ignored"
	}
	writeOK(w)
}

func (s *Server) v1Identify(w http.ResponseWriter, r *http.Request, a *apiReq) {
	body, who, ok := s.v1PersonBody(w, r, a)
	if !ok {
		return
	}
	c := &command{kind: cmdIdentify, who: who}
	if bad := decodeAttrs(body, c, attrRules{limits: true, reserved: true, field: "attributes"}); bad != nil {
		reject(w, a, bad)
		return
	}
	done(w, a, s.exec(c))
}

// v1PersonBody reads the body of a call on /customers/{identifier} and types
// the path identifier, answering the error itself when either is bad.
func (s *Server) v1PersonBody(w http.ResponseWriter, r *http.Request, a *apiReq) ([]byte, cio.Identifier, bool) {
	body, ok := s.v1Body(w, r, a)
	if !ok {
		return nil, cio.Identifier{}, false
	}
	who, bad := pathIdent(a.params[0])
	if bad != nil {
		reject(w, a, bad)
		return nil, cio.Identifier{}, false
	}
	return body, who, true
}

func (s *Server) v1Event(w http.ResponseWriter, r *http.Request, a *apiReq) {
	body, who, ok := s.v1PersonBody(w, r, a)
	if !ok {
		return
	}
	ev, bad := decodeV1Event(body)
	if bad != nil {
		reject(w, a, bad)
		return
	}
	done(w, a, s.exec(&command{kind: cmdTrack, who: who, event: ev}))
}

// decodeV1Event decodes and validates a Track v1 event body.
func decodeV1Event(body []byte) (eventIn, *badRequest) {
	var in cio.V1Event
	if !isNull(body) && (!isObject(body) || json.Unmarshal(body, &in) != nil) {
		return eventIn{}, invalid("body", "body must be a JSON object with a name")
	}
	return decodeEvent(eventFields{name: in.Name, typ: in.Type, id: in.ID, ts: int64(in.Timestamp) * 1e9,
		data: in.Data, api: apiTrack, dataField: "data"})
}

func (s *Server) v1AnonEvent(w http.ResponseWriter, r *http.Request, a *apiReq) {
	body, ok := s.v1Body(w, r, a)
	if !ok {
		return
	}
	ev, bad := decodeV1Event(body)
	if bad != nil {
		reject(w, a, bad)
		return
	}
	var in cio.V1Event
	_ = json.Unmarshal(body, &in)
	if in.AnonymousID == "" {
		a.note = "invite event: no anonymous_id, not stored"
		writeOK(w)
		return
	}
	done(w, a, s.exec(&command{kind: cmdTrackAnon, anonID: in.AnonymousID, event: ev}))
}

func (s *Server) v1Merge(w http.ResponseWriter, r *http.Request, a *apiReq) {
	body, ok := s.v1Body(w, r, a)
	if !ok {
		return
	}
	c, msg := decodeMerge(body)
	if msg != "" {
		a.note = msg
		writeMetaError(w, http.StatusBadRequest, msg)
		return
	}
	done(w, a, s.exec(c))
}

// decodeMerge reads {"primary":{...},"secondary":{...}}, each holding
// exactly one of id, email or cio_id.
func decodeMerge(body []byte) (*command, string) {
	var m cio.V1Merge
	if !isObject(body) || json.Unmarshal(body, &m) != nil {
		return nil, "body must be a JSON object with primary and secondary"
	}
	c := &command{kind: cmdMerge}
	for _, side := range []struct {
		name string
		raw  []byte
		dst  *cio.Identifier
	}{{"primary", m.Primary, &c.primary}, {"secondary", m.Secondary, &c.secondary}} {
		if isNull(side.raw) {
			return nil, side.name + " is required"
		}
		if err := side.dst.UnmarshalJSON(side.raw); err != nil {
			return nil, side.name + ": " + err.Error()
		}
		if side.dst.Type == cio.IDPhone {
			return nil, side.name + ": use one of id, email or cio_id"
		}
	}
	return c, ""
}

func (s *Server) v1Delete(w http.ResponseWriter, r *http.Request, a *apiReq) {
	s.v1NoBody(w, r, a, cmdDelete)
}

func (s *Server) v1Suppress(suppress bool) apiHandler {
	k := cmdUnsuppress
	if suppress {
		k = cmdSuppress
	}
	return func(w http.ResponseWriter, r *http.Request, a *apiReq) { s.v1NoBody(w, r, a, k) }
}

func (s *Server) v1NoBody(w http.ResponseWriter, r *http.Request, a *apiReq, k cmdKind) {
	if _, ok := s.v1Body(w, r, a); !ok {
		return
	}
	who, bad := pathIdent(a.params[0])
	if bad != nil {
		reject(w, a, bad)
		return
	}
	done(w, a, s.exec(&command{kind: k, who: who}))
}

func (s *Server) v1DeviceAdd(w http.ResponseWriter, r *http.Request, a *apiReq) {
	body, who, ok := s.v1PersonBody(w, r, a)
	if !ok {
		return
	}
	var in cio.V1DeviceBody
	if !isObject(body) || json.Unmarshal(body, &in) != nil || in.Device == nil {
		reject(w, a, invalid("device", "body must be {\"device\":{\"id\":...,\"platform\":...}}"))
		return
	}
	d, bad := decodeDevice(in.Device.ID, in.Device.Platform, int64(in.Device.LastUsed), in.Device.Attributes)
	if bad != nil {
		reject(w, a, bad)
		return
	}
	done(w, a, s.exec(&command{kind: cmdDeviceAdd, who: who, device: d}))
}

// decodeDevice validates a device: a token, platform ios or android, and
// attributes that are an object or null.
func decodeDevice(token, platform string, lastUsed int64, attrs []byte) (deviceIn, *badRequest) {
	if token == "" {
		return deviceIn{}, invalid("device.id", "device id (token) is required")
	}
	if platform != "ios" && platform != "android" {
		return deviceIn{}, invalid("device.platform", "device platform must be ios or android")
	}
	d := deviceIn{token: token, platform: platform, lastUsed: lastUsed * 1e9}
	if !isNull(attrs) {
		if !isObject(attrs) {
			return deviceIn{}, invalid("device.attributes", "device attributes must be a JSON object")
		}
		d.attrs = compactJSON(attrs)
	}
	return d, nil
}

func (s *Server) v1DeviceDelete(w http.ResponseWriter, r *http.Request, a *apiReq) {
	if _, ok := s.v1Body(w, r, a); !ok {
		return
	}
	who, bad := pathIdent(a.params[0])
	if bad != nil {
		reject(w, a, bad)
		return
	}
	done(w, a, s.exec(&command{kind: cmdDeviceDelete, who: who, device: deviceIn{token: a.params[1]}}))
}

// v1Region answers GET /api/v1/accounts/region with the mock's own URL.
func (s *Server) v1Region(w http.ResponseWriter, r *http.Request, a *apiReq) {
	if !s.trackAuth(w, r, a, false) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"url": "http://" + r.Host, "region": "us", "environment_id": 1})
}
