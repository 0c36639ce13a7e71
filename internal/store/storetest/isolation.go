package storetest

import (
	"context"
	"reflect"
	"sort"
	"testing"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

// teamState is everything the store holds for one team, as its Reader
// methods show it.
type teamState struct {
	Team         core.Team
	Members      []core.Member
	MemberGroups map[string][]core.GroupRef
	Groups       []core.Group
	GroupMembers map[string][]core.GroupMember
	Keys         map[core.KeyKind][]core.APIKey
	Domains      map[string]bool
	Accounts     map[string]core.Account
	Admin        adminState
}

// snapshot reads a team's state; domains lists the domain names to probe.
func snapshot(ctx context.Context, t *testing.T, r store.Reader, teamID string, domains []string) teamState {
	t.Helper()
	st := teamState{
		MemberGroups: map[string][]core.GroupRef{},
		GroupMembers: map[string][]core.GroupMember{},
		Keys:         map[core.KeyKind][]core.APIKey{},
		Domains:      map[string]bool{},
		Accounts:     map[string]core.Account{},
	}
	fail := func(what string, err error) {
		t.Helper()
		t.Fatalf("snapshot of team %s: %s: %s", teamID, what, describeErr(err))
	}
	var err error
	if st.Team, err = r.Team(ctx, teamID); err != nil {
		fail("Team", err)
	}
	if st.Members, err = allMembers(ctx, r, teamID); err != nil {
		fail("Members", err)
	}
	for _, m := range st.Members {
		if st.MemberGroups[m.ID], err = r.MemberGroups(ctx, teamID, m.ID); err != nil {
			fail("MemberGroups", err)
		}
		if st.Accounts[m.AccountID], err = r.Account(ctx, m.AccountID); err != nil {
			fail("Account", err)
		}
	}
	if st.Groups, err = allGroups(ctx, r, teamID); err != nil {
		fail("Groups", err)
	}
	for _, g := range st.Groups {
		if st.GroupMembers[g.ID], err = groupMembers(ctx, r, teamID, g.ID); err != nil {
			fail("GroupMembers", err)
		}
	}
	for _, kind := range []core.KeyKind{core.KeySCIM, core.KeyPersonal} {
		if st.Keys[kind], err = r.Keys(ctx, teamID, kind); err != nil {
			fail("Keys", err)
		}
	}
	for _, d := range domains {
		if st.Domains[d], err = r.DomainVerified(ctx, teamID, d); err != nil {
			fail("DomainVerified", err)
		}
	}
	st.Admin = snapshotAdmin(ctx, t, r, teamID, st.Members)
	return st
}

// outcome is a call's result for "same as an unknown id" comparisons.
type outcome struct {
	Err string
	Val any
}

func out(val any, err error) outcome { return outcome{Err: errKey(err), Val: val} }

// sameAsUnknown requires the call with another team's id (cross) to behave
// exactly like the call with an unknown id.
func sameAsUnknown(t *testing.T, what string, cross, unknown outcome) {
	t.Helper()
	if d := diff(unknown, cross); d != "" {
		t.Errorf("%s: another team's id must behave like an unknown id (-unknown id +other team's id):\n%s", what, d)
	}
}

// isoProbe exercises one store method across teams.
type isoProbe struct {
	method string // the store.Reader or store.Tx method covered
	name   string
	// read probes run on the Store and inside a Tx.
	read func(t *testing.T, r store.Reader)
	// write probes run inside a Tx that commits even when the method
	// fails, so that a method that writes and then reports "not found"
	// is caught.
	write func(t *testing.T)
	// changesB is set when the probe legitimately changes team B (team A
	// must never change).
	changesB bool
}

// testIsolation: for every Reader and Tx method, the call made with team
// B's id and team A's ids (or data) sees nothing of A and changes nothing of
// A; it behaves exactly as with an unknown id. A reflection check makes
// sure every method of store.Tx (which includes store.Reader) has a probe.
func testIsolation(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	a := e.addTeam(t, "alpha")
	b := e.addTeam(t, "beta")

	a1 := e.newMember(a.ID, "shared.name")
	a1.ExternalID = "ext-a1"
	a2 := e.newMember(a.ID, "alpha.two")
	a3 := e.newMember(a.ID, "alpha.three")
	a3.Active = false
	b1 := e.newMember(b.ID, "SHARED.name")
	b2 := e.newMember(b.ID, "beta.two")
	e.createMembers(t, a1, a2, a3, b1, b2)
	ga1 := e.addGroup(t, a.ID, "Shared Group")
	ga2 := e.addGroup(t, a.ID, "Alpha Only")
	e.addToGroup(t, a.ID, ga1.ID, userRef(a1), userRef(a2), groupRef(ga2))
	e.addToGroup(t, a.ID, ga2.ID, userRef(a3))
	gb1 := e.addGroup(t, b.ID, "shared group")
	e.addToGroup(t, b.ID, gb1.ID, userRef(b1))
	ka := e.addKey(t, a.ID, core.KeySCIM, "alpha okta")
	e.addKey(t, a.ID, core.KeyPersonal, "alpha cli")
	kb := e.addKey(t, b.ID, core.KeySCIM, "beta okta")
	domains := []string{"alpha.example", "pending-alpha.example", "beta.example", "only-alpha.example"}
	e.tx(t, "AddDomain", func(tx store.Tx) error {
		if err := tx.AddDomain(ctx, a.ID, "alpha.example", "tok-a", true, e.now()); err != nil {
			return err
		}
		if err := tx.AddDomain(ctx, a.ID, "pending-alpha.example", "tok-a2", false, e.now()); err != nil {
			return err
		}
		return tx.AddDomain(ctx, b.ID, "beta.example", "tok-b", true, e.now())
	})

	unknown := e.ids()
	adm := e.adminFixtures(t, a, b, a1, a2, b1, ka)
	membersOfB := func(t *testing.T, r store.Reader, q store.Query) []string {
		t.Helper()
		q.Count = 100
		p, err := r.Members(ctx, b.ID, q)
		checkOK(t, "Members(team B)", err)
		if p.Total != len(p.Items) {
			t.Errorf("Members(team B, %v): Total %d, %d items", q.Filter, p.Total, len(p.Items))
		}
		return sorted(memberIDs(p.Items))
	}
	groupsOfB := func(t *testing.T, r store.Reader, q store.Query) []string {
		t.Helper()
		q.Count = 100
		p, err := r.Groups(ctx, b.ID, q)
		checkOK(t, "Groups(team B)", err)
		if p.Total != len(p.Items) {
			t.Errorf("Groups(team B, %v): Total %d, %d items", q.Filter, p.Total, len(p.Items))
		}
		return sorted(groupIDs(p.Items))
	}
	// commit runs fn in a Tx that commits whatever fn did; a commit error
	// is reported only when the method itself succeeded.
	commit := func(t *testing.T, what string, fn func(tx store.Tx) error) error {
		t.Helper()
		var callErr error
		err := s.InTx(ctx, func(tx store.Tx) error {
			callErr = fn(tx)
			return nil
		})
		if err != nil && callErr == nil {
			t.Errorf("%s: InTx: %s", what, describeErr(err))
		}
		return callErr
	}

	probes := []isoProbe{
		// --- Reader ---
		{method: "Team", name: "Team(B) is B", read: func(t *testing.T, r store.Reader) {
			got, err := r.Team(ctx, b.ID)
			if checkOK(t, "Team", err) && got.ID != b.ID {
				t.Errorf("Team(B) returned team %s", got.ID)
			}
		}},
		{method: "TeamBySlug", name: "slugs name their own team", read: func(t *testing.T, r store.Reader) {
			got, err := r.TeamBySlug(ctx, "BETA")
			if checkOK(t, "TeamBySlug", err) && got.ID != b.ID {
				t.Errorf("TeamBySlug(BETA) returned team %s", got.ID)
			}
		}},
		{method: "Teams", name: "Teams lists both", read: func(t *testing.T, r store.Reader) {
			got, err := r.Teams(ctx)
			if checkOK(t, "Teams", err) && len(got) != 2 {
				t.Errorf("Teams = %d teams, want 2", len(got))
			}
		}},
		{method: "KeyByPrefix", name: "the cross-team lookup names the key's team", read: func(t *testing.T, r store.Reader) {
			for _, k := range []core.APIKey{ka, kb} {
				got, err := r.KeyByPrefix(ctx, k.Prefix)
				if checkOK(t, "KeyByPrefix", err) && (got.ID != k.ID || got.TeamID != k.TeamID) {
					t.Errorf("KeyByPrefix(%s) = key %s of team %s, want key %s of team %s", k.Prefix, got.ID, got.TeamID, k.ID, k.TeamID)
				}
			}
		}},
		{method: "KeyWithTeam", name: "the cross-team lookup returns the key's own team", read: func(t *testing.T, r store.Reader) {
			for _, k := range []core.APIKey{ka, kb} {
				got, team, err := r.KeyWithTeam(ctx, k.Prefix)
				if checkOK(t, "KeyWithTeam", err) && (got.ID != k.ID || got.TeamID != k.TeamID || team.ID != k.TeamID) {
					t.Errorf("KeyWithTeam(%s) = key %s of team %s with team %s, want key %s of team %s", k.Prefix, got.ID, got.TeamID, team.ID, k.ID, k.TeamID)
				}
			}
		}},
		{method: "Keys", name: "Keys(B) lists only B's keys", read: func(t *testing.T, r store.Reader) {
			got, err := r.Keys(ctx, b.ID, core.KeySCIM)
			if checkOK(t, "Keys", err) && (len(got) != 1 || got[0].ID != kb.ID) {
				t.Errorf("Keys(B, SCIM) = %v, want only B's key", got)
			}
			got, err = r.Keys(ctx, b.ID, core.KeyPersonal)
			if checkOK(t, "Keys", err) && len(got) != 0 {
				t.Errorf("Keys(B, personal) = %v, want none (A has one)", got)
			}
		}},
		{method: "AccountByEmail", name: "accounts are global", read: func(t *testing.T, r store.Reader) {
			got, err := r.AccountByEmail(ctx, a1.Email)
			if checkOK(t, "AccountByEmail", err) && got.ID != a1.AccountID {
				t.Errorf("AccountByEmail = %s, want %s", got.ID, a1.AccountID)
			}
		}},
		{method: "Account", name: "accounts are global", read: func(t *testing.T, r store.Reader) {
			got, err := r.Account(ctx, b1.AccountID)
			if checkOK(t, "Account", err) && got.Email != b1.Email {
				t.Errorf("Account = %q, want %q", got.Email, b1.Email)
			}
		}},
		{method: "MemberByAccount", name: "names the member's own team", read: func(t *testing.T, r store.Reader) {
			for _, m := range []core.Member{a1, b1} {
				got, err := r.MemberByAccount(ctx, m.AccountID)
				if checkOK(t, "MemberByAccount", err) && (got.ID != m.ID || got.TeamID != m.TeamID) {
					t.Errorf("MemberByAccount = member %s of team %s, want %s of %s", got.ID, got.TeamID, m.ID, m.TeamID)
				}
			}
		}},
		{method: "Member", name: "Member(B, A's id)", read: func(t *testing.T, r store.Reader) {
			cross, err := r.Member(ctx, b.ID, a1.ID)
			checkErr(t, "Member(B, A's member)", err, core.KindNotFound, "")
			unk, uerr := r.Member(ctx, b.ID, unknown)
			sameAsUnknown(t, "Member", out(cross, err), out(unk, uerr))
		}},
		{method: "Members", name: "Members(B, filters naming A's members)", read: func(t *testing.T, r store.Reader) {
			for _, tc := range []struct {
				q    store.Query
				want []string
			}{
				{store.Query{}, sorted([]string{b1.ID, b2.ID})},
				{store.Query{Filter: eqStr("id", a1.ID)}, nil},
				{store.Query{Filter: eqStr("externalId", "ext-a1")}, nil},
				{store.Query{Filter: eqStr("userName", "alpha.two")}, nil},
				{store.Query{Filter: eqStr("userName", "shared.name")}, []string{b1.ID}},
				{store.Query{Filter: eqBool("active", false)}, nil},
				{store.Query{After: a1.ID}, afterIDs([]string{b1.ID, b2.ID}, a1.ID)},
				{store.Query{SortBy: "userName"}, sorted([]string{b1.ID, b2.ID})},
			} {
				if d := diff(tc.want, membersOfB(t, r, tc.q)); d != "" {
					t.Errorf("Members(B, filter %v, after %q) (-want +got):\n%s", tc.q.Filter, tc.q.After, d)
				}
			}
		}},
		{method: "AuthEpoch", name: "AuthEpoch (takes no team, returns a number and no team data)", read: func(t *testing.T, r store.Reader) {
			if _, err := r.AuthEpoch(ctx); err != nil {
				t.Errorf("AuthEpoch: %v", err)
			}
		}},
		{method: "MemberGroups", name: "MemberGroups(B, A's member)", read: func(t *testing.T, r store.Reader) {
			cross, err := r.MemberGroups(ctx, b.ID, a1.ID)
			unk, uerr := r.MemberGroups(ctx, b.ID, unknown)
			sameAsUnknown(t, "MemberGroups", out(cross, err), out(unk, uerr))
		}},
		{method: "Group", name: "Group(B, A's group)", read: func(t *testing.T, r store.Reader) {
			cross, err := r.Group(ctx, b.ID, ga1.ID)
			checkErr(t, "Group(B, A's group)", err, core.KindNotFound, "")
			unk, uerr := r.Group(ctx, b.ID, unknown)
			sameAsUnknown(t, "Group", out(cross, err), out(unk, uerr))
		}},
		{method: "Groups", name: "Groups(B, filters naming A's groups)", read: func(t *testing.T, r store.Reader) {
			for _, tc := range []struct {
				q    store.Query
				want []string
			}{
				{store.Query{}, []string{gb1.ID}},
				{store.Query{Filter: eqStr("id", ga1.ID)}, nil},
				{store.Query{Filter: eqStr("displayName", "Alpha Only")}, nil},
				{store.Query{Filter: eqStr("displayName", "SHARED GROUP")}, []string{gb1.ID}},
				{store.Query{Filter: eqStr("members.value", a1.ID)}, nil},
				{store.Query{Filter: eqStr("members.value", ga2.ID)}, nil},
			} {
				if d := diff(tc.want, groupsOfB(t, r, tc.q)); d != "" {
					t.Errorf("Groups(B, filter %v) (-want +got):\n%s", tc.q.Filter, d)
				}
			}
		}},
		{method: "GroupMembers", name: "GroupMembers(B, A's group)", read: func(t *testing.T, r store.Reader) {
			var cross, unk []core.GroupMember
			err := r.GroupMembers(ctx, b.ID, ga1.ID, func(m core.GroupMember) error { cross = append(cross, m); return nil })
			uerr := r.GroupMembers(ctx, b.ID, unknown, func(m core.GroupMember) error { unk = append(unk, m); return nil })
			if len(cross) != 0 {
				t.Errorf("GroupMembers(B, A's group) streamed %v", cross)
			}
			sameAsUnknown(t, "GroupMembers", out(cross, err), out(unk, uerr))
		}},
		{method: "DomainVerified", name: "DomainVerified(B, A's domains)", read: func(t *testing.T, r store.Reader) {
			for _, d := range []string{"alpha.example", "pending-alpha.example"} {
				got, err := r.DomainVerified(ctx, b.ID, d)
				if checkOK(t, "DomainVerified", err) && got {
					t.Errorf("DomainVerified(B, %q) = true; only A verified it", d)
				}
			}
		}},

		// --- Tx ---
		{method: "CreateTeam", name: "a new team", write: func(t *testing.T) {
			checkOK(t, "CreateTeam", commit(t, "CreateTeam", func(tx store.Tx) error { return tx.CreateTeam(ctx, e.newTeam("gamma")) }))
		}},
		{method: "UpdateTeam", name: "UpdateTeam(B)", changesB: true, write: func(t *testing.T) {
			u := b
			u.Name, u.SCIMEnabled = "Beta renamed", true
			checkOK(t, "UpdateTeam", commit(t, "UpdateTeam", func(tx store.Tx) error { return tx.UpdateTeam(ctx, u) }))
		}},
		{method: "CreateAccount", name: "an account with A's member's email", write: func(t *testing.T) {
			dup := core.Account{ID: e.ids(), Email: a1.Email, Status: "active", CreatedAt: e.now()}
			dup.UpdatedAt = dup.CreatedAt
			err := commit(t, "CreateAccount", func(tx store.Tx) error { return tx.CreateAccount(ctx, dup) })
			checkErr(t, "CreateAccount with an existing email", err, core.KindConflict, "")
		}},
		{method: "UpdateAccount", name: "B's member's account onto A's member's email", write: func(t *testing.T) {
			u := accountOf(b1)
			u.Email = a1.Email
			err := commit(t, "UpdateAccount", func(tx store.Tx) error { return tx.UpdateAccount(ctx, u) })
			checkErr(t, "UpdateAccount onto an existing email", err, core.KindConflict, "")
		}},
		{method: "CreateMember", name: "into B: A's id, A's account; A's userName is fine", changesB: true, write: func(t *testing.T) {
			sameID := e.newMember(b.ID, "steals.id")
			sameID.ID = a1.ID
			if err := commit(t, "CreateMember", func(tx store.Tx) error { return e.createMember(tx, sameID) }); err == nil {
				t.Error("CreateMember into B with A's member id succeeded")
			}
			sameAccount := e.newMember(b.ID, "steals.account")
			sameAccount.AccountID, sameAccount.Email = a1.AccountID, a1.Email
			err := commit(t, "CreateMember", func(tx store.Tx) error { return tx.CreateMember(ctx, sameAccount) })
			checkErr(t, "CreateMember into B with A's member's account", err, core.KindConflict, "")
			sameName := e.newMember(b.ID, "ALPHA.TWO")
			checkOK(t, "CreateMember into B with A's member's userName", commit(t, "CreateMember", func(tx store.Tx) error { return e.createMember(tx, sameName) }))
		}},
		{method: "UpdateMember", name: "UpdateMember with team B and A's id", write: func(t *testing.T) {
			cross := a1
			cross.TeamID, cross.UserName, cross.Active, cross.Version = b.ID, "hijacked", false, a1.Version+1
			unk := cross
			unk.ID = unknown
			err := commit(t, "UpdateMember", func(tx store.Tx) error { return tx.UpdateMember(ctx, cross, a1.Version) })
			checkErr(t, "UpdateMember(B, A's member)", err, core.KindNotFound, "")
			uerr := commit(t, "UpdateMember", func(tx store.Tx) error { return tx.UpdateMember(ctx, unk, a1.Version) })
			sameAsUnknown(t, "UpdateMember", out(nil, err), out(nil, uerr))
		}},
		{method: "UpdateMember", name: "B's member onto A's member's userName", changesB: true, write: func(t *testing.T) {
			u, err := s.Member(ctx, b.ID, b2.ID)
			checkOK(t, "Member", err)
			prev := u.Version
			u.UserName, u.Version = "Alpha.Three", prev+1
			checkOK(t, "UpdateMember onto another team's userName", commit(t, "UpdateMember", func(tx store.Tx) error { return tx.UpdateMember(ctx, u, prev) }))
		}},
		{method: "DeleteMember", name: "DeleteMember(B, A's member)", write: func(t *testing.T) {
			err := commit(t, "DeleteMember", func(tx store.Tx) error { return tx.DeleteMember(ctx, b.ID, a1.ID) })
			uerr := commit(t, "DeleteMember", func(tx store.Tx) error { return tx.DeleteMember(ctx, b.ID, unknown) })
			sameAsUnknown(t, "DeleteMember", out(nil, err), out(nil, uerr))
		}},
		{method: "CreateGroup", name: "into B: A's group id; A's displayName is fine", changesB: true, write: func(t *testing.T) {
			g := e.newGroup(b.ID, "steals id")
			g.ID = ga1.ID
			if err := commit(t, "CreateGroup", func(tx store.Tx) error { return tx.CreateGroup(ctx, g) }); err == nil {
				t.Error("CreateGroup into B with A's group id succeeded")
			}
			checkOK(t, "CreateGroup into B with A's displayName", commit(t, "CreateGroup", func(tx store.Tx) error {
				return tx.CreateGroup(ctx, e.newGroup(b.ID, "ALPHA ONLY"))
			}))
		}},
		{method: "UpdateGroup", name: "UpdateGroup with team B and A's id", write: func(t *testing.T) {
			cross := ga1
			cross.TeamID, cross.DisplayName, cross.Version = b.ID, "hijacked", ga1.Version+1
			unk := cross
			unk.ID = unknown
			err := commit(t, "UpdateGroup", func(tx store.Tx) error { return tx.UpdateGroup(ctx, cross, ga1.Version) })
			checkErr(t, "UpdateGroup(B, A's group)", err, core.KindNotFound, "")
			uerr := commit(t, "UpdateGroup", func(tx store.Tx) error { return tx.UpdateGroup(ctx, unk, ga1.Version) })
			sameAsUnknown(t, "UpdateGroup", out(nil, err), out(nil, uerr))
		}},
		{method: "DeleteGroup", name: "DeleteGroup(B, A's group)", write: func(t *testing.T) {
			err := commit(t, "DeleteGroup", func(tx store.Tx) error { return tx.DeleteGroup(ctx, b.ID, ga1.ID) })
			uerr := commit(t, "DeleteGroup", func(tx store.Tx) error { return tx.DeleteGroup(ctx, b.ID, unknown) })
			sameAsUnknown(t, "DeleteGroup", out(nil, err), out(nil, uerr))
		}},
		{method: "AddGroupMembers", name: "into A's group with team B", write: func(t *testing.T) {
			var cross, unk outcome
			_ = commit(t, "AddGroupMembers", func(tx store.Tx) error {
				n, missing, err := tx.AddGroupMembers(ctx, b.ID, ga1.ID, []core.GroupMember{userRef(b2), userRef(a3)})
				cross = out([]any{n, missing}, err)
				return err
			})
			_ = commit(t, "AddGroupMembers", func(tx store.Tx) error {
				n, missing, err := tx.AddGroupMembers(ctx, b.ID, unknown, []core.GroupMember{userRef(b2), userRef(a3)})
				unk = out([]any{n, missing}, err)
				return err
			})
			sameAsUnknown(t, "AddGroupMembers(B, A's group)", cross, unk)
		}},
		{method: "AddGroupMembers", name: "A's member and group into B's group", write: func(t *testing.T) {
			var added, missing []string
			err := commit(t, "AddGroupMembers", func(tx store.Tx) error {
				var err error
				added, missing, err = tx.AddGroupMembers(ctx, b.ID, gb1.ID, []core.GroupMember{userRef(a2), groupRef(ga2)})
				return err
			})
			if checkOK(t, "AddGroupMembers(B's group, A's member and group)", err) {
				if want := sorted([]string{a2.ID, ga2.ID}); len(added) != 0 || diff(want, sorted(missing)) != "" {
					t.Errorf("AddGroupMembers(B's group, A's member and group) = added %v, missing %v; want none, %v", added, missing, want)
				}
			}
		}},
		{method: "RemoveGroupMembers", name: "from A's group with team B", write: func(t *testing.T) {
			var cross, unk outcome
			_ = commit(t, "RemoveGroupMembers", func(tx store.Tx) error {
				n, err := tx.RemoveGroupMembers(ctx, b.ID, ga1.ID, []string{a1.ID, a2.ID, ga2.ID})
				cross = out(n, err)
				return err
			})
			_ = commit(t, "RemoveGroupMembers", func(tx store.Tx) error {
				n, err := tx.RemoveGroupMembers(ctx, b.ID, unknown, []string{a1.ID, a2.ID, ga2.ID})
				unk = out(n, err)
				return err
			})
			sameAsUnknown(t, "RemoveGroupMembers(B, A's group)", cross, unk)
			var removed []string
			err := commit(t, "RemoveGroupMembers", func(tx store.Tx) error {
				var err error
				removed, err = tx.RemoveGroupMembers(ctx, b.ID, gb1.ID, []string{a1.ID})
				return err
			})
			if checkOK(t, "RemoveGroupMembers(B's group, A's member)", err) && len(removed) != 0 {
				t.Errorf("RemoveGroupMembers(B's group, A's member) = %v, want none", removed)
			}
		}},
		{method: "RemoveGroupMembersWhere", name: "from A's group with team B", write: func(t *testing.T) {
			for _, f := range []string{a1.ID, ga2.ID} {
				var cross, unk outcome
				_ = commit(t, "RemoveGroupMembersWhere", func(tx store.Tx) error {
					n, err := tx.RemoveGroupMembersWhere(ctx, b.ID, ga1.ID, eqStr("value", f))
					cross = out(n, err)
					return err
				})
				_ = commit(t, "RemoveGroupMembersWhere", func(tx store.Tx) error {
					n, err := tx.RemoveGroupMembersWhere(ctx, b.ID, unknown, eqStr("value", f))
					unk = out(n, err)
					return err
				})
				sameAsUnknown(t, "RemoveGroupMembersWhere(B, A's group)", cross, unk)
			}
			var cross, unk outcome
			_ = commit(t, "RemoveGroupMembersWhere", func(tx store.Tx) error {
				n, err := tx.RemoveGroupMembersWhere(ctx, b.ID, ga1.ID, eqStr("type", typeUser))
				cross = out(n, err)
				return err
			})
			_ = commit(t, "RemoveGroupMembersWhere", func(tx store.Tx) error {
				n, err := tx.RemoveGroupMembersWhere(ctx, b.ID, unknown, eqStr("type", typeUser))
				unk = out(n, err)
				return err
			})
			sameAsUnknown(t, "RemoveGroupMembersWhere(B, A's group, type eq User)", cross, unk)
		}},
		{method: "ClearGroupMembers", name: "A's group with team B", write: func(t *testing.T) {
			var cross, unk outcome
			_ = commit(t, "ClearGroupMembers", func(tx store.Tx) error {
				n, err := tx.ClearGroupMembers(ctx, b.ID, ga1.ID)
				cross = out(n, err)
				return err
			})
			_ = commit(t, "ClearGroupMembers", func(tx store.Tx) error {
				n, err := tx.ClearGroupMembers(ctx, b.ID, unknown)
				unk = out(n, err)
				return err
			})
			sameAsUnknown(t, "ClearGroupMembers(B, A's group)", cross, unk)
		}},
		{method: "CreateKey", name: "a key for B with A's key's prefix", write: func(t *testing.T) {
			k := e.newKey(t, b.ID, core.KeySCIM, "steals prefix")
			k.Prefix = ka.Prefix
			if err := commit(t, "CreateKey", func(tx store.Tx) error { return tx.CreateKey(ctx, k) }); err == nil {
				t.Error("CreateKey with another team's key prefix succeeded")
			}
		}},
		{method: "RevokeKey", name: "A's key with team B", write: func(t *testing.T) {
			at := e.now()
			err := commit(t, "RevokeKey", func(tx store.Tx) error { return tx.RevokeKey(ctx, b.ID, ka.ID, at) })
			checkErr(t, "RevokeKey(B, A's key)", err, core.KindNotFound, "")
			uerr := commit(t, "RevokeKey", func(tx store.Tx) error { return tx.RevokeKey(ctx, b.ID, unknown, at) })
			sameAsUnknown(t, "RevokeKey", out(nil, err), out(nil, uerr))
		}},
		{method: "TouchKey", name: "B's key", changesB: true, write: func(t *testing.T) {
			checkOK(t, "TouchKey", commit(t, "TouchKey", func(tx store.Tx) error { return tx.TouchKey(ctx, kb.ID, e.now()) }))
		}},
		{method: "AddDomain", name: "A's domains for B", changesB: true, write: func(t *testing.T) {
			checkOK(t, "AddDomain", commit(t, "AddDomain", func(tx store.Tx) error {
				return tx.AddDomain(ctx, b.ID, "alpha.example", "tok-x", false, e.now())
			}))
			checkOK(t, "AddDomain", commit(t, "AddDomain", func(tx store.Tx) error {
				return tx.AddDomain(ctx, b.ID, "pending-alpha.example", "tok-y", true, e.now())
			}))
			if ok, err := s.DomainVerified(ctx, b.ID, "pending-alpha.example"); checkOK(t, "DomainVerified", err) && !ok {
				t.Error("DomainVerified(B) is false for a domain B verified that A has pending")
			}
		}},
	}
	probes = append(probes, e.adminProbes(adm, unknown, commit)...)
	probes = append(probes, e.dataProbes(adm, unknown)...)

	// Every method of the contract has a probe.
	covered := map[string]bool{}
	for _, p := range probes {
		covered[p.method] = true
	}
	txType := reflect.TypeFor[store.Tx]()
	var uncovered []string
	for i := range txType.NumMethod() {
		if name := txType.Method(i).Name; !covered[name] {
			uncovered = append(uncovered, name)
		}
	}
	if len(uncovered) > 0 {
		sort.Strings(uncovered)
		t.Errorf("store methods without an isolation probe: %v (add one to testIsolation)", uncovered)
	}

	for _, p := range probes {
		t.Run(p.method+"/"+p.name, func(t *testing.T) {
			before := snapshot(ctx, t, s, a.ID, domains)
			beforeB := snapshot(ctx, t, s, b.ID, domains)
			if p.read != nil {
				p.read(t, s)
				e.tx(t, "read probe in a Tx", func(tx store.Tx) error {
					p.read(t, tx)
					return nil
				})
			}
			if p.write != nil {
				p.write(t)
			}
			if d := diff(before, snapshot(ctx, t, s, a.ID, domains)); d != "" {
				t.Errorf("team A changed (-before +after):\n%s", d)
			}
			if !p.changesB {
				if d := diff(beforeB, snapshot(ctx, t, s, b.ID, domains)); d != "" {
					t.Errorf("team B changed (-before +after):\n%s", d)
				}
			}
		})
	}
}

// afterIDs returns the ids greater than after, sorted.
func afterIDs(ids []string, after string) []string {
	var out []string
	for _, id := range sorted(ids) {
		if id > after {
			out = append(out, id)
		}
	}
	return out
}
