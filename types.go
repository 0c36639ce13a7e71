package roster

import "time"

// Roles of a team member.
const (
	RoleSuperAdmin = "super_admin"
	RoleTeamAdmin  = "team_admin"
	RoleDeveloper  = "developer"
)

// Membership states.
const (
	MemberActive      = "active"
	MemberDeactivated = "deactivated"
	MemberInvited     = "invited"
)

// Key states (SCIM keys and personal tokens).
const (
	KeyActive  = "ACTIVE"
	KeyRevoked = "REVOKED"
	KeyExpired = "EXPIRED"
)

// Change-feed event types.
const (
	EventUserCreated        = "user.created"
	EventUserUpdated        = "user.updated"
	EventUserDeactivated    = "user.deactivated"
	EventUserReactivated    = "user.reactivated"
	EventUserDeleted        = "user.deleted"
	EventGroupCreated       = "group.created"
	EventGroupUpdated       = "group.updated"
	EventGroupDeleted       = "group.deleted"
	EventGroupMemberAdded   = "group.member_added"
	EventGroupMemberRemoved = "group.member_removed"
	EventMemberRoleChanged  = "member.role_changed"
)

// SignUpRequest is the body of POST /api/v1/accounts: a new account with
// no team (an invitation or a new team follows).
type SignUpRequest struct {
	Email       string `json:"email"`
	Password    string `json:"password"`
	DisplayName string `json:"displayName,omitempty"`
}

// RenameTeamRequest is the body of PATCH /api/v1/teams/{team}.
type RenameTeamRequest struct {
	Name string `json:"name"`
}

// SetupRequest is the body of POST /api/v1/setup: the first account and
// its team, accepted only while the database has no account.
type SetupRequest struct {
	Email       string `json:"email"`
	Password    string `json:"password"`
	DisplayName string `json:"displayName,omitempty"`
	TeamSlug    string `json:"teamSlug"`
	TeamName    string `json:"teamName,omitempty"`
}

// SetupResult is the answer to a setup: the account, its team (whose Super
// Admin it is) and a signed-in session.
type SetupResult struct {
	Account Account `json:"account"`
	Team    Team    `json:"team"`
	Session Session `json:"session"`
}

// SignInRequest is the body of POST /api/v1/session.
type SignInRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// Session describes a signed-in browser session. The session secret itself
// travels only in the roster_session cookie; CSRFToken must be sent in the
// X-CSRF-Token header of every cookie-authenticated write.
type Session struct {
	CSRFToken string    `json:"csrfToken"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// Account is a person: one per email (case-insensitive).
type Account struct {
	ID          string    `json:"id"`
	Email       string    `json:"email"`
	DisplayName string    `json:"displayName"`
	CreatedAt   time.Time `json:"createdAt"`
}

// Me is the caller: its account, and its team and role when it belongs to
// one. AuthMethod is "session" or "token".
//
// SCIMManaged is true while the team's identity provider manages the
// membership: changing one's email or password and leaving the team are
// then refused.
type Me struct {
	Account     Account `json:"account"`
	Team        *Team   `json:"team,omitempty"`
	Member      *Member `json:"member,omitempty"`
	SCIMManaged bool    `json:"scimManaged"`
	AuthMethod  string  `json:"authMethod"`
}

// Team is a tenant.
type Team struct {
	ID          string    `json:"id"`
	Slug        string    `json:"slug"`
	Name        string    `json:"name"`
	SCIMEnabled bool      `json:"scimEnabled"`
	CreatedAt   time.Time `json:"createdAt"`
}

// CreateTeamRequest is the body of POST /api/v1/teams.
type CreateTeamRequest struct {
	Slug string `json:"slug"`
	Name string `json:"name,omitempty"`
}

// TeamList is the answer of GET /api/v1/teams: the teams the caller can see.
type TeamList struct {
	Teams []Team `json:"teams"`
}

// Member is a person in a team, as the product sees them. Status is
// "active", "deactivated" (by SCIM active=false) or "invited" (waiting for
// the account to accept); SCIMManaged says an identity provider manages
// the member.
type Member struct {
	ID          string    `json:"id"`
	AccountID   string    `json:"accountId"`
	Email       string    `json:"email"`
	UserName    string    `json:"userName,omitempty"`
	DisplayName string    `json:"displayName,omitempty"`
	Role        string    `json:"role"`
	Status      string    `json:"status"`
	Active      bool      `json:"active"`
	SCIMManaged bool      `json:"scimManaged"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

// MemberPage is one page of a team's members; NextCursor is "" on the last
// page.
type MemberPage struct {
	Members    []Member `json:"members"`
	NextCursor string   `json:"nextCursor,omitempty"`
	// PrevCursor, when set, is passed as before to get the preceding page.
	PrevCursor string `json:"prevCursor,omitempty"`
	// Total is the number of members of the team.
	Total int `json:"total"`
}

// RoleRequest is the body of PUT /api/v1/teams/{team}/members/{member}/role.
type RoleRequest struct {
	Role string `json:"role"`
}

// Invitation is a pending invitation into a team: a member with status
// "invited" (made by an admin, or by SCIM for an account on a domain the
// team has not verified). Its ID is the member id.
type Invitation struct {
	ID        string    `json:"id"`
	TeamID    string    `json:"teamId"`
	TeamSlug  string    `json:"teamSlug,omitempty"`
	TeamName  string    `json:"teamName,omitempty"`
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	Status    string    `json:"status"`
	SCIM      bool      `json:"scimManaged"`
	CreatedAt time.Time `json:"createdAt"`
}

// InvitationList lists invitations.
type InvitationList struct {
	Invitations []Invitation `json:"invitations"`
}

// InviteRequest is the body of POST /api/v1/teams/{team}/invitations.
type InviteRequest struct {
	Email string `json:"email"`
	Role  string `json:"role,omitempty"`
}

// SCIMSettings are a team's SCIM settings. BaseURL is what an identity
// provider is configured with.
type SCIMSettings struct {
	Enabled bool   `json:"enabled"`
	BaseURL string `json:"baseUrl"`
}

// SCIMSettingsRequest is the body of PUT /api/v1/teams/{team}/scim.
type SCIMSettingsRequest struct {
	Enabled bool `json:"enabled"`
}

// Key is a SCIM API key or a personal API token as listed: never its
// secret.
type Key struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	Status     string     `json:"status"`
	CreatedAt  time.Time  `json:"createdAt"`
	CreatedBy  string     `json:"createdBy,omitempty"`
	LastUsedAt *time.Time `json:"lastUsedAt,omitempty"`
	ExpiresAt  *time.Time `json:"expiresAt,omitempty"`
	RevokedAt  *time.Time `json:"revokedAt,omitempty"`
}

// KeyList lists keys, newest first.
type KeyList struct {
	Keys []Key `json:"keys"`
}

// NewKey is a key just created: Secret is shown here once and never again.
type NewKey struct {
	Key    Key    `json:"key"`
	Secret string `json:"secret"`
}

// CreateKeyRequest is the body that creates a SCIM key or a personal token.
// ExpiresInSeconds of zero means the key does not expire.
type CreateKeyRequest struct {
	Name             string `json:"name"`
	ExpiresInSeconds int64  `json:"expiresInSeconds,omitempty"`
}

// RegenerateKeyRequest is the body of
// POST /api/v1/teams/{team}/scim/keys/{key}/regenerate: a new key with the
// same name and lifetime is made, and the old key stays ACTIVE for
// OverlapSeconds (zero revokes it now).
type RegenerateKeyRequest struct {
	OverlapSeconds int64 `json:"overlapSeconds"`
}

// Domain is a team's email domain and its verification state. Publish a
// DNS TXT record named RecordName with the value RecordValue, then verify.
type Domain struct {
	Domain          string     `json:"domain"`
	Verified        bool       `json:"verified"`
	RecordName      string     `json:"recordName"`
	RecordValue     string     `json:"recordValue"`
	CreatedAt       time.Time  `json:"createdAt"`
	VerifiedAt      *time.Time `json:"verifiedAt,omitempty"`
	LastCheckAt     *time.Time `json:"lastCheckAt,omitempty"`
	LastCheckResult string     `json:"lastCheckResult,omitempty"`
}

// DomainCheck is the outcome of a verification: Found lists the TXT values
// found at the record name, Result says in words what was found.
type DomainCheck struct {
	Domain   Domain   `json:"domain"`
	Verified bool     `json:"verified"`
	Found    []string `json:"found"`
	Result   string   `json:"result"`
}

// DomainList lists a team's domains.
type DomainList struct {
	Domains []Domain `json:"domains"`
}

// AddDomainRequest is the body of POST /api/v1/teams/{team}/domains.
type AddDomainRequest struct {
	Domain string `json:"domain"`
}

// Actor is who made a change: Kind "account" (ID an account id, Name its
// email), "scim_key" (ID a key id, Name the key's name) or "cli".
type Actor struct {
	Kind string `json:"kind"`
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

// AuditEvent is one entry of a team's audit log. Summary never holds a
// secret or a password.
type AuditEvent struct {
	ID         string         `json:"id"`
	At         time.Time      `json:"at"`
	Actor      Actor          `json:"actor"`
	IP         string         `json:"ip,omitempty"`
	UserAgent  string         `json:"userAgent,omitempty"`
	Action     string         `json:"action"`
	TargetType string         `json:"targetType,omitempty"`
	TargetID   string         `json:"targetId,omitempty"`
	Summary    map[string]any `json:"summary,omitempty"`
}

// AuditPage is one page of audit events (newest first unless the query
// asked for oldest first); NextCursor is "" on the last page.
type AuditPage struct {
	Events     []AuditEvent `json:"events"`
	NextCursor string       `json:"nextCursor,omitempty"`
}

// AuditQuery filters the audit log. Empty fields do not filter; Actor is
// an actor id (an account id, a key id, or "cli"), Target a target id;
// Since is inclusive and Until exclusive. OldestFirst lists in time order
// (the default is newest first).
type AuditQuery struct {
	Actor       string
	Action      string
	Target      string
	Since       time.Time
	Until       time.Time
	OldestFirst bool
	Cursor      string
	Limit       int
}

// Activity is one SCIM request as an admin sees it in the provisioning
// activity log; bodies are redacted (no secret, no password) and
// truncated.
type Activity struct {
	ID           string    `json:"id"`
	At           time.Time `json:"at"`
	KeyID        string    `json:"keyId,omitempty"`
	Method       string    `json:"method"`
	Path         string    `json:"path"`
	Status       int       `json:"status"`
	SCIMType     string    `json:"scimType,omitempty"`
	Detail       string    `json:"detail,omitempty"`
	LatencyMS    int64     `json:"latencyMs"`
	RequestBody  string    `json:"requestBody,omitempty"`
	ResponseBody string    `json:"responseBody,omitempty"`
	// Explanation and Fix, for a failed request (status >= 300), are what
	// `roster check` concludes about such an answer and how to fix it.
	Explanation string `json:"explanation,omitempty"`
	Fix         string `json:"fix,omitempty"`
}

// ActivityPage is one page of SCIM activity, newest first; NextCursor is
// "" on the last page.
type ActivityPage struct {
	Activity   []Activity `json:"activity"`
	NextCursor string     `json:"nextCursor,omitempty"`
}

// ActivityQuery filters the SCIM activity log.
type ActivityQuery struct {
	FailuresOnly bool
	KeyID        string
	Since        time.Time
	Cursor       string
	Limit        int
}

// Event is one entry of a team's change feed. Cursor is the position of
// the entry: pass the cursor of the last event you processed as "after" to
// resume.
type Event struct {
	Cursor     string         `json:"cursor"`
	Seq        int64          `json:"seq"`
	At         time.Time      `json:"at"`
	Type       string         `json:"type"`
	ResourceID string         `json:"resourceId"`
	Data       map[string]any `json:"data,omitempty"`
}

// EventPage is one page of the change feed, oldest first. NextCursor is
// the cursor to pass as "after" next time (it equals the request's cursor
// when there was nothing new); HasMore is true when the page is full, so
// another page may be ready now.
type EventPage struct {
	Events     []Event `json:"events"`
	NextCursor string  `json:"nextCursor"`
	HasMore    bool    `json:"hasMore"`
}

// Group is a team's group as the product sees it.
type Group struct {
	ID          string    `json:"id"`
	DisplayName string    `json:"displayName"`
	ExternalID  string    `json:"externalId,omitempty"`
	MemberCount int       `json:"memberCount"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

// GroupPage is one page of a team's groups, in creation order;
// NextCursor is "" on the last page.
type GroupPage struct {
	Groups     []Group `json:"groups"`
	NextCursor string  `json:"nextCursor,omitempty"`
	// Total is the number of groups of the team.
	Total int `json:"total"`
}

// GroupMember is a member of a group: a team member (Type "User") or a
// nested group (Type "Group").
type GroupMember struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Display string `json:"display,omitempty"`
}

// GroupMemberPage is one page of a group's members, in member-id order;
// NextCursor is "" on the last page.
type GroupMemberPage struct {
	Members    []GroupMember `json:"members"`
	NextCursor string        `json:"nextCursor,omitempty"`
}

// PasswordRequest is the body of PUT /api/v1/me/password.
type PasswordRequest struct {
	Current string `json:"current"`
	New     string `json:"new"`
}

// EmailRequest is the body of PUT /api/v1/me/email.
type EmailRequest struct {
	Email string `json:"email"`
}

// SCIMCheckRequest is the body of POST /api/v1/teams/{team}/scim/check:
// run the checks of `roster check` from the server against the team's own
// SCIM base URL with Key, one of the team's SCIM keys. IdP picks the calls
// (okta, entra, onelogin or generic; empty means generic); Write adds the
// create/update/deactivate/group round trip, which creates and removes a
// uniquely named test user and group.
type SCIMCheckRequest struct {
	Key   string `json:"key"`
	IdP   string `json:"idp,omitempty"`
	Write bool   `json:"write,omitempty"`
}

// SCIM check verdicts (SCIMCheckStep.Verdict).
const (
	CheckPass = "pass"
	CheckWarn = "warn"
	CheckFail = "fail"
	CheckSkip = "skip"
)

// SCIMCheckStep is one request of a SCIM check: what the identity provider
// does (Name), what was sent and what came back, the verdict, what the
// identity provider would conclude (Detail) and how to fix a failure.
type SCIMCheckStep struct {
	Name    string `json:"name"`
	Verdict string `json:"verdict"`
	Sent    string `json:"sent,omitempty"`
	Got     string `json:"got,omitempty"`
	Detail  string `json:"detail,omitempty"`
	Fix     string `json:"fix,omitempty"`
}

// SCIMCheckReport is the answer of a SCIM check: OK is true when no step
// failed.
type SCIMCheckReport struct {
	IdP   string          `json:"idp"`
	Base  string          `json:"base"`
	OK    bool            `json:"ok"`
	Steps []SCIMCheckStep `json:"steps"`
}

// SetupState is the answer of GET /api/v1/setup: Open is true while
// first-run setup (POST /api/v1/setup) is possible, that is while no team
// has a member.
type SetupState struct {
	Open bool `json:"open"`
}

// MemberQuery filters and pages GET /api/v1/teams/{team}/members. Empty
// fields do not filter.
type MemberQuery struct {
	// Q keeps members whose email, userName or display name starts with
	// it, ignoring case.
	Q string
	// Status is active, deactivated or invited; Role is super_admin,
	// team_admin or developer.
	Status string
	Role   string
	// Cursor is a page's NextCursor; Before a page's PrevCursor (at most
	// one of them).
	Cursor string
	Before string
	Limit  int
}

// MemberCounts counts a team's members by status; Invited is the pending
// invitations.
type MemberCounts struct {
	Active      int `json:"active"`
	Deactivated int `json:"deactivated"`
	Invited     int `json:"invited"`
}

// TrafficBucket is the SCIM traffic of the time bucket [Start, End).
type TrafficBucket struct {
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Requests int       `json:"requests"`
	// Failures counts the requests answered with status 400 or above.
	Failures int `json:"failures"`
}

// KeySync is a SCIM key and its last successful (2xx) request.
type KeySync struct {
	Key Key `json:"key"`
	// LastSuccessAt is absent when the activity log holds no successful
	// request of the key; LastSuccessMethod and LastSuccessPath describe
	// that request.
	LastSuccessAt     *time.Time `json:"lastSuccessAt,omitempty"`
	LastSuccessMethod string     `json:"lastSuccessMethod,omitempty"`
	LastSuccessPath   string     `json:"lastSuccessPath,omitempty"`
}

// ProvisioningStats is a team's SCIM traffic from the activity log (which
// keeps 30 days and at most a set number of records per team).
type ProvisioningStats struct {
	// Requests24h and Failures24h total Hourly.
	Requests24h int `json:"requests24h"`
	Failures24h int `json:"failures24h"`
	// Hourly is the last 24 hours (UTC), oldest first, the current hour
	// last; Daily the last 30 days (UTC), today last.
	Hourly []TrafficBucket `json:"hourly"`
	Daily  []TrafficBucket `json:"daily"`
	// Keys are the team's SCIM keys, newest first.
	Keys []KeySync `json:"keys"`
}

// TeamStats is the team dashboard of GET /api/v1/teams/{team}/stats.
type TeamStats struct {
	Members MemberCounts `json:"members"`
	// Provisioning is absent for a caller who may not read the activity
	// log (a Developer).
	Provisioning *ProvisioningStats `json:"provisioning,omitempty"`
}
