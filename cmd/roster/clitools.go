package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/rosterhq/roster/internal/admin"
	"github.com/rosterhq/roster/internal/core"
)

// The admin commands added for CLI parity (member, invite, domain, audit,
// events, and the extra verbs of key, team and scim) run the same use
// cases as the admin API, as core.CLIPrincipal: every change is
// authorised by the permission table (the CLI may do everything) and
// audited with the CLI as the actor.

// teamVerb is one verb of a team-scoped admin command.
type teamVerb struct {
	// flags registers the verb's flags; run runs it.
	flags func(fs *flag.FlagSet)
	run   func(ctx context.Context, a *admin.Service, p core.Principal, t core.Team, stdout, stderr io.Writer) error
}

// runTeamVerbs parses "<cmd> <verb> --db --team [flags]" and runs the verb
// on the team.
func runTeamVerbs(ctx context.Context, cmd string, verbs map[string]teamVerb, order []string, args []string, getenv env, stdout, stderr io.Writer, opts ...admin.Option) error {
	verb, rest, err := subcommand(args, order...)
	if err != nil {
		return err
	}
	v := verbs[verb]
	fs := newFlags(cmd+" "+verb, stderr)
	db := dbFlag(fs, getenv)
	team := fs.String("team", "", "team slug or id (required)")
	if v.flags != nil {
		v.flags(fs)
	}
	if err := parse(fs, rest); err != nil {
		return err
	}
	if *team == "" {
		return usageError{cmd + " " + verb + " needs --team"}
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	a := admin.New(st, opts...)
	t, err := a.Team(ctx, *team)
	if err != nil {
		return err
	}
	return v.run(ctx, a, cliPrincipal(), t, stdout, stderr)
}

// cliPrincipal is the principal of a CLI command.
func cliPrincipal() core.Principal {
	p := core.CLIPrincipal()
	p.UserAgent = "roster-cli"
	return p
}

// table returns a tab writer for aligned columns.
func table(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 4, 2, ' ', 0) }

// need returns a usage error when a required flag is empty.
func need(cmd, flagName, v string) error {
	if v == "" {
		return usageError{cmd + " needs --" + flagName}
	}
	return nil
}

// runKeyCmd is "roster key": create, list and revoke (admincmd.go), plus
// regenerate and delete.
func runKeyCmd(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	if err := knownVerb(args, "create", "list", "regenerate", "revoke", "delete"); err != nil {
		return err
	}
	if args[0] != "regenerate" && args[0] != "delete" {
		return runKey(ctx, args, getenv, stdout, stderr)
	}
	var id *string
	var overlap *time.Duration
	verbs := map[string]teamVerb{
		"regenerate": {
			flags: func(fs *flag.FlagSet) {
				id = fs.String("id", "", "key id (required)")
				overlap = fs.Duration("overlap", 0, "how long the old key keeps working, e.g. 24h; 0 revokes it now")
			},
			run: func(ctx context.Context, a *admin.Service, p core.Principal, t core.Team, stdout, stderr io.Writer) error {
				if err := need("key regenerate", "id", *id); err != nil {
					return err
				}
				if *overlap < 0 {
					return usageError{"key regenerate: --overlap must not be negative"}
				}
				k, err := a.RegenerateSCIMKey(ctx, p, t.ID, *id, *overlap)
				if err != nil {
					return err
				}
				fmt.Fprintln(stdout, k.Secret)
				fmt.Fprintf(stderr, "created key %s (%s) replacing %s, which works for %s more; store the new key now, it is not shown again\n",
					k.Key.ID, k.Key.Prefix, *id, *overlap)
				return nil
			},
		},
		"delete": {
			flags: func(fs *flag.FlagSet) { id = fs.String("id", "", "key id (required)") },
			run: func(ctx context.Context, a *admin.Service, p core.Principal, t core.Team, stdout, _ io.Writer) error {
				if err := need("key delete", "id", *id); err != nil {
					return err
				}
				if err := a.DeleteSCIMKey(ctx, p, t.ID, *id); err != nil {
					return err
				}
				fmt.Fprintf(stdout, "deleted key %s\n", *id)
				return nil
			},
		},
	}
	return runTeamVerbs(ctx, "key", verbs, []string{"regenerate", "delete"}, args, getenv, stdout, stderr)
}

// runTeamCmd is "roster team": create and list (admincmd.go), plus show
// and rename.
func runTeamCmd(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	if err := knownVerb(args, "create", "list", "show", "rename"); err != nil {
		return err
	}
	if args[0] != "show" && args[0] != "rename" {
		return runTeam(ctx, args, getenv, stdout, stderr)
	}
	var name *string
	verbs := map[string]teamVerb{
		"show": {run: func(_ context.Context, _ *admin.Service, _ core.Principal, t core.Team, stdout, _ io.Writer) error {
			w := table(stdout)
			fmt.Fprintf(w, "ID\t%s\nSLUG\t%s\nNAME\t%s\nSCIM\t%s\nCREATED\t%s\n", t.ID, t.Slug, t.Name, onOff(t.SCIMEnabled), t.CreatedAt.UTC().Format(time.RFC3339))
			return w.Flush()
		}},
		"rename": {
			flags: func(fs *flag.FlagSet) { name = fs.String("name", "", "new display name (required)") },
			run: func(ctx context.Context, a *admin.Service, p core.Principal, t core.Team, stdout, _ io.Writer) error {
				if err := need("team rename", "name", *name); err != nil {
					return err
				}
				t, err := a.RenameTeam(ctx, p, t.ID, *name)
				if err != nil {
					return err
				}
				fmt.Fprintf(stdout, "team %s is now %q\n", t.Slug, t.Name)
				return nil
			},
		},
	}
	return runTeamVerbs(ctx, "team", verbs, []string{"show", "rename"}, args, getenv, stdout, stderr)
}

// runSCIMCmd is "roster scim": enable and disable (admincmd.go), plus
// status and activity.
func runSCIMCmd(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	if err := knownVerb(args, "enable", "disable", "status", "activity"); err != nil {
		return err
	}
	if args[0] != "status" && args[0] != "activity" {
		return runSCIM(ctx, args, getenv, stdout, stderr)
	}
	var failures *bool
	var limit *int
	verbs := map[string]teamVerb{
		"status": {run: func(_ context.Context, _ *admin.Service, _ core.Principal, t core.Team, stdout, _ io.Writer) error {
			fmt.Fprintf(stdout, "SCIM is %s for team %s\n", onOff(t.SCIMEnabled), t.Slug)
			return nil
		}},
		"activity": {
			flags: func(fs *flag.FlagSet) {
				failures = fs.Bool("failures", false, "only failed requests")
				limit = fs.Int("limit", 50, "how many requests (1-1000)")
			},
			run: func(ctx context.Context, a *admin.Service, p core.Principal, t core.Team, stdout, _ io.Writer) error {
				as, err := a.Activity(ctx, p, t.ID, admin.ActivityQuery{FailuresOnly: *failures, Limit: *limit})
				if err != nil {
					return err
				}
				w := table(stdout)
				fmt.Fprintln(w, "TIME\tMETHOD\tPATH\tSTATUS\tSCIMTYPE\tMS\tDETAIL")
				for _, x := range as {
					fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%s\t%d\t%s\n", x.At.UTC().Format(time.RFC3339), x.Method, x.Path, x.Status, dash(x.SCIMType), x.LatencyMS, dash(x.Detail))
				}
				return w.Flush()
			},
		},
	}
	return runTeamVerbs(ctx, "scim", verbs, []string{"status", "activity"}, args, getenv, stdout, stderr)
}

// knownVerb checks that args start with one of verbs (a usage error
// listing them all otherwise).
func knownVerb(args []string, verbs ...string) error {
	_, _, err := subcommand(args, verbs...)
	return err
}

// dash returns s, or "-" when it is empty.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
