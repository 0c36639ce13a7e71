package storetest

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

// adminState is what the admin read methods show of one team.
type adminState struct {
	Domains     []core.Domain
	AccountKeys map[string][]core.APIKey
	Audit       []core.AuditEvent
	Changes     []core.Change
	Activity    []core.Activity
	Traffic     []store.ActivityBucket
}

// snapshotAdmin reads a team's admin state; members name the accounts
// whose personal tokens it lists.
func snapshotAdmin(ctx context.Context, t *testing.T, r store.Reader, teamID string, members []core.Member) adminState {
	t.Helper()
	fail := func(what string, err error) {
		t.Helper()
		t.Fatalf("snapshot of team %s: %s: %s", teamID, what, describeErr(err))
	}
	st := adminState{AccountKeys: map[string][]core.APIKey{}}
	var err error
	if st.Domains, err = r.Domains(ctx, teamID); err != nil {
		fail("Domains", err)
	}
	for _, m := range members {
		if st.AccountKeys[m.AccountID], err = r.AccountKeys(ctx, teamID, m.AccountID); err != nil {
			fail("AccountKeys", err)
		}
	}
	if st.Audit, err = r.Audit(ctx, teamID, store.AuditQuery{Limit: 1000}); err != nil {
		fail("Audit", err)
	}
	if st.Changes, err = r.Changes(ctx, teamID, 0, 1000); err != nil {
		fail("Changes", err)
	}
	if st.Activity, err = r.Activity(ctx, teamID, store.ActivityQuery{Limit: 1000}); err != nil {
		fail("Activity", err)
	}
	// The traffic of every minute the fixtures can name, in one bucket.
	wide := []time.Time{time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)}
	if st.Traffic, err = r.ActivityCounts(ctx, teamID, wide); err != nil {
		fail("ActivityCounts", err)
	}
	return st
}

// --- fixtures ---

// newSession builds a session of an account (not stored) and returns its
// token's hash with it.
func (e *env) newSession(accountID string) core.Session {
	at := e.now()
	h := sha256.Sum256([]byte("session-token-" + e.ids()))
	return core.Session{
		ID: e.ids(), TokenHash: h[:], AccountID: accountID, CSRFToken: "csrf-" + e.ids(),
		CreatedAt: at, LastSeenAt: at, ExpiresAt: at.Add(12 * time.Hour),
	}
}

// newAudit builds an audit event (not stored).
func (e *env) newAudit(teamID, actorID, action, targetID string) core.AuditEvent {
	return core.AuditEvent{
		ID: e.ids(), TeamID: teamID, At: e.now(),
		Actor: core.Actor{Kind: core.ActorAccount, ID: actorID, Name: actorID + "@example.com"},
		IP:    "192.0.2.7", UserAgent: "storetest/1.0", Action: action, TargetType: "user", TargetID: targetID,
		Summary: map[string]any{"attributes": []any{"displayName"}, "old": "Old Name", "new": "New Name", "count": 3.0},
	}
}

// newChange builds a change-feed entry (not stored).
func (e *env) newChange(teamID, typ, resourceID string) core.Change {
	return core.Change{TeamID: teamID, At: e.now(), Type: typ, ResourceID: resourceID, Data: map[string]any{"memberIds": []any{resourceID}}}
}

// newActivity builds a SCIM activity record (not stored).
func (e *env) newActivity(teamID, keyID string, status int) core.Activity {
	a := core.Activity{
		ID: e.ids(), TeamID: teamID, At: e.now(), KeyID: keyID, Method: "PATCH", Path: "/scim/v2/Users/x",
		Status: status, LatencyMS: 12, RequestBody: `{"Operations":[]}`, ResponseBody: `{}`,
	}
	if status >= 400 {
		a.SCIMType, a.Detail = "invalidValue", "bad value"
	}
	return a
}

// adminFix is the admin data testIsolation stores for teams A and B.
type adminFix struct {
	a, b           core.Team
	a1, a2, b1     core.Member
	personalA      core.APIKey // a1's personal token in A
	sessA, sessB   core.Session
	auditA, auditB core.AuditEvent
	changeB        core.Change
	activityB      core.Activity
	keyA           core.APIKey // A's SCIM key
}

// adminFixtures stores sessions, a personal token, a domain, audit events,
// changes and activity for teams A and B.
func (e *env) adminFixtures(t *testing.T, a, b core.Team, a1, a2, b1 core.Member, ka core.APIKey) adminFix {
	t.Helper()
	ctx := e.ctx
	f := adminFix{a: a, b: b, a1: a1, a2: a2, b1: b1, keyA: ka}
	f.personalA = e.newKey(t, a.ID, core.KeyPersonal, "a1's token")
	f.personalA.AccountID = a1.AccountID
	f.sessA, f.sessB = e.newSession(a1.AccountID), e.newSession(b1.AccountID)
	f.auditA = e.newAudit(a.ID, a1.AccountID, "user.updated", a2.ID)
	auditA2 := e.newAudit(a.ID, a1.AccountID, "key.revoked", ka.ID)
	f.auditB = e.newAudit(b.ID, b1.AccountID, "user.updated", b1.ID)
	changeA := e.newChange(a.ID, core.ChangeUserUpdated, a2.ID)
	f.changeB = e.newChange(b.ID, core.ChangeUserCreated, b1.ID)
	f.activityB = e.newActivity(b.ID, "", 201)
	e.tx(t, "admin fixtures", func(tx store.Tx) error {
		if err := tx.CreateKey(ctx, f.personalA); err != nil {
			return err
		}
		if err := tx.AddDomain(ctx, a.ID, "only-alpha.example", "tok-only", false, e.now()); err != nil {
			return err
		}
		for _, s := range []core.Session{f.sessA, f.sessB} {
			if err := tx.CreateSession(ctx, s); err != nil {
				return err
			}
		}
		for _, ev := range []core.AuditEvent{f.auditA, auditA2, f.auditB} {
			if err := tx.AppendAudit(ctx, ev); err != nil {
				return err
			}
		}
		for _, c := range []*core.Change{&changeA, &f.changeB} {
			if err := tx.AppendChange(ctx, c); err != nil {
				return err
			}
		}
		if err := tx.AddActivityTraffic(ctx, []store.ActivityTraffic{{TeamID: a.ID, Minute: e.now(), Requests: 2, Failures: 1}, {TeamID: b.ID, Minute: e.now(), Requests: 1}}); err != nil {
			return err
		}
		return tx.AppendActivity(ctx, []core.Activity{e.newActivity(a.ID, ka.ID, 200), e.newActivity(a.ID, ka.ID, 500), f.activityB})
	})
	return f
}

// adminProbes are testIsolation's probes of the admin methods.
func (e *env) adminProbes(f adminFix, unknown string, commit func(t *testing.T, what string, fn func(tx store.Tx) error) error) []isoProbe {
	ctx, s := e.ctx, e.s
	a, b := f.a, f.b
	return []isoProbe{
		// --- AdminReader ---
		{method: "SessionByTokenHash", name: "sessions are global: each hash names its own session", read: func(t *testing.T, r store.Reader) {
			for _, want := range []core.Session{f.sessA, f.sessB} {
				got, err := r.SessionByTokenHash(ctx, want.TokenHash)
				if checkOK(t, "SessionByTokenHash", err) && (got.ID != want.ID || got.AccountID != want.AccountID) {
					t.Errorf("SessionByTokenHash = session %s of %s, want %s of %s", got.ID, got.AccountID, want.ID, want.AccountID)
				}
			}
		}},
		{method: "AccountKeys", name: "AccountKeys(B, A's member's account)", read: func(t *testing.T, r store.Reader) {
			cross, err := r.AccountKeys(ctx, b.ID, f.a1.AccountID)
			if checkOK(t, "AccountKeys", err) && len(cross) != 0 {
				t.Errorf("AccountKeys(B, A's account) = %v, want none", cross)
			}
			unk, uerr := r.AccountKeys(ctx, b.ID, unknown)
			sameAsUnknown(t, "AccountKeys", out(cross, err), out(unk, uerr))
			got, err := r.AccountKeys(ctx, a.ID, f.a1.AccountID)
			if checkOK(t, "AccountKeys(A)", err) && (len(got) != 1 || got[0].ID != f.personalA.ID) {
				t.Errorf("AccountKeys(A, a1) = %v, want a1's token", got)
			}
		}},
		{method: "Domains", name: "Domains(B) lists only B's", read: func(t *testing.T, r store.Reader) {
			got, err := r.Domains(ctx, b.ID)
			if checkOK(t, "Domains", err) {
				for _, d := range got {
					if d.TeamID != b.ID || d.Domain == "only-alpha.example" {
						t.Errorf("Domains(B) returned %+v", d)
					}
				}
			}
		}},
		{method: "Domain", name: "Domain(B, A's domain)", read: func(t *testing.T, r store.Reader) {
			cross, err := r.Domain(ctx, b.ID, "only-alpha.example")
			checkErr(t, "Domain(B, A's domain)", err, core.KindNotFound, "")
			unk, uerr := r.Domain(ctx, b.ID, "unknown.example")
			sameAsUnknown(t, "Domain", out(cross, err), out(unk, uerr))
		}},
		{method: "Audit", name: "Audit(B, filters naming A's actor and target)", read: func(t *testing.T, r store.Reader) {
			for _, q := range []store.AuditQuery{
				{ActorID: f.a1.AccountID}, {TargetID: f.a2.ID}, {Action: "key.revoked"},
				{After: f.auditA.ID, Descending: true}, {TargetID: f.keyA.ID},
			} {
				got, err := r.Audit(ctx, b.ID, q)
				if checkOK(t, "Audit", err) && len(got) != 0 {
					t.Errorf("Audit(B, %+v) = %d events of A, want none", q, len(got))
				}
			}
			got, err := r.Audit(ctx, b.ID, store.AuditQuery{Action: "user.updated"})
			if checkOK(t, "Audit", err) && (len(got) != 1 || got[0].ID != f.auditB.ID) {
				t.Errorf("Audit(B, user.updated) = %v, want only B's event", got)
			}
		}},
		{method: "Changes", name: "Changes(B) is B's feed only", read: func(t *testing.T, r store.Reader) {
			got, err := r.Changes(ctx, b.ID, 0, 100)
			if checkOK(t, "Changes", err) {
				for _, c := range got {
					if c.TeamID != b.ID || c.ResourceID == f.a2.ID {
						t.Errorf("Changes(B) returned %+v", c)
					}
				}
				if len(got) == 0 || got[0].Seq != 1 {
					t.Errorf("Changes(B) = %+v, want B's feed starting at 1", got)
				}
			}
		}},
		{method: "Activity", name: "Activity(B, A's key)", read: func(t *testing.T, r store.Reader) {
			got, err := r.Activity(ctx, b.ID, store.ActivityQuery{KeyID: f.keyA.ID})
			if checkOK(t, "Activity", err) && len(got) != 0 {
				t.Errorf("Activity(B, A's key) = %v", got)
			}
			got, err = r.Activity(ctx, b.ID, store.ActivityQuery{FailuresOnly: true})
			if checkOK(t, "Activity", err) && len(got) != 0 {
				t.Errorf("Activity(B, failures) = %v; only A has a failure", got)
			}
		}},

		// --- AdminTx ---
		{method: "CreateSession", name: "a session with A's member's token hash", write: func(t *testing.T) {
			dup := e.newSession(f.b1.AccountID)
			dup.TokenHash = f.sessA.TokenHash
			err := commit(t, "CreateSession", func(tx store.Tx) error { return tx.CreateSession(ctx, dup) })
			checkErr(t, "CreateSession with a token hash in use", err, core.KindConflict, "")
			if got, err := s.SessionByTokenHash(ctx, f.sessA.TokenHash); checkOK(t, "SessionByTokenHash", err) && got.ID != f.sessA.ID {
				t.Errorf("a refused CreateSession replaced the session: %s", got.ID)
			}
		}},
		{method: "TouchSession", name: "B's member's session", write: func(t *testing.T) {
			at := e.now()
			checkOK(t, "TouchSession", commit(t, "TouchSession", func(tx store.Tx) error {
				return tx.TouchSession(ctx, f.sessB.ID, at, at.Add(time.Hour))
			}))
			if got, err := s.SessionByTokenHash(ctx, f.sessA.TokenHash); checkOK(t, "SessionByTokenHash", err) && !got.LastSeenAt.Equal(f.sessA.LastSeenAt) {
				t.Errorf("TouchSession of B's session touched A's: %v", got.LastSeenAt)
			}
		}},
		{method: "DeleteSession", name: "an unknown session", write: func(t *testing.T) {
			checkOK(t, "DeleteSession", commit(t, "DeleteSession", func(tx store.Tx) error { return tx.DeleteSession(ctx, unknown) }))
			if _, err := s.SessionByTokenHash(ctx, f.sessA.TokenHash); !checkOK(t, "SessionByTokenHash after deleting another session", err) {
				return
			}
		}},
		{method: "DeleteAccountSessions", name: "B's member's account", write: func(t *testing.T) {
			var n int
			err := commit(t, "DeleteAccountSessions", func(tx store.Tx) error {
				var err error
				n, err = tx.DeleteAccountSessions(ctx, f.b1.AccountID)
				return err
			})
			if checkOK(t, "DeleteAccountSessions", err) && n != 1 {
				t.Errorf("DeleteAccountSessions(b1) = %d, want 1", n)
			}
			if _, err := s.SessionByTokenHash(ctx, f.sessA.TokenHash); checkOK(t, "SessionByTokenHash", err) {
				_, err := s.SessionByTokenHash(ctx, f.sessB.TokenHash)
				checkErr(t, "SessionByTokenHash of a deleted session", err, core.KindNotFound, "")
			}
		}},
		{method: "RevokeAccountKeys", name: "with team B and A's member's account", write: func(t *testing.T) {
			var cross, unk outcome
			at := e.now()
			_ = commit(t, "RevokeAccountKeys", func(tx store.Tx) error {
				n, err := tx.RevokeAccountKeys(ctx, b.ID, f.a1.AccountID, at)
				cross = out(n, err)
				return err
			})
			_ = commit(t, "RevokeAccountKeys", func(tx store.Tx) error {
				n, err := tx.RevokeAccountKeys(ctx, b.ID, unknown, at)
				unk = out(n, err)
				return err
			})
			if cross.Err != "" || cross.Val != 0 {
				t.Errorf("RevokeAccountKeys(B, A's account) = %+v, want 0 and no error", cross)
			}
			sameAsUnknown(t, "RevokeAccountKeys", cross, unk)
		}},
		{method: "DeleteKey", name: "A's key with team B", write: func(t *testing.T) {
			for _, id := range []string{f.keyA.ID, f.personalA.ID} {
				err := commit(t, "DeleteKey", func(tx store.Tx) error { return tx.DeleteKey(ctx, b.ID, id) })
				checkErr(t, "DeleteKey(B, A's key)", err, core.KindNotFound, "")
				uerr := commit(t, "DeleteKey", func(tx store.Tx) error { return tx.DeleteKey(ctx, b.ID, unknown) })
				sameAsUnknown(t, "DeleteKey", out(nil, err), out(nil, uerr))
			}
		}},
		{method: "UpdateDomain", name: "A's domain with team B", write: func(t *testing.T) {
			at := e.now()
			d := core.Domain{TeamID: b.ID, Domain: "only-alpha.example", Token: "hijack", Verified: true, VerifiedAt: &at, LastCheckAt: &at, LastCheckResult: "found"}
			err := commit(t, "UpdateDomain", func(tx store.Tx) error { return tx.UpdateDomain(ctx, d) })
			checkErr(t, "UpdateDomain(B, A's domain)", err, core.KindNotFound, "")
			d.Domain = "unknown.example"
			uerr := commit(t, "UpdateDomain", func(tx store.Tx) error { return tx.UpdateDomain(ctx, d) })
			sameAsUnknown(t, "UpdateDomain", out(nil, err), out(nil, uerr))
		}},
		{method: "RemoveDomain", name: "A's domain with team B", write: func(t *testing.T) {
			err := commit(t, "RemoveDomain", func(tx store.Tx) error { return tx.RemoveDomain(ctx, b.ID, "ONLY-alpha.example") })
			checkErr(t, "RemoveDomain(B, A's domain)", err, core.KindNotFound, "")
			uerr := commit(t, "RemoveDomain", func(tx store.Tx) error { return tx.RemoveDomain(ctx, b.ID, "unknown.example") })
			sameAsUnknown(t, "RemoveDomain", out(nil, err), out(nil, uerr))
		}},
		{method: "AppendAudit", name: "into B with A's event id", changesB: true, write: func(t *testing.T) {
			ev := e.newAudit(b.ID, f.b1.AccountID, "user.updated", f.b1.ID)
			ev.ID = f.auditA.ID
			checkOK(t, "AppendAudit into B with A's event id (ids are unique per team)", commit(t, "AppendAudit", func(tx store.Tx) error { return tx.AppendAudit(ctx, ev) }))
		}},
		{method: "AppendChange", name: "into B", changesB: true, write: func(t *testing.T) {
			before, err := s.Changes(ctx, b.ID, 0, 1000)
			checkOK(t, "Changes", err)
			c := e.newChange(b.ID, core.ChangeUserUpdated, f.b1.ID)
			err = commit(t, "AppendChange", func(tx store.Tx) error { return tx.AppendChange(ctx, &c) })
			if checkOK(t, "AppendChange", err) && c.Seq != int64(len(before))+1 {
				t.Errorf("AppendChange(B) Seq = %d, want %d (B's own counter)", c.Seq, len(before)+1)
			}
		}},
		{method: "AppendActivity", name: "a batch for B", changesB: true, write: func(t *testing.T) {
			checkOK(t, "AppendActivity", commit(t, "AppendActivity", func(tx store.Tx) error {
				return tx.AppendActivity(ctx, []core.Activity{e.newActivity(b.ID, "", 200), e.newActivity(b.ID, "", 404)})
			}))
		}},
		{method: "AddActivityTraffic", name: "into B", changesB: true, write: func(t *testing.T) {
			checkOK(t, "AddActivityTraffic", commit(t, "AddActivityTraffic", func(tx store.Tx) error {
				return tx.AddActivityTraffic(ctx, []store.ActivityTraffic{{TeamID: b.ID, Minute: e.now(), Requests: 5, Failures: 2}})
			}))
		}},
		{method: "PruneActivity", name: "all of B's", changesB: true, write: func(t *testing.T) {
			future := e.now().Add(1000 * time.Hour)
			var n int
			err := commit(t, "PruneActivity", func(tx store.Tx) error {
				var err error
				n, err = tx.PruneActivity(ctx, b.ID, future, 0)
				return err
			})
			if checkOK(t, "PruneActivity", err) && n == 0 {
				t.Error("PruneActivity(B, everything) deleted nothing")
			}
		}},
	}
}
