package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/cioharness/cioharness/report"
)

const reportExamples = `  cioharness report results.json                      # the summary again
  cioharness report --format html -o report.html results.json
  cioharness report --format junit -o junit.xml results.json
  cioharness report shard-*.json -o merged.json --format json   # merge the shards of one run
  cioharness report --threshold 'latency.p99<250ms' --threshold 'checks.failed==0' shard-*.json
  cioharness report --compare baseline.json results.json      # regression table
`

// thresholdFlag is the repeatable --threshold EXPR: each expression is
// parsed when given, so a bad one is a usage error naming the flag.
type thresholdFlag struct{ list []report.Threshold }

func (f *thresholdFlag) String() string {
	s := make([]string, len(f.list))
	for i, t := range f.list {
		s[i] = t.Expr
	}
	return strings.Join(s, " ")
}

func (f *thresholdFlag) Set(v string) error {
	t, err := report.ParseThreshold(v)
	if err != nil {
		return err
	}
	f.list = append(f.list, t)
	return nil
}

func (*thresholdFlag) Type() string { return "EXPR" }

// reportOpts is the parsed command line of `cioharness report`.
type reportOpts struct {
	format     string
	out        string
	compare    string
	thresholds thresholdFlag
	files      []string
}

func parseReportFlags(args []string, env *Env) (*reportOpts, error) {
	o := &reportOpts{}
	fs := newFlagSet("report", "report [flags] FILE...", reportExamples, env)
	fs.StringVar(&o.format, "format", "text", "output `FORMAT`: "+strings.Join(report.Formats, ", "))
	fs.StringVarP(&o.out, "out", "o", "", "write the output to `FILE` instead of stdout")
	fs.StringVar(&o.compare, "compare", "", "print the regression table against the baseline results `BASE.json`")
	fs.Var(&o.thresholds, "threshold", "pass/fail rule on the merged results, e.g. 'latency.p99<250ms' (repeatable; exit 4 when breached)")
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	if !slices.Contains(report.Formats, o.format) {
		return nil, usageError("--format %q: want one of %s", o.format, strings.Join(report.Formats, ", "))
	}
	if o.compare != "" && !slices.Contains([]string{"text", "json", "markdown"}, o.format) {
		return nil, usageError("--compare prints a table: --format must be text, json or markdown, not %q", o.format)
	}
	o.files = fs.Args()
	if len(o.files) == 0 {
		return nil, usageError("report needs at least one results FILE (or - for stdin)")
	}
	return o, nil
}

// reportCmd renders, merges and compares saved results (SPEC.md §3.3). Its
// exit code is the merged verdict's: thresholds given here are evaluated on
// the merged data along with those the files carry.
func reportCmd(_ context.Context, args []string, env *Env) error {
	o, err := parseReportFlags(args, env)
	if err != nil {
		return err
	}
	var files []*report.Summary
	for _, name := range o.files {
		s, err := loadResults(name, env.Stdin)
		if err != nil {
			return err
		}
		files = append(files, s)
	}
	merged, err := report.Merge(files...)
	if err != nil {
		return usageError("%v", err)
	}
	merged.Finish(allThresholds(merged, o.thresholds.list))
	render := merged.Renderer
	if o.compare != "" {
		base, err := loadResults(o.compare, nil)
		if err != nil {
			return err
		}
		render = report.Compare(base, merged).Renderer
	}
	w, err := render(o.format)
	if err != nil {
		return usageError("--format: %v", err)
	}
	if err := writeOutput(o.out, env.Stdout, w); err != nil {
		return withCode(ExitRuntime, err)
	}
	if o.out != "" {
		fmt.Fprintf(env.Stderr, "wrote %s · verdict %s (exit %d)\n", o.out, merged.Verdict.Status, merged.Verdict.ExitCode)
	}
	return quietExit(merged.Verdict.ExitCode)
}

// allThresholds returns the thresholds the merged files carry followed by the
// ones from the command line, each expression once.
func allThresholds(s *report.Summary, extra []report.Threshold) []report.Threshold {
	var out []report.Threshold
	seen := map[string]bool{}
	for _, r := range s.Thresholds {
		if t, err := report.ParseThreshold(r.Expr); err == nil && !seen[r.Expr] {
			out, seen[r.Expr] = append(out, t), true
		}
	}
	for _, t := range extra {
		if !seen[t.Expr] {
			out, seen[t.Expr] = append(out, t), true
		}
	}
	return out
}

// loadResults reads one results file; "-" is stdin. A missing or unreadable
// file is a runtime error (exit 3), a file that is not results is exit 2.
func loadResults(name string, stdin io.Reader) (*report.Summary, error) {
	var r io.Reader = stdin
	if name != "-" || stdin == nil {
		f, err := os.Open(name)
		if err != nil {
			return nil, withCode(ExitRuntime, err)
		}
		defer f.Close()
		r = f
	}
	s, err := report.Decode(r)
	if err != nil {
		return nil, usageError("%s: %v", name, err)
	}
	return s, nil
}

// writeOutput runs render into the file path, or into stdout when path is "".
func writeOutput(path string, stdout io.Writer, render func(io.Writer) error) error {
	if path == "" {
		return render(stdout)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := render(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}

// writeResultFiles writes the files `run` asks for: results JSON (-o),
// HTML (--html) and JUnit (--junit); empty paths are skipped. An error names
// the file and is a runtime error (exit 3).
func writeResultFiles(s *report.Summary, out, html, junit string) error {
	for _, f := range []struct {
		path   string
		render func(io.Writer) error
	}{{out, s.Encode}, {html, s.WriteHTML}, {junit, s.WriteJUnit}} {
		if f.path == "" {
			continue
		}
		if err := writeOutput(f.path, nil, f.render); err != nil {
			return withCode(ExitRuntime, err)
		}
	}
	return nil
}
