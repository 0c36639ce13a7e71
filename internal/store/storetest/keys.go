package storetest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

// newKey builds an API key (not stored).
func (e *env) newKey(t *testing.T, teamID string, kind core.KeyKind, name string) core.APIKey {
	t.Helper()
	_, prefix, hash, err := core.NewKey(kind)
	if err != nil {
		t.Fatalf("NewKey: %v", err)
	}
	return core.APIKey{
		ID: e.ids(), TeamID: teamID, Kind: kind, Name: name, Prefix: prefix, Hash: hash,
		CreatedAt: e.now(), CreatedBy: "admin@example.com",
	}
}

// addKey builds and stores an API key.
func (e *env) addKey(t *testing.T, teamID string, kind core.KeyKind, name string) core.APIKey {
	t.Helper()
	k := e.newKey(t, teamID, kind, name)
	e.tx(t, "CreateKey", func(tx store.Tx) error { return tx.CreateKey(e.ctx, k) })
	return k
}

// swapCase swaps the letter case of s.
func swapCase(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z':
			return r - 'A' + 'a'
		}
		return r
	}, s)
}

// testKeys: CreateKey, KeyByPrefix (the one cross-team lookup), Keys per
// team and kind newest first, RevokeKey scoped by team, TouchKey.
func testKeys(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	team := e.addTeam(t, "keys")
	other := e.addTeam(t, "keys-other")

	k1 := e.newKey(t, team.ID, core.KeySCIM, "Okta")
	exp := e.now().Add(90 * 24 * time.Hour)
	k1.ExpiresAt = &exp
	e.tx(t, "CreateKey", func(tx store.Tx) error { return tx.CreateKey(ctx, k1) })
	k2 := e.addKey(t, team.ID, core.KeySCIM, "Entra")
	k3 := e.addKey(t, team.ID, core.KeyPersonal, "CLI")
	ko := e.addKey(t, other.ID, core.KeySCIM, "Other team's Okta")

	for _, want := range []core.APIKey{k1, k2, k3, ko} {
		got, err := s.KeyByPrefix(ctx, want.Prefix)
		if checkOK(t, "KeyByPrefix("+want.Name+")", err) {
			if d := diff(want, got); d != "" {
				t.Errorf("KeyByPrefix(%s) (-want +got):\n%s", want.Prefix, d)
			}
		}
		gotK, gotT, err := s.KeyWithTeam(ctx, want.Prefix)
		if checkOK(t, "KeyWithTeam("+want.Name+")", err) {
			wantT, err := s.Team(ctx, want.TeamID)
			checkOK(t, "Team", err)
			if d := diff(want, gotK); d != "" {
				t.Errorf("KeyWithTeam(%s) key (-want +got):\n%s", want.Prefix, d)
			}
			if d := diff(wantT, gotT); d != "" {
				t.Errorf("KeyWithTeam(%s) team (-want +got):\n%s", want.Prefix, d)
			}
		}
		if swapped := swapCase(want.Prefix); swapped != want.Prefix {
			_, _, err := s.KeyWithTeam(ctx, swapped)
			checkErr(t, "KeyWithTeam with the prefix's letter case swapped", err, core.KindNotFound, "")
			_, err = s.KeyByPrefix(ctx, swapped)
			checkErr(t, "KeyByPrefix with the prefix's letter case swapped (base62 is case-sensitive)", err, core.KindNotFound, "")
		}
	}
	for _, p := range []string{"", "rsk_", k1.Prefix[:len(k1.Prefix)-1], k1.Prefix + "x", "rsk_%"} {
		_, err := s.KeyByPrefix(ctx, p)
		checkErr(t, "KeyByPrefix("+p+")", err, core.KindNotFound, "")
		_, _, err = s.KeyWithTeam(ctx, p)
		checkErr(t, "KeyWithTeam("+p+")", err, core.KindNotFound, "")
	}

	listKeys := func(teamID string, kind core.KeyKind) []core.APIKey {
		t.Helper()
		keys, err := s.Keys(ctx, teamID, kind)
		checkOK(t, "Keys", err)
		return keys
	}
	for _, tc := range []struct {
		name   string
		teamID string
		kind   core.KeyKind
		want   []core.APIKey
	}{
		{"team SCIM keys, newest first", team.ID, core.KeySCIM, []core.APIKey{k2, k1}},
		{"team personal keys", team.ID, core.KeyPersonal, []core.APIKey{k3}},
		{"other team's SCIM keys", other.ID, core.KeySCIM, []core.APIKey{ko}},
		{"other team's personal keys", other.ID, core.KeyPersonal, nil},
	} {
		if d := diff(tc.want, listKeys(tc.teamID, tc.kind)); d != "" {
			t.Errorf("Keys: %s (-want +got):\n%s", tc.name, d)
		}
	}

	// A second key with the same prefix is refused and changes nothing.
	dup := e.newKey(t, other.ID, core.KeySCIM, "duplicate prefix")
	dup.Prefix = k1.Prefix
	if err := s.InTx(ctx, func(tx store.Tx) error { return tx.CreateKey(ctx, dup) }); err == nil {
		t.Error("CreateKey with an existing prefix succeeded; prefixes must be unique across teams")
	}
	if got, err := s.KeyByPrefix(ctx, k1.Prefix); checkOK(t, "KeyByPrefix", err) && got.ID != k1.ID {
		t.Errorf("KeyByPrefix after a duplicate-prefix create returned key %s, want %s", got.ID, k1.ID)
	}

	// RevokeKey with another team's id, or an unknown id, finds nothing.
	at := e.now()
	for _, tc := range []struct{ name, teamID, id string }{
		{"another team's key", other.ID, k1.ID},
		{"an unknown key", team.ID, e.ids()},
		{"a malformed id", team.ID, "not-a-uuid"},
	} {
		err := s.InTx(ctx, func(tx store.Tx) error { return tx.RevokeKey(ctx, tc.teamID, tc.id, at) })
		checkErr(t, "RevokeKey of "+tc.name, err, core.KindNotFound, "")
	}
	if got, err := s.KeyByPrefix(ctx, k1.Prefix); checkOK(t, "KeyByPrefix", err) {
		if d := diff(k1, got); d != "" {
			t.Errorf("a refused RevokeKey changed the key (-want +got):\n%s", d)
		}
	}
	e.tx(t, "RevokeKey", func(tx store.Tx) error { return tx.RevokeKey(ctx, team.ID, k1.ID, at) })
	want := k1
	want.RevokedAt = &at
	if got, err := s.KeyByPrefix(ctx, k1.Prefix); checkOK(t, "KeyByPrefix", err) {
		if d := diff(want, got); d != "" {
			t.Errorf("after RevokeKey (-want +got):\n%s", d)
		}
		if st := got.Status(at); st != core.KeyRevoked {
			t.Errorf("status after RevokeKey = %s", st)
		}
	}
	if got, _, err := s.KeyWithTeam(ctx, k1.Prefix); checkOK(t, "KeyWithTeam", err) && got.Status(at) != core.KeyRevoked {
		t.Errorf("KeyWithTeam after RevokeKey: status %s, want revoked on the next read", got.Status(at))
	}
	// Revoking again later keeps the first time; a scheduled revocation is
	// brought forward by an earlier one.
	e.tx(t, "RevokeKey", func(tx store.Tx) error { return tx.RevokeKey(ctx, team.ID, k1.ID, at.Add(time.Hour)) })
	if got, err := s.KeyByPrefix(ctx, k1.Prefix); checkOK(t, "KeyByPrefix", err) && (got.RevokedAt == nil || !got.RevokedAt.Equal(at)) {
		t.Errorf("a later RevokeKey moved the revocation time to %v, want %v", got.RevokedAt, at)
	}
	future := at.Add(24 * time.Hour)
	e.tx(t, "RevokeKey", func(tx store.Tx) error { return tx.RevokeKey(ctx, team.ID, k2.ID, future) })
	e.tx(t, "RevokeKey", func(tx store.Tx) error { return tx.RevokeKey(ctx, team.ID, k2.ID, at) })
	if got, err := s.KeyByPrefix(ctx, k2.Prefix); checkOK(t, "KeyByPrefix", err) {
		if got.RevokedAt == nil || !got.RevokedAt.Equal(at) {
			t.Errorf("an earlier RevokeKey left the scheduled revocation at %v, want %v", got.RevokedAt, at)
		}
		if st := got.Status(at); st != core.KeyRevoked {
			t.Errorf("status after bringing the revocation forward = %s", st)
		}
	}
	e.tx(t, "RevokeKey", func(tx store.Tx) error { return tx.RevokeKey(ctx, team.ID, k2.ID, future) })
	if got, err := s.KeyByPrefix(ctx, k2.Prefix); checkOK(t, "KeyByPrefix", err) && (got.RevokedAt == nil || !got.RevokedAt.Equal(at)) {
		t.Errorf("a later RevokeKey moved the revocation time to %v, want %v", got.RevokedAt, at)
	}
	want2 := k2
	want2.RevokedAt = &at
	if d := diff([]core.APIKey{want2, want}, listKeys(team.ID, core.KeySCIM)); d != "" {
		t.Errorf("Keys after RevokeKey (-want +got):\n%s", d)
	}
	if d := diff([]core.APIKey{ko}, listKeys(other.ID, core.KeySCIM)); d != "" {
		t.Errorf("RevokeKey of one team changed another's keys (-want +got):\n%s", d)
	}

	// TouchKey records the last use.
	used := e.now()
	e.tx(t, "TouchKey", func(tx store.Tx) error { return tx.TouchKey(ctx, k2.ID, used) })
	later := e.now()
	e.tx(t, "TouchKey", func(tx store.Tx) error { return tx.TouchKey(ctx, k2.ID, later) })
	wantK2 := want2
	wantK2.LastUsed = &later
	if got, err := s.KeyByPrefix(ctx, k2.Prefix); checkOK(t, "KeyByPrefix", err) {
		if d := diff(wantK2, got); d != "" {
			t.Errorf("after TouchKey (-want +got):\n%s", d)
		}
	}
	if got, err := s.KeyByPrefix(ctx, k3.Prefix); checkOK(t, "KeyByPrefix", err) && got.LastUsed != nil {
		t.Errorf("TouchKey of one key touched another: LastUsed %v", got.LastUsed)
	}
}

// testDomains: AddDomain and DomainVerified, case-insensitive and scoped by
// team.
func testDomains(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	team := e.addTeam(t, "domains")
	other := e.addTeam(t, "domains-other")
	e.tx(t, "AddDomain", func(tx store.Tx) error {
		if err := tx.AddDomain(ctx, team.ID, "Example.COM", "tok-1", true, e.now()); err != nil {
			return err
		}
		if err := tx.AddDomain(ctx, team.ID, "pending.example", "tok-2", false, e.now()); err != nil {
			return err
		}
		return tx.AddDomain(ctx, other.ID, "other.example", "tok-3", true, e.now())
	})
	for _, tc := range []struct {
		teamID, domain string
		want           bool
	}{
		{team.ID, "example.com", true},
		{team.ID, "EXAMPLE.COM", true},
		{team.ID, "Example.Com", true},
		{team.ID, "pending.example", false}, // added, not verified
		{team.ID, "other.example", false},   // another team's
		{team.ID, "sub.example.com", false},
		{team.ID, "example.co", false},
		{team.ID, "xample.com", false},
		{team.ID, "%", false},
		{team.ID, "", false},
		{other.ID, "example.com", false},
		{other.ID, "other.example", true},
		{other.ID, "OTHER.example", true},
		{e.ids(), "example.com", false},
	} {
		got, err := s.DomainVerified(ctx, tc.teamID, tc.domain)
		if checkOK(t, "DomainVerified", err) && got != tc.want {
			name := "team"
			if tc.teamID == other.ID {
				name = "other team"
			}
			t.Errorf("DomainVerified(%s, %q) = %v, want %v", name, tc.domain, got, tc.want)
		}
	}
}

// testAuthEpoch: the authentication epoch moves with every write that can
// change a key check — CreateKey, RevokeKey, DeleteKey, RevokeAccountKeys
// (when it revokes something), UpdateTeam — and with nothing else: not a
// key's last use, not a member write, not a failed write (its transaction
// rolls back). It never moves backwards.
func testAuthEpoch(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	epoch := func(what string) int64 {
		t.Helper()
		n, err := s.AuthEpoch(ctx)
		if !checkOK(t, "AuthEpoch "+what, err) {
			t.FailNow()
		}
		return n
	}
	last := epoch("at the start")
	moved := func(what string, want bool) {
		t.Helper()
		n := epoch("after " + what)
		switch {
		case n < last:
			t.Errorf("AuthEpoch went back after %s: %d -> %d", what, last, n)
		case want && n == last:
			t.Errorf("AuthEpoch did not move after %s (still %d): a cached key check would outlive it", what, n)
		case !want && n != last:
			t.Errorf("AuthEpoch moved after %s (%d -> %d), which changes no key check", what, last, n)
		}
		last = n
	}
	team := e.addTeam(t, "epoch")
	moved("CreateTeam", false)
	k := e.addKey(t, team.ID, core.KeySCIM, "Okta")
	moved("CreateKey", true)
	e.tx(t, "TouchKey", func(tx store.Tx) error { return tx.TouchKey(ctx, k.ID, e.now()) })
	moved("TouchKey", false)
	e.addMember(t, team.ID, "epoch.member")
	moved("CreateMember", false)
	e.tx(t, "RevokeKey", func(tx store.Tx) error { return tx.RevokeKey(ctx, team.ID, k.ID, e.now()) })
	moved("RevokeKey", true)
	team.SCIMEnabled = !team.SCIMEnabled
	e.tx(t, "UpdateTeam", func(tx store.Tx) error { return tx.UpdateTeam(ctx, team) })
	moved("UpdateTeam", true)
	e.tx(t, "DeleteKey", func(tx store.Tx) error { return tx.DeleteKey(ctx, team.ID, k.ID) })
	moved("DeleteKey", true)
	_ = s.InTx(ctx, func(tx store.Tx) error {
		if err := tx.RevokeKey(ctx, team.ID, e.addKeyIn(t, tx, team.ID).ID, e.now()); err != nil {
			return err
		}
		return errRollback
	})
	moved("a rolled-back CreateKey and RevokeKey", false)
	e.tx(t, "RevokeAccountKeys of an account with no keys", func(tx store.Tx) error {
		_, err := tx.RevokeAccountKeys(ctx, team.ID, e.ids(), e.now())
		return err
	})
	moved("RevokeAccountKeys that revoked nothing", false)
}

// errRollback makes InTx roll back on purpose.
var errRollback = errors.New("storetest: roll back")

// addKeyIn stores a new SCIM key of teamID in tx.
func (e *env) addKeyIn(t *testing.T, tx store.Tx, teamID string) core.APIKey {
	t.Helper()
	k := e.newKey(t, teamID, core.KeySCIM, "rolled back")
	if err := tx.CreateKey(e.ctx, k); err != nil {
		t.Fatalf("CreateKey: %v", err)
	}
	return k
}
