// Package scenarios is the shopper model: scenario and mix files (YAML),
// built-ins embedded from builtin/, seeded shopper and catalog data (gofakeit),
// journeys as timelines of cio calls in shopper time, and the ledger: what each
// shopper really did and what Customer.io must therefore show.
package scenarios
