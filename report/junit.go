package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// JUnit XML shapes (the de-facto schema CI systems read).
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Output    string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",cdata"`
}

// WriteJUnit writes JUnit XML: one test case per check (suite
// "cioharness.checks") and per threshold (suite "cioharness.thresholds");
// a failure carries its counts and examples so CI systems show them natively.
func (s *Summary) WriteJUnit(w io.Writer) error {
	props := []junitProperty{
		{"run", s.Run.ID}, {"seed", fmt.Sprint(s.Run.Seed)}, {"shard", s.Run.Shard.String()},
		{"scenarios", strings.Join(s.Run.Scenarios, ",")}, {"api", s.Run.API}, {"verdict", s.Verdict.Status},
		{"exit_code", fmt.Sprint(s.Verdict.ExitCode)},
	}
	ts := s.Run.StartedAt.UTC().Format("2006-01-02T15:04:05")
	checks := junitSuite{Name: "cioharness.checks", Timestamp: ts, Properties: props}
	for _, c := range s.Checks {
		jc := junitCase{Name: c.Name, Classname: "cioharness.checks", Output: checkCounts(c)}
		if !c.Passed {
			jc.Failure = &junitFailure{Message: checkCounts(c), Type: "check", Text: junitExamples(c)}
			checks.Failures++
		}
		checks.Cases = append(checks.Cases, jc)
	}
	checks.Tests = len(checks.Cases)
	ths := junitSuite{Name: "cioharness.thresholds", Timestamp: ts, Properties: props}
	for _, t := range s.Thresholds {
		jc := junitCase{Name: t.Expr, Classname: "cioharness.thresholds", Output: "observed " + t.Shown}
		if !t.Passed {
			jc.Failure = &junitFailure{Message: "observed " + t.Shown, Type: "threshold",
				Text: fmt.Sprintf("threshold %s breached: observed %s", t.Expr, t.Shown)}
			ths.Failures++
		}
		ths.Cases = append(ths.Cases, jc)
	}
	ths.Tests = len(ths.Cases)
	doc := junitSuites{Name: "cioharness", Tests: checks.Tests + ths.Tests, Failures: checks.Failures + ths.Failures,
		Time: fmt.Sprintf("%.3f", s.Run.EndedAt.Sub(s.Run.StartedAt).Seconds()), Suites: []junitSuite{checks, ths}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("report: junit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("report: junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func junitExamples(c Check) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", c.Name, checkCounts(c))
	if c.Note != "" {
		fmt.Fprintf(&b, "note: %s\n", c.Note)
	}
	for _, e := range c.Examples {
		fmt.Fprintf(&b, "- %s\n", exampleText(e))
	}
	if n := c.Failed - int64(len(c.Examples)); len(c.Examples) > 0 && n > 0 {
		fmt.Fprintf(&b, "… and %d more\n", n)
	}
	return b.String()
}
