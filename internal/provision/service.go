package provision

import (
	"context"
	"crypto/rand"
	"log/slog"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/store"
)

// Defaults applied by New to zero Config fields.
const (
	// DefaultMaxResults is the largest page a query returns (the cap on
	// count, advertised as filter.maxResults and pagination.maxPageSize).
	DefaultMaxResults = 1000
	// DefaultCount is the page size when a query gives no count.
	DefaultCount = 100
	// DefaultMaxBulkOperations is the largest number of operations in one
	// Bulk request (RFC 7644 §3.7.4 maxOperations).
	DefaultMaxBulkOperations = 1000
	// DefaultMaxBulkPayload is the largest Bulk request body in bytes (RFC
	// 7644 §3.7.4 maxPayloadSize).
	DefaultMaxBulkPayload = 1 << 20
	// DefaultMaxMembersPerPatch bounds the member values one group write
	// may carry, so the worst-case PATCH stays far below Okta's 60-second
	// socket timeout (docs/idp-behaviour.md row 13).
	DefaultMaxMembersPerPatch = 10_000
	// DefaultMaxPatchOperations bounds the operations of one PATCH request.
	DefaultMaxPatchOperations = 1000
	// DefaultCursorTTL is how long a cursor stays valid (RFC 9865
	// cursorTimeout).
	DefaultCursorTTL = time.Hour
	// keyTouchInterval is the least time between two last-used writes of
	// one API key.
	keyTouchInterval = time.Minute
)

// Config configures a Service. Zero fields get the defaults above;
// Quirks is taken as given (its zero value is strict RFC behaviour; cmd
// passes scim.DefaultQuirks()).
type Config struct {
	// Now is the clock (default time.Now).
	Now core.Clock
	// NewID generates resource ids (default core.NewIDGen(Now, nil)).
	NewID core.IDGen
	// Quirks lists the client deviations accepted (see scim.Quirks).
	Quirks scim.Quirks
	// MaxResults caps count (default DefaultMaxResults).
	MaxResults int
	// DefaultCount is the page size when count is absent (default
	// DefaultCount, at most MaxResults).
	DefaultCount int
	// MaxBulkOperations caps the operations of a Bulk request (default
	// DefaultMaxBulkOperations).
	MaxBulkOperations int
	// MaxBulkPayload caps the size of a Bulk request body in bytes
	// (default DefaultMaxBulkPayload); the transport enforces it.
	MaxBulkPayload int64
	// MaxMembersPerPatch caps the member values of one group write
	// (default DefaultMaxMembersPerPatch).
	MaxMembersPerPatch int
	// MaxPatchOperations caps the operations of one PATCH request (default
	// DefaultMaxPatchOperations).
	MaxPatchOperations int
	// CursorSecret keys the HMAC of RFC 9865 cursors. Empty means a random
	// per-process secret: set it when several instances serve one
	// database, so a cursor from one instance works on another.
	CursorSecret []byte
	// CursorTTL is how long a cursor is valid (default DefaultCursorTTL).
	CursorTTL time.Duration
	// Logger receives warnings (default slog.Default()). Nothing secret is
	// ever logged.
	Logger *slog.Logger
	// ActivityRetention is how long provisioning activity records are
	// kept (default DefaultActivityRetention; activity.go).
	ActivityRetention time.Duration
	// ActivityKeep is how many activity records are kept per team
	// (default DefaultActivityKeep); negative turns recording off.
	ActivityKeep int
	// ActivityQueue is how many activity records may wait in memory for
	// the writer (default DefaultActivityQueue); more are dropped.
	ActivityQueue int
	// ActivityReadSample is how many successful reads (GET, HEAD,
	// .search) per second and API key are recorded in detail (default
	// DefaultActivityReadSample, in bursts of four times that); every
	// other one is counted in the traffic figures only. Writes and
	// failures are always recorded. Negative records every read.
	ActivityReadSample float64
}

// Service runs the SCIM use cases against one store. It is safe for
// concurrent use.
type Service struct {
	st       store.Store
	cfg      Config
	log      *slog.Logger
	pages    *pageCache
	touched  *touchMemo
	keys     *keyCache
	cursors  cursorSealer
	activity *activityLog
}

// New returns a Service on st.
func New(st store.Store, cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.NewID == nil {
		cfg.NewID = core.NewIDGen(cfg.Now, nil)
	}
	if cfg.MaxResults <= 0 {
		cfg.MaxResults = DefaultMaxResults
	}
	if cfg.DefaultCount <= 0 {
		cfg.DefaultCount = DefaultCount
	}
	cfg.DefaultCount = min(cfg.DefaultCount, cfg.MaxResults)
	if cfg.MaxBulkOperations <= 0 {
		cfg.MaxBulkOperations = DefaultMaxBulkOperations
	}
	if cfg.MaxBulkPayload <= 0 {
		cfg.MaxBulkPayload = DefaultMaxBulkPayload
	}
	if cfg.MaxMembersPerPatch <= 0 {
		cfg.MaxMembersPerPatch = DefaultMaxMembersPerPatch
	}
	if cfg.MaxPatchOperations <= 0 {
		cfg.MaxPatchOperations = DefaultMaxPatchOperations
	}
	if cfg.CursorTTL <= 0 {
		cfg.CursorTTL = DefaultCursorTTL
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	secret := cfg.CursorSecret
	if len(secret) == 0 {
		secret = make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			panic("roster: random source failed: " + err.Error())
		}
	}
	return &Service{
		st:       st,
		cfg:      cfg,
		log:      cfg.Logger,
		pages:    newPageCache(pageCacheSize, pageCacheTTL),
		touched:  newTouchMemo(),
		keys:     newKeyCache(),
		cursors:  cursorSealer{key: secret},
		activity: newActivityLog(cfg),
	}
}

// Limits returns the effective limits, for the transport and for
// ServiceProviderConfig.
func (s *Service) Limits() Limits {
	return Limits{
		MaxResults:         s.cfg.MaxResults,
		DefaultCount:       s.cfg.DefaultCount,
		MaxBulkOperations:  s.cfg.MaxBulkOperations,
		MaxBulkPayload:     s.cfg.MaxBulkPayload,
		MaxMembersPerPatch: s.cfg.MaxMembersPerPatch,
	}
}

// Limits are the effective size limits of a Service.
type Limits struct {
	MaxResults         int
	DefaultCount       int
	MaxBulkOperations  int
	MaxBulkPayload     int64
	MaxMembersPerPatch int
}

// ServiceProviderConfig returns what GET /ServiceProviderConfig advertises
// (RFC 7643 §5, RFC 9865 §4): the service's real limits, changePassword
// false (passwords are discarded), ETags, sorting, PATCH, Bulk, and index
// paging by default with cursors available.
func (s *Service) ServiceProviderConfig() scim.ServiceProviderConfig {
	c := scim.DefaultServiceProviderConfig()
	c.ChangePassword = false
	c.Bulk = scim.BulkConfig{Supported: true, MaxOperations: s.cfg.MaxBulkOperations, MaxPayloadSize: int(s.cfg.MaxBulkPayload)}
	c.Filter = scim.FilterConfig{Supported: true, MaxResults: s.cfg.MaxResults}
	c.Pagination.Cursor = true
	c.Pagination.Index = true
	c.Pagination.DefaultPaginationMethod = scim.PaginationIndex
	c.Pagination.DefaultPageSize = s.cfg.DefaultCount
	c.Pagination.MaxPageSize = s.cfg.MaxResults
	c.Pagination.CursorTimeout = int(s.cfg.CursorTTL / time.Second)
	return c
}

// Ready reports whether the database answers (for a readiness probe).
func (s *Service) Ready(ctx context.Context) error { return s.st.Ping(ctx) }

// now returns the current time in UTC, truncated to milliseconds so that
// the timestamps a response shows are those a later read returns.
func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Millisecond) }
