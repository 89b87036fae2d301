// Command cioharness is a load-testing and conformance harness for Customer.io
// data pipelines: it simulates shopper journeys, drives them through an
// ingestion path or straight at an embedded mock Customer.io, and checks what
// arrived against the ground truth it generated. See README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/pflag"
)

// version and commit are set by the Makefile with -ldflags.
var (
	version = "dev"
	commit  = "none"
)

// Env is what a subcommand may touch of the process: its streams. Tests build
// one with buffers.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer // results only
	Stderr io.Writer // progress, logs, errors
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, env *Env) error
}

// commands is the subcommand table; each lives in its own file.
var commands = []command{
	{"run", "drive shopper journeys at a target and verify the outcome", runCmd},
	{"mock", "serve the mock Customer.io (Track v1, Track v2, Pipelines)", mockCmd},
	{"report", "render, merge or compare saved results", reportCmd},
	{"scenarios", "list, show, validate or sample shopper scenarios", scenariosCmd},
	{"version", "print the version", versionCmd},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	os.Exit(code)
}

// Main runs the command line args and returns the process exit code (SPEC.md §3.6).
func Main(ctx context.Context, args []string, env *Env) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(env.Stderr)
		if len(args) == 0 {
			return ExitUsage
		}
		return ExitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			err := c.run(ctx, args[1:], env)
			code := exitCode(err)
			if err != nil && !errors.Is(err, pflag.ErrHelp) && !errors.Is(err, errQuiet) {
				fmt.Fprintf(env.Stderr, "cioharness %s: %v\n", c.name, err)
			}
			return code
		}
	}
	fmt.Fprintf(env.Stderr, "cioharness: unknown command %q\n\n", args[0])
	usage(env.Stderr)
	return ExitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: cioharness COMMAND [flags]\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'cioharness COMMAND -h' for a command's flags and examples.")
}

func versionCmd(_ context.Context, args []string, env *Env) error {
	if len(args) > 0 {
		return usageError("version takes no arguments")
	}
	_, err := fmt.Fprintf(env.Stdout, "cioharness %s (%s)\n", version, commit)
	return err
}
