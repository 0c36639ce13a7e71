package sqlite

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

// groupBench is a team with a group of big members and extra members who
// are not in it. inCall sums the time spent inside the store call, apart
// from the transaction's BEGIN/COMMIT (and fsync).
type groupBench struct {
	s      *Store
	teamID string
	group  string
	extra  []core.GroupMember
	inCall *time.Duration
}

// newGroupBench opens a durable store (the defaults: synchronous=FULL,
// group commit) holding a team with big+extra members and one group of
// the first big.
func newGroupBench(b *testing.B, big, extra int) groupBench {
	b.Helper()
	ctx := context.Background()
	s, err := Open(ctx, b.TempDir()+"/bench.db")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	team := newTeam("gm")
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	g := core.Group{ID: "g-big", TeamID: team.ID, DisplayName: "big", Version: 1, CreatedAt: now, UpdatedAt: now,
		Doc: map[string]any{"displayName": "big"}}
	var in, out []core.GroupMember
	err = s.InTx(ctx, func(tx store.Tx) error {
		if err := tx.CreateTeam(ctx, team); err != nil {
			return err
		}
		for i := range big + extra {
			name := fmt.Sprintf("user%07d@bench.example", i)
			a := core.Account{ID: fmt.Sprintf("a%07d", i), Email: name, DisplayName: name, Status: "active", CreatedAt: now, UpdatedAt: now}
			m := core.Member{ID: fmt.Sprintf("m%07d", i), TeamID: team.ID, AccountID: a.ID, UserName: name, Email: name,
				Active: true, Status: core.StatusActive, Role: core.RoleDeveloper, SCIMManaged: true, Version: 1,
				CreatedAt: now, UpdatedAt: now, Doc: map[string]any{"userName": name}}
			if err := tx.CreateAccount(ctx, a); err != nil {
				return err
			}
			if err := tx.CreateMember(ctx, m); err != nil {
				return err
			}
			gm := core.GroupMember{Value: m.ID, Type: "User", Display: name}
			if i < big {
				in = append(in, gm)
			} else {
				out = append(out, gm)
			}
		}
		if err := tx.CreateGroup(ctx, g); err != nil {
			return err
		}
		added, missing, err := tx.AddGroupMembers(ctx, team.ID, g.ID, in)
		if err == nil && (len(added) != big || len(missing) > 0) {
			err = fmt.Errorf("seeded %d members, %d missing", len(added), len(missing))
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return groupBench{s: s, teamID: team.ID, group: g.ID, extra: out, inCall: new(time.Duration)}
}

func (gb groupBench) add(b *testing.B) {
	ctx := context.Background()
	err := gb.s.InTx(ctx, func(tx store.Tx) error {
		start := time.Now()
		added, missing, err := tx.AddGroupMembers(ctx, gb.teamID, gb.group, gb.extra)
		*gb.inCall += time.Since(start)
		if err == nil && (len(added) != len(gb.extra) || len(missing) > 0) {
			err = fmt.Errorf("added %d of %d, %d missing", len(added), len(gb.extra), len(missing))
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
}

func (gb groupBench) remove(b *testing.B) {
	ctx := context.Background()
	ids := make([]string, len(gb.extra))
	for i, m := range gb.extra {
		ids[i] = m.Value
	}
	err := gb.s.InTx(ctx, func(tx store.Tx) error {
		start := time.Now()
		removed, err := tx.RemoveGroupMembers(ctx, gb.teamID, gb.group, ids)
		*gb.inCall += time.Since(start)
		if err == nil && len(removed) != len(ids) {
			err = fmt.Errorf("removed %d of %d", len(removed), len(ids))
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkAddGroupMembers100 measures one durable transaction that adds
// 100 members to a group of 10k (Okta's PATCH of 100). The members are
// removed again, untimed, after each one. µs-in-call/op is the part spent
// in AddGroupMembers itself; the rest is the transaction and its fsync.
//
//	go test -run '^$' -bench GroupMembers -benchtime 200x ./internal/store/sqlite/
func BenchmarkAddGroupMembers100(b *testing.B) {
	gb := newGroupBench(b, 10000, 100)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		gb.add(b)
		b.StopTimer()
		in := *gb.inCall
		gb.remove(b)
		*gb.inCall = in
		b.StartTimer()
	}
	b.ReportMetric(float64(gb.inCall.Microseconds())/float64(b.N), "µs-in-call/op")
}

// BenchmarkRemoveGroupMembers100 measures one durable transaction that
// removes 100 members from a group of 10k+100. They are added back,
// untimed, after each one.
func BenchmarkRemoveGroupMembers100(b *testing.B) {
	gb := newGroupBench(b, 10000, 100)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		in := *gb.inCall
		gb.add(b)
		*gb.inCall = in
		b.StartTimer()
		gb.remove(b)
	}
	b.ReportMetric(float64(gb.inCall.Microseconds())/float64(b.N), "µs-in-call/op")
}
