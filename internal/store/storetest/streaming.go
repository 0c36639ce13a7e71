package storetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

// testGroupMembersStreaming: a large group streams completely, in order,
// once per member; the stream stops at the callback's error; and the
// callback may use the store, or the Tx it streams from, for reads and for
// membership writes (the members the Tx removes while streaming are each
// still visited once). A backend that holds one cursor open while it calls
// fn cannot offer that on PostgreSQL (one connection runs one statement at
// a time) and must stream in keyset batches instead.
func testGroupMembersStreaming(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	team := e.addTeam(t, "streaming")
	const n = 1025
	var ms []core.Member
	for i := range n {
		ms = append(ms, e.newMember(team.ID, fmt.Sprintf("streamer%04d", i)))
	}
	e.createMembers(t, ms...)
	g := e.addGroup(t, team.ID, "Large")
	for i := 0; i < n; i += 200 {
		var refs []core.GroupMember
		for _, m := range ms[i:min(i+200, n)] {
			refs = append(refs, userRef(m))
		}
		e.addToGroup(t, team.ID, g.ID, refs...)
	}
	want := sorted(memberIDs(ms))

	t.Run("complete and in order", func(t *testing.T) {
		var streamed []string
		err := s.GroupMembers(ctx, team.ID, g.ID, func(m core.GroupMember) error {
			streamed = append(streamed, m.Value)
			return nil
		})
		checkOK(t, "GroupMembers", err)
		if d := diff(want, streamed); d != "" {
			t.Errorf("GroupMembers of %d members: not each once in id order (-want +got):\n%s", n, d)
		}
		if c := e.mustGroup(t, team.ID, g.ID).MemberCount; c != n {
			t.Errorf("MemberCount = %d, want %d", c, n)
		}
	})

	t.Run("stops at the callback's error", func(t *testing.T) {
		calls := 0
		err := s.GroupMembers(ctx, team.ID, g.ID, func(core.GroupMember) error {
			calls++
			if calls == 1001 {
				return errStop
			}
			return nil
		})
		if !errors.Is(err, errStop) || calls != 1001 {
			t.Errorf("GroupMembers with a callback failing on call 1001: %d calls, returned %v; want 1001 calls and the callback's error", calls, err)
		}
	})

	t.Run("callback reads the store", func(t *testing.T) {
		var streamed []string
		err := s.GroupMembers(ctx, team.ID, g.ID, func(gm core.GroupMember) error {
			streamed = append(streamed, gm.Value)
			if len(streamed)%100 == 1 {
				if _, err := s.Member(ctx, team.ID, gm.Value); err != nil {
					return fmt.Errorf("Store.Member inside the callback: %w", err)
				}
			}
			return nil
		})
		if checkOK(t, "Store.GroupMembers whose callback calls Store.Member", err) {
			if d := diff(want, streamed); d != "" {
				t.Errorf("streamed (-want +got):\n%s", d)
			}
		}
	})

	t.Run("callback uses the Tx", func(t *testing.T) {
		var streamed, removed []string
		err := s.InTx(ctx, func(tx store.Tx) error {
			streamed, removed = nil, nil
			return tx.GroupMembers(ctx, team.ID, g.ID, func(gm core.GroupMember) error {
				streamed = append(streamed, gm.Value)
				if len(streamed)%100 == 1 {
					if _, err := tx.Member(ctx, team.ID, gm.Value); err != nil {
						return fmt.Errorf("Tx.Member inside the callback: %w", err)
					}
				}
				if len(streamed)%50 == 0 {
					if _, err := tx.RemoveGroupMembers(ctx, team.ID, g.ID, []string{gm.Value}); err != nil {
						return fmt.Errorf("Tx.RemoveGroupMembers inside the callback: %w", err)
					}
					removed = append(removed, gm.Value)
				}
				return nil
			})
		})
		if !checkOK(t, "Tx.GroupMembers whose callback calls Tx.Member and Tx.RemoveGroupMembers", err) {
			return
		}
		if d := diff(want, streamed); d != "" {
			t.Errorf("streamed while removing (-want +got):\n%s", d)
		}
		left := values(e.mustGroupMembers(t, team.ID, g.ID))
		if d := diff(minus(want, removed), left); d != "" {
			t.Errorf("members after removing every 50th while streaming (-want +got):\n%s", d)
		}
		if c := e.mustGroup(t, team.ID, g.ID).MemberCount; c != len(left) {
			t.Errorf("MemberCount = %d, want %d", c, len(left))
		}
	})
}
