// Package store is Roster's persistence contract: the Store and Tx
// interfaces, queries and pages, and their documented semantics. Backends
// (internal/store/sqlite, internal/store/postgres) implement it and must pass
// the conformance suite in internal/store/storetest.
//
// Tenant isolation is part of the contract: every method on team-owned
// data takes the team id, every statement a backend runs on a team-owned
// table filters by team_id, and an id of another team behaves exactly like
// an unknown id. The one cross-team lookup is Reader.KeyByPrefix.
//
// This package declares no drivers and must not import net/http.
package store
