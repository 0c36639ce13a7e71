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

	// SearchMembers returns one page of a team's members matching q, in id
	// (creation) order, through indexes: it never reads every member.
	SearchMembers(ctx context.Context, teamID string, q MemberSearch) ([]core.Member, error)
	// MemberCounts returns how many of a team's members are in each status
	// (statuses with no member are absent).
	MemberCounts(ctx context.Context, teamID string) (map[core.MemberStatus]int, error)
	// ActivityCounts counts a team's SCIM requests, and those with status
	// >= 400, in the consecutive time buckets [bounds[i], bounds[i+1]),
	// from the per-minute traffic (AddActivityTraffic): a minute counts in
	// the bucket that holds its start, so buckets bounded on minutes are
	// exact. It returns len(bounds)-1 buckets. bounds must ascend strictly
	// and hold 2 to MaxActivityBuckets+1 times, or the call is
	// KindInvalid.
	ActivityCounts(ctx context.Context, teamID string, bounds []time.Time) ([]ActivityBucket, error)
	// LastSuccess returns, for each of the listed keys of a team that has
	// one, the most recent of its SCIM requests with a 2xx status.
	LastSuccess(ctx context.Context, teamID string, keyIDs []string) (map[string]core.Activity, error)
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
	// the newest keep records, and its traffic counts of the minutes over
	// by before; it returns how many activity records it deleted.
	PruneActivity(ctx context.Context, teamID string, before time.Time, keep int) (int, error)
	// AddActivityTraffic adds SCIM request counts to teams' per-minute
	// traffic (what ActivityCounts sums), creating a minute's row when it
	// has none. Each item's Minute is truncated to its minute.
	AddActivityTraffic(ctx context.Context, ts []ActivityTraffic) error
}

// ActivityTraffic is the SCIM traffic of one team in one minute.
type ActivityTraffic struct {
	TeamID string
	// Minute is the start of the minute (a time within it is truncated).
	Minute time.Time
	// Requests counts every authenticated SCIM request of the team (as
	// the activity log records them, whether or not it kept the details);
	// Failures those answered with status 400 or above.
	Requests, Failures int
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

// MemberSearch selects members for the admin pages. Empty fields do not
// filter.
type MemberSearch struct {
	// Prefix keeps members whose userName, displayName or one of whose
	// emails starts with it, ignoring case (filter.FoldCase).
	Prefix string
	// Status and Role match exactly.
	Status core.MemberStatus
	Role   core.Role
	// After and Before are cursors (member ids, exclusive): After pages
	// forward; Before (when After is "") returns the page that precedes it,
	// still in ascending id order.
	After  string
	Before string
	// Limit is the page size (capped at 1000; 0 means 100).
	Limit int
}

// MaxActivityBuckets is the most buckets one ActivityCounts call counts.
const MaxActivityBuckets = 100

// ActivityBucket is the SCIM traffic of one time bucket.
type ActivityBucket struct {
	// Start and End bound the bucket (Start inclusive, End exclusive).
	Start, End time.Time
	// Requests counts every request; Failures those with status >= 400.
	Requests, Failures int
}
