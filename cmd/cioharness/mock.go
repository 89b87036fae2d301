package main

import (
	"context"
	"errors"
)

// mockCmd is a placeholder until its issue lands.
func mockCmd(_ context.Context, _ []string, _ *Env) error {
	return errors.New("mock: not implemented yet")
}
