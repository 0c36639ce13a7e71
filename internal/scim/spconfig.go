package scim

// ServiceProviderConfig holds the options Roster advertises at
// /ServiceProviderConfig (RFC 7643 §5), including cursor pagination
// (RFC 9865 §4). Render it with RenderServiceProviderConfig.
type ServiceProviderConfig struct {
	// DocumentationURI is an HTTP-addressable URL pointing to the service
	// provider's help documentation; "" omits it.
	DocumentationURI string
	// Patch says whether PATCH is supported (RFC 7644 §3.5.2).
	Patch bool
	// Bulk describes /Bulk support (RFC 7644 §3.7).
	Bulk BulkConfig
	// Filter describes filter support (RFC 7644 §3.4.2.2).
	Filter FilterConfig
	// ChangePassword says whether clients may change passwords. Roster
	// discards passwords, so it is false.
	ChangePassword bool
	// Sort says whether sortBy/sortOrder are supported (RFC 7644 §3.4.2.3).
	Sort bool
	// ETag says whether resources carry versions and If-Match /
	// If-None-Match are honoured (RFC 7644 §3.14).
	ETag bool
	// Pagination describes index and cursor pagination (RFC 9865 §4).
	Pagination PaginationConfig
	// AuthenticationSchemes lists the supported authentication schemes
	// (RFC 7643 §5).
	AuthenticationSchemes []AuthenticationScheme
}

// BulkConfig is the "bulk" option of RFC 7643 §5.
type BulkConfig struct {
	Supported bool
	// MaxOperations is the largest number of operations in one request.
	MaxOperations int
	// MaxPayloadSize is the largest request body, in bytes.
	MaxPayloadSize int
}

// FilterConfig is the "filter" option of RFC 7643 §5.
type FilterConfig struct {
	Supported bool
	// MaxResults is the largest number of resources one response returns.
	MaxResults int
}

// PaginationConfig is the "pagination" option of RFC 9865 §4.
type PaginationConfig struct {
	// Cursor says whether cursor pagination is supported.
	Cursor bool
	// Index says whether index pagination (startIndex) is supported.
	Index bool
	// DefaultPaginationMethod is "index" or "cursor": the method used when
	// a request asks for neither. Okta and Entra expect "index".
	DefaultPaginationMethod string
	// DefaultPageSize is the page size when count is not given.
	DefaultPageSize int
	// MaxPageSize is the largest page size; a larger count is reduced.
	MaxPageSize int
	// CursorTimeout is the number of seconds a cursor stays valid.
	CursorTimeout int
}

// AuthenticationScheme is one entry of "authenticationSchemes" (RFC 7643
// §5).
type AuthenticationScheme struct {
	// Type is "oauth", "oauth2", "oauthbearertoken", "httpbasic" or
	// "httpdigest".
	Type             string
	Name             string
	Description      string
	SpecURI          string
	DocumentationURI string
	Primary          bool
}

// Pagination methods of RFC 9865 §4.
const (
	PaginationIndex  = "index"
	PaginationCursor = "cursor"
)

// DefaultServiceProviderConfig returns the configuration Roster serves
// unless told otherwise: PATCH, filter, sort and ETags supported; bulk up
// to 1000 operations and 1 MiB; no password change; index pagination by
// default (Okta and Entra page with startIndex) and cursors available
// (RFC 9865), 100 resources a page by default and 200 at most; API keys as
// OAuth bearer tokens (RFC 6750).
func DefaultServiceProviderConfig() ServiceProviderConfig {
	return ServiceProviderConfig{
		Patch:          true,
		Bulk:           BulkConfig{Supported: true, MaxOperations: 1000, MaxPayloadSize: 1 << 20},
		Filter:         FilterConfig{Supported: true, MaxResults: 200},
		ChangePassword: false,
		Sort:           true,
		ETag:           true,
		Pagination: PaginationConfig{
			Cursor:                  true,
			Index:                   true,
			DefaultPaginationMethod: PaginationIndex,
			DefaultPageSize:         100,
			MaxPageSize:             200,
			CursorTimeout:           3600,
		},
		AuthenticationSchemes: []AuthenticationScheme{{
			Type:        "oauthbearertoken",
			Name:        "Bearer token",
			Description: "A Roster SCIM API key sent in the Authorization header, as \"Bearer <key>\" or as the bare key.",
			SpecURI:     "https://www.rfc-editor.org/info/rfc6750",
			Primary:     true,
		}},
	}
}

// RenderServiceProviderConfig returns the JSON object served at
// GET /ServiceProviderConfig (RFC 7643 §5, RFC 7644 §4), with "schemas",
// the options of cfg, RFC 9865's "pagination", and meta (resourceType
// "ServiceProviderConfig", location under baseURL, the service's SCIM base
// URL such as "https://host/scim/v2").
func RenderServiceProviderConfig(cfg ServiceProviderConfig, baseURL string) map[string]any {
	out := map[string]any{
		"schemas":        []any{ServiceProviderConfigSchema},
		"patch":          map[string]any{"supported": cfg.Patch},
		"bulk":           map[string]any{"supported": cfg.Bulk.Supported, "maxOperations": cfg.Bulk.MaxOperations, "maxPayloadSize": cfg.Bulk.MaxPayloadSize},
		"filter":         map[string]any{"supported": cfg.Filter.Supported, "maxResults": cfg.Filter.MaxResults},
		"changePassword": map[string]any{"supported": cfg.ChangePassword},
		"sort":           map[string]any{"supported": cfg.Sort},
		"etag":           map[string]any{"supported": cfg.ETag},
		"pagination": map[string]any{
			"cursor":                  cfg.Pagination.Cursor,
			"index":                   cfg.Pagination.Index,
			"defaultPaginationMethod": cfg.Pagination.DefaultPaginationMethod,
			"defaultPageSize":         cfg.Pagination.DefaultPageSize,
			"maxPageSize":             cfg.Pagination.MaxPageSize,
			"cursorTimeout":           cfg.Pagination.CursorTimeout,
		},
		"meta": discoveryMeta("ServiceProviderConfig", baseURL, "/ServiceProviderConfig"),
	}
	if cfg.DocumentationURI != "" {
		out["documentationUri"] = cfg.DocumentationURI
	}
	schemes := make([]any, 0, len(cfg.AuthenticationSchemes))
	for _, s := range cfg.AuthenticationSchemes {
		m := map[string]any{
			"type":        s.Type,
			"name":        s.Name,
			"description": s.Description,
			"primary":     s.Primary,
		}
		if s.SpecURI != "" {
			m["specUri"] = s.SpecURI
		}
		if s.DocumentationURI != "" {
			m["documentationUri"] = s.DocumentationURI
		}
		schemes = append(schemes, m)
	}
	out["authenticationSchemes"] = schemes
	return out
}
