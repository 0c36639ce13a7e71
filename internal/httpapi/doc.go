// Package httpapi is Roster's HTTP transport for the SCIM 2.0 service
// provider under /scim/v2 (RFC 7644): routing with net/http ServeMux
// patterns, middleware (request id, access log, panic recovery, body
// limit, authentication) and handlers that decode a request, call one use
// case of internal/provision and encode the result.
//
// Every response carries "Content-Type: application/scim+json;
// charset=utf-8". Every error — unknown route (404), wrong method (405
// with Allow), bad JSON (400 invalidSyntax), a body over the limit (413),
// an unsupported media type (415), a missing or bad key (401 with
// WWW-Authenticate), a panic (500) — is a SCIM error body (RFC 7644
// §3.12) written by errors.go, the only place that writes one. The text
// of an internal error is logged with the request id and never sent.
//
// Handlers never choose the tenant: the API key does (provision.Caller).
// Requests may be sent as application/scim+json or application/json (or
// without a content type); any other body type is 415. Resources carry an
// ETag header and an absolute Location built from Config.BaseURL, and
// If-Match / If-None-Match are honoured on GET, PUT, PATCH and DELETE (412,
// or 304 for a GET whose version matches If-None-Match). PATCH on a User
// answers 200 with the resource; PATCH on a Group answers 204 unless the
// request asks for attributes (attributes or excludedAttributes), then 200
// with the resource (docs/idp-behaviour.md row 11).
//
// The access log has one line per request: request id, method, route
// pattern, status, duration and team id — never the Authorization header,
// the query string or a body.
//
// This package must not import internal/store or database/sql: it reaches
// data only through internal/provision.
package httpapi
