package storetest

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim/filter"
	"github.com/rosterhq/roster/internal/store"
)

// hostileStrings are values a client can put in a URL path, a filter
// literal or a document: U+0000 (which PostgreSQL text cannot hold),
// bytes that are not UTF-8 (a path segment %FF), SQL and LIKE syntax, and
// a long string.
func hostileStrings() map[string]string {
	return map[string]string{
		"NUL":            "a\x00b",
		"only NUL":       "\x00",
		"invalid UTF-8":  "a\xff\xfeb",
		"SQL":            "x' OR '1'='1'; DROP TABLE members; --",
		"LIKE wildcards": "%_%\\",
		"long":           strings.Repeat("é", 5000),
	}
}

// testHostileInput: every method given hostile strings answers as it does
// for an unknown value, or with KindInvalid; it never fails with an
// internal error (which the SCIM layer turns into a 500), and a write it
// accepts round-trips exactly.
func testHostileInput(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	team := e.addTeam(t, "hostile")
	m := e.addMember(t, team.ID, "resident")
	g := e.addGroup(t, team.ID, "Residents")
	e.addToGroup(t, team.ID, g.ID, userRef(m))
	unknown := e.ids()

	readMembers := func(teamID string, f filter.Expr) outcome {
		p, err := s.Members(ctx, teamID, store.Query{Filter: f, Count: 10})
		return out(memberIDs(p.Items), err)
	}
	readGroups := func(teamID string, f filter.Expr) outcome {
		p, err := s.Groups(ctx, teamID, store.Query{Filter: f, Count: 10})
		return out(groupIDs(p.Items), err)
	}
	stream := func(teamID, id string) outcome {
		var got []core.GroupMember
		err := s.GroupMembers(ctx, teamID, id, func(m core.GroupMember) error { got = append(got, m); return nil })
		return out(got, err)
	}
	write := func(fn func(tx store.Tx) (any, error)) outcome {
		var v any
		var callErr error
		err := s.InTx(ctx, func(tx store.Tx) error {
			v, callErr = fn(tx)
			return callErr
		})
		if callErr == nil {
			callErr = err
		}
		return out(v, callErr)
	}

	for name, h := range hostileStrings() {
		t.Run(name, func(t *testing.T) {
			// read requires the same answer as for an unknown value, or
			// KindInvalid.
			read := func(what string, fn func(v string) outcome) {
				t.Helper()
				got, want := fn(h), fn(unknown)
				if strings.HasPrefix(got.Err, kindName(core.KindInvalid)+"/") {
					return
				}
				if d := diff(want, got); d != "" {
					t.Errorf("%s with a hostile value: want the same answer as for an unknown value, or KindInvalid (-unknown +hostile):\n%s", what, d)
				}
			}
			// query requires a filter with a hostile literal to be
			// answered, or refused with KindInvalid.
			query := func(what string, fn func(v string) error) {
				t.Helper()
				if err := fn(h); err != nil && !core.IsKind(err, core.KindInvalid) {
					t.Errorf("%s: %s; want an answer or KindInvalid", what, describeErr(err))
				}
			}
			read("Team", func(v string) outcome { x, err := s.Team(ctx, v); return out(x, err) })
			read("TeamBySlug", func(v string) outcome { x, err := s.TeamBySlug(ctx, v); return out(x, err) })
			read("KeyByPrefix", func(v string) outcome { x, err := s.KeyByPrefix(ctx, v); return out(x, err) })
			read("Keys", func(v string) outcome { x, err := s.Keys(ctx, v, core.KeySCIM); return out(x, err) })
			read("AccountByEmail", func(v string) outcome { x, err := s.AccountByEmail(ctx, v); return out(x, err) })
			read("Account", func(v string) outcome { x, err := s.Account(ctx, v); return out(x, err) })
			read("MemberByAccount", func(v string) outcome { x, err := s.MemberByAccount(ctx, v); return out(x, err) })
			read("Member", func(v string) outcome { x, err := s.Member(ctx, team.ID, v); return out(x, err) })
			read("Member (team id)", func(v string) outcome { x, err := s.Member(ctx, v, m.ID); return out(x, err) })
			read("Members (team id)", func(v string) outcome { return readMembers(v, nil) })
			read("MemberGroups", func(v string) outcome { x, err := s.MemberGroups(ctx, team.ID, v); return out(x, err) })
			read("Group", func(v string) outcome { x, err := s.Group(ctx, team.ID, v); return out(x, err) })
			read("Groups (team id)", func(v string) outcome { return readGroups(v, nil) })
			read("GroupMembers", func(v string) outcome { return stream(team.ID, v) })
			read("DomainVerified", func(v string) outcome { x, err := s.DomainVerified(ctx, team.ID, v); return out(x, err) })
			for _, attr := range []string{"id", "userName", "externalId", "title", "emails.value", "name.givenName",
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"} {
				for _, op := range []filter.Op{filter.OpEq, filter.OpCo, filter.OpGt} {
					query(fmt.Sprintf("Members(%s %s hostile)", attr, op), func(v string) error {
						_, err := s.Members(ctx, team.ID, store.Query{Count: 10,
							Filter: &filter.Compare{Path: path(attr), Op: op, Value: filter.Value{Kind: filter.KindString, Str: v}}})
						return err
					})
				}
			}
			for _, attr := range []string{"id", "displayName", "externalId", "members.value", "members.display"} {
				for _, op := range []filter.Op{filter.OpEq, filter.OpSw} {
					query(fmt.Sprintf("Groups(%s %s hostile)", attr, op), func(v string) error {
						_, err := s.Groups(ctx, team.ID, store.Query{Count: 10,
							Filter: &filter.Compare{Path: path(attr), Op: op, Value: filter.Value{Kind: filter.KindString, Str: v}}})
						return err
					})
				}
			}

			// Writes that name rows by a hostile id find nothing.
			read("UpdateMember", func(v string) outcome {
				u := m
				u.ID, u.Version = v, 2
				return write(func(tx store.Tx) (any, error) { return nil, tx.UpdateMember(ctx, u, 1) })
			})
			read("DeleteMember", func(v string) outcome {
				return write(func(tx store.Tx) (any, error) { return nil, tx.DeleteMember(ctx, team.ID, v) })
			})
			read("UpdateGroup", func(v string) outcome {
				u := g
				u.ID, u.Version = v, 2
				return write(func(tx store.Tx) (any, error) { return nil, tx.UpdateGroup(ctx, u, 1) })
			})
			read("DeleteGroup", func(v string) outcome {
				return write(func(tx store.Tx) (any, error) { return nil, tx.DeleteGroup(ctx, team.ID, v) })
			})
			read("AddGroupMembers (member id)", func(v string) outcome {
				return write(func(tx store.Tx) (any, error) {
					n, missing, err := tx.AddGroupMembers(ctx, team.ID, g.ID, []core.GroupMember{{Value: v, Type: typeUser}})
					return []any{n, len(missing)}, err
				})
			})
			read("AddGroupMembers (group id)", func(v string) outcome {
				return write(func(tx store.Tx) (any, error) {
					n, missing, err := tx.AddGroupMembers(ctx, team.ID, v, []core.GroupMember{userRef(m)})
					return []any{n, missing}, err
				})
			})
			read("RemoveGroupMembers", func(v string) outcome {
				return write(func(tx store.Tx) (any, error) { return tx.RemoveGroupMembers(ctx, team.ID, g.ID, []string{v}) })
			})
			read("RemoveGroupMembersWhere", func(v string) outcome {
				return write(func(tx store.Tx) (any, error) {
					return tx.RemoveGroupMembersWhere(ctx, team.ID, g.ID, eqStr("value", v))
				})
			})
			read("ClearGroupMembers", func(v string) outcome {
				return write(func(tx store.Tx) (any, error) { return tx.ClearGroupMembers(ctx, team.ID, v) })
			})
			read("RevokeKey", func(v string) outcome {
				return write(func(tx store.Tx) (any, error) { return nil, tx.RevokeKey(ctx, team.ID, v, e.now()) })
			})
			read("TouchKey", func(v string) outcome {
				return write(func(tx store.Tx) (any, error) { return nil, tx.TouchKey(ctx, v, e.now()) })
			})

			// Writes that store a hostile value: KindInvalid, or an exact
			// round trip. Stored values come from JSON bodies, which cannot
			// carry bytes that are not UTF-8 (a URL can: ids and filters
			// above), so those are not stored.
			if !utf8.ValidString(h) {
				return
			}
			roundTrip := func(what string, err error, readBack func() (string, error)) {
				t.Helper()
				switch {
				case core.IsKind(err, core.KindInvalid):
				case err != nil:
					t.Errorf("%s with a hostile value: %s; want success or KindInvalid", what, describeErr(err))
				default:
					got, err := readBack()
					if err != nil {
						t.Errorf("%s accepted a hostile value, reading it back: %s", what, describeErr(err))
					} else if got != h {
						t.Errorf("%s accepted a hostile value but returns %q, want %q", what, clip(got), clip(h))
					}
				}
			}
			nm := e.newMember(team.ID, h)
			nm.Doc = nil
			nm.ExternalID = h
			err := s.InTx(ctx, func(tx store.Tx) error {
				a := accountOf(nm)
				a.DisplayName = "hostile"
				if err := tx.CreateAccount(ctx, a); err != nil {
					return err
				}
				return tx.CreateMember(ctx, nm)
			})
			roundTrip("CreateMember (userName, externalId; no document)", err, func() (string, error) {
				got, err := s.Member(ctx, team.ID, nm.ID)
				if err == nil && got.ExternalID != h {
					return got.ExternalID, nil
				}
				return got.UserName, err
			})
			dm := e.newMember(team.ID, fmt.Sprintf("doc.%d", e.n()))
			dm.Doc["title"] = h
			err = s.InTx(ctx, func(tx store.Tx) error { return e.createMember(tx, dm) })
			roundTrip("CreateMember (document string)", err, func() (string, error) {
				got, err := s.Member(ctx, team.ID, dm.ID)
				v, _ := got.Doc["title"].(string)
				return v, err
			})
			ng := e.newGroup(team.ID, h)
			ng.Doc = nil
			err = s.InTx(ctx, func(tx store.Tx) error { return tx.CreateGroup(ctx, ng) })
			roundTrip("CreateGroup (displayName; no document)", err, func() (string, error) {
				got, err := s.Group(ctx, team.ID, ng.ID)
				return got.DisplayName, err
			})
			a := core.Account{ID: e.ids(), Email: h + "@example.com", DisplayName: h, Status: "active", CreatedAt: e.now()}
			a.UpdatedAt = a.CreatedAt
			err = s.InTx(ctx, func(tx store.Tx) error { return tx.CreateAccount(ctx, a) })
			roundTrip("CreateAccount (email)", err, func() (string, error) {
				got, err := s.Account(ctx, a.ID)
				return strings.TrimSuffix(got.Email, "@example.com"), err
			})
			nt := e.newTeam(fmt.Sprintf("t%d", e.n()))
			nt.Name = h
			err = s.InTx(ctx, func(tx store.Tx) error { return tx.CreateTeam(ctx, nt) })
			roundTrip("CreateTeam (name)", err, func() (string, error) {
				got, err := s.Team(ctx, nt.ID)
				return got.Name, err
			})
			err = s.InTx(ctx, func(tx store.Tx) error { return tx.AddDomain(ctx, team.ID, h, h, true, e.now()) })
			roundTrip("AddDomain", err, func() (string, error) {
				ok, err := s.DomainVerified(ctx, team.ID, h)
				if ok {
					return h, err
				}
				return "(not verified)", err
			})
		})
	}
}

// clip shortens a string for a failure message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
