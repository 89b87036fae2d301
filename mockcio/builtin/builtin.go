// Package builtin holds the mock's built-in configuration as YAML files: the
// D2C campaigns and truth segments (campaigns.yaml) and the D2C tracking plan
// (plan.yaml). `cioharness` prints them for users to copy and edit.
package builtin

import _ "embed" // the YAML files below

// Campaigns is campaigns.yaml: cart, checkout and browse abandonment, and the
// truth segments.
//
//go:embed campaigns.yaml
var Campaigns []byte

// Plan is plan.yaml: the D2C retention tracking plan (SPEC.md §7).
//
//go:embed plan.yaml
var Plan []byte
