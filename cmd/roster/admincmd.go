package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/rosterhq/roster/internal/admin"
)

// cliActor is the actor recorded for changes made from the command line.
const cliActor = "cli"

func runMigrate(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", stderr)
	db := dbFlag(fs, getenv)
	if err := parse(fs, args); err != nil {
		return err
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintln(stdout, "database is up to date")
	return nil
}

// withAdmin opens the database and runs fn with an admin service on it.
func withAdmin(ctx context.Context, dsn string, fn func(*admin.Service) error) error {
	st, err := openStore(ctx, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(admin.New(st))
}

// subcommand splits "team create ..." into the verb and its flags.
func subcommand(args []string, verbs ...string) (string, []string, error) {
	if len(args) == 0 {
		return "", nil, usageError{fmt.Sprintf("missing subcommand: one of %v", verbs)}
	}
	for _, v := range verbs {
		if args[0] == v {
			return v, args[1:], nil
		}
	}
	return "", nil, usageError{fmt.Sprintf("unknown subcommand %q: one of %v", args[0], verbs)}
}

func runTeam(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	verb, rest, err := subcommand(args, "create", "list")
	if err != nil {
		return err
	}
	fs := newFlags("team "+verb, stderr)
	db := dbFlag(fs, getenv)
	var slug, name *string
	if verb == "create" {
		slug = fs.String("slug", "", "team slug (required)")
		name = fs.String("name", "", "display name (default: the slug)")
	}
	if err := parse(fs, rest); err != nil {
		return err
	}
	return withAdmin(ctx, *db, func(a *admin.Service) error {
		if verb == "create" {
			if *slug == "" {
				return usageError{"team create needs --slug"}
			}
			t, err := a.CreateTeam(ctx, *slug, *name)
			if err != nil {
				return err
			}
			fmt.Fprintln(stdout, t.ID)
			return nil
		}
		teams, err := a.Teams(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tSLUG\tNAME\tSCIM")
		for _, t := range teams {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", t.ID, t.Slug, t.Name, onOff(t.SCIMEnabled))
		}
		return w.Flush()
	})
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func runSCIM(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	verb, rest, err := subcommand(args, "enable", "disable")
	if err != nil {
		return err
	}
	fs := newFlags("scim "+verb, stderr)
	db := dbFlag(fs, getenv)
	team := fs.String("team", "", "team slug or id (required)")
	if err := parse(fs, rest); err != nil {
		return err
	}
	if *team == "" {
		return usageError{"scim " + verb + " needs --team"}
	}
	return withAdmin(ctx, *db, func(a *admin.Service) error {
		t, err := a.Team(ctx, *team)
		if err != nil {
			return err
		}
		t, err = a.SetSCIM(ctx, t.ID, verb == "enable")
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "SCIM is %s for team %s\n", onOff(t.SCIMEnabled), t.Slug)
		return nil
	})
}

func runKey(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	verb, rest, err := subcommand(args, "create", "list", "revoke")
	if err != nil {
		return err
	}
	fs := newFlags("key "+verb, stderr)
	db := dbFlag(fs, getenv)
	team := fs.String("team", "", "team slug or id (required)")
	var name, id *string
	var expires *time.Duration
	switch verb {
	case "create":
		name = fs.String("name", "", "key name (required)")
		expires = fs.Duration("expires-in", 0, "lifetime, e.g. 2160h; 0 = never expires")
	case "revoke":
		id = fs.String("id", "", "key id (required)")
	}
	if err := parse(fs, rest); err != nil {
		return err
	}
	if *team == "" {
		return usageError{"key " + verb + " needs --team"}
	}
	return withAdmin(ctx, *db, func(a *admin.Service) error {
		t, err := a.Team(ctx, *team)
		if err != nil {
			return err
		}
		switch verb {
		case "create":
			if *name == "" {
				return usageError{"key create needs --name"}
			}
			k, err := a.CreateKey(ctx, t.ID, *name, cliActor, *expires)
			if err != nil {
				return err
			}
			// The secret alone on stdout, so scripts can capture it; it is
			// never shown again.
			fmt.Fprintln(stdout, k.Secret)
			fmt.Fprintf(stderr, "created key %s (%s) for team %s; store it now, it is not shown again\n", k.Key.ID, k.Key.Prefix, t.Slug)
			return nil
		case "revoke":
			if *id == "" {
				return usageError{"key revoke needs --id"}
			}
			if err := a.RevokeKey(ctx, t.ID, *id); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "revoked key %s\n", *id)
			return nil
		}
		keys, err := a.Keys(ctx, t.ID)
		if err != nil {
			return err
		}
		now := time.Now()
		w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tNAME\tPREFIX\tSTATUS\tCREATED\tLAST USED\tEXPIRES")
		for _, k := range keys {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Name, k.Prefix, k.Status(now),
				k.CreatedAt.Format(time.RFC3339), fmtTime(k.LastUsed), fmtTime(k.ExpiresAt))
		}
		return w.Flush()
	})
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
