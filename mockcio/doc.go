// Package mockcio is a mock Customer.io: the Track v1, Track v2 and Pipelines
// data-in APIs with Customer.io's identity rules, a store of people and events,
// fault injection, campaigns, truth segments and tracking-plan checks, and an
// inspection API under /__mock/.
//
// # Using it
//
// NewServer listens (default 127.0.0.1:0) and serves in a goroutine, like
// httptest.NewServer; point a Track client at Server.URL (Track base URL
// URL+"/api/v1", v2 URL+"/api/v2") and a Pipelines client at the same host
// (URL+"/v1/..."). NewHandler builds one without listening: a *Server is an
// http.Handler. Credentials default to cio.TestCredentials.
//
//	s, err := mockcio.NewServer(mockcio.Options{TimeScale: 3600})
//	...
//	defer s.Close()
//	p, ok, err := s.Person(ctx, "shopper@example.com")
//
// # Inspector
//
// Inspector is the one interface to read and drive a mock: *Server
// implements it in process (no HTTP), *Client (NewClient) over the JSON
// inspection API of a separate `cioharness mock`. Both return the same view
// types: PersonView, EventView, DeviceView, AnonymousView, PeoplePage,
// StatsView, RequestView, ConfigView, MessageView, SegmentView,
// ViolationView. Walk every person with People(PageRequest{Full: true,
// Limit: MaxPageSize, After: page.Next}) until Next is "", or in process with
// Server.EachPerson.
//
// # Inside
//
// The three front ends (v1*.go, v2.go, pipelines.go) authenticate, bound the
// body size, decode into the cio wire types and validate the whole request
// before anything changes; then they hand the store a small set of commands
// (identify, track, track-anonymous, merge, delete, suppress, unsuppress,
// device add/delete). The store never sees HTTP. It is sharded by identifier
// with lock stripes (store.go), so there is no global lock on the request
// path, and keeps events compact: interned names, int64 times, raw data
// bytes. The retention engines plug in through the Retention interface and
// read people back through Host (hooks.go).
//
// # Choices where Customer.io publishes nothing (UNCONFIRMED)
//
//   - De-duplication: an event whose id (Track v1/v2 `id`, Pipelines
//     `messageId`) the person — or, before a merge, the anonymous id — already
//     holds is dropped; there is no time window. The scope is the person:
//     the same id on two people is two events. Merges drop the secondary's
//     events whose id the primary holds.
//   - Error bodies: 401 answers {"meta":{"error":...}} on Track v1 and
//     {"errors":[...]} on v2 and strict Pipelines; 413 on Track v1 answers
//     {"meta":{"errors":[...]}} (whole body over 1 MiB); on Track v2 both
//     shapes in one body; strict Pipelines 413 / 400 {"errors":[...]}; 429
//     {"meta":{"errors":[...]}} with Retry-After. Attribute limits (names 150 B,
//     values 1,000 B, 300 per call, ids 150 B) are enforced with 400.
//   - Permissive Pipelines (no X-Strict-Mode: 1) answer 200 {} to everything,
//     bad credentials and oversize bodies included; such calls change nothing
//     and are counted in StatsView.Invalid and noted in the journal. A strict
//     batch with any invalid item is rejected whole (400, batch_index errors).
//   - Identity: a path or body identifier conflict (two people, or a change
//     of an existing id/email without cio_ addressing) answers 200 and
//     changes nothing. An unknown cio_ path is dropped with 200. Events and
//     devices for an unknown id or email create the person. A merge fills the
//     primary's blank id/email/phone from the secondary, so both identifiers
//     then name the survivor. Attributes set to null or "" are removed.
//     Dotted cio_subscription_preferences keys update the nested object;
//     cio_relationships, objects and deliveries are accepted and not stored.
//   - Anonymous ids: an anonymous id links to the first person that claims
//     it; later claims are ignored ("not reusable"). Events kept under it
//     expire 30 shopper days after they were received; events arriving within
//     5 shopper minutes after the link land on the person (anonymous_merge),
//     later ones stay anonymous. Pipelines identify with only anonymousId
//     keeps its traits, which fill the person's blanks on merge. Pipelines
//     alias treats previousId as an anonymous id.
//   - Suppression: suppress blocks every identifier of the person (id,
//     email, phone, cio_id) or, with no such person, the identifier given;
//     unsuppress by any of them frees them all. GET /__mock/people/{id} of a
//     suppressed identifier answers a tombstone with "suppressed": true.
//   - GET /api/v1/accounts/region answers the mock's own URL, region "us".
//   - POST /__mock/reset empties people, events, journal, counters and the
//     retention state; configuration and fault rules stay.
package mockcio
