package provision_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/provision"
	"github.com/rosterhq/roster/internal/provision/provisiontest"
	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/store"
)

// seedMembers inserts n members straight through the store, 1,000 per
// transaction, so a benchmark starts in seconds.
func seedMembers(b *testing.B, st store.Store, teamID string, n int) {
	b.Helper()
	ctx := context.Background()
	gen := core.NewIDGen(nil, nil)
	now := time.Now().UTC().Truncate(time.Millisecond)
	for done := 0; done < n; {
		batch := min(1000, n-done)
		err := st.InTx(ctx, func(tx store.Tx) error {
			for i := range batch {
				email := fmt.Sprintf("user%07d@bench.example", done+i)
				acc := core.Account{ID: gen(), Email: email, Status: "active", CreatedAt: now, UpdatedAt: now}
				if err := tx.CreateAccount(ctx, acc); err != nil {
					return err
				}
				m := core.Member{
					ID: gen(), TeamID: teamID, AccountID: acc.ID, UserName: email, Email: email,
					Active: true, Status: core.StatusActive, Role: core.RoleDeveloper, SCIMManaged: true,
					Doc:     map[string]any{"userName": email, "name": map[string]any{"givenName": "U", "familyName": fmt.Sprint(done + i)}},
					Version: 1, CreatedAt: now, UpdatedAt: now,
				}
				if err := tx.CreateMember(ctx, m); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		done += batch
	}
}

// BenchmarkIndexPaging measures one startIndex/count=100 page of an
// unfiltered user list at the start and deep in a 20,000-user team, the
// way an IdP import walks it (each page continues the previous one, so the
// page cache turns startIndex into keyset paging). The "deep" figure should
// match "first"; "deep-cold" is a jump to the same position with no
// preceding page (OFFSET), for comparison.
//
//	go test -run '^$' -bench BenchmarkIndexPaging -benchtime 200x ./internal/provision/
func BenchmarkIndexPaging(b *testing.B) {
	const users, count = 20000, 100
	st := provisiontest.OpenSQLite(b)
	env := provisiontest.New(b, st)
	seedMembers(b, st, env.Team.ID, users)
	svc := provision.New(st, provision.Config{Quirks: scim.DefaultQuirks()})
	ctx := context.Background()
	caller, err := svc.Authenticate(ctx, "Bearer "+env.Key)
	if err != nil {
		b.Fatal(err)
	}
	page := func(start int) {
		n := count
		l, err := svc.ListUsers(ctx, caller, scim.SearchRequest{StartIndex: &start, Count: &n})
		if err != nil {
			b.Fatal(err)
		}
		if l == nil {
			b.Fatal("nil list")
		}
	}
	deep := users - 2*count + 1
	b.Run("first", func(b *testing.B) {
		for b.Loop() {
			page(1)
		}
	})
	b.Run("deep", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			page(deep - count) // the previous page, as an IdP walk would have fetched
			b.StartTimer()
			page(deep)
		}
	})
	b.Run("deep-cold", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			page(deep - 7*(i%5)) // positions no page ended at: OFFSET
		}
	})
}
