package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

// addAccount stores a bare account (no membership) and returns it.
func (e *env) addAccount(t *testing.T) core.Account {
	t.Helper()
	at := e.now()
	a := core.Account{ID: e.ids(), Email: fmt.Sprintf("account%d@example.com", e.n()), Status: "active", CreatedAt: at, UpdatedAt: at}
	e.tx(t, "CreateAccount", func(tx store.Tx) error { return tx.CreateAccount(e.ctx, a) })
	return a
}

// testSessions: CreateSession, SessionByTokenHash, TouchSession,
// DeleteSession and DeleteAccountSessions; sessions are keyed by id and by
// token hash, both unique.
func testSessions(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	acct1, acct2 := e.addAccount(t), e.addAccount(t)
	s1, s2, s3 := e.newSession(acct1.ID), e.newSession(acct1.ID), e.newSession(acct2.ID)
	e.tx(t, "CreateSession", func(tx store.Tx) error {
		for _, ss := range []core.Session{s1, s2, s3} {
			if err := tx.CreateSession(ctx, ss); err != nil {
				return err
			}
		}
		return nil
	})
	mustSession := func(want core.Session) {
		t.Helper()
		got, err := s.SessionByTokenHash(ctx, want.TokenHash)
		if checkOK(t, "SessionByTokenHash", err) {
			if d := diff(want, got); d != "" {
				t.Errorf("SessionByTokenHash (-want +got):\n%s", d)
			}
		}
	}
	for _, ss := range []core.Session{s1, s2, s3} {
		mustSession(ss)
	}
	_, err := s.SessionByTokenHash(ctx, []byte("no such hash"))
	checkErr(t, "SessionByTokenHash(unknown)", err, core.KindNotFound, "")
	_, err = s.SessionByTokenHash(ctx, s1.TokenHash[:len(s1.TokenHash)-1])
	checkErr(t, "SessionByTokenHash(a prefix of a hash)", err, core.KindNotFound, "")

	dupID := e.newSession(acct2.ID)
	dupID.ID = s1.ID
	dupHash := e.newSession(acct2.ID)
	dupHash.TokenHash = s1.TokenHash
	noAccount := e.newSession(e.ids())
	for _, tc := range []struct {
		name string
		ss   core.Session
		kind core.Kind
	}{
		{"an id in use", dupID, core.KindConflict},
		{"a token hash in use", dupHash, core.KindConflict},
		{"an unknown account", noAccount, core.KindNotFound},
	} {
		err := s.InTx(ctx, func(tx store.Tx) error { return tx.CreateSession(ctx, tc.ss) })
		checkErr(t, "CreateSession with "+tc.name, err, tc.kind, "")
	}
	mustSession(s1)

	// TouchSession moves one session's times.
	seen := e.now()
	exp := seen.Add(8 * time.Hour)
	e.tx(t, "TouchSession", func(tx store.Tx) error { return tx.TouchSession(ctx, s2.ID, seen, exp) })
	want2 := s2
	want2.LastSeenAt, want2.ExpiresAt = seen, exp
	mustSession(want2)
	mustSession(s1)
	err = s.InTx(ctx, func(tx store.Tx) error { return tx.TouchSession(ctx, e.ids(), seen, exp) })
	checkErr(t, "TouchSession(unknown)", err, core.KindNotFound, "")

	// DeleteSession ends one; deleting it again is fine.
	e.tx(t, "DeleteSession", func(tx store.Tx) error { return tx.DeleteSession(ctx, s1.ID) })
	_, err = s.SessionByTokenHash(ctx, s1.TokenHash)
	checkErr(t, "SessionByTokenHash after DeleteSession", err, core.KindNotFound, "")
	e.tx(t, "DeleteSession again", func(tx store.Tx) error { return tx.DeleteSession(ctx, s1.ID) })
	mustSession(want2)

	// DeleteAccountSessions ends all of one account's.
	s4 := e.newSession(acct1.ID)
	e.tx(t, "CreateSession", func(tx store.Tx) error { return tx.CreateSession(ctx, s4) })
	for _, want := range []int{2, 0} {
		var n int
		e.tx(t, "DeleteAccountSessions", func(tx store.Tx) error {
			var err error
			n, err = tx.DeleteAccountSessions(ctx, acct1.ID)
			return err
		})
		if n != want {
			t.Errorf("DeleteAccountSessions = %d, want %d", n, want)
		}
	}
	for _, ss := range []core.Session{s2, s4} {
		_, err := s.SessionByTokenHash(ctx, ss.TokenHash)
		checkErr(t, "SessionByTokenHash after DeleteAccountSessions", err, core.KindNotFound, "")
	}
	mustSession(s3)
}

// testAdminKeys: personal tokens carry their account; AccountKeys,
// RevokeAccountKeys (only the account's personal tokens in that team) and
// DeleteKey (scoped by team).
func testAdminKeys(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	team := e.addTeam(t, "tokens")
	other := e.addTeam(t, "tokens-other")
	m := e.addMember(t, team.ID, "token.holder")
	m2 := e.addMember(t, team.ID, "someone.else")
	personal := func(teamID, accountID, name string) core.APIKey {
		k := e.newKey(t, teamID, core.KeyPersonal, name)
		k.AccountID = accountID
		e.tx(t, "CreateKey", func(tx store.Tx) error { return tx.CreateKey(ctx, k) })
		return k
	}
	p1 := personal(team.ID, m.AccountID, "laptop")
	p2 := personal(team.ID, m.AccountID, "ci")
	p3 := personal(team.ID, m2.AccountID, "theirs")
	po := personal(other.ID, m.AccountID, "same account, other team")
	sk := e.addKey(t, team.ID, core.KeySCIM, "Okta")

	byPrefix := func(k core.APIKey) (core.APIKey, error) {
		t.Helper()
		return s.KeyByPrefix(ctx, k.Prefix)
	}
	for _, want := range []core.APIKey{p1, p2, p3, po, sk} {
		if got, err := byPrefix(want); checkOK(t, "KeyByPrefix", err) {
			if d := diff(want, got); d != "" {
				t.Errorf("KeyByPrefix(%s): AccountID must round-trip (-want +got):\n%s", want.Name, d)
			}
		}
	}
	accountKeys := func(teamID, accountID string) []core.APIKey {
		t.Helper()
		ks, err := s.AccountKeys(ctx, teamID, accountID)
		checkOK(t, "AccountKeys", err)
		return ks
	}
	if d := diff([]core.APIKey{p2, p1}, accountKeys(team.ID, m.AccountID)); d != "" {
		t.Errorf("AccountKeys(team, holder), newest first (-want +got):\n%s", d)
	}
	if d := diff([]core.APIKey{po}, accountKeys(other.ID, m.AccountID)); d != "" {
		t.Errorf("AccountKeys(other team, holder) (-want +got):\n%s", d)
	}
	if got := accountKeys(team.ID, e.ids()); len(got) != 0 {
		t.Errorf("AccountKeys(unknown account) = %v", got)
	}

	// RevokeAccountKeys revokes what is not revoked yet, only there.
	t0 := e.now()
	e.tx(t, "RevokeKey", func(tx store.Tx) error { return tx.RevokeKey(ctx, team.ID, p1.ID, t0) })
	t1 := e.now()
	for _, want := range []int{1, 0} {
		var n int
		e.tx(t, "RevokeAccountKeys", func(tx store.Tx) error {
			var err error
			n, err = tx.RevokeAccountKeys(ctx, team.ID, m.AccountID, t1)
			return err
		})
		if n != want {
			t.Errorf("RevokeAccountKeys = %d, want %d", n, want)
		}
	}
	w1, w2 := p1, p2
	w1.RevokedAt, w2.RevokedAt = &t0, &t1
	for _, want := range []core.APIKey{w1, w2, p3, po, sk} {
		if got, err := byPrefix(want); checkOK(t, "KeyByPrefix", err) {
			if d := diff(want, got); d != "" {
				t.Errorf("after RevokeAccountKeys, key %q (-want +got):\n%s", want.Name, d)
			}
		}
	}

	// DeleteKey removes a team's key for good, and only with its team.
	e.tx(t, "DeleteKey", func(tx store.Tx) error { return tx.DeleteKey(ctx, team.ID, p1.ID) })
	_, err := byPrefix(p1)
	checkErr(t, "KeyByPrefix after DeleteKey", err, core.KindNotFound, "")
	for _, tc := range []struct{ name, teamID, id string }{
		{"a deleted key", team.ID, p1.ID},
		{"another team's key", other.ID, sk.ID},
		{"an unknown key", team.ID, e.ids()},
	} {
		err := s.InTx(ctx, func(tx store.Tx) error { return tx.DeleteKey(ctx, tc.teamID, tc.id) })
		checkErr(t, "DeleteKey of "+tc.name, err, core.KindNotFound, "")
	}
	if _, err := byPrefix(sk); !checkOK(t, "KeyByPrefix of a key another team tried to delete", err) {
		return
	}
	if d := diff([]core.APIKey{w2}, accountKeys(team.ID, m.AccountID)); d != "" {
		t.Errorf("AccountKeys after DeleteKey (-want +got):\n%s", d)
	}
}

// testDomainState: Domains, Domain, UpdateDomain and RemoveDomain beside
// AddDomain and DomainVerified.
func testDomainState(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	team := e.addTeam(t, "domain-state")
	other := e.addTeam(t, "domain-state-other")
	t0 := e.now()
	e.tx(t, "AddDomain", func(tx store.Tx) error {
		for _, d := range []string{"Zeta.Example", "alpha.example"} {
			if err := tx.AddDomain(ctx, team.ID, d, "tok-"+d, false, t0); err != nil {
				return err
			}
		}
		return tx.AddDomain(ctx, other.ID, "zeta.example", "tok-other", true, t0)
	})
	zeta := core.Domain{TeamID: team.ID, Domain: "zeta.example", Token: "tok-Zeta.Example", CreatedAt: t0}
	alpha := core.Domain{TeamID: team.ID, Domain: "alpha.example", Token: "tok-alpha.example", CreatedAt: t0} //nolint:gosec // a fixture DNS token, not a credential
	otherZeta := core.Domain{TeamID: other.ID, Domain: "zeta.example", Token: "tok-other", Verified: true, CreatedAt: t0, VerifiedAt: &t0}
	check := func(what string, want ...core.Domain) {
		t.Helper()
		got, err := s.Domains(ctx, team.ID)
		if checkOK(t, "Domains", err) {
			if d := diff(want, got); d != "" {
				t.Errorf("%s: Domains, by name (-want +got):\n%s", what, d)
			}
		}
		for _, w := range want {
			got, err := s.Domain(ctx, team.ID, strings.ToUpper(w.Domain))
			if checkOK(t, "Domain", err) {
				if d := diff(w, got); d != "" {
					t.Errorf("%s: Domain(%s) (-want +got):\n%s", what, w.Domain, d)
				}
			}
		}
		if got, err := s.Domain(ctx, other.ID, "zeta.example"); checkOK(t, "Domain(other)", err) {
			if d := diff(otherZeta, got); d != "" {
				t.Errorf("%s: the other team's domain changed (-want +got):\n%s", what, d)
			}
		}
	}
	check("after AddDomain", alpha, zeta)
	_, err := s.Domain(ctx, team.ID, "beta.example")
	checkErr(t, "Domain(unknown)", err, core.KindNotFound, "")

	// A failed check, then a successful one.
	t1 := e.now()
	zeta.LastCheckAt, zeta.LastCheckResult = &t1, `found TXT "something-else"`
	e.tx(t, "UpdateDomain", func(tx store.Tx) error { return tx.UpdateDomain(ctx, zeta) })
	check("after a failed check", alpha, zeta)
	t2 := e.now()
	zeta.Verified, zeta.VerifiedAt, zeta.LastCheckAt, zeta.LastCheckResult = true, &t2, &t2, "verified"
	up := zeta
	up.Domain = "ZETA.example"
	e.tx(t, "UpdateDomain", func(tx store.Tx) error { return tx.UpdateDomain(ctx, up) })
	check("after verification", alpha, zeta)
	if ok, err := s.DomainVerified(ctx, team.ID, "zeta.example"); checkOK(t, "DomainVerified", err) && !ok {
		t.Error("DomainVerified is false after UpdateDomain verified it")
	}
	missing := core.Domain{TeamID: team.ID, Domain: "beta.example", Token: "x"}
	err = s.InTx(ctx, func(tx store.Tx) error { return tx.UpdateDomain(ctx, missing) })
	checkErr(t, "UpdateDomain(unknown)", err, core.KindNotFound, "")

	// Adding it again (a new token) starts over but keeps CreatedAt.
	t3 := e.now()
	e.tx(t, "AddDomain again", func(tx store.Tx) error { return tx.AddDomain(ctx, team.ID, "zeta.example", "tok-new", false, t3) })
	zeta = core.Domain{TeamID: team.ID, Domain: "zeta.example", Token: "tok-new", CreatedAt: t0}
	check("after AddDomain of a known domain", alpha, zeta)

	e.tx(t, "RemoveDomain", func(tx store.Tx) error { return tx.RemoveDomain(ctx, team.ID, "Zeta.EXAMPLE") })
	check("after RemoveDomain", alpha)
	_, err = s.Domain(ctx, team.ID, "zeta.example")
	checkErr(t, "Domain after RemoveDomain", err, core.KindNotFound, "")
	err = s.InTx(ctx, func(tx store.Tx) error { return tx.RemoveDomain(ctx, team.ID, "zeta.example") })
	checkErr(t, "RemoveDomain again", err, core.KindNotFound, "")
}

// testAudit: AppendAudit round trip; Audit pages in both directions with
// every filter, each page exactly the oracle's; events outlive the member
// they name.
func testAudit(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	team := e.addTeam(t, "audit")
	other := e.addTeam(t, "audit-other")
	m := e.addMember(t, team.ID, "audited.person")
	actors := []string{m.AccountID, e.ids(), e.ids()}
	actions := []string{"user.created", "user.updated", "key.revoked"}
	targets := []string{m.ID, e.ids(), e.ids(), e.ids()}
	var events []core.AuditEvent
	e.tx(t, "AppendAudit", func(tx store.Tx) error {
		for i := range 37 {
			ev := e.newAudit(team.ID, actors[i%3], actions[(i/2)%3], targets[i%4])
			if i%5 == 0 {
				ev.Actor = core.Actor{Kind: core.ActorCLI}
			}
			if err := tx.AppendAudit(ctx, ev); err != nil {
				return err
			}
			events = append(events, ev)
			if i%6 == 0 { // the other team: same actors, actions and targets
				if err := tx.AppendAudit(ctx, e.newAudit(other.ID, actors[i%3], actions[(i/2)%3], targets[i%4])); err != nil {
					return err
				}
			}
		}
		return nil
	})

	// Round trip, Summary included (numbers come back as float64).
	got, err := s.Audit(ctx, team.ID, store.AuditQuery{Limit: 1})
	if checkOK(t, "Audit", err) {
		if d := exactDiff([]core.AuditEvent{events[0]}, got); d != "" {
			t.Errorf("Audit round trip (-want +got):\n%s", d)
		}
	}

	// Deleting the member the events name keeps them.
	e.tx(t, "DeleteMember", func(tx store.Tx) error { return tx.DeleteMember(ctx, team.ID, m.ID) })

	oracle := func(q store.AuditQuery) []string {
		var ids []string
		for _, ev := range events {
			switch {
			case q.ActorID != "" && ev.Actor.ID != q.ActorID,
				q.Action != "" && ev.Action != q.Action,
				q.TargetID != "" && ev.TargetID != q.TargetID,
				!q.Since.IsZero() && ev.At.Before(q.Since),
				!q.Until.IsZero() && !ev.At.Before(q.Until):
				continue
			}
			ids = append(ids, ev.ID)
		}
		slices.Sort(ids)
		if q.Descending {
			slices.Reverse(ids)
		}
		return ids
	}
	since, until := events[8].At, events[29].At
	queries := []store.AuditQuery{
		{},
		{ActorID: actors[0]},
		{ActorID: actors[1]},
		{Action: "user.updated"},
		{TargetID: m.ID},
		{TargetID: targets[3]},
		{ActorID: actors[2], Action: "key.revoked"},
		{ActorID: actors[0], TargetID: m.ID},
		{Since: since},
		{Until: until},
		{Since: since, Until: until, Action: "user.created"},
		{ActorID: e.ids()},
		{Since: until, Until: since}, // empty range
	}
	for _, q := range queries {
		for _, desc := range []bool{false, true} {
			q.Descending = desc
			want := oracle(q)
			var all []string
			q.Limit = 7
			q.After = ""
			for page := 0; ; page++ {
				if page > 20 {
					t.Fatalf("Audit(%+v) does not end", q)
				}
				evs, err := s.Audit(ctx, team.ID, q)
				if !checkOK(t, "Audit", err) {
					break
				}
				if len(evs) > q.Limit {
					t.Errorf("Audit(%+v) returned %d events, limit %d", q, len(evs), q.Limit)
				}
				for _, ev := range evs {
					if ev.TeamID != team.ID {
						t.Errorf("Audit(team) returned an event of team %s", ev.TeamID)
					}
					all = append(all, ev.ID)
				}
				if len(evs) < q.Limit {
					break
				}
				q.After = evs[len(evs)-1].ID
			}
			q.After = ""
			if d := diff(want, all); d != "" {
				t.Errorf("Audit pages of 7 for %+v (-want +got):\n%s", q, d)
			}
		}
	}
	// Limits: 0 is the default page (100), more than 1000 is capped.
	for _, limit := range []int{0, -1, 5000} {
		evs, err := s.Audit(ctx, team.ID, store.AuditQuery{Limit: limit})
		if checkOK(t, "Audit", err) && len(evs) != len(events) {
			t.Errorf("Audit(Limit %d) = %d events, want %d", limit, len(evs), len(events))
		}
	}

	// An id the team used is a conflict; an unknown team is not found.
	dup := e.newAudit(team.ID, actors[0], "user.updated", m.ID)
	dup.ID = events[3].ID
	err = s.InTx(ctx, func(tx store.Tx) error { return tx.AppendAudit(ctx, dup) })
	checkErr(t, "AppendAudit with an id in use", err, core.KindConflict, "")
	err = s.InTx(ctx, func(tx store.Tx) error {
		return tx.AppendAudit(ctx, e.newAudit(e.ids(), actors[0], "user.updated", m.ID))
	})
	checkErr(t, "AppendAudit to an unknown team", err, core.KindNotFound, "")
	// A rolled-back transaction leaves no event.
	errRollback := errors.New("roll back")
	rb := e.newAudit(team.ID, actors[0], "user.deleted", m.ID)
	err = s.InTx(ctx, func(tx store.Tx) error {
		if err := tx.AppendAudit(ctx, rb); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Errorf("InTx = %v, want the fn's error", err)
	}
	if evs, err := s.Audit(ctx, team.ID, store.AuditQuery{Action: "user.deleted"}); checkOK(t, "Audit", err) && len(evs) != 0 {
		t.Errorf("a rolled-back AppendAudit left %d events", len(evs))
	}
}

// testChangeFeed: AppendChange numbers each team's entries 1, 2, 3, ...
// in one transaction and across them; a rolled-back transaction gives its
// numbers back; Changes pages by Seq.
func testChangeFeed(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	team := e.addTeam(t, "feed")
	other := e.addTeam(t, "feed-other")
	if got, err := s.Changes(ctx, team.ID, 0, 10); checkOK(t, "Changes", err) && len(got) != 0 {
		t.Errorf("Changes of a new team = %v", got)
	}
	var want []core.Change
	appendN := func(teamID string, n int) []core.Change {
		t.Helper()
		var cs []core.Change
		e.tx(t, "AppendChange", func(tx store.Tx) error {
			cs = nil
			for i := range n {
				c := e.newChange(teamID, core.ChangeGroupMemberAdded, e.ids())
				c.Data = map[string]any{"memberIds": []any{e.ids(), e.ids()}, "n": float64(i), "nested": map[string]any{"ok": true}}
				if err := tx.AppendChange(ctx, &c); err != nil {
					return err
				}
				cs = append(cs, c)
			}
			return nil
		})
		return cs
	}
	want = append(want, appendN(team.ID, 3)...)
	for i, c := range want {
		if c.Seq != int64(i+1) {
			t.Errorf("AppendChange #%d in one transaction: Seq %d, want %d", i+1, c.Seq, i+1)
		}
	}
	if o := appendN(other.ID, 2); len(o) != 2 || o[0].Seq != 1 || o[1].Seq != 2 {
		t.Errorf("the other team's feed starts at 1: got %+v", o)
	}

	// Rolled back: the numbers are given back.
	errRollback := errors.New("roll back")
	err := s.InTx(ctx, func(tx store.Tx) error {
		for range 2 {
			c := e.newChange(team.ID, core.ChangeUserUpdated, e.ids())
			if err := tx.AppendChange(ctx, &c); err != nil {
				return err
			}
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Errorf("InTx = %v, want the fn's error", err)
	}
	want = append(want, appendN(team.ID, 2)...)
	if got := want[len(want)-2:]; got[0].Seq != 4 || got[1].Seq != 5 {
		t.Errorf("after a rolled-back transaction, Seqs %d and %d, want 4 and 5", got[0].Seq, got[1].Seq)
	}

	// An unknown team is not found and numbers nothing.
	unknown := e.newChange(e.ids(), core.ChangeUserCreated, e.ids())
	err = s.InTx(ctx, func(tx store.Tx) error { return tx.AppendChange(ctx, &unknown) })
	checkErr(t, "AppendChange to an unknown team", err, core.KindNotFound, "")

	for _, tc := range []struct {
		after int64
		limit int
		want  []core.Change
	}{
		{0, 100, want},
		{0, 0, want},
		{0, 2, want[:2]},
		{2, 2, want[2:4]},
		{4, 10, want[4:]},
		{5, 10, nil},
		{-1, 100, want},
	} {
		got, err := s.Changes(ctx, team.ID, tc.after, tc.limit)
		if checkOK(t, "Changes", err) {
			if d := diff(tc.want, got); d != "" {
				t.Errorf("Changes(after %d, limit %d) (-want +got):\n%s", tc.after, tc.limit, d)
			}
		}
	}
}

// testChangeFeedConcurrent: 20 writers each append 25 changes to one team
// in separate transactions (some of which they roll back, and another
// team's writer runs beside them) while a reader follows the feed: the
// feed is 1..500 without a gap or a repeat, and the reader sees every entry
// exactly once, in order.
func testChangeFeedConcurrent(t *testing.T, e *env) {
	const writers, perWriter = 20, 25
	ctx, s := e.ctx, e.s
	team := e.addTeam(t, "feed-concurrent")
	other := e.addTeam(t, "feed-concurrent-other")
	at := e.now()

	type result struct {
		seq int64
		id  string
		err error
	}
	results := make(chan result, 2*writers*perWriter+perWriter) // room for every send, errors included
	errRollback := errors.New("roll back")
	done := make(chan struct{})
	var wg, owg sync.WaitGroup
	var appRetries atomic.Int64
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				if i%8 == 3 { // a rolled-back append between the real ones
					err := s.InTx(ctx, func(tx store.Tx) error {
						c := core.Change{TeamID: team.ID, At: at, Type: core.ChangeUserUpdated, ResourceID: "rolled-back"}
						if err := tx.AppendChange(ctx, &c); err != nil {
							return err
						}
						return errRollback
					})
					if !errors.Is(err, errRollback) && !isUnavailable(err) {
						results <- result{err: fmt.Errorf("rolled-back InTx: %w", err)}
					}
				}
				id := fmt.Sprintf("w%02d-%02d", w, i)
				var seq int64
				// Under SERIALIZABLE, 20 writers on one team's counter can
				// outlast InTx's retries (KindUnavailable, nothing
				// committed); the caller tries again, as an IdP does.
				err := retryUnavailable(&appRetries, func() error {
					return s.InTx(ctx, func(tx store.Tx) error {
						c := core.Change{TeamID: team.ID, At: at, Type: core.ChangeUserUpdated, ResourceID: id}
						if err := tx.AppendChange(ctx, &c); err != nil {
							return err
						}
						seq = c.Seq
						return nil
					})
				})
				results <- result{seq: seq, id: id, err: err}
			}
		}()
	}
	owg.Add(1)
	go func() { // the other team's writer
		defer owg.Done()
		for range perWriter {
			err := retryUnavailable(&appRetries, func() error {
				return s.InTx(ctx, func(tx store.Tx) error {
					c := core.Change{TeamID: other.ID, At: at, Type: core.ChangeGroupCreated, ResourceID: "other"}
					return tx.AppendChange(ctx, &c)
				})
			})
			if err != nil {
				results <- result{err: fmt.Errorf("other team: %w", err)}
			}
		}
	}()

	// The reader: resumes after the last Seq it saw, until it has all.
	type seen struct {
		seqs []int64
		ids  []string
		errs []string
	}
	readerDone := make(chan seen)
	go func() {
		var r seen
		var after int64
		deadline := time.Now().Add(2 * time.Minute)
		for after < writers*perWriter && time.Now().Before(deadline) {
			finished := false
			select {
			case <-done:
				finished = true // this poll sees every commit
			default:
			}
			cs, err := s.Changes(ctx, team.ID, after, 37)
			if err != nil {
				r.errs = append(r.errs, describeErr(err))
				break
			}
			if finished && len(cs) == 0 {
				break
			}
			for _, c := range cs {
				if c.Seq != after+1 {
					r.errs = append(r.errs, fmt.Sprintf("after Seq %d the reader got Seq %d", after, c.Seq))
				}
				after = c.Seq
				r.seqs = append(r.seqs, c.Seq)
				r.ids = append(r.ids, c.ResourceID)
			}
			if len(cs) == 0 {
				select {
				case <-done:
				case <-time.After(time.Millisecond):
				}
			}
		}
		readerDone <- r
	}()
	wg.Wait()
	owg.Wait()
	close(done)
	r := <-readerDone
	close(results)
	if n := appRetries.Load(); n > 0 {
		t.Logf("%d InTx calls outlasted their retries (KindUnavailable) and were called again", n)
	}

	bySeq := map[int64]string{}
	for res := range results {
		if res.err != nil {
			t.Errorf("writer: %s", describeErr(res.err))
			continue
		}
		if prev, dup := bySeq[res.seq]; dup {
			t.Errorf("Seq %d given to %s and %s", res.seq, prev, res.id)
		}
		bySeq[res.seq] = res.id
	}
	for seq := int64(1); seq <= writers*perWriter; seq++ {
		if _, ok := bySeq[seq]; !ok {
			t.Errorf("no writer got Seq %d (gap)", seq)
		}
	}
	if len(bySeq) != writers*perWriter {
		t.Errorf("writers got %d distinct Seqs, want %d", len(bySeq), writers*perWriter)
	}
	for _, msg := range r.errs {
		t.Errorf("reader: %s", msg)
	}
	if len(r.seqs) != writers*perWriter {
		t.Errorf("the reader saw %d entries, want %d", len(r.seqs), writers*perWriter)
	}
	for i, seq := range r.seqs {
		if id := r.ids[i]; bySeq[seq] != id {
			t.Errorf("the reader saw Seq %d as %q; the writer that got it wrote %q", seq, id, bySeq[seq])
		}
	}
	all, err := s.Changes(ctx, team.ID, 0, 1000)
	if checkOK(t, "Changes", err) && len(all) != writers*perWriter {
		t.Errorf("Changes(0) = %d entries, want %d", len(all), writers*perWriter)
	}
	oc, err := s.Changes(ctx, other.ID, 0, 1000)
	if checkOK(t, "Changes(other)", err) {
		if len(oc) != perWriter || oc[0].Seq != 1 || oc[len(oc)-1].Seq != perWriter {
			t.Errorf("the other team's feed has %d entries (want %d, Seqs 1..%d)", len(oc), perWriter, perWriter)
		}
	}
}

// testActivity: AppendActivity in batches mixing teams, Activity newest
// first with its filters and cursor, PruneActivity by age and count.
func testActivity(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	team := e.addTeam(t, "activity")
	other := e.addTeam(t, "activity-other")
	keys := []string{e.ids(), e.ids()}
	statuses := []int{200, 201, 204, 400, 404, 409, 500}
	var mine, batch []core.Activity
	for i := range 260 {
		teamID := team.ID
		if i%4 == 1 {
			teamID = other.ID
		}
		a := e.newActivity(teamID, keys[i%2], statuses[i%len(statuses)])
		batch = append(batch, a)
		if teamID == team.ID {
			mine = append(mine, a)
		}
	}
	e.tx(t, "AppendActivity", func(tx store.Tx) error { return tx.AppendActivity(ctx, batch) })
	// Appending a record again (a retried batch) does not duplicate it.
	e.tx(t, "AppendActivity again", func(tx store.Tx) error { return tx.AppendActivity(ctx, batch[:3]) })
	e.tx(t, "AppendActivity of nothing", func(tx store.Tx) error { return tx.AppendActivity(ctx, nil) })

	newestFirst := func(q store.ActivityQuery, from []core.Activity) []core.Activity {
		var out []core.Activity
		for i := len(from) - 1; i >= 0; i-- {
			a := from[i]
			if (q.FailuresOnly && a.Status < 400) || (q.KeyID != "" && a.KeyID != q.KeyID) || (!q.Since.IsZero() && a.At.Before(q.Since)) {
				continue
			}
			out = append(out, a)
		}
		return out
	}
	collect := func(q store.ActivityQuery) []core.Activity {
		t.Helper()
		var all []core.Activity
		q.Limit, q.Before = 40, ""
		for page := 0; page < 20; page++ {
			as, err := s.Activity(ctx, team.ID, q)
			if !checkOK(t, "Activity", err) {
				return all
			}
			all = append(all, as...)
			if len(as) < q.Limit {
				return all
			}
			q.Before = as[len(as)-1].ID
		}
		t.Fatalf("Activity(%+v) does not end", q)
		return nil
	}
	for _, q := range []store.ActivityQuery{
		{}, {FailuresOnly: true}, {KeyID: keys[1]}, {Since: mine[100].At},
		{FailuresOnly: true, KeyID: keys[0], Since: mine[50].At}, {KeyID: e.ids()},
	} {
		if d := diff(newestFirst(q, mine), collect(q)); d != "" {
			t.Errorf("Activity pages of 40 for %+v (-want +got):\n%s", q, d)
		}
	}
	if as, err := s.Activity(ctx, team.ID, store.ActivityQuery{}); checkOK(t, "Activity", err) && len(as) != 100 {
		t.Errorf("Activity with Limit 0 = %d records, want the default 100", len(as))
	}

	// PruneActivity: by age, then by count, never another team's.
	otherBefore, err := s.Activity(ctx, other.ID, store.ActivityQuery{Limit: 1000})
	checkOK(t, "Activity(other)", err)
	prune := func(before time.Time, keep int) int {
		t.Helper()
		var n int
		e.tx(t, "PruneActivity", func(tx store.Tx) error {
			var err error
			n, err = tx.PruneActivity(ctx, team.ID, before, keep)
			return err
		})
		return n
	}
	if n := prune(time.Time{}, 0); n != 0 {
		t.Errorf("PruneActivity without bounds deleted %d", n)
	}
	if n := prune(mine[30].At, 0); n != 30 {
		t.Errorf("PruneActivity(before the 31st) deleted %d, want 30", n)
	}
	mine = mine[30:]
	if n := prune(time.Time{}, 100); n != len(mine)-100 {
		t.Errorf("PruneActivity(keep 100) deleted %d, want %d", n, len(mine)-100)
	}
	mine = mine[len(mine)-100:]
	if n := prune(mine[10].At, 95); n != 10 {
		t.Errorf("PruneActivity(before the 11th, keep 95) deleted %d, want 10", n)
	}
	mine = mine[10:]
	if d := diff(newestFirst(store.ActivityQuery{}, mine), collect(store.ActivityQuery{})); d != "" {
		t.Errorf("Activity after PruneActivity (-want +got):\n%s", d)
	}
	if otherAfter, err := s.Activity(ctx, other.ID, store.ActivityQuery{Limit: 1000}); checkOK(t, "Activity(other)", err) {
		if d := diff(otherBefore, otherAfter); d != "" {
			t.Errorf("PruneActivity of one team changed another's (-before +after):\n%s", d)
		}
	}
}

// isUnavailable reports whether err is KindUnavailable.
func isUnavailable(err error) bool {
	var ce *core.Error
	return errors.As(err, &ce) && ce.Kind == core.KindUnavailable
}

// retryUnavailable calls fn again (up to 20 times) while it fails with
// KindUnavailable, counting the extra calls in n.
func retryUnavailable(n *atomic.Int64, fn func() error) error {
	for i := 0; ; i++ {
		err := fn()
		if !isUnavailable(err) || i == 20 {
			return err
		}
		n.Add(1)
	}
}

// checkFeedInvariant checks that a team's change feed is numbered 1..n.
func checkFeedInvariant(ctx context.Context, t *testing.T, r store.Reader, teamID string) {
	t.Helper()
	var after int64
	for {
		cs, err := r.Changes(ctx, teamID, after, 1000)
		if err != nil {
			t.Errorf("invariants: Changes(%s): %s", teamID, describeErr(err))
			return
		}
		for _, c := range cs {
			if c.Seq != after+1 || c.TeamID != teamID {
				t.Errorf("invariants: team %s's feed has Seq %d (team %s) after %d", teamID, c.Seq, c.TeamID, after)
				return
			}
			after = c.Seq
		}
		if len(cs) < 1000 {
			return
		}
	}
}
