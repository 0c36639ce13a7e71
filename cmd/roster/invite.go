package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/rosterhq/roster/internal/admin"
	"github.com/rosterhq/roster/internal/core"
)

// runInvite is "roster invite": create, list and cancel.
func runInvite(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	var email, role, id *string
	verbs := map[string]teamVerb{
		"create": {
			flags: func(fs *flag.FlagSet) {
				email = fs.String("email", "", "email address to invite (required)")
				role = fs.String("role", "developer", "role on joining: super_admin, team_admin or developer")
			},
			run: func(ctx context.Context, a *admin.Service, p core.Principal, t core.Team, stdout, _ io.Writer) error {
				if err := need("invite create", "email", *email); err != nil {
					return err
				}
				m, err := a.Invite(ctx, p, t.ID, *email, core.Role(*role))
				if err != nil {
					return err
				}
				fmt.Fprintln(stdout, m.ID)
				return nil
			},
		},
		"list": {run: func(ctx context.Context, a *admin.Service, p core.Principal, t core.Team, stdout, _ io.Writer) error {
			ms, err := a.Invitations(ctx, p, t.ID)
			if err != nil {
				return err
			}
			w := table(stdout)
			fmt.Fprintln(w, "ID\tEMAIL\tROLE\tBY SCIM\tCREATED")
			for _, m := range ms {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", m.ID, m.Email, m.Role, yesNo(m.SCIMManaged), m.CreatedAt.UTC().Format(time.RFC3339))
			}
			return w.Flush()
		}},
		"cancel": {
			flags: func(fs *flag.FlagSet) { id = fs.String("id", "", "invitation id (required)") },
			run: func(ctx context.Context, a *admin.Service, p core.Principal, t core.Team, stdout, _ io.Writer) error {
				if err := need("invite cancel", "id", *id); err != nil {
					return err
				}
				if err := a.CancelInvitation(ctx, p, t.ID, *id); err != nil {
					return err
				}
				fmt.Fprintf(stdout, "cancelled invitation %s\n", *id)
				return nil
			},
		},
	}
	return runTeamVerbs(ctx, "invite", verbs, []string{"create", "list", "cancel"}, args, getenv, stdout, stderr)
}
