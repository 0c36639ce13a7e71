package storetest

import (
	"math"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/store"
)

// fullUserDoc is a canonical User document with every shape a document can
// have: nested maps, []any of maps and of scalars, strings that need
// escaping, and every Go scalar type of a canonical document (string,
// bool, int64, float64) including values a float64 or a JSON number
// without a fraction would lose. rosterTestTypes is not a schema attribute:
// the store does not interpret documents, it keeps them.
func fullUserDoc(userName, managerID string) map[string]any {
	return map[string]any{
		"schemas":    []any{scim.UserSchema, scim.EnterpriseUserSchema},
		"userName":   userName,
		"externalId": "00u1abcdEFGH",
		"name": map[string]any{
			"givenName":  "Bjørn",
			"familyName": "Ström",
			"formatted":  "Bjørn \"BJ\" Ström \\ <x> & 'y'\n\ttab",
		},
		"displayName": "Bjørn Ström",
		"title":       "",
		"active":      true,
		"emails": []any{
			map[string]any{"value": "Bjorn@Example.com", "type": "work", "primary": true},
			map[string]any{"value": "bj@home.example", "type": "home", "primary": false},
		},
		"phoneNumbers": []any{map[string]any{"value": "+1 555 0100", "type": "mobile"}},
		"addresses": []any{map[string]any{
			"streetAddress": "1 Main St\nSuite 2", "country": "SE", "primary": true,
		}},
		"roles": []any{},
		scim.EnterpriseUserSchema: map[string]any{
			"employeeNumber": "0042",
			"department":     "R&D <core>",
			"manager":        map[string]any{"value": managerID, "displayName": "The Boss"},
		},
		"rosterTestTypes": map[string]any{
			"int":           int64(42),
			"negInt":        int64(-7),
			"zeroInt":       int64(0),
			"intAbove2p53":  int64(1<<53 + 1),
			"maxInt64":      int64(math.MaxInt64),
			"minInt64":      int64(math.MinInt64),
			"float":         0.5,
			"integralFloat": float64(2),
			"zeroFloat":     float64(0),
			"tinyFloat":     -1.25e-7,
			"hugeFloat":     1e300,
			"true":          true,
			"false":         false,
			"emptyString":   "",
			"unicode":       "日本語 ✓ é 😀",
			"emptyMap":      map[string]any{},
			"nested": []any{
				[]any{int64(1), float64(1), "1", true},
				map[string]any{"deeper": map[string]any{"n": int64(3), "f": 3.5}},
			},
		},
	}
}

// testMembers: CRUD, document round trip, versions, per-team userName
// uniqueness in any case with case preserved, and deletion.
func testMembers(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	team := e.addTeam(t, "members")
	other := e.addTeam(t, "others")

	t.Run("RoundTrip", func(t *testing.T) {
		boss := e.addMember(t, team.ID, "boss")
		full := e.newMember(team.ID, "Bjørn.Ström@Example.com")
		full.ExternalID = "00u1abcdEFGH"
		full.Doc = fullUserDoc(full.UserName, boss.ID)
		full.Version = 7

		invited := e.newMember(team.ID, "invited@example.com")
		invited.Status = core.StatusInvited
		invited.Role = core.RoleTeamAdmin
		invited.SCIMManaged = false
		invited.Active = false

		admin := e.newMember(team.ID, "admin-made")
		admin.SCIMManaged = false
		admin.Role = core.RoleSuperAdmin
		admin.Doc = nil // members an admin added have no SCIM document

		for _, tc := range []struct {
			name  string
			m     core.Member
			exact bool // the Doc must come back exactly (not only "empty")
		}{
			{"full canonical document", full, true},
			{"invited, not SCIM-managed", invited, true},
			{"no document", admin, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e.createMembers(t, tc.m)
				check := func(how string, got core.Member, err error) {
					t.Helper()
					if !checkOK(t, how, err) {
						return
					}
					if d := diff(tc.m, got); d != "" {
						t.Errorf("%s (-created +read):\n%s", how, d)
					}
					if tc.exact {
						if d := exactDiff(tc.m.Doc, got.Doc); d != "" {
							t.Errorf("%s: Doc does not round-trip exactly, Go types included (-created +read):\n%s", how, d)
						}
					}
				}
				got, err := s.Member(ctx, team.ID, tc.m.ID)
				check("Member", got, err)

				p, err := s.Members(ctx, team.ID, store.Query{Filter: eqStr("id", tc.m.ID), Count: 10})
				if checkOK(t, "Members(id eq)", err) {
					if len(p.Items) != 1 {
						t.Errorf("Members(id eq %s) returned %d items, want 1", tc.m.ID, len(p.Items))
					} else {
						check("Members(id eq) item", p.Items[0], nil)
					}
				}
				e.tx(t, "read in Tx", func(tx store.Tx) error {
					got, err := tx.Member(ctx, team.ID, tc.m.ID)
					check("Tx.Member", got, err)
					return nil
				})
				got, err = s.MemberByAccount(ctx, tc.m.AccountID)
				check("MemberByAccount", got, err)

				// The returned document is the caller's: changing it
				// changes nothing stored.
				if got, err := s.Member(ctx, team.ID, tc.m.ID); err == nil && got.Doc != nil {
					got.Doc["userName"] = "mutated"
					delete(got.Doc, "schemas")
					again := e.mustMember(t, team.ID, tc.m.ID)
					if d := diff(tc.m.Doc, again.Doc); d != "" {
						t.Errorf("changing a returned Doc changed the stored one (-want +got):\n%s", d)
					}
				}
			})
		}
		// The caller's document is not aliased either.
		m := e.newMember(team.ID, "alias.check")
		e.createMembers(t, m)
		m.Doc["userName"] = "changed after create"
		if got := e.mustMember(t, team.ID, m.ID); got.Doc["userName"] != "alias.check" {
			t.Errorf("changing the created Doc after CreateMember changed the stored one: %v", got.Doc["userName"])
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		for _, id := range []string{e.ids(), "not-a-uuid", "", "'; DROP TABLE members; --", strings.ToUpper(e.ids())} {
			_, err := s.Member(ctx, team.ID, id)
			checkErr(t, "Member("+id+")", err, core.KindNotFound, "")
			p, err := s.Members(ctx, team.ID, store.Query{Filter: eqStr("id", id), Count: 10})
			if checkOK(t, "Members(id eq "+id+")", err) && (p.Total != 0 || len(p.Items) != 0) {
				t.Errorf("Members(id eq %q): Total %d, %d items; want none", id, p.Total, len(p.Items))
			}
		}
		// ids are case-sensitive: the upper-cased id of a member is unknown.
		m := e.addMember(t, team.ID, "case.sensitive.id")
		_, err := s.Member(ctx, team.ID, strings.ToUpper(m.ID))
		checkErr(t, "Member(upper-cased id)", err, core.KindNotFound, "")
	})

	t.Run("Versions", func(t *testing.T) {
		m := e.addMember(t, team.ID, "Update.Me")
		u := m
		u.UserName = "UPDATE.me" // its own name in another case is no clash
		u.ExternalID = "ext-2"
		u.Email = "update.me@new.example"
		u.Active = false
		u.Status = core.StatusDeactivated
		u.Role = core.RoleTeamAdmin
		u.SCIMManaged = false
		u.Doc = map[string]any{"userName": "UPDATE.me", "active": false, "title": "Tester", "n": int64(2)}
		u.Version = 2
		u.UpdatedAt = e.now()
		// Fields UpdateMember must not touch.
		u.CreatedAt = e.now()
		u.AccountID = e.ids()
		want := u
		want.CreatedAt, want.AccountID = m.CreatedAt, m.AccountID

		e.tx(t, "UpdateMember", func(tx store.Tx) error { return tx.UpdateMember(ctx, u, 1) })
		got := e.mustMember(t, team.ID, m.ID)
		if d := diff(want, got); d != "" {
			t.Errorf("after UpdateMember (-want +got):\n%s", d)
		}
		if d := exactDiff(u.Doc, got.Doc); d != "" {
			t.Errorf("updated Doc does not round-trip exactly (-want +got):\n%s", d)
		}

		for _, prev := range []int64{1, 3, 0} {
			stale := want
			stale.UserName = "stale"
			stale.Version = prev + 1
			err := s.InTx(ctx, func(tx store.Tx) error { return tx.UpdateMember(ctx, stale, prev) })
			checkErr(t, "UpdateMember with a wrong prevVersion", err, core.KindPrecondition, "")
		}
		if got := e.mustMember(t, team.ID, m.ID); diff(want, got) != "" {
			t.Errorf("a failed UpdateMember changed the member (-want +got):\n%s", diff(want, got))
		}

		missing := e.newMember(team.ID, "never.created")
		err := s.InTx(ctx, func(tx store.Tx) error { return tx.UpdateMember(ctx, missing, 1) })
		checkErr(t, "UpdateMember of an unknown member", err, core.KindNotFound, "")
		missing.ID = "not-a-uuid"
		err = s.InTx(ctx, func(tx store.Tx) error { return tx.UpdateMember(ctx, missing, 1) })
		checkErr(t, "UpdateMember of a malformed id", err, core.KindNotFound, "")
	})

	t.Run("Uniqueness", func(t *testing.T) {
		alice := e.addMember(t, team.ID, "Alice.Liddell@Example.com")
		for _, name := range []string{"Alice.Liddell@Example.com", "alice.liddell@example.com", "ALICE.LIDDELL@EXAMPLE.COM", "aLiCe.LiDdElL@eXaMpLe.CoM"} {
			dup := e.newMember(team.ID, name)
			err := s.InTx(ctx, func(tx store.Tx) error { return e.createMember(tx, dup) })
			checkErr(t, "CreateMember "+name+" (same userName, other case)", err, core.KindConflict, scim.ErrUniqueness)
			_, err = s.Member(ctx, team.ID, dup.ID)
			checkErr(t, "Member after a refused create", err, core.KindNotFound, "")
		}
		// The same userName in another team is fine, and each team keeps
		// its own spelling.
		elsewhere := e.addMember(t, other.ID, "ALICE.liddell@example.com")
		if got := e.mustMember(t, team.ID, alice.ID); got.UserName != "Alice.Liddell@Example.com" {
			t.Errorf("userName came back as %q, want it exactly as stored %q", got.UserName, "Alice.Liddell@Example.com")
		}
		if got := e.mustMember(t, other.ID, elsewhere.ID); got.UserName != "ALICE.liddell@example.com" {
			t.Errorf("userName came back as %q, want %q", got.UserName, "ALICE.liddell@example.com")
		}
		// The userName lookup IdPs make is case-insensitive and per team.
		for _, name := range []string{"alice.liddell@example.com", "ALICE.LIDDELL@EXAMPLE.COM"} {
			p, err := s.Members(ctx, team.ID, store.Query{Filter: eqStr("userName", name), Count: 10})
			if checkOK(t, "Members(userName eq)", err) {
				if d := diff([]string{alice.ID}, memberIDs(p.Items)); d != "" || p.Total != 1 {
					t.Errorf("Members(userName eq %q): Total %d (-want +got ids):\n%s", name, p.Total, d)
				}
			}
		}

		// UpdateMember onto another member's userName, in any case.
		bob := e.addMember(t, team.ID, "bob")
		for _, name := range []string{"alice.liddell@example.com", "ALICE.LIDDELL@example.com"} {
			u := bob
			u.UserName = name
			u.Version = 2
			err := s.InTx(ctx, func(tx store.Tx) error { return tx.UpdateMember(ctx, u, 1) })
			checkErr(t, "UpdateMember onto another member's userName "+name, err, core.KindConflict, scim.ErrUniqueness)
		}
		if got := e.mustMember(t, team.ID, bob.ID); got.UserName != "bob" || got.Version != 1 {
			t.Errorf("a refused UpdateMember changed the member: userName %q version %d", got.UserName, got.Version)
		}
		// Moving the other team's member onto the name is no clash either.
		u := elsewhere
		u.UserName = "Alice.Liddell@Example.com"
		u.Version = 2
		e.tx(t, "UpdateMember onto a userName of another team", func(tx store.Tx) error { return tx.UpdateMember(ctx, u, 1) })

		// A deleted member's userName is free again.
		e.tx(t, "DeleteMember", func(tx store.Tx) error { return tx.DeleteMember(ctx, team.ID, alice.ID) })
		again := e.addMember(t, team.ID, "alice.LIDDELL@example.com")
		if got := e.mustMember(t, team.ID, again.ID); got.UserName != "alice.LIDDELL@example.com" {
			t.Errorf("re-created userName came back as %q", got.UserName)
		}
	})

	t.Run("Delete", func(t *testing.T) {
		m := e.addMember(t, team.ID, "leaver")
		keep := e.addMember(t, team.ID, "stayer")
		e.tx(t, "DeleteMember", func(tx store.Tx) error { return tx.DeleteMember(ctx, team.ID, m.ID) })
		_, err := s.Member(ctx, team.ID, m.ID)
		checkErr(t, "Member after DeleteMember", err, core.KindNotFound, "")
		_, err = s.MemberByAccount(ctx, m.AccountID)
		checkErr(t, "MemberByAccount after DeleteMember", err, core.KindNotFound, "")
		if _, err := s.Account(ctx, m.AccountID); err != nil {
			t.Errorf("DeleteMember must keep the global account: Account: %s", describeErr(err))
		}
		e.mustMember(t, team.ID, keep.ID)
		// Deleting it again, or an unknown id, is "not found" or a no-op.
		for _, id := range []string{m.ID, e.ids(), "not-a-uuid"} {
			err := s.InTx(ctx, func(tx store.Tx) error { return tx.DeleteMember(ctx, team.ID, id) })
			if err != nil {
				checkErr(t, "DeleteMember of a missing member", err, core.KindNotFound, "")
			}
		}
	})
}
