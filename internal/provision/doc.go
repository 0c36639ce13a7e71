// Package provision holds Roster's SCIM 2.0 use cases for one team: API-key
// authentication, Users (a team's members), Groups and their membership,
// queries with filters, sorting, index and cursor paging, ETag
// preconditions, and Bulk (RFC 7643, RFC 7644, RFC 9865).
//
// The tenant is always the team that owns the caller's API key
// (Authenticate returns it in a Caller); every use case takes the Caller and
// passes its team id to the store, so nothing in a URL or a body can reach
// another team: another team's id behaves exactly like an unknown one.
//
// # Product semantics (docs/idp-behaviour.md)
//
// A SCIM User is a core.Member: an account's membership in the team.
// CreateUser derives the account email from the document — the primary
// email, else the first work email, else the first email, else userName
// when it looks like an address (local@domain); when none is usable the
// member gets a placeholder address "<hash>@scim.roster.invalid" derived
// from the team and the lower-cased userName (RFC 2606 reserves .invalid),
// so a later create with the same userName re-attaches the same account.
// A new email creates the account and joins it to the team (role
// developer, SCIM-managed). An existing account in no team joins directly
// when its email is on a domain the team has verified (or is this team's
// own placeholder); on any other domain the member is created with status
// invited — the SCIM resource exists and shows
// urn:ietf:params:scim:schemas:extension:roster:2.0:User status "invited"
// and invitationPending true — and the person joins by accepting the
// invitation (internal/admin). An account that is already a member of
// this team under another userName, or of any other team, is refused with
// 409 uniqueness, and the detail never names the other team — also when
// the email is on a domain this team verified: moving a person between
// teams is not done by SCIM.
//
// userName is kept exactly as sent and is unique per team
// case-insensitively. active=false deactivates the member (status
// deactivated, seat freed, data and role kept); active=true reactivates it.
// A PUT without "active" leaves it unchanged. The account email changes
// only through SCIM and only to an address on a domain the team has
// verified (else 400 invalidValue); a derived placeholder never replaces a
// real address. DeleteUser removes the membership and its group rows,
// never the account. A password is never stored, logged or returned:
// scim.Decode and the PATCH engine discard it.
//
// Deactivation (active=false by PATCH or PUT) also ends the account's
// sessions and revokes its personal API tokens for the team; the role is
// kept, so reactivation restores it. DELETE revokes the tokens too.
//
// # Audit log and change feed
//
// Every change writes, in its own transaction, an audit event whose actor
// is the SCIM key (Caller.KeyID and KeyName, with the request's IP and user
// agent) and a summary of attribute names and non-secret values, and the
// change-feed entries a host application follows: user.created,
// user.updated, user.deactivated, user.reactivated, user.deleted,
// group.created, group.updated, group.deleted, and one
// group.member_added and one group.member_removed entry per request with
// the member ids. A write that changes nothing writes neither. The ids of
// an add the store reported as partly already present may include some
// that were members before (the store does not say which); readers apply
// member_added as a set union.
//
// Versions (RFC 7644 §3.14): every resource has a version that is its
// weak ETag, W/"<n>"; it increases on every real change, and a PUT or
// PATCH that changes nothing (Okta's rename that renames nothing, a re-add
// of a present member) writes nothing and keeps the version. If-Match and
// If-None-Match are checked inside the write transaction, and the store's
// prevVersion check makes concurrent writes with the same If-Match yield
// exactly one winner; without If-Match a concurrent change is retried.
//
// # Groups
//
// Group membership is stored as rows and changed as deltas: PATCH splits
// member operations off with patch.SplitMembers and applies them with the
// store's Add/Remove/Clear/RemoveWhere in one transaction with the rest of
// the PATCH, so a change costs the size of the change. A replace of the
// whole member list (Okta's full sync, a PUT) is applied as the difference
// between the old and new sets. Members are read with the store's
// GroupMembers and written straight to the response (Resource.WriteJSON),
// never built in memory; excludedAttributes=members never reads them.
//
// Member ids that are not users or groups of the team: POST and PUT are
// atomic and fail with 400 invalidValue naming the ids. PATCH applies
// everything else, commits, and then answers 400 invalidValue naming the
// ids that were not added and saying the rest was applied — a deliberate
// exception to the atomicity of RFC 7644 §3.5.2 required by
// docs/idp-behaviour.md row 14 (one bad member must not fail an Okta group
// push; a member must never be silently accepted). A request carrying more
// than Config.MaxMembersPerPatch member values is 400 tooMany ("more than
// the server is willing to process", RFC 7644 §3.12; the PATCH engine's
// choice, used for POST and PUT too), whose detail asks for smaller
// requests.
//
// # Paging
//
// Index paging (RFC 7644 §3.4.2.4) orders by the immutable id unless sortBy
// is given. To keep deep pages cheap, the Service remembers, in a small
// bounded in-process cache, the id of the last resource served at a
// position of an unsorted query (keyed by team, resource type, filter and
// a generation that deletes — and, for filtered queries, updates — advance).
// A request whose startIndex continues such a page is served with keyset
// paging (store.Query.After) from the primary-key index instead of OFFSET;
// on a miss it falls back to OFFSET. Cursor paging (RFC 9865) uses the
// same keyset: a cursor is an opaque, HMAC-authenticated token holding the
// last id served, a hash of the query (team, type, filter) and its issue
// time; a cursor for another query, a tampered one or garbage is 400
// invalidCursor, one older than Config.CursorTTL is 400 expiredCursor.
//
// This package must not import net/http: internal/httpapi is its
// transport. It imports internal/store, internal/core, internal/scim,
// internal/scim/filter and internal/scim/patch.
package provision
