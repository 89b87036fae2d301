package main

import (
	"errors"
	"fmt"

	"github.com/spf13/pflag"
)

// Exit codes (SPEC.md §3.6). Where several apply the precedence is
// usage, runtime, invalid, check failed, threshold.
const (
	ExitOK        = 0
	ExitCheck     = 1 // a conformance check failed
	ExitUsage     = 2 // bad flag, invalid scenario / contract / campaigns file
	ExitRuntime   = 3 // target or mock unreachable, I/O
	ExitThreshold = 4 // a threshold was breached
	ExitInvalid   = 5 // the harness itself fell behind
)

// exitError carries an exit code with its error.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// errQuiet ends a command with a code but prints nothing more: the command has
// already reported (e.g. a failed check in the summary).
var errQuiet = errors.New("quiet")

// withCode wraps err so that Main exits with code.
func withCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: code, err: err}
}

// quietExit ends the command with code without another message.
func quietExit(code int) error {
	if code == ExitOK {
		return nil
	}
	return &exitError{code: code, err: errQuiet}
}

// usageError is a configuration error (exit 2); name the flag in the message.
func usageError(format string, args ...any) error {
	return &exitError{code: ExitUsage, err: fmt.Errorf(format, args...)}
}

func exitCode(err error) int {
	var ee *exitError
	switch {
	case err == nil, errors.Is(err, pflag.ErrHelp):
		return ExitOK
	case errors.As(err, &ee):
		return ee.code
	}
	return ExitRuntime
}

// newFlagSet makes a subcommand's flag set: errors are returned, not printed
// twice, and -h prints usage with the examples.
func newFlagSet(name, synopsis, examples string, env *Env) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.SortFlags = false
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: cioharness %s\n\nFlags:\n%s", synopsis, fs.FlagUsages())
		if examples != "" {
			fmt.Fprintf(env.Stderr, "\nExamples:\n%s", examples)
		}
	}
	return fs
}

// parseFlags parses args; a parse error is a usage error (exit 2).
func parseFlags(fs *pflag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return err
		}
		return usageError("%v", err)
	}
	return nil
}
