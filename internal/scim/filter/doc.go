// Package filter implements the SCIM 2.0 filter language of RFC 7644
// §3.4.2.2 and the PATCH path syntax of RFC 7644 §3.5.2.
//
// It provides a hand-written lexer and recursive-descent parser that turn
// a filter string into an AST (Parse, ParseWithLimits) and a PATCH path
// into a Path (ParsePath); a canonical String form for every node, such
// that Parse(e.String()) yields a tree equal to e; Check, which validates
// a filter against a resource type before a store compiles it; and Match,
// which evaluates a filter against a canonical resource document (see
// package scim). Match is used for PATCH value paths and is the oracle
// that a store's filter-to-SQL translation is tested against, so its
// semantics are written out in Match's documentation and must be
// reproduced exactly.
//
// Every rejection is a *scim.Error with status 400 and scimType
// invalidFilter (invalidPath for ParsePath), whose detail says what is
// wrong and at which byte offset. Input length, nesting depth and the
// number of comparisons are bounded (Limits), so no input can exhaust the
// stack.
//
// This package imports only the standard library and package scim. It
// must never import storage (database/sql, store packages) or HTTP
// (net/http): it is pure protocol vocabulary.
package filter
