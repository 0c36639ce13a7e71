package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/rosterhq/roster/internal/check"
)

// errCheckFailed is returned when a check step failed; the report has
// already been printed.
var errCheckFailed = errors.New("check failed")

// runCheck is `roster check`: it calls a SCIM server the way an IdP's
// "Test API Credentials" / "Test Connection" does and prints a verdict
// per step; --write adds a create/update/deactivate/reactivate/group round
// trip that cleans up after itself.
func runCheck(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := newFlags("check", stderr)
	base := fs.String("base", getenv("ROSTER_CHECK_BASE"), "SCIM base URL as typed into the IdP, e.g. https://roster.example.com/scim/v2 (env ROSTER_CHECK_BASE)")
	token := fs.String("token", getenv("ROSTER_CHECK_TOKEN"), "the SCIM API key (env ROSTER_CHECK_TOKEN)")
	idp := fs.String("idp", check.IdPGeneric, "imitate this IdP: "+strings.Join(check.IdPs, ", "))
	write := fs.Bool("write", false, "also create, update, deactivate, reactivate and group a uniquely named test user, then remove it")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *base == "" {
		return usageError{"--base is required"}
	}
	rep, err := check.Run(ctx, check.Options{Base: *base, Token: *token, IdP: *idp, Write: *write})
	if err != nil {
		return usageError{err.Error()}
	}
	rep.Write(stdout)
	if !rep.OK() {
		return fmt.Errorf("%w: see the steps marked FAIL above", errCheckFailed)
	}
	return nil
}
