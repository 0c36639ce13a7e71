package storetest

import (
	"errors"
	"testing"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

// testMigrate: a freshly opened (migrated) store answers Ping and every
// read finds nothing.
func testMigrate(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	checkOK(t, "Ping", s.Ping(ctx))
	teams, err := s.Teams(ctx)
	if checkOK(t, "Teams", err) && len(teams) != 0 {
		t.Errorf("Teams on an empty store = %v, want none", teams)
	}
	unknown := e.ids()
	_, err = s.Team(ctx, unknown)
	checkErr(t, "Team(unknown)", err, core.KindNotFound, "")
	_, err = s.TeamBySlug(ctx, "acme")
	checkErr(t, "TeamBySlug(unknown)", err, core.KindNotFound, "")
	_, err = s.KeyByPrefix(ctx, "rsk_0123456789")
	checkErr(t, "KeyByPrefix(unknown)", err, core.KindNotFound, "")
	_, err = s.AccountByEmail(ctx, "nobody@example.com")
	checkErr(t, "AccountByEmail(unknown)", err, core.KindNotFound, "")
	_, err = s.Account(ctx, unknown)
	checkErr(t, "Account(unknown)", err, core.KindNotFound, "")
	_, err = s.MemberByAccount(ctx, unknown)
	checkErr(t, "MemberByAccount(unknown)", err, core.KindNotFound, "")
	_, err = s.Member(ctx, unknown, unknown)
	checkErr(t, "Member(unknown)", err, core.KindNotFound, "")
	_, err = s.Group(ctx, unknown, unknown)
	checkErr(t, "Group(unknown)", err, core.KindNotFound, "")
	for _, kind := range []core.KeyKind{core.KeySCIM, core.KeyPersonal} {
		keys, err := s.Keys(ctx, unknown, kind)
		if checkOK(t, "Keys", err) && len(keys) != 0 {
			t.Errorf("Keys(%s) on an empty store = %v, want none", kind, keys)
		}
	}
	mp, err := s.Members(ctx, unknown, store.Query{Count: 10})
	if checkOK(t, "Members", err) && (mp.Total != 0 || len(mp.Items) != 0) {
		t.Errorf("Members on an empty store: Total %d, %d items; want 0, 0", mp.Total, len(mp.Items))
	}
	gp, err := s.Groups(ctx, unknown, store.Query{Count: 10})
	if checkOK(t, "Groups", err) && (gp.Total != 0 || len(gp.Items) != 0) {
		t.Errorf("Groups on an empty store: Total %d, %d items; want 0, 0", gp.Total, len(gp.Items))
	}
	mg, err := s.MemberGroups(ctx, unknown, unknown)
	if err == nil && len(mg) != 0 {
		t.Errorf("MemberGroups on an empty store = %v", mg)
	} else if err != nil {
		checkErr(t, "MemberGroups(unknown)", err, core.KindNotFound, "")
	}
	streamed := 0
	err = s.GroupMembers(ctx, unknown, unknown, func(core.GroupMember) error { streamed++; return nil })
	if err != nil {
		checkErr(t, "GroupMembers(unknown)", err, core.KindNotFound, "")
	}
	if streamed != 0 {
		t.Errorf("GroupMembers on an empty store streamed %d members", streamed)
	}
	ok, err := s.DomainVerified(ctx, unknown, "example.com")
	if checkOK(t, "DomainVerified", err) && ok {
		t.Error("DomainVerified on an empty store = true")
	}
	// A write works on the new schema.
	e.addTeam(t, "first")
	checkOK(t, "Ping after a write", s.Ping(ctx))
}

// testTx: InTx commits on nil, rolls back on error and returns fn's error
// (wrapped or not), and a Tx sees its own writes.
func testTx(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	tm := e.addTeam(t, "tx")

	errBoom := errors.New("boom")
	m := e.newMember(tm.ID, "rolled.back")
	err := s.InTx(ctx, func(tx store.Tx) error {
		if err := e.createMember(tx, m); err != nil {
			return err
		}
		if _, err := tx.Member(ctx, tm.ID, m.ID); err != nil {
			t.Errorf("Tx.Member of a member created in the same Tx: %s", describeErr(err))
		}
		p, err := tx.Members(ctx, tm.ID, store.Query{Count: 10})
		if err != nil || p.Total != 1 {
			t.Errorf("Tx.Members after CreateMember in the same Tx: Total %d, %s", p.Total, describeErr(err))
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Errorf("InTx returned %v, want fn's error", err)
	}
	_, err = s.Member(ctx, tm.ID, m.ID)
	checkErr(t, "Member after a rolled-back create", err, core.KindNotFound, "")
	_, err = s.Account(ctx, m.AccountID)
	checkErr(t, "Account after a rolled-back create", err, core.KindNotFound, "")

	// A core.Error from fn keeps its Kind.
	err = s.InTx(ctx, func(tx store.Tx) error { return core.NotFound("nothing here") })
	checkErr(t, "InTx returning core.NotFound", err, core.KindNotFound, "notFound")

	// A Tx whose fn swallows a method's error and returns nil either
	// commits everything else fn did, or InTx reports an error and nothing
	// is committed: never nil with writes lost (PostgreSQL aborts a
	// transaction after a failed statement and turns COMMIT into ROLLBACK).
	kept := e.newMember(tm.ID, "kept.after.conflict")
	clash := e.newMember(tm.ID, "KEPT.after.conflict")
	var clashErr, afterErr error
	err = s.InTx(ctx, func(tx store.Tx) error {
		if err := e.createMember(tx, kept); err != nil {
			return err
		}
		clashErr = e.createMember(tx, clash)
		_, afterErr = tx.Member(ctx, tm.ID, kept.ID)
		return nil
	})
	checkErr(t, "CreateMember of a clashing userName", clashErr, core.KindConflict, "")
	_, getErr := s.Member(ctx, tm.ID, kept.ID)
	switch {
	case err == nil && getErr != nil:
		t.Errorf("InTx returned nil after fn swallowed a conflict, but the write fn made before it is lost: Member: %s", describeErr(getErr))
	case err != nil && getErr == nil:
		t.Errorf("InTx returned %v, yet the write was committed", err)
	case err != nil:
		t.Logf("this backend's Tx is unusable after a failed statement: InTx returned %v (and Tx.Member after the conflict: %v)", err, afterErr)
	}

	// Commit makes the writes visible outside.
	e.createMembers(t, m)
	if got := e.mustMember(t, tm.ID, m.ID); got.UserName != m.UserName {
		t.Errorf("after commit: userName %q, want %q", got.UserName, m.UserName)
	}
}

// testTeams: create, get by id and by slug in any case, duplicate slug,
// update of name and SCIM switch, Teams in creation order.
func testTeams(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	acme := e.addTeam(t, "Acme")
	globex := e.addTeam(t, "globex")
	initech := e.addTeam(t, "initech")

	got, err := s.Team(ctx, acme.ID)
	if checkOK(t, "Team", err) {
		if d := diff(acme, got); d != "" {
			t.Errorf("Team(%s) (-want +got):\n%s", acme.ID, d)
		}
	}
	for _, slug := range []string{"Acme", "acme", "ACME", "aCmE"} {
		got, err := s.TeamBySlug(ctx, slug)
		if checkOK(t, "TeamBySlug("+slug+")", err) {
			if d := diff(acme, got); d != "" {
				t.Errorf("TeamBySlug(%q) (-want +got):\n%s", slug, d)
			}
		}
	}
	_, err = s.TeamBySlug(ctx, "acm")
	checkErr(t, "TeamBySlug(prefix of a slug)", err, core.KindNotFound, "")
	_, err = s.TeamBySlug(ctx, "acme%")
	checkErr(t, "TeamBySlug(pattern)", err, core.KindNotFound, "")

	for _, slug := range []string{"Acme", "acme", "ACME", "GLOBEX"} {
		dup := e.newTeam(slug)
		err := s.InTx(ctx, func(tx store.Tx) error { return tx.CreateTeam(ctx, dup) })
		checkErr(t, "CreateTeam with duplicate slug "+slug, err, core.KindConflict, "")
	}

	teams, err := s.Teams(ctx)
	if checkOK(t, "Teams", err) {
		if d := diff([]core.Team{acme, globex, initech}, teams); d != "" {
			t.Errorf("Teams, in creation order (-want +got):\n%s", d)
		}
	}

	upd := globex
	upd.Name = "Globex Corporation"
	upd.SCIMEnabled = true
	upd.UpdatedAt = e.now()
	e.tx(t, "UpdateTeam", func(tx store.Tx) error { return tx.UpdateTeam(ctx, upd) })
	got, err = s.Team(ctx, globex.ID)
	if checkOK(t, "Team after UpdateTeam", err) {
		if !got.SCIMEnabled || got.Name != upd.Name {
			t.Errorf("after UpdateTeam(SCIMEnabled=true, Name=%q): SCIMEnabled=%v Name=%q", upd.Name, got.SCIMEnabled, got.Name)
		}
		if !got.CreatedAt.Equal(globex.CreatedAt) {
			t.Errorf("UpdateTeam changed CreatedAt: %v, want %v", got.CreatedAt, globex.CreatedAt)
		}
	}
	upd.SCIMEnabled = false
	e.tx(t, "UpdateTeam", func(tx store.Tx) error { return tx.UpdateTeam(ctx, upd) })
	if got, err := s.Team(ctx, globex.ID); checkOK(t, "Team", err) && got.SCIMEnabled {
		t.Error("after UpdateTeam(SCIMEnabled=false): still enabled")
	}
	// The other teams did not change.
	for _, want := range []core.Team{acme, initech} {
		if got, err := s.Team(ctx, want.ID); checkOK(t, "Team", err) {
			if d := diff(want, got); d != "" {
				t.Errorf("UpdateTeam of another team changed team %s (-want +got):\n%s", want.Slug, d)
			}
		}
	}
}

// testAccounts: unique email in any case, lookups, MemberByAccount, and one
// team per account.
func testAccounts(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	a := core.Account{ID: e.ids(), Email: "Ada.Lovelace@Example.com", DisplayName: "Ada", PasswordHash: "hash-" + e.ids(), Status: "active", CreatedAt: e.now()}
	a.UpdatedAt = a.CreatedAt
	b := core.Account{ID: e.ids(), Email: "grace@example.com", DisplayName: "Grace", Status: "active", CreatedAt: e.now()}
	b.UpdatedAt = b.CreatedAt
	e.tx(t, "CreateAccount", func(tx store.Tx) error {
		if err := tx.CreateAccount(ctx, a); err != nil {
			return err
		}
		return tx.CreateAccount(ctx, b)
	})
	if got, err := s.Account(ctx, a.ID); checkOK(t, "Account", err) {
		if d := diff(a, got); d != "" {
			t.Errorf("Account(%s) (-want +got):\n%s", a.ID, d)
		}
	}
	for _, email := range []string{"Ada.Lovelace@Example.com", "ada.lovelace@example.com", "ADA.LOVELACE@EXAMPLE.COM"} {
		if got, err := s.AccountByEmail(ctx, email); checkOK(t, "AccountByEmail("+email+")", err) {
			if d := diff(a, got); d != "" {
				t.Errorf("AccountByEmail(%q) (-want +got):\n%s", email, d)
			}
		}
	}
	_, err := s.AccountByEmail(ctx, "ada.lovelace@example.co")
	checkErr(t, "AccountByEmail(other email)", err, core.KindNotFound, "")
	_, err = s.AccountByEmail(ctx, "%@example.com")
	checkErr(t, "AccountByEmail(pattern)", err, core.KindNotFound, "")

	for _, email := range []string{"ada.lovelace@example.com", "ADA.LOVELACE@EXAMPLE.COM"} {
		dup := core.Account{ID: e.ids(), Email: email, Status: "active", CreatedAt: e.now()}
		dup.UpdatedAt = dup.CreatedAt
		err := s.InTx(ctx, func(tx store.Tx) error { return tx.CreateAccount(ctx, dup) })
		checkErr(t, "CreateAccount with duplicate email "+email, err, core.KindConflict, "")
	}
	// UpdateAccount onto another account's email, in another case.
	clash := b
	clash.Email = "ADA.lovelace@example.COM"
	err = s.InTx(ctx, func(tx store.Tx) error { return tx.UpdateAccount(ctx, clash) })
	checkErr(t, "UpdateAccount onto another account's email", err, core.KindConflict, "")
	if got, err := s.Account(ctx, b.ID); checkOK(t, "Account", err) && got.Email != b.Email {
		t.Errorf("failed UpdateAccount changed the email to %q", got.Email)
	}
	// UpdateAccount changing the case of its own email is fine.
	b2 := b
	b2.Email = "Grace@Example.com"
	b2.DisplayName = "Grace Hopper"
	b2.UpdatedAt = e.now()
	e.tx(t, "UpdateAccount", func(tx store.Tx) error { return tx.UpdateAccount(ctx, b2) })
	if got, err := s.AccountByEmail(ctx, "grace@example.com"); checkOK(t, "AccountByEmail after update", err) {
		if got.Email != b2.Email || got.DisplayName != b2.DisplayName {
			t.Errorf("after UpdateAccount: email %q name %q, want %q %q", got.Email, got.DisplayName, b2.Email, b2.DisplayName)
		}
	}

	// MemberByAccount and one team per account.
	t1 := e.addTeam(t, "one")
	t2 := e.addTeam(t, "two")
	_, err = s.MemberByAccount(ctx, a.ID)
	checkErr(t, "MemberByAccount of an account without membership", err, core.KindNotFound, "")
	m := e.newMember(t1.ID, "ada")
	m.AccountID, m.Email = a.ID, a.Email
	e.tx(t, "CreateMember", func(tx store.Tx) error { return tx.CreateMember(ctx, m) })
	if got, err := s.MemberByAccount(ctx, a.ID); checkOK(t, "MemberByAccount", err) {
		if d := diff(m, got); d != "" {
			t.Errorf("MemberByAccount (-want +got):\n%s", d)
		}
	}
	other := e.newMember(t2.ID, "ada.elsewhere")
	other.AccountID, other.Email = a.ID, a.Email
	err = s.InTx(ctx, func(tx store.Tx) error { return tx.CreateMember(ctx, other) })
	checkErr(t, "CreateMember of an account that is a member of another team", err, core.KindConflict, "")
	again := e.newMember(t1.ID, "ada.again")
	again.AccountID, again.Email = a.ID, a.Email
	err = s.InTx(ctx, func(tx store.Tx) error { return tx.CreateMember(ctx, again) })
	checkErr(t, "CreateMember of an account that is already a member of the team", err, core.KindConflict, "")

	// Leaving the team keeps the account; it may then join another team.
	e.tx(t, "DeleteMember", func(tx store.Tx) error { return tx.DeleteMember(ctx, t1.ID, m.ID) })
	_, err = s.MemberByAccount(ctx, a.ID)
	checkErr(t, "MemberByAccount after DeleteMember", err, core.KindNotFound, "")
	if _, err := s.Account(ctx, a.ID); err != nil {
		t.Errorf("DeleteMember deleted the account: Account: %s", describeErr(err))
	}
	e.tx(t, "CreateMember in another team after leaving", func(tx store.Tx) error { return tx.CreateMember(ctx, other) })
	if got, err := s.MemberByAccount(ctx, a.ID); checkOK(t, "MemberByAccount", err) && got.TeamID != t2.ID {
		t.Errorf("MemberByAccount after re-joining: team %s, want %s", got.TeamID, t2.ID)
	}
}
