// Package verify is the harness's oracle. After a run it reads what the mock
// Customer.io holds through mockcio.Inspector only (so an embedded mock and a
// separate `cioharness mock` are verified the same way), compares it with the
// scenarios.Ledger — what the shoppers really did and what Customer.io must
// therefore show — and fills a report.Summary with every check of SPEC.md §8
// (with evidence), the delivery latencies and the suppression timings.
//
// A check with nothing to check passes with a Note that says so ("not
// applicable"), and the Summary gains a warning naming it; a run whose ledger
// holds no event at all fails events.delivered, because an empty run proves
// nothing.
package verify
