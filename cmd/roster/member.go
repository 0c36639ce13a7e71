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

// runMember is "roster member": list, show, role and remove.
func runMember(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	var id, role *string
	idFlag := func(fs *flag.FlagSet) { id = fs.String("id", "", "member id (required)") }
	verbs := map[string]teamVerb{
		"list": {run: func(ctx context.Context, a *admin.Service, p core.Principal, t core.Team, stdout, _ io.Writer) error {
			w := table(stdout)
			fmt.Fprintln(w, "ID\tEMAIL\tROLE\tSTATUS\tSCIM\tCREATED")
			q := admin.MemberQuery{Limit: 1000}
			for {
				pg, err := a.Members(ctx, p, t.ID, q)
				if err != nil {
					return err
				}
				for _, m := range pg.Members {
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", m.ID, m.Email, m.Role, m.Status, yesNo(m.SCIMManaged), m.CreatedAt.UTC().Format(time.RFC3339))
				}
				if pg.Next == "" {
					return w.Flush()
				}
				q.After = pg.Next
			}
		}},
		"show": {flags: idFlag, run: func(ctx context.Context, a *admin.Service, p core.Principal, t core.Team, stdout, _ io.Writer) error {
			if err := need("member show", "id", *id); err != nil {
				return err
			}
			m, err := a.Member(ctx, p, t.ID, *id)
			if err != nil {
				return err
			}
			w := table(stdout)
			fmt.Fprintf(w, "ID\t%s\nACCOUNT\t%s\nEMAIL\t%s\nUSERNAME\t%s\nROLE\t%s\nSTATUS\t%s\nSCIM-MANAGED\t%s\nCREATED\t%s\n",
				m.ID, m.AccountID, m.Email, dash(m.UserName), m.Role, m.Status, yesNo(m.SCIMManaged), m.CreatedAt.UTC().Format(time.RFC3339))
			return w.Flush()
		}},
		"role": {
			flags: func(fs *flag.FlagSet) {
				idFlag(fs)
				role = fs.String("role", "", "super_admin, team_admin or developer (required)")
			},
			run: func(ctx context.Context, a *admin.Service, p core.Principal, t core.Team, stdout, _ io.Writer) error {
				if err := need("member role", "id", *id); err != nil {
					return err
				}
				if err := need("member role", "role", *role); err != nil {
					return err
				}
				m, err := a.SetRole(ctx, p, t.ID, *id, core.Role(*role))
				if err != nil {
					return err
				}
				fmt.Fprintf(stdout, "%s is now %s\n", m.Email, m.Role)
				return nil
			},
		},
		"remove": {flags: idFlag, run: func(ctx context.Context, a *admin.Service, p core.Principal, t core.Team, stdout, _ io.Writer) error {
			if err := need("member remove", "id", *id); err != nil {
				return err
			}
			if err := a.RemoveMember(ctx, p, t.ID, *id); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "removed member %s from team %s\n", *id, t.Slug)
			return nil
		}},
	}
	return runTeamVerbs(ctx, "member", verbs, []string{"list", "show", "role", "remove"}, args, getenv, stdout, stderr)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
