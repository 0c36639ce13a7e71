// Package check is the client side of `roster check`: it calls a SCIM 2.0
// server the way an identity provider does when its admin presses "Test
// API Credentials" (Okta) or "Test Connection" (Entra ID, OneLogin), and
// explains each step — what was sent, what came back, what the IdP would
// conclude and how to fix it (docs/troubleshooting.md).
//
// By default it only reads. With Options.Write it also runs a create →
// update → deactivate → reactivate → group push round trip with uniquely
// named data, and removes what it created afterwards (DELETE; a user the
// server refuses to delete is left deactivated).
//
// It works against any SCIM server, not only Roster: it speaks HTTP and
// RFC 7644 and imports nothing else of Roster. It must not import
// internal/store, internal/provision or internal/httpapi.
package check
