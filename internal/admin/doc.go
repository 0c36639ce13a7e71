// Package admin holds the team-administration use cases: teams, the SCIM
// switch, SCIM API keys (create, list, revoke), verified domains and
// members, each authorised by the caller's role and audited.
//
// It depends on internal/store and internal/core and must not import
// net/http: transports (internal/httpapi, cmd/roster) call it.
package admin
