package provision_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/provision"
	"github.com/rosterhq/roster/internal/provision/provisiontest"
	"github.com/rosterhq/roster/internal/store"
)

// blockingStore holds every write transaction until release is closed.
type blockingStore struct {
	store.Store
	entered chan struct{}
	release chan struct{}
}

func (b *blockingStore) InTx(ctx context.Context, fn func(store.Tx) error) error {
	select {
	case b.entered <- struct{}{}:
	default:
	}
	<-b.release
	return b.Store.InTx(ctx, fn)
}

func activityOf(t *testing.T, st store.Store, teamID string) []core.Activity {
	t.Helper()
	as, err := st.Activity(context.Background(), teamID, store.ActivityQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return as
}

// A full queue drops records, counts them and never blocks the caller,
// even while the writer is stuck in the database; Close then writes what
// was queued.
func TestActivityFullQueueDropsWithoutBlocking(t *testing.T) {
	base := provisiontest.OpenSQLite(t)
	e := provisiontest.New(t, base)
	bs := &blockingStore{Store: base, entered: make(chan struct{}, 1), release: make(chan struct{})}
	svc := provision.New(bs, provision.Config{ActivityQueue: 10, Logger: slog.New(slog.DiscardHandler)})

	rec := func(i int) {
		svc.RecordActivity(core.Activity{TeamID: e.Team.ID, Method: "GET", Path: "/scim/v2/Users", Status: 200 + i%2})
	}
	// Let the writer take a first record and block in its transaction.
	rec(0)
	select {
	case <-bs.entered:
	case <-time.After(5 * time.Second):
		t.Fatal("the writer did not start a transaction")
	}
	start := time.Now()
	for i := range 10_000 {
		rec(i)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("10,000 records into a full queue took %v", d)
	}
	dropped := svc.ActivityDropped()
	if dropped < 10_000-10 || dropped > 10_000 {
		t.Errorf("dropped = %d, want about 9,990", dropped)
	}
	close(bs.release)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := svc.Close(ctx); err != nil {
		t.Fatal(err)
	}
	got := activityOf(t, base, e.Team.ID)
	if want := 1 + 10_000 - int(dropped); len(got) != want {
		t.Errorf("stored %d records, want %d", len(got), want)
	}
	if err := svc.Close(ctx); err != nil { // idempotent
		t.Fatal(err)
	}
}

// Close writes the queued records at once (no waiting for a tick), fills
// in id and time, and keeps each team's records apart.
func TestActivityCloseFlushes(t *testing.T) {
	st := provisiontest.OpenSQLite(t)
	e := provisiontest.New(t, st)
	other, _ := e.NewTeam(true)
	svc := provision.New(st, provision.Config{Logger: slog.New(slog.DiscardHandler)})
	for i := range 250 {
		team := e.Team.ID
		if i%5 == 0 {
			team = other.ID
		}
		svc.RecordActivity(core.Activity{TeamID: team, KeyID: "k", Method: "POST", Path: "/scim/v2/Users", Status: 409, SCIMType: "uniqueness"})
	}
	svc.RecordActivity(core.Activity{Method: "GET"}) // no team: ignored
	if err := svc.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	mine, theirs := activityOf(t, st, e.Team.ID), activityOf(t, st, other.ID)
	if len(mine) != 200 || len(theirs) != 50 {
		t.Fatalf("stored %d and %d records, want 200 and 50", len(mine), len(theirs))
	}
	for _, a := range append(mine, theirs...) {
		if a.ID == "" || a.At.IsZero() || a.Status != 409 || a.SCIMType != "uniqueness" {
			t.Fatalf("record = %+v", a)
		}
	}
	if svc.ActivityDropped() != 0 {
		t.Errorf("dropped = %d", svc.ActivityDropped())
	}
}

// A negative ActivityKeep turns recording off; a Service that never
// recorded closes at once.
func TestActivityDisabled(t *testing.T) {
	st := provisiontest.OpenSQLite(t)
	e := provisiontest.New(t, st)
	svc := provision.New(st, provision.Config{ActivityKeep: -1, Logger: slog.New(slog.DiscardHandler)})
	if svc.ActivityEnabled() {
		t.Fatal("enabled with ActivityKeep -1")
	}
	svc.RecordActivity(core.Activity{TeamID: e.Team.ID, Method: "GET"})
	if err := svc.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := activityOf(t, st, e.Team.ID); len(got) != 0 {
		t.Errorf("stored %d records with recording off", len(got))
	}
	if !provision.New(st, provision.Config{}).ActivityEnabled() {
		t.Error("disabled by default")
	}
}
