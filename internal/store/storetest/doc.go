// Package storetest is the conformance suite that every storage backend of
// Roster must pass (the dex model: one contract, one suite, every backend).
//
// A backend's test calls Run with a function that returns a fresh, migrated,
// empty store.Store for every call and arranges its cleanup:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return openTemp(t) })
//	}
//
// Run opens one store per subtest and checks the contract written in package
// store:
//
//   - Migrate: a new store answers Ping and every read finds nothing.
//   - Tx: commit, rollback, fn's error returned, a Tx sees its own writes,
//     and a swallowed method error never makes InTx return nil with writes
//     lost.
//   - Teams, Accounts, Members, Groups, GroupMembers, Keys, Domains: CRUD,
//     exact round trips, uniqueness per team in any letter case with the
//     spelling kept, versions, membership rows and counts.
//   - Paging, Sorting, PagingConcurrentInserts: offset and keyset paging,
//     Total and SkipTotal, sort orders, and walks while other goroutines
//     insert.
//   - Isolation: every method of store.Tx (and so store.Reader), called
//     with another team's id, sees and changes nothing; a reflection check
//     fails when a method has no probe.
//   - Concurrency: parallel membership changes, creates, renames and
//     updates with one prevVersion, and adds racing deletes.
//   - FilterDifferential: the same SCIM filters through the store and
//     through filter.Match over the same documents, before and after
//     updates, and a sort differential.
//   - HostileInput: U+0000, bytes that are not UTF-8, SQL and LIKE syntax
//     and long strings never cause an internal error.
//
// After every subtest, checkInvariants and checkIsolation re-check the
// whole store (lists against lookups, group rows against members, member
// counts, key lists, cross-team lookups).
//
// # Semantics the suite pins down
//
// Where package store leaves a detail open, the suite fixes it, so that
// every backend behaves alike:
//
//   - Times round-trip with at least microsecond precision (PostgreSQL's).
//   - Documents (Member.Doc, Group.Doc) round-trip exactly, Go types
//     included: int64 stays int64 (also above 2^53), float64 stays float64
//     (also when integral), and nested map[string]any and []any keep their
//     shape. The store does not interpret documents against a schema. A
//     nil document may come back as an empty one.
//   - An id of another team, a malformed id and an unknown id behave the
//     same: the same error Kind and the same results. Delete of a missing
//     row is KindNotFound or a no-op.
//   - A value a client can send (an id in a URL, a filter literal, a
//     document string) is answered as an unknown value would be, or with
//     KindInvalid; never with an internal error. A stored value comes back
//     exactly, or its write is KindInvalid.
//   - The default order is by id; Descending with no SortBy is by id
//     descending. With SortBy, ties are broken by id, and Descending is the
//     exact reverse of the ascending order (ties included). caseExact=false
//     strings sort by filter.FoldCase in code-point order; a multi-valued
//     attribute sorts by its primary value, else its first; absent values
//     sort last ascending. userName, meta.created and meta.lastModified
//     (and displayName and meta.created of groups) must be sortable; any
//     other SortBy may be refused with KindInvalid. After with SortBy is
//     KindInvalid.
//   - Keys(team, kind) is newest first by CreatedAt.
//   - Deleting a group also removes the rows that make it a member of other
//     groups, and deleting a member removes its rows in every group; group
//     member counts follow, also when a delete races an add.
//   - UpdateMember and UpdateGroup with a prevVersion that is not the
//     stored one are KindPrecondition, also under concurrency (exactly one
//     of several updates from one version succeeds).
//   - A filter that filter.Check accepts is never refused with
//     invalidFilter (unless invalidFilterAllowed lists it); one that Check
//     rejects may be refused, or answered exactly as filter.Match answers.
//
// # The differential's documents
//
// The filter differential compares the store against filter.Match over the
// documents the SCIM layer serves for a member or a group. The suite
// builds them in userResource and groupResource (see their comments: they
// mirror internal/provision's userBody, groupResource and
// Resource.WriteJSON, without meta.location and $ref), so a change to what
// the SCIM layer serves must be made there too.
//
// This package is imported only by backend tests. It must not import a
// backend, database/sql or net/http. Its own test runs the suite on an
// in-memory reference store (memstore_test.go), so that a change to the
// suite is checked against a correct implementation.
package storetest
