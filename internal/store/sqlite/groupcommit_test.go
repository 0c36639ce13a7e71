package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
	"github.com/rosterhq/roster/internal/store/sqlstore"
)

// newTeam returns a team with the given slug.
func newTeam(slug string) core.Team {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return core.Team{ID: "t-" + slug, Slug: slug, Name: slug, CreatedAt: now, UpdatedAt: now}
}

// teamExists reports whether the reader pool sees the team (committed
// data only).
func teamExists(t *testing.T, s store.Reader, slug string) bool {
	t.Helper()
	_, err := s.TeamBySlug(context.Background(), slug)
	if core.IsKind(err, core.KindNotFound) {
		return false
	}
	if err != nil {
		t.Fatalf("TeamBySlug(%s): %v", slug, err)
	}
	return true
}

// holdWriter starts an InTx whose fn writes a team and then blocks until
// release is closed, so that the calls made meanwhile queue up behind it
// and join its batch. It returns the InTx result channel.
func holdWriter(t *testing.T, s *Store, slug string, entered chan<- struct{}, release <-chan struct{}) <-chan error {
	t.Helper()
	res := make(chan error, 1)
	go func() {
		res <- s.InTx(context.Background(), func(tx store.Tx) error {
			if err := tx.CreateTeam(context.Background(), newTeam(slug)); err != nil {
				return err
			}
			close(entered)
			<-release
			return nil
		})
	}()
	return res
}

// TestGroupCommitIsolatesFailures: a batch with failing and panicking
// calls commits its neighbours' writes and undoes only the failures'.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	entered, release := make(chan struct{}), make(chan struct{})
	first := holdWriter(t, s, "first", entered, release)
	<-entered

	const n = 12
	errFn := errors.New("fn failed on purpose")
	var wg sync.WaitGroup
	results := make([]error, n)
	panics := make([]any, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { panics[i] = recover() }()
			results[i] = s.InTx(ctx, func(tx store.Tx) error {
				if err := tx.CreateTeam(ctx, newTeam(fmt.Sprintf("w%d", i))); err != nil {
					return err
				}
				switch i % 4 {
				case 1: // fails after writing
					return errFn
				case 2: // a constraint violation after writing
					return tx.CreateTeam(ctx, newTeam("first"))
				case 3:
					if i == 3 {
						panic("boom")
					}
				}
				return nil
			})
		}()
	}
	time.Sleep(150 * time.Millisecond) // let the writers queue behind the held batch
	before := s.TxStats()
	close(release)
	if err := <-first; err != nil {
		t.Fatalf("held call: %v", err)
	}
	wg.Wait()

	for i := range n {
		slug := fmt.Sprintf("w%d", i)
		switch {
		case i%4 == 1:
			if !errors.Is(results[i], errFn) {
				t.Errorf("call %d: %v, want its own error", i, results[i])
			}
			if teamExists(t, s, slug) {
				t.Errorf("call %d failed but its write was committed", i)
			}
		case i%4 == 2:
			if !core.IsKind(results[i], core.KindConflict) {
				t.Errorf("call %d: %v, want KindConflict", i, results[i])
			}
			if teamExists(t, s, slug) {
				t.Errorf("call %d failed but its write was committed", i)
			}
		case i == 3:
			if panics[i] != "boom" {
				t.Errorf("call %d: panic %v, want it re-raised in the caller", i, panics[i])
			}
			if teamExists(t, s, slug) {
				t.Errorf("call %d panicked but its write was committed", i)
			}
		default:
			if results[i] != nil || panics[i] != nil {
				t.Errorf("call %d: %v %v, want success", i, results[i], panics[i])
			}
			if !teamExists(t, s, slug) {
				t.Errorf("call %d succeeded but its write is missing", i)
			}
		}
	}
	if !teamExists(t, s, "first") {
		t.Error("the held call's write is missing")
	}
	after := s.TxStats()
	if got := after.Commits - before.Commits; got >= n {
		t.Errorf("%d commits for %d queued calls: no batching", got, n)
	}
}

// TestGroupCommitDurableOnlyAfterCommit: a call's writes are invisible to
// other connections, and the call has not returned, until the batch
// commits; after Close and reopen they are there.
func TestGroupCommitDurableOnlyAfterCommit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "roster.db")
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	entered, release := make(chan struct{}), make(chan struct{})
	first := holdWriter(t, s, "first", entered, release)
	<-entered

	// A second call joins the batch and writes; it must not return while
	// the batch is open.
	second := make(chan error, 1)
	go func() {
		second <- s.InTx(ctx, func(tx store.Tx) error { return tx.CreateTeam(ctx, newTeam("second")) })
	}()
	time.Sleep(100 * time.Millisecond)
	select {
	case err := <-second:
		t.Fatalf("second call returned (%v) before the batch committed", err)
	default:
	}
	if teamExists(t, s, "first") {
		t.Fatal("an uncommitted write is visible to readers")
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	if !teamExists(t, s, "first") || !teamExists(t, s, "second") {
		t.Fatal("committed writes are not visible")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.InTx(ctx, func(store.Tx) error { return nil }); !errors.Is(err, sqlstore.ErrClosed) {
		t.Errorf("InTx after Close: %v, want ErrClosed", err)
	}
	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if !teamExists(t, s2, "first") || !teamExists(t, s2, "second") {
		t.Fatal("writes acknowledged before Close are missing after reopen")
	}
}

// TestGroupCommitConcurrentWriters: N concurrent writers all commit, with
// fewer COMMITs than writers.
func TestGroupCommitConcurrentWriters(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	const writers, each = 16, 20
	before := s.TxStats()
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				errs <- s.InTx(ctx, func(tx store.Tx) error {
					return tx.CreateTeam(ctx, newTeam(fmt.Sprintf("c%d-%d", w, i)))
				})
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	teams, err := s.Teams(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(teams) != writers*each {
		t.Fatalf("%d teams committed, want %d", len(teams), writers*each)
	}
	st := s.TxStats()
	txs, commits := st.Txs-before.Txs, st.Commits-before.Commits
	if txs != writers*each {
		t.Errorf("TxStats counted %d committed calls, want %d", txs, writers*each)
	}
	if commits >= txs {
		t.Errorf("%d commits for %d concurrent calls: no group commit", commits, txs)
	}
	t.Logf("%d calls, %d commits, %d batches", txs, commits, st.Batches-before.Batches)
}

// TestGroupCommitCancelledBeforeStart: a call whose context is already
// done never runs.
func TestGroupCommitCancelledBeforeStart(t *testing.T) {
	s := openTemp(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	err := s.InTx(ctx, func(store.Tx) error { ran = true; return nil })
	if !errors.Is(err, context.Canceled) || ran {
		t.Fatalf("InTx with a cancelled context: %v (ran %v)", err, ran)
	}
}
