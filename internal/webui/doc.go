// Package webui is Roster's admin web page, served under /admin: sign-in,
// first-run setup, SCIM settings and keys, identity-provider setup guides,
// verified domains, members, groups, provisioning activity, the audit log,
// a dashboard and self-service.
//
// It is built on the admin REST API and nothing else: every page calls the
// root package's SDK (roster.Client) over an in-process http.RoundTripper
// that hands the request to the /api/v1 handler (Config.API) with the
// browser's session cookie, Origin header and client address, and with the
// form's csrf field as the CSRF header. The API's own authentication,
// authorisation, CSRF and Origin checks therefore protect every page; the
// UI decides nothing the API does not.
//
// Pages are html/template files and static assets embedded in the binary
// (templates/, static/): no build step, a little plain JavaScript (copy
// buttons, <dialog> confirmations) that no action needs. Every response
// carries a strict Content-Security-Policy (no inline script or style).
//
// The package imports the standard library and package roster only; it must
// not import internal/admin, internal/store or internal/provision
// (.golangci.yml depguard).
package webui
