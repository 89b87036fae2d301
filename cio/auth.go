package cio

import (
	"encoding/base64"
	"strings"
)

// Credentials are the keys a workspace hands out: the Track site id and API key,
// and the Pipelines API key.
type Credentials struct {
	SiteID       string
	APIKey       string
	PipelinesKey string
}

// TestCredentials are the harness's defaults: accepted by the mock, useless
// anywhere else.
var TestCredentials = Credentials{SiteID: "cioharness-site", APIKey: "cioharness-key", PipelinesKey: "cioharness-pipelines"}

// TrackAuthorization is the Authorization header for Track v1 and v2:
// Basic base64(site_id:api_key), standard alphabet.
func (c Credentials) TrackAuthorization() string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(c.SiteID+":"+c.APIKey))
}

// PipelinesAuthorization is the Authorization header for Pipelines:
// Basic base64(key:) with an empty password.
func (c Credentials) PipelinesAuthorization() string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(c.PipelinesKey+":"))
}

// Authorization returns the header for api.
func (c Credentials) Authorization(api API) string {
	if api == APIPipelines {
		return c.PipelinesAuthorization()
	}
	return c.TrackAuthorization()
}

// ParseBasic decodes an HTTP Basic Authorization header. Like Customer.io it
// accepts the standard and the URL-safe base64 alphabets (go-customerio sends
// URL-safe), with or without padding, and a scheme name in any case.
func ParseBasic(header string) (user, pass string, ok bool) {
	const prefix = "basic "
	if len(header) < len(prefix) || !strings.EqualFold(header[:len(prefix)], prefix) {
		return "", "", false
	}
	enc := strings.TrimSpace(header[len(prefix):])
	var raw []byte
	for _, e := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := e.DecodeString(enc); err == nil {
			raw = b
			break
		}
	}
	if raw == nil {
		return "", "", false
	}
	u, p, found := strings.Cut(string(raw), ":")
	if !found {
		return "", "", false
	}
	return u, p, true
}
