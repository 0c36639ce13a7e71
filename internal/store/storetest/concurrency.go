package storetest

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/store"
)

// parallel runs fn(0..n-1) in n goroutines released together and returns
// their errors by index.
func parallel(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// testConcurrency: parallel membership changes on one group all land and
// keep MemberCount right; interleaved adds and removes end in the serial
// result; concurrent creates of one userName in different cases yield
// exactly one member.
func testConcurrency(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	team := e.addTeam(t, "concurrency")

	t.Run("50 parallel adds to one group", func(t *testing.T) {
		const n = 50
		var ms []core.Member
		for i := range n {
			ms = append(ms, e.newMember(team.ID, fmt.Sprintf("adder%02d", i)))
		}
		e.createMembers(t, ms...)
		g := e.addGroup(t, team.ID, "Fifty")
		added := make([][]string, n)
		errs := parallel(n, func(i int) error {
			return s.InTx(ctx, func(tx store.Tx) error {
				var err error
				var missing []string
				added[i], missing, err = tx.AddGroupMembers(ctx, team.ID, g.ID, []core.GroupMember{userRef(ms[i])})
				if err == nil && len(missing) > 0 {
					err = fmt.Errorf("member %s reported missing", ms[i].ID)
				}
				return err
			})
		})
		for i, err := range errs {
			if err != nil {
				t.Errorf("AddGroupMembers of %s: %s", ms[i].UserName, describeErr(err))
			} else if d := diff([]string{ms[i].ID}, added[i]); d != "" {
				t.Errorf("AddGroupMembers of %s: added (-want +got):\n%s", ms[i].UserName, d)
			}
		}
		if d := diff(sorted(memberIDs(ms)), values(e.mustGroupMembers(t, team.ID, g.ID))); d != "" {
			t.Errorf("members after %d parallel adds (-want +got):\n%s", n, d)
		}
		if got := e.mustGroup(t, team.ID, g.ID).MemberCount; got != n {
			t.Errorf("MemberCount after %d parallel adds = %d", n, got)
		}
	})

	t.Run("parallel adds of the same member", func(t *testing.T) {
		m := e.addMember(t, team.ID, "same.member")
		g := e.addGroup(t, team.ID, "Same member")
		const n = 10
		added := make([][]string, n)
		errs := parallel(n, func(i int) error {
			return s.InTx(ctx, func(tx store.Tx) error {
				var err error
				added[i], _, err = tx.AddGroupMembers(ctx, team.ID, g.ID, []core.GroupMember{userRef(m)})
				return err
			})
		})
		total := 0
		for i, err := range errs {
			if err != nil {
				t.Errorf("AddGroupMembers #%d: %s", i, describeErr(err))
			}
			total += len(added[i])
		}
		if total != 1 {
			t.Errorf("%d parallel adds of one member reported %d rows added in all, want 1", n, total)
		}
		if got := e.mustGroup(t, team.ID, g.ID).MemberCount; got != 1 {
			t.Errorf("MemberCount = %d, want 1", got)
		}
	})

	t.Run("interleaved adds and removes", func(t *testing.T) {
		// 40 workers, one member each. Members 0..19 start in the group.
		// Worker i runs its own ops in order; different workers touch
		// different members, so every interleaving has one serial result.
		const n = 40
		var ms []core.Member
		for i := range n {
			ms = append(ms, e.newMember(team.ID, fmt.Sprintf("mixer%02d", i)))
		}
		e.createMembers(t, ms...)
		g := e.addGroup(t, team.ID, "Mixed")
		var initial []core.GroupMember
		for _, m := range ms[:20] {
			initial = append(initial, userRef(m))
		}
		e.addToGroup(t, team.ID, g.ID, initial...)
		other := e.addGroup(t, team.ID, "Bystander")
		e.addToGroup(t, team.ID, other.ID, initial...)

		type op struct {
			add bool
			how string // "ids", "where" or "" for adds
		}
		plan := func(i int) []op {
			switch i % 4 {
			case 0: // in the group: remove by id
				return []op{{false, "ids"}}
			case 1: // remove by filter, add back, remove again
				return []op{{false, "where"}, {true, ""}, {false, "ids"}}
			case 2: // add (present or not), remove, add
				return []op{{true, ""}, {false, "ids"}, {true, ""}}
			default: // add twice
				return []op{{true, ""}, {true, ""}}
			}
		}
		want := map[string]bool{}
		for i, m := range ms {
			in := i < 20
			for _, o := range plan(i) {
				in = o.add
			}
			if in {
				want[m.ID] = true
			}
		}
		errs := parallel(n, func(i int) error {
			for _, o := range plan(i) {
				err := s.InTx(ctx, func(tx store.Tx) error {
					var err error
					switch {
					case o.add:
						_, _, err = tx.AddGroupMembers(ctx, team.ID, g.ID, []core.GroupMember{userRef(ms[i])})
					case o.how == "where":
						_, err = tx.RemoveGroupMembersWhere(ctx, team.ID, g.ID, eqStr("value", ms[i].ID))
					default:
						_, err = tx.RemoveGroupMembers(ctx, team.ID, g.ID, []string{ms[i].ID})
					}
					return err
				})
				if err != nil {
					return err
				}
			}
			return nil
		})
		for i, err := range errs {
			if err != nil {
				t.Errorf("worker %d: %s", i, describeErr(err))
			}
		}
		var wantIDs []string
		for id := range want {
			wantIDs = append(wantIDs, id)
		}
		if d := diff(sorted(wantIDs), values(e.mustGroupMembers(t, team.ID, g.ID))); d != "" {
			t.Errorf("members after interleaved adds and removes differ from the serial result (-want +got):\n%s", d)
		}
		if got := e.mustGroup(t, team.ID, g.ID).MemberCount; got != len(wantIDs) {
			t.Errorf("MemberCount after interleaved adds and removes = %d, want %d", got, len(wantIDs))
		}
		if got := e.mustGroup(t, team.ID, other.ID).MemberCount; got != 20 {
			t.Errorf("the bystander group's MemberCount = %d, want 20", got)
		}
	})

	t.Run("20 parallel creates of one userName", func(t *testing.T) {
		const n = 20
		var ms []core.Member
		seen := map[string]bool{}
		for k := 0; len(ms) < n; k++ {
			name := mixCase("dup.licate@example.com", k*40503)
			if seen[name] {
				continue
			}
			seen[name] = true
			ms = append(ms, e.newMember(team.ID, name))
		}
		// Accounts first, so that only the userName can clash.
		e.tx(t, "CreateAccount", func(tx store.Tx) error {
			for _, m := range ms {
				if err := tx.CreateAccount(ctx, accountOf(m)); err != nil {
					return err
				}
			}
			return nil
		})
		errs := parallel(n, func(i int) error {
			return s.InTx(ctx, func(tx store.Tx) error { return tx.CreateMember(ctx, ms[i]) })
		})
		var winners []string
		for i, err := range errs {
			if err == nil {
				winners = append(winners, ms[i].UserName)
				continue
			}
			checkErr(t, "losing CreateMember "+ms[i].UserName, err, core.KindConflict, scim.ErrUniqueness)
		}
		if len(winners) != 1 {
			t.Fatalf("%d of %d parallel creates of one userName succeeded (%v), want exactly 1", len(winners), n, winners)
		}
		p, err := s.Members(ctx, team.ID, store.Query{Filter: eqStr("userName", strings.ToUpper(winners[0])), Count: 100})
		if checkOK(t, "Members(userName eq)", err) && (len(p.Items) != 1 || p.Items[0].UserName != winners[0]) {
			t.Errorf("after the race: members named %q = %v, want the one winner %q", "DUP.LICATE@EXAMPLE.COM", userNamesOf(p.Items, memberIDs(p.Items)), winners[0])
		}
	})

	t.Run("parallel updates with one prevVersion", func(t *testing.T) {
		m := e.addMember(t, team.ID, "contended")
		g := e.addGroup(t, team.ID, "Contended")
		const n = 10
		errs := parallel(2*n, func(i int) error {
			return s.InTx(ctx, func(tx store.Tx) error {
				if i%2 == 0 {
					u := m
					u.Version, u.UserName = 2, fmt.Sprintf("contended.%d", i)
					u.Doc = map[string]any{"userName": u.UserName}
					return tx.UpdateMember(ctx, u, 1)
				}
				u := g
				u.Version, u.DisplayName = 2, fmt.Sprintf("Contended %d", i)
				return tx.UpdateGroup(ctx, u, 1)
			})
		})
		wins := map[string]int{}
		for i, err := range errs {
			what := "UpdateMember"
			if i%2 == 1 {
				what = "UpdateGroup"
			}
			if err == nil {
				wins[what]++
				continue
			}
			checkErr(t, "losing "+what+" with a stale prevVersion", err, core.KindPrecondition, "")
		}
		if wins["UpdateMember"] != 1 || wins["UpdateGroup"] != 1 {
			t.Errorf("%d parallel UpdateMember and UpdateGroup each with prevVersion 1: %d and %d succeeded, want exactly 1 each (no lost update)",
				n, wins["UpdateMember"], wins["UpdateGroup"])
		}
		if got := e.mustMember(t, team.ID, m.ID); got.Version != 2 {
			t.Errorf("member version after the race = %d, want 2", got.Version)
		}
	})

	t.Run("parallel renames onto one userName", func(t *testing.T) {
		const n = 10
		var ms []core.Member
		for i := range n {
			ms = append(ms, e.newMember(team.ID, fmt.Sprintf("renamer%02d", i)))
		}
		e.createMembers(t, ms...)
		errs := parallel(n, func(i int) error {
			return s.InTx(ctx, func(tx store.Tx) error {
				u := ms[i]
				u.UserName, u.Version = mixCase("rename.target", i*7), 2
				return tx.UpdateMember(ctx, u, 1)
			})
		})
		wins := 0
		for i, err := range errs {
			if err == nil {
				wins++
				continue
			}
			checkErr(t, "losing rename "+ms[i].UserName, err, core.KindConflict, scim.ErrUniqueness)
		}
		if wins != 1 {
			t.Errorf("%d parallel renames onto one userName: %d succeeded, want exactly 1", n, wins)
		}
	})

	t.Run("membership adds racing deletes", func(t *testing.T) {
		// AddGroupMembers of a member (or nested group) while another
		// transaction deletes that member (or group): whichever order they
		// serialise in, no membership row may outlive its member, and
		// MemberCount must match the rows (checkInvariants checks both at
		// the end; this checks each round).
		const rounds = 12
		parent := e.addGroup(t, team.ID, "Race parent")
		for r := range rounds {
			m := e.addMember(t, team.ID, fmt.Sprintf("racer%02d", r))
			child := e.addGroup(t, team.ID, fmt.Sprintf("Race child %02d", r))
			errs := parallel(4, func(i int) error {
				return s.InTx(ctx, func(tx store.Tx) error {
					switch i {
					case 0:
						_, _, err := tx.AddGroupMembers(ctx, team.ID, parent.ID, []core.GroupMember{userRef(m)})
						return err
					case 1:
						return tx.DeleteMember(ctx, team.ID, m.ID)
					case 2:
						_, _, err := tx.AddGroupMembers(ctx, team.ID, parent.ID, []core.GroupMember{groupRef(child)})
						return err
					default:
						return tx.DeleteGroup(ctx, team.ID, child.ID)
					}
				})
			})
			for i, err := range errs {
				checkOK(t, fmt.Sprintf("round %d, op %d", r, i), err)
			}
			got := e.mustGroupMembers(t, team.ID, parent.ID)
			for _, gm := range got {
				if gm.Value == m.ID || gm.Value == child.ID {
					t.Errorf("round %d: group still lists deleted %s %s after an add raced its deletion", r, gm.Type, gm.Value)
				}
			}
			if c := e.mustGroup(t, team.ID, parent.ID).MemberCount; c != len(got) {
				t.Errorf("round %d: MemberCount %d, %d rows", r, c, len(got))
			}
		}
	})
}
