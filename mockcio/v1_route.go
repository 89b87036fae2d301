package mockcio

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/cioharness/cioharness/cio"
)

type apiHandler func(w http.ResponseWriter, r *http.Request, a *apiReq)

// route finds the endpoint of a Customer.io API request. Path segments are
// split on the escaped path and unescaped one by one, so an identifier may
// hold an encoded "/" (%2F), "@" (%40) or "+" (%2B).
func (s *Server) route(r *http.Request) (apiHandler, *apiReq) {
	a := &apiReq{ep: endpointIndex[EndpointUnknown]}
	segs := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
	for i, sg := range segs {
		u, err := url.PathUnescape(sg)
		if err != nil {
			return s.notFound, a
		}
		segs[i] = u
	}
	set := func(ep string, method string, h apiHandler, params ...string) (apiHandler, *apiReq) {
		a.ep, a.params = endpointIndex[ep], params
		if r.Method != method {
			return methodNotAllowed(method), a
		}
		return h, a
	}
	switch {
	case len(segs) >= 3 && segs[0] == "api" && segs[1] == "v1":
		return s.routeV1(segs[2:], r, set)
	case len(segs) == 3 && segs[0] == "api" && segs[1] == "v2" && segs[2] == "entity":
		return set(cio.EndpointV2Entity, http.MethodPost, s.v2Entity)
	case len(segs) == 3 && segs[0] == "api" && segs[1] == "v2" && segs[2] == "batch":
		return set(cio.EndpointV2Batch, http.MethodPost, s.v2Batch)
	case len(segs) == 2 && segs[0] == "v1":
		switch segs[1] {
		case "identify", "track", "page", "screen", "alias", "group":
			return set(cio.EndpointPipelines+segs[1], http.MethodPost, s.pipelinesOne(segs[1]))
		case "batch":
			return set(cio.EndpointPipelinesBatch, http.MethodPost, s.pipelinesBatch)
		}
	}
	return s.notFound, a
}

type setFunc func(ep, method string, h apiHandler, params ...string) (apiHandler, *apiReq)

func (s *Server) routeV1(segs []string, r *http.Request, set setFunc) (apiHandler, *apiReq) {
	switch {
	case len(segs) == 1 && segs[0] == "events":
		return set(cio.EndpointV1AnonEvent, http.MethodPost, s.v1AnonEvent)
	case len(segs) == 1 && segs[0] == "merge_customers":
		return set(cio.EndpointV1Merge, http.MethodPost, s.v1Merge)
	case len(segs) == 2 && segs[0] == "accounts" && segs[1] == "region":
		return set(EndpointV1Region, http.MethodGet, s.v1Region)
	case len(segs) < 2 || segs[0] != "customers" || segs[1] == "":
		return set(EndpointUnknown, r.Method, s.notFound)
	}
	id := segs[1]
	switch {
	case len(segs) == 2 && r.Method == http.MethodDelete:
		return set(cio.EndpointV1Delete, http.MethodDelete, s.v1Delete, id)
	case len(segs) == 2:
		return set(cio.EndpointV1Identify, http.MethodPut, s.v1Identify, id)
	case len(segs) == 3 && segs[2] == "events":
		return set(cio.EndpointV1Event, http.MethodPost, s.v1Event, id)
	case len(segs) == 3 && segs[2] == "suppress":
		return set(cio.EndpointV1Suppress, http.MethodPost, s.v1Suppress(true), id)
	case len(segs) == 3 && segs[2] == "unsuppress":
		return set(cio.EndpointV1Unsuppress, http.MethodPost, s.v1Suppress(false), id)
	case len(segs) == 3 && segs[2] == "devices":
		return set(cio.EndpointV1DeviceAdd, http.MethodPut, s.v1DeviceAdd, id)
	case len(segs) == 4 && segs[2] == "devices" && segs[3] != "":
		return set(cio.EndpointV1DeviceDelete, http.MethodDelete, s.v1DeviceDelete, id, segs[3])
	}
	return set(EndpointUnknown, r.Method, s.notFound)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request, a *apiReq) {
	a.note = "no such endpoint"
	writeMetaError(w, http.StatusNotFound, "not found: "+r.Method+" "+r.URL.Path)
}

func methodNotAllowed(want string) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, a *apiReq) {
		a.note = "method not allowed"
		w.Header().Set("Allow", want)
		writeMetaError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed, want "+want)
	}
}

// trackAuth checks Track Basic auth (site_id:api_key) and answers 401 when
// it fails. Track v2 answers in its own error shape.
func (s *Server) trackAuth(w http.ResponseWriter, r *http.Request, a *apiReq, v2 bool) bool {
	u, p, ok := cio.ParseBasic(r.Header.Get("Authorization"))
	if ok && u == s.opts.Credentials.SiteID && p == s.opts.Credentials.APIKey {
		return true
	}
	a.note = "unauthorized"
	if v2 {
		writeV2Both(w, http.StatusUnauthorized, "unauthorized", "unauthorized: invalid site id or api key")
	} else {
		writeMetaError(w, http.StatusUnauthorized, "unauthorized: invalid site id or api key")
	}
	return false
}

// exec applies one store command and reports whether it changed state.
func (s *Server) exec(c *command) bool {
	switch c.kind {
	case cmdIdentify:
		return s.store.identify(c)
	case cmdIdentifyAnon:
		return s.store.identifyAnon(c)
	case cmdTrack:
		return s.store.track(c)
	case cmdTrackAnon:
		return s.store.trackAnon(c)
	case cmdMerge:
		return s.store.merge(c)
	case cmdDelete:
		return s.store.remove(c, false)
	case cmdSuppress:
		return s.store.remove(c, true)
	case cmdUnsuppress:
		return s.store.unsuppress(c)
	case cmdDeviceAdd:
		return s.store.device(c, false)
	case cmdDeviceDelete:
		return s.store.device(c, true)
	}
	return false
}
