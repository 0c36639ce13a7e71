package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// usageError is a mistake in the command line; it exits with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) || errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

// env reads an environment variable; run takes it so tests control the
// environment.
type env func(string) string

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error
}

func commands() map[string]command {
	return map[string]command{
		"serve":    {"run the HTTP server (SCIM, admin API)", runServe},
		"migrate":  {"apply pending database migrations", runMigrate},
		"team":     {"create, list, show or rename teams", runTeamCmd},
		"scim":     {"enable or disable SCIM for a team, show its status and activity", runSCIMCmd},
		"key":      {"create, list, regenerate, revoke or delete SCIM API keys", runKeyCmd},
		"member":   {"list members, change a role, remove a member", runMember},
		"invite":   {"invite people by email, list or cancel invitations", runInvite},
		"domain":   {"add, verify, list or remove a team's email domains", runDomain},
		"audit":    {"list or export a team's audit log", runAudit},
		"events":   {"read a team's change feed", runEvents},
		"check":    {"test a SCIM base URL and key the way an IdP does", runCheck},
		"bench":    {"drive a SCIM server with IdP-shaped load and report figures", runBench},
		"seed":     {"load synthetic users and groups for load tests", runSeed},
		"activity": {"a team's recent SCIM requests (same as 'scim activity')", runActivity},
		"backup":   {"online snapshot of a SQLite database", runBackup},
		"restore":  {"restore a SQLite database from a backup", runRestore},
	}
}

// run is the whole program: it parses args, wires the pieces and runs one
// subcommand.
func run(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(stderr, cmds)
		if len(args) == 0 {
			return usageError{"no command given"}
		}
		return nil
	}
	c, ok := cmds[args[0]]
	if !ok {
		printUsage(stderr, cmds)
		return usageError{fmt.Sprintf("unknown command %q", args[0])}
	}
	return c.run(ctx, args[1:], getenv, stdout, stderr)
}

func printUsage(w io.Writer, cmds map[string]command) {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "usage: roster <command> [flags]")
	fmt.Fprintln(w)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'roster <command> -h' for a command's flags.")
}

// newFlags returns a flag set that writes its usage to stderr and returns
// errors instead of exiting.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("roster "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parse parses args, turning flag errors into usage errors and refusing
// stray positional arguments.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", strings.Join(fs.Args(), " "))}
	}
	return nil
}

// envDefault returns getenv(name) or def.
func envDefault(getenv env, name, def string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return def
}

// runActivity is "roster activity ...", the provisioning activity log a
// support engineer asks for first; it is "roster scim activity ...".
func runActivity(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	return runSCIMCmd(ctx, append([]string{"activity"}, args...), getenv, stdout, stderr)
}
