package core

import "time"

// Actor identifies who made a change: a SCIM key (Kind "scim_key", ID the
// key id, Name the key name), a person (Kind "account", ID the account id,
// Name their email), or the command line (Kind "cli").
type Actor struct {
	Kind string
	ID   string
	Name string
}

// The actor kinds.
const (
	ActorSCIMKey = "scim_key"
	ActorAccount = "account"
	ActorCLI     = "cli"
	ActorSystem  = "system"
)

// AuditEvent records one change, written in the same transaction as the
// change itself. Summary says what changed and never holds a secret or a
// password.
type AuditEvent struct {
	ID        string
	TeamID    string
	At        time.Time
	Actor     Actor
	IP        string
	UserAgent string
	// Action is a dotted verb such as "user.created", "key.revoked",
	// "scim.enabled", "domain.verified", "member.role_changed".
	Action string
	// TargetType and TargetID name what was changed ("user", member id).
	TargetType string
	TargetID   string
	// Summary is a small JSON-able map of what changed (attribute names,
	// old and new non-secret values).
	Summary map[string]any
}

// The change-feed event types a host application follows.
const (
	ChangeUserCreated       = "user.created"
	ChangeUserUpdated       = "user.updated"
	ChangeUserDeactivated   = "user.deactivated"
	ChangeUserReactivated   = "user.reactivated"
	ChangeUserDeleted       = "user.deleted"
	ChangeGroupCreated      = "group.created"
	ChangeGroupUpdated      = "group.updated"
	ChangeGroupDeleted      = "group.deleted"
	ChangeGroupMemberAdded  = "group.member_added"
	ChangeGroupMemberRemove = "group.member_removed"
	ChangeMemberRoleChanged = "member.role_changed"
)

// Change is one entry of a team's change feed. Seq is assigned by the store
// when the entry is appended: per team it starts at 1 and increases by one
// with no gaps, in commit order.
type Change struct {
	TeamID string
	Seq    int64
	At     time.Time
	Type   string
	// ResourceID is the member or group id the change is about.
	ResourceID string
	// Data holds the event's details (for member events, the member ids).
	Data map[string]any
}

// Domain is a team's email domain and its DNS verification state.
type Domain struct {
	TeamID string
	// Domain is lower-case.
	Domain string
	// Token is the value of the TXT record to publish.
	Token      string
	Verified   bool
	CreatedAt  time.Time
	VerifiedAt *time.Time
	// LastCheckAt and LastCheckResult record the last verification attempt.
	LastCheckAt     *time.Time
	LastCheckResult string
}

// Session is a signed-in person's server-side session. Only the SHA-256 of
// the session token is stored.
type Session struct {
	ID         string
	TokenHash  []byte
	AccountID  string
	CSRFToken  string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastSeenAt time.Time
}

// Activity is one SCIM request as an admin sees it in the provisioning
// activity log. Bodies are stored with secrets and passwords removed.
type Activity struct {
	ID        string
	TeamID    string
	At        time.Time
	KeyID     string
	Method    string
	Path      string
	Status    int
	SCIMType  string
	Detail    string
	LatencyMS int64
	// RequestBody and ResponseBody are redacted and truncated.
	RequestBody  string
	ResponseBody string
}
