package verify

import (
	"fmt"

	"github.com/cioharness/cioharness/report"
)

// Check names (SPEC.md §8). Contract checks are named after the mock's rules
// (mockcio.RuleEventNames …).
const (
	CheckAnonymousMerge     = "identity.anonymous_merge"
	CheckCrossContamination = "identity.cross_contamination"
	CheckDuplicateProfiles  = "identity.duplicate_profiles"
	CheckPrimaryID          = "identity.primary_id"
	CheckDelivered          = "events.delivered"
	CheckDuplicated         = "events.duplicated"
	CheckProperties         = "events.properties"
	CheckTimestamps         = "events.timestamps"
	CheckOrder              = "events.order"
	CheckAttributes         = "profiles.attributes"
	CheckNoSendAfterBuy     = "suppression.no_send_after_purchase"
	CheckSendsToAbandoners  = "suppression.sends_to_abandoners"
	CheckMessageContent     = "suppression.message_content"
	CheckSegmentsTruth      = "segments.truth"
	CheckHarnessValidity    = report.CheckHarness
)

// NotApplicable starts the Note of a check that had nothing to check.
const NotApplicable = "not applicable: 0 of 0, nothing to check"

// tally builds one check: every item either holds or fails with evidence.
type tally struct {
	c    report.Check
	na   string // why there may be nothing to check
	info []string
}

func newTally(name, whenEmpty string) *tally {
	return &tally{c: report.Check{Name: name}, na: whenEmpty}
}

// ok counts an item that holds.
func (t *tally) ok() { t.c.Expected++; t.c.Observed++ }

// fail counts an item that does not hold, keeping up to MaxExamples examples.
func (t *tally) fail(ex report.Example) {
	t.c.Expected++
	t.c.Failed++
	if len(t.c.Examples) < report.MaxExamples {
		t.c.Examples = append(t.c.Examples, ex)
	}
}

// notef adds a sentence to the check's note.
func (t *tally) notef(format string, args ...any) {
	t.info = append(t.info, fmt.Sprintf(format, args...))
}

// done returns the check: passed when nothing failed; a check with nothing to
// check passes with a note saying so.
func (t *tally) done() report.Check {
	c := t.c
	c.Passed = c.Failed == 0
	note := ""
	if c.Expected == 0 {
		note = NotApplicable
		if t.na != "" {
			note += " (" + t.na + ")"
		}
	}
	for _, s := range t.info {
		if note != "" {
			note += "; "
		}
		note += s
	}
	c.Note = note
	return c
}
