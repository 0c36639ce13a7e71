// Package admin holds the team-administration use cases: first-run setup,
// sign-up, sign-in and server-side sessions (with a CSRF token each),
// personal API tokens, teams, members and roles, invitations, the SCIM
// switch and the SCIM key lifecycle (create, regenerate with an overlap,
// revoke, delete), verified domains (a DNS TXT challenge looked up through
// a configurable resolver), the audit log with CSV and JSON Lines export,
// the change feed and the SCIM activity log.
//
// Every use case takes the core.Principal who acts — a person (from a
// session or a personal token), or the CLI (core.CLIPrincipal) — and
// decides with the permission table of internal/core (core.Principal.Can):
// a person acting on another team's ids gets KindNotFound, a role without
// the permission KindForbidden. The last Super Admin of a team can be
// neither removed nor demoted. Every change writes its audit event, and
// its change-feed entry when it has one, in the same transaction as the
// change. A few methods without a Principal (CreateTeam, SetSCIM,
// CreateKey, Keys, RevokeKey, Team, Teams) act as the CLI.
//
// Secrets: passwords are hashed with argon2id (verified in constant time,
// with a dummy hash for unknown emails so sign-in time does not reveal
// whether an email is registered); session tokens, SCIM keys and personal
// tokens are shown once and only their SHA-256 is stored. Audit summaries
// never hold a secret or a password.
//
// While SCIM is on for a team, its SCIM-managed members cannot leave it,
// change their email or change their password here (KindForbidden, Code
// "managedByIdP"): the identity provider manages them.
//
// It depends on internal/store and internal/core (and
// golang.org/x/crypto/argon2) and must not import net/http: transports
// (internal/httpapi, cmd/roster) call it.
package admin
