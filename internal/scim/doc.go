// Package scim is Roster's SCIM 2.0 vocabulary: the core User, Enterprise
// User and Group schemas (RFC 7643 §4), the attribute registry with its
// characteristics (RFC 7643 §2 and §7), the discovery resources
// ServiceProviderConfig, ResourceType and Schema (RFC 7643 §5–7), resource
// decoding, attribute projection (RFC 7644 §3.9), and the protocol messages
// of RFC 7644: ListResponse, PatchOp, SearchRequest, Bulk and Error.
//
// # Canonical documents
//
// A resource is held as a canonical document: a map[string]any in which
// every key is spelled exactly as the schema spells the attribute
// ("userName", "name", "givenName"), extension attributes live under the
// extension's schema URN key as in the JSON form, and values have Go types
// fixed by the attribute type: string (string, reference, binary, dateTime
// as sent), bool (boolean), int64 (integer), float64 (decimal),
// map[string]any (complex) and []any (multi-valued). Unknown attributes are
// not kept. Decoding a client's body produces a canonical document; the
// filter evaluator and the PATCH engine take and return canonical
// documents.
//
// # Where things are
//
//   - Schemas and resource types: UserType, GroupType, Schemas, SchemaByID
//     (schema_*.go, registry.go), built once and shared read-only.
//   - Discovery: ServiceProviderConfig, RenderServiceProviderConfig,
//     RenderResourceType, RenderSchema (spconfig.go, render.go), rendered
//     from the same definitions that decoding and projection use.
//   - Client input: Decode, CoerceValue, CheckRequired, StripReadOnly
//     (decode.go, coerce.go), bounded by MaxDecodeDepth and
//     MaxDecodeValues; Quirks switches the client deviations on.
//   - Output: Projection (project.go), ListResponse (messages.go).
//   - Messages: DecodePatchRequest, DecodeSearchRequest,
//     SearchRequestFromQuery, DecodeBulkRequest, BulkResponse,
//     ErrorResponse.
//
// This package imports only the standard library: no storage, no HTTP.
package scim
