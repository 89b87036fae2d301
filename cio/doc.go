// Package cio is Customer.io's data-in vocabulary: the wire types of the Track v1,
// Track v2 and Pipelines APIs, identifiers and their rules, the published limits,
// HTTP Basic credentials, ULIDs, and encoders from one neutral Call to each wire
// format.
//
// The generator builds Calls and encodes them with Encode or EncodeBatch; the mock
// decodes the same wire types. Call.Data holds raw JSON object bytes so that
// encoding a call is a splice, not a marshal: generation must never limit a run.
//
// Choices where Customer.io publishes nothing (see reference/customerio-api.md,
// "UNCONFIRMED"):
//   - Track v2 has no anonymous person action, so with APITrackV2 an anonymous
//     track, page or screen call is encoded as Track v1 POST /api/v1/events.
//   - Track v1 has no alias; Pipelines has no merge. Encoding those returns
//     ErrUnsupported.
//   - "32 KB" is 32,768 bytes and "500 KB" is 512,000 bytes (the clients guard at
//     32 KB and 480 KB, so every real client stays inside either reading).
package cio
