package scim

// Schema URNs of the resources Roster serves (RFC 7643 §8.7.1 and §4.3,
// and Roster's own extension).
const (
	// UserSchema is the core User schema (RFC 7643 §4.1).
	UserSchema = "urn:ietf:params:scim:schemas:core:2.0:User"
	// GroupSchema is the core Group schema (RFC 7643 §4.2).
	GroupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group"
	// EnterpriseUserSchema is the Enterprise User extension (RFC 7643 §4.3).
	EnterpriseUserSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	// RosterUserSchema is Roster's User extension: the read-only state of
	// the team membership behind a SCIM User (active, deactivated or
	// invited). Extension schemas are allowed by RFC 7643 §3.3.
	RosterUserSchema = "urn:ietf:params:scim:schemas:extension:roster:2.0:User"
)

// Schema URNs of the discovery resources (RFC 7643 §5–7, §8.7.2).
const (
	// ServiceProviderConfigSchema is the schema of /ServiceProviderConfig
	// (RFC 7643 §5).
	ServiceProviderConfigSchema = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	// ResourceTypeSchema is the schema of a /ResourceTypes entry (RFC 7643 §6).
	ResourceTypeSchema = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	// SchemaSchema is the schema of a /Schemas entry (RFC 7643 §7).
	SchemaSchema = "urn:ietf:params:scim:schemas:core:2.0:Schema"
)

// Message URNs of the protocol (RFC 7644 §3.4.2, §3.4.3, §3.5.2, §3.7;
// ErrorSchema, in errors.go, is the fifth).
const (
	// ListResponseSchema identifies a query response (RFC 7644 §3.4.2).
	ListResponseSchema = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	// SearchRequestSchema identifies a POST /.search body (RFC 7644 §3.4.3).
	SearchRequestSchema = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
	// PatchOpSchema identifies a PATCH body (RFC 7644 §3.5.2).
	PatchOpSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	// BulkRequestSchema identifies a POST /Bulk body (RFC 7644 §3.7).
	BulkRequestSchema = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
	// BulkResponseSchema identifies a /Bulk response (RFC 7644 §3.7).
	BulkResponseSchema = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
)

// SCIM 1.x schema URNs that OneLogin templates still send. With
// Quirks.SCIM1Schemas they are read as aliases: the core 1.x URNs name the
// resource type's core schema and the enterprise 1.0 URN names the
// Enterprise User extension.
const (
	// SCIM1CoreSchema is the SCIM 1.0/1.1 core schema URN.
	SCIM1CoreSchema = "urn:scim:schemas:core:1.0"
	// SCIM1EnterpriseSchema is the SCIM 1.x enterprise extension URN.
	SCIM1EnterpriseSchema = "urn:scim:schemas:extension:enterprise:1.0"
)
