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

// The traffic figures count every request — recorded in detail, counted
// only, or dropped from a full queue — per team and minute, and a
// successful read is recorded in detail only within the per-key sample.
func TestActivityTrafficAndSample(t *testing.T) {
	st := provisiontest.OpenSQLite(t)
	e := provisiontest.New(t, st)
	other, _ := e.NewTeam(true)
	at := time.Date(2026, time.March, 10, 14, 25, 10, 0, time.UTC)
	svc := provision.New(st, provision.Config{ActivityReadSample: 2, Now: func() time.Time { return at }, Logger: slog.New(slog.DiscardHandler)})

	// The sample: bursts of 4x the rate, then the rate, per key.
	taken := 0
	for range 20 {
		if svc.SampleActivity("k1", at) {
			taken++
		}
	}
	if taken != 8 {
		t.Errorf("a burst of 20 reads: %d sampled, want 8 (4 x 2/s)", taken)
	}
	if !svc.SampleActivity("k2", at) {
		t.Error("another key's first read was not sampled: the sample is per key")
	}
	if svc.SampleActivity("k1", at.Add(400*time.Millisecond)) {
		t.Error("0.4 s later at 2/s, a read was sampled before a token was due")
	}
	later := 0
	for range 5 {
		if svc.SampleActivity("k1", at.Add(time.Second)) {
			later++
		}
	}
	if later != 2 {
		t.Errorf("1 s later at 2/s: %d more reads sampled, want exactly 2", later)
	}

	// The counts: 3 records (one a failure) and 5 reads counted only in
	// 14:25, 2 counted reads in 14:26, and another team's request.
	for i, status := range []int{200, 201, 404} {
		svc.RecordActivity(core.Activity{TeamID: e.Team.ID, At: at.Add(time.Duration(i) * time.Second), Method: "POST", Path: "/scim/v2/Users", Status: status})
	}
	for i := range 5 {
		svc.CountActivity(e.Team.ID, at.Add(time.Duration(i)*time.Second), 200)
	}
	svc.CountActivity(e.Team.ID, at.Add(time.Minute), 200)
	svc.CountActivity(e.Team.ID, at.Add(time.Minute), 304)
	svc.CountActivity(other.ID, at, 500)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := svc.Close(ctx); err != nil {
		t.Fatal(err)
	}
	minute := at.Truncate(time.Minute)
	bounds := []time.Time{minute, minute.Add(time.Minute), minute.Add(2 * time.Minute)}
	got, err := st.ActivityCounts(ctx, e.Team.ID, bounds)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Requests != 8 || got[0].Failures != 1 || got[1].Requests != 2 || got[1].Failures != 0 {
		t.Errorf("traffic = %+v, want 8 requests (1 failure) at 14:25 and 2 (0) at 14:26", got)
	}
	if got, err := st.ActivityCounts(ctx, other.ID, bounds); err != nil || got[0].Requests != 1 || got[0].Failures != 1 {
		t.Errorf("other team's traffic = %+v %v, want its one failed request", got, err)
	}
	if n := len(activityOf(t, st, e.Team.ID)); n != 3 {
		t.Errorf("%d detailed records, want the 3 recorded (counted reads keep no details)", n)
	}
}
