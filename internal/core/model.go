package core

import "time"

// Team is a tenant: every member, group, key and event belongs to exactly
// one team, and every query on team-owned data is scoped by its ID.
type Team struct {
	ID          string
	Slug        string
	Name        string
	SCIMEnabled bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Account is a global person record: one per email, compared
// case-insensitively. An account is a member of at most one team.
type Account struct {
	ID          string
	Email       string
	DisplayName string
	// PasswordHash is the argon2id hash of the account's password, or "".
	PasswordHash string
	Status       string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Role is a member's role in a team.
type Role string

// The roles of a team. New members, including those SCIM creates, get
// RoleDeveloper.
const (
	RoleSuperAdmin Role = "super_admin"
	RoleTeamAdmin  Role = "team_admin"
	RoleDeveloper  Role = "developer"
)

// MemberStatus is the state of a membership.
type MemberStatus string

// The membership states.
const (
	// StatusActive is a member with access to the team.
	StatusActive MemberStatus = "active"
	// StatusDeactivated is a member whose access is suspended (SCIM
	// active=false); the seat is free, the data kept.
	StatusDeactivated MemberStatus = "deactivated"
	// StatusInvited is an account that was invited (by an admin, or by SCIM
	// for an account on an unverified domain) and has not accepted yet.
	StatusInvited MemberStatus = "invited"
)

// Member is an account's membership in a team; SCIM exposes it as a User
// resource whose id is Member.ID.
type Member struct {
	ID        string
	TeamID    string
	AccountID string
	// UserName is the SCIM userName exactly as the client sent it; it is
	// unique per team case-insensitively.
	UserName   string
	ExternalID string
	// Email is the primary email the member is known by (the account's
	// email).
	Email  string
	Active bool
	Status MemberStatus
	Role   Role
	// SCIMManaged is true when an identity provider created or linked the
	// member.
	SCIMManaged bool
	// Doc is the canonical SCIM document the client sent (see package
	// internal/scim), without id, meta, groups or password.
	Doc map[string]any
	// Version increases on every change; it is the SCIM ETag.
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
	// Groups are the groups the member belongs to directly, ordered by
	// group id, as the store's member reads return them (read in the same
	// statement as the member); writes ignore it.
	Groups []GroupRef
}

// Group is a team-scoped group; displayName is unique per team
// case-insensitively. Its members are rows of their own, never a list
// inside the group.
type Group struct {
	ID          string
	TeamID      string
	DisplayName string
	ExternalID  string
	// Doc is the canonical SCIM document without id, meta and members.
	Doc         map[string]any
	MemberCount int
	Version     int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// GroupMember is one member of a group: a team member (Type "User") or a
// nested group (Type "Group").
type GroupMember struct {
	// Value is the member's SCIM id.
	Value string
	// Display is the display name the client sent, or "".
	Display string
	// Type is "User" or "Group".
	Type string
}

// GroupRef names a group a member belongs to (the User "groups" attribute).
type GroupRef struct {
	ID          string
	DisplayName string
}
