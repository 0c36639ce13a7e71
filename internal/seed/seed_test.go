package seed_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/loadgen"
	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/scim/filter"
	"github.com/rosterhq/roster/internal/seed"
	"github.com/rosterhq/roster/internal/store"
	"github.com/rosterhq/roster/internal/store/sqlite"
)

func openTeam(t *testing.T) (*sqlite.Store, string) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "seed.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Now().UTC().Truncate(time.Millisecond)
	team := core.Team{ID: "team-1", Slug: "load", Name: "load", SCIMEnabled: true, CreatedAt: now, UpdatedAt: now}
	if err := st.InTx(ctx, func(tx store.Tx) error { return tx.CreateTeam(ctx, team) }); err != nil {
		t.Fatal(err)
	}
	return st, team.ID
}

// TestSeed: the counts, the naming the load generator relies on, and the
// big group's size.
func TestSeed(t *testing.T) {
	ctx := context.Background()
	st, teamID := openTeam(t)
	n := 2500
	if v := os.Getenv("ROSTER_SEED_USERS"); v != "" { // a manual speed check
		n, _ = strconv.Atoi(v)
	}
	res, err := seed.Run(ctx, st, seed.Config{TeamID: teamID, Users: n, Groups: 5, GroupMembers: 10, BigGroup: 2000, Batch: 1000})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d users, %d groups, %d memberships in %v (%.0f users/s)", res.Users, res.Groups, res.Memberships, res.Elapsed, float64(res.Users)/res.Elapsed.Seconds())
	if res.Users != n || res.Groups != 5 || res.Memberships != 4*10+2000 {
		t.Fatalf("result %+v", res)
	}
	page, err := st.Members(ctx, teamID, store.Query{Count: 0})
	if err != nil || page.Total != n {
		t.Fatalf("team has %d members (%v), want %d", page.Total, err, n)
	}
	f := &filter.Compare{Path: scim.AttrPath{Name: "userName"}, Op: filter.OpEq, Value: filter.Value{Kind: filter.KindString, Str: loadgen.UserName(n - 1)}}
	page, err = st.Members(ctx, teamID, store.Query{Filter: f, Count: 10})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("filter for the last seeded user: %v %v", page.Items, err)
	}
	gf := &filter.Compare{Path: scim.AttrPath{Name: "displayName"}, Op: filter.OpEq, Value: filter.Value{Kind: filter.KindString, Str: loadgen.BigGroupName}}
	gp, err := st.Groups(ctx, teamID, store.Query{Filter: gf, Count: 10})
	if err != nil || len(gp.Items) != 1 {
		t.Fatalf("big group: %v %v", gp.Items, err)
	}
	count := 0
	if err := st.GroupMembers(ctx, teamID, gp.Items[0].ID, func(core.GroupMember) error { count++; return nil }); err != nil {
		t.Fatal(err)
	}
	if count != 2000 {
		t.Fatalf("big group has %d members, want 2000", count)
	}
	// A second seed with the same indexes collides; a later range does not.
	if _, err := seed.Run(ctx, st, seed.Config{TeamID: teamID, Start: 0, Users: 10}); !core.IsKind(err, core.KindConflict) {
		t.Errorf("re-seeding the same users: %v, want a conflict", err)
	}
	if _, err := seed.Run(ctx, st, seed.Config{TeamID: teamID, Start: n, Users: 10}); err != nil {
		t.Errorf("extending the seed: %v", err)
	}
}
