package cio

// Limits published by Customer.io (reference/customerio-api.md §2.7, §3.2, §4.3).
const (
	MaxIDBytes        = 150       // a person's id value
	MaxAttrNameBytes  = 150       // an attribute name
	MaxAttrValueBytes = 1000      // an attribute value
	MaxAttributes     = 300       // attributes per identify
	MaxEventNameBytes = 100       // an event name
	MaxEventDataBytes = 100_000   // an event's data object
	MaxEntityBytes    = 32 << 10  // one Track v2 entity or batch item; one Pipelines call or batch item
	MaxBatchBytes     = 500 << 10 // one Track v2 or Pipelines batch request
	MaxV1RequestBytes = 1 << 20   // a Track v1 body: unpublished; 1 MiB bounds hostile input
)
