package store

import (
	"context"
	"time"

	"github.com/rosterhq/roster/internal/core"
)

// AdminReader holds the read methods of the admin surfaces: sessions,
// personal tokens, domains, the audit log, the change feed and the SCIM
// activity log. Reader embeds it.
type AdminReader interface {
	// SessionByTokenHash returns the session whose token hashes to hash.
	// Sessions belong to accounts, not teams.
	SessionByTokenHash(ctx context.Context, hash []byte) (core.Session, error)
	// AccountKeys returns an account's personal tokens in a team, newest
	// first.
	AccountKeys(ctx context.Context, teamID, accountID string) ([]core.APIKey, error)

	// Domains returns a team's domains ordered by name.
	Domains(ctx context.Context, teamID string) ([]core.Domain, error)
	// Domain returns one of a team's domains (case-insensitive).
	Domain(ctx context.Context, teamID, domain string) (core.Domain, error)

	// Audit returns one page of a team's audit events matching q.
	Audit(ctx context.Context, teamID string, q AuditQuery) ([]core.AuditEvent, error)
	// Changes returns up to limit change-feed entries of a team with
	// Seq > afterSeq, in Seq order. Entries appear only once committed and
	// in Seq order, so a reader that resumes after the last Seq it saw
	// never misses or repeats one.
	Changes(ctx context.Context, teamID string, afterSeq int64, limit int) ([]core.Change, error)
	// Activity returns a team's most recent SCIM requests matching q,
	// newest first.
	Activity(ctx context.Context, teamID string, q ActivityQuery) ([]core.Activity, error)
}

// AdminTx holds the write methods of the admin surfaces. Tx embeds it.
type AdminTx interface {
	// CreateSession stores a session.
	CreateSession(ctx context.Context, s core.Session) error
	// TouchSession sets a session's LastSeenAt and ExpiresAt.
	TouchSession(ctx context.Context, id string, lastSeen, expires time.Time) error
	// DeleteSession ends one session.
	DeleteSession(ctx context.Context, id string) error
	// DeleteAccountSessions ends every session of an account and returns
	// how many there were.
	DeleteAccountSessions(ctx context.Context, accountID string) (int, error)

	// RevokeAccountKeys revokes every personal token an account holds in a
	// team (deactivation ends them) and returns how many it revoked.
	RevokeAccountKeys(ctx context.Context, teamID, accountID string, at time.Time) (int, error)
	// DeleteKey removes a team's key for good (only revoked or expired keys
	// are deleted; the caller checks).
	DeleteKey(ctx context.Context, teamID, id string) error

	// UpdateDomain stores a domain's verification state (Verified,
	// VerifiedAt, LastCheckAt, LastCheckResult, Token).
	UpdateDomain(ctx context.Context, d core.Domain) error
	// RemoveDomain deletes a team's domain.
	RemoveDomain(ctx context.Context, teamID, domain string) error

	// AppendAudit writes an audit event.
	AppendAudit(ctx context.Context, e core.AuditEvent) error
	// AppendChange writes a change-feed entry and sets c.Seq to the next
	// number of the team's feed (gapless; concurrent transactions of one
	// team are serialised on the team's counter so Seq order is commit
	// order).
	AppendChange(ctx context.Context, c *core.Change) error
	// AppendActivity writes SCIM activity records (a batch, possibly of
	// several teams; each record carries its TeamID).
	AppendActivity(ctx context.Context, as []core.Activity) error
	// PruneActivity deletes a team's activity older than before, and beyond
	// the newest keep records; it returns how many it deleted.
	PruneActivity(ctx context.Context, teamID string, before time.Time, keep int) (int, error)
}

// AuditQuery selects audit events. Empty fields do not filter.
type AuditQuery struct {
	// ActorID, Action and TargetID match exactly.
	ActorID  string
	Action   string
	TargetID string
	// Since and Until bound the event time (Since inclusive, Until
	// exclusive); zero means unbounded.
	Since time.Time
	Until time.Time
	// After is a cursor: the id of the last event of the previous page.
	After string
	// Descending lists newest first (then After means "older than").
	Descending bool
	// Limit is the page size (the store caps it at 1000; 0 means 100).
	Limit int
}

// ActivityQuery selects SCIM activity records.
type ActivityQuery struct {
	// FailuresOnly keeps records with status >= 400.
	FailuresOnly bool
	// KeyID keeps one key's records.
	KeyID string
	// Since keeps records at or after it.
	Since time.Time
	// Before is a cursor: the id of the last record of the previous page.
	Before string
	// Limit is the page size (capped at 1000; 0 means 100).
	Limit int
}
