package main

import (
	"context"
	"errors"
)

// reportCmd is a placeholder until its issue lands.
func reportCmd(_ context.Context, _ []string, _ *Env) error {
	return errors.New("report: not implemented yet")
}
