// Package sqlstore is the part of Roster's two SQL storage backends that
// they share: the Reader and Tx methods of package store, run on a DB
// (database/sql for PostgreSQL, SQLite's own connections for SQLite),
// the compilation of SCIM filters and sort orders to SQL, document
// encoding, and the mapping of constraint violations to *core.Error.
//
// Everything that differs between SQLite and PostgreSQL — placeholders,
// JSON functions, row locks, time and document encodings, how an error
// names the violated constraint — is a method of the Dialect interface,
// implemented as plain, explicit code by internal/store/sqlite and
// internal/store/postgres. No SQL is rewritten: every statement is built
// with a Builder that writes trusted SQL text and binds every value, so
// client text never becomes SQL.
//
// # Schema
//
// The backends' migrations create the same tables (see their
// migrations/*.sql): teams, accounts, members, member_emails, groups,
// group_members, api_keys and domains (00001); key_accounts,
// change_counters, domain_checks, sessions, audit_events, change_feed and
// scim_activity (00002, which adds tables and never columns, so that it
// stays idempotent on SQLite too). Every team-owned table carries
// team_id, every statement on one filters by team_id, and every unique
// index on team-owned data starts with team_id, except the deliberately
// global ones: members.account_id (an account is a member of at most one
// team), members.id and groups.id (server-generated ids are unique across
// teams, so an id can never name a row in two teams), and api_keys.id and
// api_keys.prefix (a key decides its team). The statements not scoped by
// team are MemberByAccount, KeyByPrefix and TouchKey (by the key's id,
// after KeyByPrefix found it), and those on sessions, which belong to
// accounts (by session id, token hash or account id). The
// case-insensitive keys (team slug, account email, userName, displayName,
// email values) are stored beside the original text, folded in Go by Fold,
// so both databases compare them exactly as filter.Match does.
//
// # Filters and sort orders
//
// Query.Filter is checked with filter.Check and compiled to one SQL
// condition whose result is exactly filter.Match's on the resource the
// SCIM layer serves (the stored document with the row's columns laid over
// it; see resource.go). The attributes identity providers look up are
// indexed: id, userName, externalId, displayName, active and meta.created
// and meta.lastModified are columns of the resource's row; a user's emails
// are member_emails rows indexed by (team_id, value), a group's members
// are group_members rows indexed by (team_id, member_id), and both are
// searched with "id IN (SELECT ...)" subqueries. Every other attribute is
// read from the JSON document (SQLite json_each/json_tree, PostgreSQL
// jsonb_array_elements/jsonb_each), with Match's rules for
// caseExact, multi-valued any-match, value paths, pr, ne and null. No
// team is ever loaded into Go to filter it.
//
// Known limits, each rejected as invalidFilter rather than answered
// wrongly: meta.location and $ref (they depend on the base URL); on
// PostgreSQL, dateTime attributes inside documents (Roster's schemas have
// none). Sorting by a multi-valued attribute held only in the document
// (phoneNumbers.value) is KindInvalid. PostgreSQL folds document text with
// lower(), which agrees with Go's strings.ToLower under a UTF-8 database
// except for a few letters whose lower-case forms differ between Unicode
// tables; the indexed keys are folded in Go on both databases. The
// projections of emails and displayName assume the canonical types of the
// schema (strings and booleans), which the SCIM layer's decoder enforces.
//
// This package must not import net/http, a database driver or a backend.
package sqlstore
