package provision

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/provision/provisiontest"
	"github.com/rosterhq/roster/internal/store"
)

// Pruning keeps the newest ActivityKeep records of each team and none
// older than ActivityRetention; the first prune covers every team.
func TestActivityPrune(t *testing.T) {
	ctx := context.Background()
	st := provisiontest.OpenSQLite(t)
	e := provisiontest.New(t, st)
	other, _ := e.NewTeam(true)
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	at := now.Add(-10 * 24 * time.Hour)
	ids := core.NewIDGen(func() time.Time { return at }, nil)
	var as []core.Activity
	for range 10 { // one a day, from 10 days ago to 1 day ago
		for _, team := range []string{e.Team.ID, other.ID} {
			as = append(as, core.Activity{ID: ids(), TeamID: team, At: at, Method: "GET", Path: "/scim/v2/Users", Status: 200})
		}
		at = at.Add(24 * time.Hour)
	}
	if err := st.InTx(ctx, func(tx store.Tx) error { return tx.AppendActivity(ctx, as) }); err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return now }
	l := newActivityLog(Config{Now: clock, ActivityKeep: 3, ActivityRetention: 30 * 24 * time.Hour})
	w := &activityWriter{l: l, st: st, log: slog.New(slog.DiscardHandler), now: clock, teams: map[string]struct{}{}, allTeams: true}
	w.prune(ctx)
	for _, team := range []string{e.Team.ID, other.ID} {
		got, err := st.Activity(ctx, team, store.ActivityQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 {
			t.Errorf("team %s kept %d records, want 3 (ActivityKeep)", team, len(got))
		}
	}
	// A retention of 36 hours keeps only the record of a day ago.
	l.retention = 36 * time.Hour
	w.teams[e.Team.ID] = struct{}{}
	w.prune(ctx)
	got, _ := st.Activity(ctx, e.Team.ID, store.ActivityQuery{})
	if len(got) != 1 || !got[0].At.Equal(now.Add(-24*time.Hour)) {
		t.Errorf("after a 36-hour retention: %+v", got)
	}
	if theirs, _ := st.Activity(ctx, other.ID, store.ActivityQuery{}); len(theirs) != 3 {
		t.Errorf("the other team (no new activity) was pruned: %d left", len(theirs))
	}
}
