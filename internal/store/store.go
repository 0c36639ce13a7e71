package store

import (
	"context"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim/filter"
)

// Store is a Roster database. Reads outside a transaction see committed
// data; writes happen only inside InTx. Implementations are safe for
// concurrent use.
type Store interface {
	Reader
	// InTx runs fn in a read-write transaction and commits it when fn
	// returns nil; it rolls back and returns fn's error otherwise. The
	// commit is durable when InTx returns nil (SQLite synchronous=FULL,
	// PostgreSQL synchronous_commit=on). fn may be called more than once
	// (PostgreSQL serialization failures, SQLSTATE 40001, are retried), so
	// it must have no effects outside the Tx. Calls must not be nested.
	// After a Tx method returns an error, fn must not use the Tx again and
	// must return an error (a failed statement aborts a PostgreSQL
	// transaction).
	InTx(ctx context.Context, fn func(Tx) error) error
	// Ping checks that the database answers (readiness).
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error
}

// Reader holds the read methods; a Tx has them too and then sees its own
// writes. Every method on team-owned data takes the team id and sees only
// that team's rows: an id that belongs to another team is KindNotFound.
// Missing rows are *core.Error of KindNotFound.
type Reader interface {
	AdminReader

	// Team returns a team by id.
	Team(ctx context.Context, id string) (core.Team, error)
	// TeamBySlug returns a team by its slug (case-insensitive).
	TeamBySlug(ctx context.Context, slug string) (core.Team, error)
	// Teams returns every team ordered by creation.
	Teams(ctx context.Context) ([]core.Team, error)

	// KeyByPrefix returns the API key with the given public prefix. It is
	// the one lookup that is not scoped by team: the key decides the team.
	KeyByPrefix(ctx context.Context, prefix string) (core.APIKey, error)
	// KeyWithTeam returns the API key with the given public prefix and its
	// team, read together in one query (the per-request SCIM key check).
	// An unknown prefix is KindNotFound; a key whose team row is missing
	// comes with a zero Team. Like KeyByPrefix it is not scoped by team.
	KeyWithTeam(ctx context.Context, prefix string) (core.APIKey, core.Team, error)
	// AuthEpoch returns the authentication epoch: a number that moves (in
	// the writing transaction) whenever a key is created, revoked or
	// deleted or a team is updated — every change that can change what
	// KeyWithTeam returns but a key's last use — through any process or
	// instance on the database. A KeyWithTeam result read while the epoch
	// was e is still current while AuthEpoch returns e. It reads no team
	// data (one row, no team).
	AuthEpoch(ctx context.Context) (int64, error)
	// Keys returns a team's keys of a kind, newest first.
	Keys(ctx context.Context, teamID string, kind core.KeyKind) ([]core.APIKey, error)

	// AccountByEmail returns the account with the given email
	// (case-insensitive).
	AccountByEmail(ctx context.Context, email string) (core.Account, error)
	// Account returns an account by id.
	Account(ctx context.Context, id string) (core.Account, error)
	// MemberByAccount returns the membership of an account, in whatever
	// team it is. It is used only to refuse a create whose account belongs
	// to another team, and the caller must not reveal the team.
	MemberByAccount(ctx context.Context, accountID string) (core.Member, error)

	// Member returns a team's member (SCIM User) by id.
	Member(ctx context.Context, teamID, id string) (core.Member, error)
	// Members returns one page of a team's members matching q.
	Members(ctx context.Context, teamID string, q Query) (Page[core.Member], error)
	// MemberGroups returns the groups a member belongs to directly, ordered
	// by group id.
	MemberGroups(ctx context.Context, teamID, memberID string) ([]core.GroupRef, error)

	// Group returns a team's group by id (without its members).
	Group(ctx context.Context, teamID, id string) (core.Group, error)
	// Groups returns one page of a team's groups matching q (without their
	// members).
	Groups(ctx context.Context, teamID string, q Query) (Page[core.Group], error)
	// GroupMembers streams a group's members in member-id order to fn,
	// without holding the whole list in memory; it stops at fn's first
	// error and returns it.
	GroupMembers(ctx context.Context, teamID, groupID string, fn func(core.GroupMember) error) error

	// DomainVerified reports whether the team has verified the domain
	// (case-insensitive).
	DomainVerified(ctx context.Context, teamID, domain string) (bool, error)
}

// Tx is a read-write transaction.
type Tx interface {
	Reader
	AdminTx

	// CreateTeam inserts a team; a duplicate slug is KindConflict.
	CreateTeam(ctx context.Context, t core.Team) error
	// UpdateTeam updates a team's name and SCIM switch.
	UpdateTeam(ctx context.Context, t core.Team) error

	// CreateAccount inserts an account; a duplicate email (any case) is
	// KindConflict.
	CreateAccount(ctx context.Context, a core.Account) error
	// UpdateAccount updates an account; a duplicate email is KindConflict.
	UpdateAccount(ctx context.Context, a core.Account) error

	// CreateMember inserts a membership. A userName already used in the team
	// (any case) is KindConflict with Code "uniqueness"; an account that is
	// already a member somewhere is KindConflict too.
	CreateMember(ctx context.Context, m core.Member) error
	// UpdateMember replaces a member's mutable fields (UserName,
	// ExternalID, Email, Active, Status, Role, SCIMManaged, Doc, Version,
	// UpdatedAt) if its stored version is still prevVersion; otherwise
	// KindPrecondition. A missing member is KindNotFound; a userName clash
	// is KindConflict.
	UpdateMember(ctx context.Context, m core.Member, prevVersion int64) error
	// DeleteMember removes a membership and its group memberships.
	DeleteMember(ctx context.Context, teamID, id string) error

	// CreateGroup inserts a group; a displayName already used in the team
	// (any case) is KindConflict.
	CreateGroup(ctx context.Context, g core.Group) error
	// UpdateGroup replaces a group's DisplayName, ExternalID, Doc, Version
	// and UpdatedAt if its stored version is still prevVersion (else
	// KindPrecondition).
	UpdateGroup(ctx context.Context, g core.Group, prevVersion int64) error
	// DeleteGroup removes a group and its membership rows (never the
	// members themselves).
	DeleteGroup(ctx context.Context, teamID, id string) error
	// AddGroupMembers adds members to a group, skipping those already in it,
	// in time proportional to len(ms). Every member must be a member (Type
	// "User") or group (Type "Group") of the same team: the ids that are not
	// are returned in missing and nothing is added for them. added are the
	// ids of the rows inserted (not those already in the group), sorted.
	AddGroupMembers(ctx context.Context, teamID, groupID string, ms []core.GroupMember) (added, missing []string, err error)
	// RemoveGroupMembers removes the listed member ids from a group,
	// ignoring ids that are not in it; it returns the ids it removed,
	// sorted.
	RemoveGroupMembers(ctx context.Context, teamID, groupID string, ids []string) (removed []string, err error)
	// RemoveGroupMembersWhere removes the group's members whose value,
	// display and type match f (a filter over those sub-attributes), and
	// returns the ids it removed, sorted.
	RemoveGroupMembersWhere(ctx context.Context, teamID, groupID string, f filter.Expr) (removed []string, err error)
	// ClearGroupMembers removes every member of a group.
	ClearGroupMembers(ctx context.Context, teamID, groupID string) (int, error)

	// CreateKey stores a key (its hash and prefix only).
	CreateKey(ctx context.Context, k core.APIKey) error
	// RevokeKey marks a team's key revoked at the given time, or keeps an
	// earlier revocation time already stored (a scheduled revocation later
	// than at is brought forward to at).
	RevokeKey(ctx context.Context, teamID, id string, at time.Time) error
	// TouchKey records that a key was used at the given time.
	TouchKey(ctx context.Context, id string, at time.Time) error

	// AddDomain records a team's domain with its verification token.
	AddDomain(ctx context.Context, teamID, domain, token string, verified bool, at time.Time) error
}

// Query selects and orders one page of resources. The zero Query is the
// first page of everything in default order with no items (Count 0 asks
// only for the total).
type Query struct {
	// Filter is the parsed SCIM filter, or nil for all. A store compiles it
	// to SQL; what it cannot express is KindInvalid with Code
	// "invalidFilter" — it never loads a team into memory to filter.
	Filter filter.Expr
	// SortBy is an attribute path ("userName", "meta.created", ...), or ""
	// for the default order: by id, which is creation order (see
	// core.NewIDGen).
	SortBy string
	// Descending reverses the sort order.
	Descending bool
	// Offset skips this many matches (startIndex-1). Ignored when After is
	// set.
	Offset int
	// After, when set, is keyset paging: only resources whose id is greater
	// than After (in default id order; SortBy must be empty). A store
	// serves it from the primary-key index, so the cost of a page does not
	// grow with its position.
	After string
	// Count is the page size; 0 returns no items, only Total.
	Count int
	// SkipTotal asks the store not to count matches (Total is then -1);
	// cursor paging that does not need the total uses it.
	SkipTotal bool
}

// Page is one page of results.
type Page[T any] struct {
	// Items are the resources of the page, in order.
	Items []T
	// Total is the number of resources matching the filter, or -1 when the
	// query set SkipTotal.
	Total int
}
