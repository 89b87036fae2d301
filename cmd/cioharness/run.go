package main

import (
	"context"
	"errors"
)

// runCmd is a placeholder until its issue lands.
func runCmd(_ context.Context, _ []string, _ *Env) error {
	return errors.New("run: not implemented yet")
}
