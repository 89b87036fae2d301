package main

import (
	"context"
	"errors"
)

// scenariosCmd is a placeholder until its issue lands.
func scenariosCmd(_ context.Context, _ []string, _ *Env) error {
	return errors.New("scenarios: not implemented yet")
}
