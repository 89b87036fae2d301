// Package mockcio is a mock Customer.io: the Track v1, Track v2 and Pipelines
// data-in APIs with Customer.io's identity rules, a store of people and events,
// fault injection, and an inspection API under /__mock/.
package mockcio
