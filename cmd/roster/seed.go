package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/seed"
	"github.com/rosterhq/roster/internal/store"
)

// runSeed loads a synthetic directory for load tests: `roster seed --db
// DSN --team SLUG --users N --groups N --big-group N`.
func runSeed(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := newFlags("seed", stderr)
	db := dbFlag(fs, getenv)
	team := fs.String("team", "load", "team slug (created, with SCIM on, if missing)")
	users := fs.Int("users", 10000, "users to create")
	start := fs.Int("start", 0, "index of the first user (to extend an earlier seed)")
	groups := fs.Int("groups", 1000, "groups to create (including the big group)")
	groupMembers := fs.Int("group-members", 10, "members of each ordinary group")
	big := fs.Int("big-group", 100000, "members of the big group "+`"seed-big"`+" (0: none)")
	batch := fs.Int("batch", 5000, "users per transaction")
	key := fs.Bool("key", false, "also create a SCIM API key for the team and print it on stdout")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *users < 0 || *groups < 0 || *big < 0 || *start < 0 {
		return usageError{"seed: counts must not be negative"}
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	t, err := seedTeam(ctx, st, *team)
	if err != nil {
		return err
	}
	last := time.Now()
	res, err := seed.Run(ctx, st, seed.Config{
		TeamID: t.ID, Start: *start, Users: *users, Groups: *groups, GroupMembers: *groupMembers, BigGroup: *big, Batch: *batch,
		Progress: func(done, total int) {
			if time.Since(last) > time.Second {
				last = time.Now()
				fmt.Fprintf(stderr, "seed: %d/%d rows\n", done, total)
			}
		},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "seeded team %s: %d users, %d groups, %d memberships in %v (%.0f users/s)\n",
		t.Slug, res.Users, res.Groups, res.Memberships, res.Elapsed.Round(time.Millisecond), float64(res.Users)/res.Elapsed.Seconds())
	// Planner statistics for the loaded sizes, before anything is served.
	if a, ok := st.(interface{ Analyze(context.Context) error }); ok {
		began := time.Now()
		if err := a.Analyze(ctx); err != nil {
			return fmt.Errorf("seed: statistics: %w", err)
		}
		fmt.Fprintf(stderr, "seed: planner statistics refreshed in %v\n", time.Since(began).Round(time.Millisecond))
	}
	if *key {
		secret, err := seedKey(ctx, st, t.ID)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, secret)
	}
	return nil
}

// seedTeam returns the team with the slug, creating it with SCIM on.
func seedTeam(ctx context.Context, st store.Store, slug string) (core.Team, error) {
	t, err := st.TeamBySlug(ctx, slug)
	if err == nil || !core.IsKind(err, core.KindNotFound) {
		return t, err
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	t = core.Team{ID: core.NewIDGen(nil, nil)(), Slug: slug, Name: slug, SCIMEnabled: true, CreatedAt: now, UpdatedAt: now}
	return t, st.InTx(ctx, func(tx store.Tx) error { return tx.CreateTeam(ctx, t) })
}

// seedKey stores a new SCIM key for the team and returns its secret.
func seedKey(ctx context.Context, st store.Store, teamID string) (string, error) {
	secret, prefix, hash, err := core.NewKey(core.KeySCIM)
	if err != nil {
		return "", err
	}
	k := core.APIKey{ID: core.NewIDGen(nil, nil)(), TeamID: teamID, Kind: core.KeySCIM, Name: "seed", Prefix: prefix, Hash: hash,
		CreatedAt: time.Now().UTC().Truncate(time.Millisecond), CreatedBy: cliActor}
	return secret, st.InTx(ctx, func(tx store.Tx) error { return tx.CreateKey(ctx, k) })
}
