package sqlite

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

// TestStmtCacheNoPoolDeadlock: list reads run in a read transaction that
// holds a pool connection; caching their statements must never wait for a
// second connection (a fresh store with one reader and concurrent lists
// used to hang until the request's context ended).
func TestStmtCacheNoPoolDeadlock(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "roster.db"), WithReaders(1))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	team := newTeam("cache")
	now := team.CreatedAt
	err = s.InTx(ctx, func(tx store.Tx) error {
		if err := tx.CreateTeam(ctx, team); err != nil {
			return err
		}
		a := core.Account{ID: "a1", Email: "a@x.example", Status: "active", CreatedAt: now, UpdatedAt: now}
		if err := tx.CreateAccount(ctx, a); err != nil {
			return err
		}
		return tx.CreateMember(ctx, core.Member{ID: "m1", TeamID: team.ID, AccountID: "a1", UserName: "a@x.example", Email: "a@x.example",
			Active: true, Status: core.StatusActive, Role: core.RoleDeveloper, Version: 1, CreatedAt: now, UpdatedAt: now})
	})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				p, err := s.Members(ctx, team.ID, store.Query{Count: 10}) // page and total: a read transaction
				if err != nil {
					t.Error(err)
					return
				}
				if p.Total != 1 || len(p.Items) != 1 {
					t.Errorf("page %+v", p)
					return
				}
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		t.Fatal("reads hung: the statement cache waited for a pool connection")
	}
}
