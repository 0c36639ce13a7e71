// Package core holds Roster's domain types and rules: teams (the tenants),
// global accounts, members (an account's membership in a team, which SCIM
// exposes as a User), groups, roles, verified domains, API keys, audit
// events and change-feed entries, and the application error type whose
// Kind picks the HTTP status.
//
// It imports only the standard library: no storage, no HTTP, no SCIM
// wire format.
package core
