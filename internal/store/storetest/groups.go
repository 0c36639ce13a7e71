package storetest

import (
	"errors"
	"testing"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/scim/filter"
	"github.com/rosterhq/roster/internal/store"
)

// testGroups: group CRUD, document round trip, versions, displayName
// unique per team in any case, and DeleteGroup never deleting members.
func testGroups(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	team := e.addTeam(t, "groups")
	other := e.addTeam(t, "other")

	t.Run("RoundTrip", func(t *testing.T) {
		g := e.newGroup(team.ID, "Engineering & Ops")
		g.ExternalID = "okta-00g1XYZ"
		g.Doc = map[string]any{
			"schemas":     []any{scim.GroupSchema, "urn:ietf:params:scim:schemas:extension:example:2.0:Group"},
			"displayName": g.DisplayName,
			"externalId":  g.ExternalID,
			"rosterTestTypes": map[string]any{
				"int": int64(1<<53 + 1), "float": float64(3), "bool": false, "list": []any{"a", int64(1), 1.5},
			},
		}
		e.tx(t, "CreateGroup", func(tx store.Tx) error { return tx.CreateGroup(ctx, g) })
		check := func(how string, got core.Group, err error) {
			t.Helper()
			if !checkOK(t, how, err) {
				return
			}
			if d := diff(g, got); d != "" {
				t.Errorf("%s (-created +read):\n%s", how, d)
			}
			if d := exactDiff(g.Doc, got.Doc); d != "" {
				t.Errorf("%s: Doc does not round-trip exactly (-created +read):\n%s", how, d)
			}
		}
		got, err := s.Group(ctx, team.ID, g.ID)
		check("Group", got, err)
		p, err := s.Groups(ctx, team.ID, store.Query{Filter: eqStr("id", g.ID), Count: 10})
		if checkOK(t, "Groups(id eq)", err) {
			if len(p.Items) != 1 {
				t.Errorf("Groups(id eq) returned %d items, want 1", len(p.Items))
			} else {
				check("Groups(id eq) item", p.Items[0], nil)
			}
		}
		for _, id := range []string{e.ids(), "not-a-uuid", ""} {
			_, err := s.Group(ctx, team.ID, id)
			checkErr(t, "Group("+id+")", err, core.KindNotFound, "")
		}
	})

	t.Run("Uniqueness", func(t *testing.T) {
		g := e.addGroup(t, team.ID, "Sales Team")
		for _, name := range []string{"Sales Team", "sales team", "SALES TEAM", "sAlEs TeAm"} {
			dup := e.newGroup(team.ID, name)
			err := s.InTx(ctx, func(tx store.Tx) error { return tx.CreateGroup(ctx, dup) })
			checkErr(t, "CreateGroup "+name+" (same displayName, other case)", err, core.KindConflict, "")
		}
		elsewhere := e.addGroup(t, other.ID, "SALES team")
		if got := e.mustGroup(t, team.ID, g.ID); got.DisplayName != "Sales Team" {
			t.Errorf("displayName came back as %q, want %q", got.DisplayName, "Sales Team")
		}
		if got := e.mustGroup(t, other.ID, elsewhere.ID); got.DisplayName != "SALES team" {
			t.Errorf("displayName came back as %q, want %q", got.DisplayName, "SALES team")
		}
		h := e.addGroup(t, team.ID, "Marketing")
		u := h
		u.DisplayName = "sales TEAM"
		u.Version = 2
		err := s.InTx(ctx, func(tx store.Tx) error { return tx.UpdateGroup(ctx, u, 1) })
		checkErr(t, "UpdateGroup onto another group's displayName", err, core.KindConflict, "")
		// Renaming to its own name in another case is fine (Okta sends a
		// rename with every membership change).
		u = g
		u.DisplayName = "SALES TEAM"
		u.Doc = map[string]any{"displayName": "SALES TEAM"}
		u.Version = 2
		e.tx(t, "UpdateGroup to its own name in another case", func(tx store.Tx) error { return tx.UpdateGroup(ctx, u, 1) })
		if got := e.mustGroup(t, team.ID, g.ID); got.DisplayName != "SALES TEAM" {
			t.Errorf("after rename: displayName %q", got.DisplayName)
		}
		p, err := s.Groups(ctx, team.ID, store.Query{Filter: eqStr("displayName", "sales team"), Count: 10})
		if checkOK(t, "Groups(displayName eq)", err) {
			if d := diff([]string{g.ID}, groupIDs(p.Items)); d != "" || p.Total != 1 {
				t.Errorf("Groups(displayName eq \"sales team\"): Total %d (-want +got ids):\n%s", p.Total, d)
			}
		}
		// A deleted group's name is free again.
		e.tx(t, "DeleteGroup", func(tx store.Tx) error { return tx.DeleteGroup(ctx, team.ID, g.ID) })
		e.addGroup(t, team.ID, "Sales team")
	})

	t.Run("Versions", func(t *testing.T) {
		g := e.addGroup(t, team.ID, "Versioned")
		m := e.addMember(t, team.ID, "versioned.member")
		e.addToGroup(t, team.ID, g.ID, userRef(m))
		u := g
		u.DisplayName = "Versioned (renamed)"
		u.ExternalID = "ext-g"
		u.Doc = map[string]any{"displayName": u.DisplayName, "externalId": "ext-g"}
		u.Version = 2
		u.UpdatedAt = e.now()
		u.CreatedAt = e.now() // must not change
		u.MemberCount = 99    // maintained by the store, not by UpdateGroup
		want := u
		want.CreatedAt, want.MemberCount = g.CreatedAt, 1
		e.tx(t, "UpdateGroup", func(tx store.Tx) error { return tx.UpdateGroup(ctx, u, 1) })
		if d := diff(want, e.mustGroup(t, team.ID, g.ID)); d != "" {
			t.Errorf("after UpdateGroup (-want +got):\n%s", d)
		}
		if d := diff([]core.GroupMember{userRef(m)}, e.mustGroupMembers(t, team.ID, g.ID)); d != "" {
			t.Errorf("UpdateGroup changed the members (-want +got):\n%s", d)
		}
		for _, prev := range []int64{1, 3} {
			stale := want
			stale.DisplayName = "stale"
			err := s.InTx(ctx, func(tx store.Tx) error { return tx.UpdateGroup(ctx, stale, prev) })
			checkErr(t, "UpdateGroup with a wrong prevVersion", err, core.KindPrecondition, "")
		}
		if d := diff(want, e.mustGroup(t, team.ID, g.ID)); d != "" {
			t.Errorf("a failed UpdateGroup changed the group (-want +got):\n%s", d)
		}
		missing := e.newGroup(team.ID, "never created")
		err := s.InTx(ctx, func(tx store.Tx) error { return tx.UpdateGroup(ctx, missing, 1) })
		checkErr(t, "UpdateGroup of an unknown group", err, core.KindNotFound, "")
	})

	t.Run("DeleteKeepsMembers", func(t *testing.T) {
		g := e.addGroup(t, team.ID, "Doomed")
		parent := e.addGroup(t, team.ID, "Parent of doomed")
		m1 := e.addMember(t, team.ID, "survivor.one")
		m2 := e.addMember(t, team.ID, "survivor.two")
		e.addToGroup(t, team.ID, g.ID, userRef(m1), userRef(m2))
		e.addToGroup(t, team.ID, parent.ID, userRef(m1), groupRef(g))

		e.tx(t, "DeleteGroup", func(tx store.Tx) error { return tx.DeleteGroup(ctx, team.ID, g.ID) })
		_, err := s.Group(ctx, team.ID, g.ID)
		checkErr(t, "Group after DeleteGroup", err, core.KindNotFound, "")
		// m1 is still in parent; m2 is in no group now.
		m1.Groups = []core.GroupRef{{ID: parent.ID, DisplayName: parent.DisplayName}}
		for _, m := range []core.Member{m1, m2} {
			got, err := s.Member(ctx, team.ID, m.ID)
			if checkOK(t, "Member after DeleteGroup of its group", err) {
				if d := diff(m, got); d != "" {
					t.Errorf("DeleteGroup changed member %q (-want +got):\n%s", m.UserName, d)
				}
			}
		}
		// The deleted group is no longer a member of its parent.
		if d := diff([]core.GroupMember{userRef(m1)}, e.mustGroupMembers(t, team.ID, parent.ID)); d != "" {
			t.Errorf("parent's members after deleting a nested group (-want +got):\n%s", d)
		}
		if got := e.mustGroup(t, team.ID, parent.ID); got.MemberCount != 1 {
			t.Errorf("parent's MemberCount after deleting a nested group = %d, want 1", got.MemberCount)
		}
		for _, id := range []string{g.ID, e.ids(), "not-a-uuid"} {
			err := s.InTx(ctx, func(tx store.Tx) error { return tx.DeleteGroup(ctx, team.ID, id) })
			if err != nil {
				checkErr(t, "DeleteGroup of a missing group", err, core.KindNotFound, "")
			}
		}
	})
}

// errStop is what GroupMembers' callback returns to stop the stream.
var errStop = errors.New("storetest: stop streaming")

// testGroupMembers: AddGroupMembers (duplicates, unknown and foreign ids),
// MemberCount, RemoveGroupMembers, RemoveGroupMembersWhere, ClearGroupMembers,
// GroupMembers order and early stop, MemberGroups, and DeleteMember
// removing its rows.
func testGroupMembers(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	team := e.addTeam(t, "gm")
	other := e.addTeam(t, "gm-other")
	var ms []core.Member
	for _, name := range []string{"m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7"} {
		ms = append(ms, e.newMember(team.ID, name))
	}
	e.createMembers(t, ms...)
	foreign := e.addMember(t, other.ID, "foreigner")
	foreignGroup := e.addGroup(t, other.ID, "Foreign group")
	g := e.addGroup(t, team.ID, "Main")
	nested := e.addGroup(t, team.ID, "Nested")

	add := func(t *testing.T, refs ...core.GroupMember) ([]string, []string) {
		t.Helper()
		var added, missing []string
		e.tx(t, "AddGroupMembers", func(tx store.Tx) error {
			var err error
			added, missing, err = tx.AddGroupMembers(ctx, team.ID, g.ID, refs)
			return err
		})
		return added, missing
	}
	expect := func(t *testing.T, what string, want ...core.GroupMember) {
		t.Helper()
		got := e.mustGroupMembers(t, team.ID, g.ID)
		wantSorted := append([]core.GroupMember(nil), want...)
		sortRefs(wantSorted)
		if d := diff(wantSorted, got); d != "" {
			t.Errorf("%s: GroupMembers (-want +got):\n%s", what, d)
		}
		if gr := e.mustGroup(t, team.ID, g.ID); gr.MemberCount != len(want) {
			t.Errorf("%s: MemberCount = %d, want %d", what, gr.MemberCount, len(want))
		}
		p, err := s.Groups(ctx, team.ID, store.Query{Filter: eqStr("id", g.ID), Count: 1})
		if checkOK(t, "Groups", err) && len(p.Items) == 1 && p.Items[0].MemberCount != len(want) {
			t.Errorf("%s: Groups' item MemberCount = %d, want %d", what, p.Items[0].MemberCount, len(want))
		}
	}

	t.Run("Add", func(t *testing.T) {
		if added, missing := add(t); len(added) != 0 || len(missing) != 0 {
			t.Errorf("AddGroupMembers(none) = %v, %v; want none, none", added, missing)
		}
		if added, missing := add(t, userRef(ms[1]), userRef(ms[0])); diff(sorted([]string{ms[0].ID, ms[1].ID}), added) != "" || len(missing) != 0 {
			t.Errorf("AddGroupMembers(m1, m0) = added %v, missing %v; want m0, m1 (sorted), none", added, missing)
		}
		expect(t, "after adding m0, m1", userRef(ms[0]), userRef(ms[1]))
		// Already present members are skipped, also when listed twice.
		if added, missing := add(t, userRef(ms[1]), userRef(ms[2]), userRef(ms[2])); diff([]string{ms[2].ID}, added) != "" || len(missing) != 0 {
			t.Errorf("AddGroupMembers(m1 again, m2 twice) = added %v, missing %v; want [m2], none", added, missing)
		}
		expect(t, "after adding m1 again and m2", userRef(ms[0]), userRef(ms[1]), userRef(ms[2]))
		// Unknown ids, malformed ids, another team's member and another
		// team's group are missing; the rest are added.
		unknown := e.ids()
		added, missing := add(t,
			core.GroupMember{Value: unknown, Type: typeUser},
			userRef(ms[3]),
			userRef(foreign),
			core.GroupMember{Value: "not-a-uuid", Type: typeUser},
			groupRef(foreignGroup),
			groupRef(nested),
		)
		wantMissing := sorted([]string{unknown, foreign.ID, "not-a-uuid", foreignGroup.ID})
		if wantAdded := sorted([]string{ms[3].ID, nested.ID}); diff(wantAdded, added) != "" || diff(wantMissing, sorted(missing)) != "" {
			t.Errorf("AddGroupMembers(unknown, m3, foreign member, malformed, foreign group, nested group) = added %v, missing %v; want added %v, missing %v", added, sorted(missing), wantAdded, wantMissing)
		}
		expect(t, "after the mixed add", userRef(ms[0]), userRef(ms[1]), userRef(ms[2]), userRef(ms[3]), groupRef(nested))
		// Nothing landed in the other team.
		if got := e.mustGroupMembers(t, other.ID, foreignGroup.ID); len(got) != 0 {
			t.Errorf("the foreign group gained members: %v", got)
		}
		// Only-missing adds nothing.
		if added, missing := add(t, userRef(foreign)); len(added) != 0 || diff([]string{foreign.ID}, missing) != "" {
			t.Errorf("AddGroupMembers(foreign member) = added %v, missing %v; want none, [%s]", added, missing, foreign.ID)
		}
		// Display and Type are kept as given.
		withDisplay := core.GroupMember{Value: ms[4].ID, Display: "Fourth Person (Ops)", Type: typeUser}
		add(t, withDisplay)
		expect(t, "after adding m4 with a display", userRef(ms[0]), userRef(ms[1]), userRef(ms[2]), userRef(ms[3]), groupRef(nested), withDisplay)
	})

	t.Run("MemberGroups", func(t *testing.T) {
		e.addToGroup(t, team.ID, nested.ID, userRef(ms[0]))
		got, err := s.MemberGroups(ctx, team.ID, ms[0].ID)
		if checkOK(t, "MemberGroups", err) {
			want := []core.GroupRef{{ID: g.ID, DisplayName: g.DisplayName}, {ID: nested.ID, DisplayName: nested.DisplayName}}
			if d := diff(want, got); d != "" {
				t.Errorf("MemberGroups(m0) (-want +got):\n%s", d)
			}
		}
		got, err = s.MemberGroups(ctx, team.ID, ms[7].ID)
		if checkOK(t, "MemberGroups", err) && len(got) != 0 {
			t.Errorf("MemberGroups of a member in no group = %v", got)
		}
		// A rename shows in MemberGroups.
		u := nested
		u.DisplayName = "Nested (renamed)"
		u.Version = 2
		e.tx(t, "UpdateGroup", func(tx store.Tx) error { return tx.UpdateGroup(ctx, u, 1) })
		got, err = s.MemberGroups(ctx, team.ID, ms[0].ID)
		if checkOK(t, "MemberGroups", err) && (len(got) != 2 || got[1].DisplayName != u.DisplayName) {
			t.Errorf("MemberGroups after a rename = %v, want the new name %q", got, u.DisplayName)
		}
	})

	t.Run("Stream", func(t *testing.T) {
		all := e.mustGroupMembers(t, team.ID, g.ID)
		if len(all) < 4 {
			t.Fatalf("group has %d members, the test needs 4", len(all))
		}
		var seen []core.GroupMember
		err := s.GroupMembers(ctx, team.ID, g.ID, func(m core.GroupMember) error {
			seen = append(seen, m)
			if len(seen) == 3 {
				return errStop
			}
			return nil
		})
		if !errors.Is(err, errStop) {
			t.Errorf("GroupMembers with a callback that fails on the 3rd member returned %v, want the callback's error", err)
		}
		if d := diff(all[:3], seen); d != "" {
			t.Errorf("GroupMembers called the callback after its error, or out of order (-want +got):\n%s", d)
		}
	})

	t.Run("Remove", func(t *testing.T) {
		before := e.mustGroupMembers(t, team.ID, g.ID)
		var removed []string
		e.tx(t, "RemoveGroupMembers", func(tx store.Tx) error {
			var err error
			removed, err = tx.RemoveGroupMembers(ctx, team.ID, g.ID, []string{ms[1].ID, ms[7].ID, e.ids(), "not-a-uuid", foreign.ID, ms[1].ID})
			return err
		})
		if diff([]string{ms[1].ID}, removed) != "" {
			t.Errorf("RemoveGroupMembers(m1, m7 (not in group), unknown, malformed, foreign, m1 again) = %v, want [m1]", removed)
		}
		var want []core.GroupMember
		for _, m := range before {
			if m.Value != ms[1].ID {
				want = append(want, m)
			}
		}
		expect(t, "after removing m1", want...)
		e.tx(t, "RemoveGroupMembers(none)", func(tx store.Tx) error {
			var err error
			removed, err = tx.RemoveGroupMembers(ctx, team.ID, g.ID, nil)
			return err
		})
		if len(removed) != 0 {
			t.Errorf("RemoveGroupMembers(none) = %v", removed)
		}
		expect(t, "after removing none", want...)
	})

	t.Run("RemoveWhere", func(t *testing.T) {
		h := e.addGroup(t, team.ID, "Where")
		refs := []core.GroupMember{
			{Value: ms[0].ID, Display: "x", Type: typeUser},
			{Value: ms[1].ID, Display: "x", Type: typeUser},
			{Value: ms[2].ID, Display: "y", Type: typeUser},
			{Value: ms[3].ID, Display: "", Type: typeUser},
			{Value: ms[4].ID, Display: "z", Type: typeUser},
			{Value: nested.ID, Display: "x", Type: typeGroup},
		}
		e.addToGroup(t, team.ID, h.ID, refs...)
		removeWhere := func(t *testing.T, f filter.Expr) []string {
			t.Helper()
			var removed []string
			e.tx(t, "RemoveGroupMembersWhere "+f.String(), func(tx store.Tx) error {
				var err error
				removed, err = tx.RemoveGroupMembersWhere(ctx, team.ID, h.ID, f)
				return err
			})
			return removed
		}
		left := func(drop ...string) []string {
			out := []string{}
			for _, r := range refs {
				keep := true
				for _, d := range drop {
					keep = keep && r.Value != d
				}
				if keep {
					out = append(out, r.Value)
				}
			}
			return sorted(out)
		}
		for _, step := range []struct {
			f       filter.Expr
			removed []string
			want    []string
		}{
			{eqStr("value", e.ids()), nil, left()},
			{eqStr("value", foreign.ID), nil, left()},
			{eqStr("display", "x"), sorted([]string{ms[0].ID, ms[1].ID, nested.ID}), left(ms[0].ID, ms[1].ID, nested.ID)},
			{or(eqStr("value", ms[2].ID), eqStr("value", ms[3].ID)), sorted([]string{ms[2].ID, ms[3].ID}), left(ms[0].ID, ms[1].ID, nested.ID, ms[2].ID, ms[3].ID)},
			{eqStr("type", typeUser), []string{ms[4].ID}, left(ms[0].ID, ms[1].ID, nested.ID, ms[2].ID, ms[3].ID, ms[4].ID)},
		} {
			removed := removeWhere(t, step.f)
			got := values(e.mustGroupMembers(t, team.ID, h.ID))
			if len(removed) != len(step.removed) || (len(removed) > 0 && diff(step.removed, removed) != "") || diff(step.want, got) != "" {
				t.Errorf("RemoveGroupMembersWhere(%s) = %v, left %v; want %v, left %v", step.f, removed, got, step.removed, step.want)
			}
			if gr := e.mustGroup(t, team.ID, h.ID); gr.MemberCount != len(step.want) {
				t.Errorf("after RemoveGroupMembersWhere(%s): MemberCount %d, want %d", step.f, gr.MemberCount, len(step.want))
			}
		}
		// The other group did not lose anyone.
		if got := e.mustGroup(t, team.ID, g.ID); got.MemberCount == 0 {
			t.Error("RemoveGroupMembersWhere on one group emptied another")
		}
	})

	t.Run("Clear", func(t *testing.T) {
		before := e.mustGroupMembers(t, team.ID, g.ID)
		nestedBefore := e.mustGroupMembers(t, team.ID, nested.ID)
		var n int
		e.tx(t, "ClearGroupMembers", func(tx store.Tx) error {
			var err error
			n, err = tx.ClearGroupMembers(ctx, team.ID, g.ID)
			return err
		})
		if n != len(before) {
			t.Errorf("ClearGroupMembers = %d, want %d", n, len(before))
		}
		expect(t, "after ClearGroupMembers")
		if d := diff(nestedBefore, e.mustGroupMembers(t, team.ID, nested.ID)); d != "" {
			t.Errorf("ClearGroupMembers of one group changed another (-want +got):\n%s", d)
		}
		e.tx(t, "ClearGroupMembers of an empty group", func(tx store.Tx) error {
			var err error
			n, err = tx.ClearGroupMembers(ctx, team.ID, g.ID)
			return err
		})
		if n != 0 {
			t.Errorf("ClearGroupMembers of an empty group = %d", n)
		}
		for _, m := range ms {
			e.mustMember(t, team.ID, m.ID) // members survive
		}
	})

	t.Run("DeleteMemberRemovesRows", func(t *testing.T) {
		a := e.addGroup(t, team.ID, "Has leaver A")
		b := e.addGroup(t, team.ID, "Has leaver B")
		e.addToGroup(t, team.ID, a.ID, userRef(ms[5]), userRef(ms[6]))
		e.addToGroup(t, team.ID, b.ID, userRef(ms[5]))
		e.tx(t, "DeleteMember", func(tx store.Tx) error { return tx.DeleteMember(ctx, team.ID, ms[5].ID) })
		if d := diff([]core.GroupMember{userRef(ms[6])}, e.mustGroupMembers(t, team.ID, a.ID)); d != "" {
			t.Errorf("group A after DeleteMember (-want +got):\n%s", d)
		}
		if got := e.mustGroupMembers(t, team.ID, b.ID); len(got) != 0 {
			t.Errorf("group B after DeleteMember still lists %v", got)
		}
		if ga, gb := e.mustGroup(t, team.ID, a.ID), e.mustGroup(t, team.ID, b.ID); ga.MemberCount != 1 || gb.MemberCount != 0 {
			t.Errorf("MemberCounts after DeleteMember: A %d (want 1), B %d (want 0)", ga.MemberCount, gb.MemberCount)
		}
		p, err := s.Groups(ctx, team.ID, store.Query{Filter: eqStr("members.value", ms[5].ID), Count: 10})
		if checkOK(t, "Groups(members.value eq)", err) && len(p.Items) != 0 {
			t.Errorf("Groups(members.value eq deleted member) = %v", groupIDs(p.Items))
		}
	})
}

// sortRefs sorts group members by value, the order GroupMembers streams.
func sortRefs(ms []core.GroupMember) {
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && ms[j].Value < ms[j-1].Value; j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
}
