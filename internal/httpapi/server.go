package httpapi

import (
	"log/slog"
	"net/http"
	"net/netip"
	"path"
	"strings"

	"github.com/rosterhq/roster/internal/admin"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/provision"
)

// SCIMPrefix is the path under which the SCIM service is served.
const SCIMPrefix = "/scim/v2"

// DefaultMaxBodyBytes is the default request body limit: 1 MiB.
const DefaultMaxBodyBytes = 1 << 20

// Config configures the handler.
type Config struct {
	// BaseURL is the external base URL clients use, such as
	// "https://roster.example.com" (Roster runs behind proxies); the SCIM
	// base is BaseURL + "/scim/v2", used for Location and meta.location.
	// Empty means the scheme and Host of each request.
	BaseURL string
	// MaxBodyBytes limits request bodies (default DefaultMaxBodyBytes);
	// /Bulk takes up to the service's MaxBulkPayload instead.
	MaxBodyBytes int64
	// Logger receives the access log and internal errors (default
	// slog.Default()).
	Logger *slog.Logger
	// RateLimit configures the per-key and per-team token buckets of
	// /scim/v2 (ratelimit.go); the zero value means the defaults.
	RateLimit RateLimit
	// Metrics collects the /metrics figures (default: a new registry).
	// Pass one to feed it store latencies with Metrics.ObserveStore.
	Metrics *Metrics
	// DisableMetrics turns GET /metrics off (it then answers 404).
	DisableMetrics bool
	// ReadyChecks are the conditions GET /readyz requires besides the
	// database answering.
	ReadyChecks []ReadyCheck
	// TrustedProxies are the peers whose X-Forwarded-For is believed when
	// deciding a request's client address (see ClientIP); empty means
	// none: the peer address is the client.
	TrustedProxies []netip.Prefix
	// Admin serves the admin REST API under /api/v1 (api*.go) when set.
	Admin *admin.Service
}

// api is the SCIM HTTP handler.
type api struct {
	prov    *provision.Service
	baseURL string
	maxBody int64
	maxBulk int64
	log     *slog.Logger
	mux     *http.ServeMux
	outer   http.Handler // the reliability middleware around route (ops.go)
	admin   *adminAPI    // the /api/v1 handler, nil when not mounted
}

// New returns the HTTP handler of the SCIM service: /scim/v2 with every
// endpoint of RFC 7644 (see the package documentation), plus GET /healthz
// (no key; 200 when the database answers).
func New(prov *provision.Service, cfg Config) http.Handler {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	a := &api{
		prov:    prov,
		baseURL: strings.TrimRight(cfg.BaseURL, "/"),
		maxBody: cfg.MaxBodyBytes,
		maxBulk: prov.Limits().MaxBulkPayload,
		log:     cfg.Logger,
		mux:     http.NewServeMux(),
	}
	a.routes()
	a.mountAPI(cfg)
	a.outer = a.harden(http.HandlerFunc(a.route), cfg)
	return a
}

// routes registers every endpoint (RFC 7644 §3.2 and §4).
func (a *api) routes() {
	p := SCIMPrefix
	a.handle("GET "+p+"/Users", a.listUsers)
	a.handle("POST "+p+"/Users", a.createUser)
	a.handle("POST "+p+"/Users/.search", a.searchUsers)
	a.handle("GET "+p+"/Users/{id}", a.getUser)
	a.handle("PUT "+p+"/Users/{id}", a.replaceUser)
	a.handle("PATCH "+p+"/Users/{id}", a.patchUser)
	a.handle("DELETE "+p+"/Users/{id}", a.deleteUser)

	a.handle("GET "+p+"/Groups", a.listGroups)
	a.handle("POST "+p+"/Groups", a.createGroup)
	a.handle("POST "+p+"/Groups/.search", a.searchGroups)
	a.handle("GET "+p+"/Groups/{id}", a.getGroup)
	a.handle("PUT "+p+"/Groups/{id}", a.replaceGroup)
	a.handle("PATCH "+p+"/Groups/{id}", a.patchGroup)
	a.handle("DELETE "+p+"/Groups/{id}", a.deleteGroup)

	a.handle("POST "+p+"/.search", a.searchAll)
	a.handle("POST "+p+"/Bulk", a.bulk)

	a.handle("GET "+p+"/ServiceProviderConfig", a.serviceProviderConfig)
	a.handle("GET "+p+"/ResourceTypes", a.resourceTypes)
	a.handle("GET "+p+"/ResourceTypes/{name}", a.resourceType)
	a.handle("GET "+p+"/Schemas", a.schemas)
	a.handle("GET "+p+"/Schemas/{urn}", a.schema)
	a.handle(p+"/Me", a.me)

	a.mux.HandleFunc("GET /healthz", a.healthz)
}

// handle registers a SCIM handler: the request is authenticated first,
// then h runs with the caller; an error it returns is written by
// writeError.
func (a *api) handle(pattern string, h func(http.ResponseWriter, *http.Request, provision.Caller) error) {
	a.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		c, err := a.prov.Authenticate(r.Context(), r.Header.Get("Authorization"))
		if err != nil {
			// A genuine key refused (revoked, expired, SCIM off) still
			// names its team: record the refusal in its activity log.
			if rc, ok := provision.RefusedCaller(err); ok {
				noteCaller(r, rc)
			}
			a.writeError(w, r, err)
			return
		}
		// The audit trail records where a SCIM change came from.
		c.IP, c.UserAgent = ClientIP(r), clipUserAgent(r.UserAgent())
		if info := requestInfo(r); info != nil {
			info.team = c.TeamID
		}
		noteCaller(r, c) // the team is known: record the request (activity.go)
		if err := h(w, r, c); err != nil {
			a.writeError(w, r, err)
		}
	})
}

// route runs the middleware (request id, access log, recovery) and
// routes the request; unknown routes are 404 and known routes with
// another method 405 with Allow, both as SCIM errors.
func (a *api) route(w http.ResponseWriter, r *http.Request) {
	sw, r, done := a.begin(w, r)
	defer done()
	defer a.recoverPanic(sw, r)
	// A path with "//", "." or ".." names no resource; a trailing slash
	// is forgiven ("/scim/v2/Users/").
	switch clean := path.Clean(r.URL.Path); {
	case clean == r.URL.Path:
	case clean+"/" == r.URL.Path:
		r.URL.Path, r.URL.RawPath = clean, ""
	default:
		if a.admin != nil && strings.HasPrefix(r.URL.Path, APIPrefix+"/") {
			// The admin API's 404, in its own error shape.
			a.admin.writeError(sw, r, core.NotFound("no admin API endpoint at %q; see %s/openapi.json", clipped(r.URL.Path), APIPrefix))
			return
		}
		a.writeError(sw, r, errNoRoute(r))
		return
	}
	_, pattern := a.mux.Handler(r)
	if pattern == "" {
		if allow := a.allowed(r); len(allow) > 0 {
			sw.Header().Set("Allow", strings.Join(allow, ", "))
			a.writeError(sw, r, errMethod(r, allow))
			return
		}
		a.writeError(sw, r, errNoRoute(r))
		return
	}
	if info := requestInfo(r); info != nil {
		info.route = pattern
	}
	a.mux.ServeHTTP(sw, r)
}

// allowed returns the methods the request's path has routes for.
func (a *api) allowed(r *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		r2 := r.Clone(r.Context())
		r2.Method = m
		if _, p := a.mux.Handler(r2); p != "" {
			out = append(out, m)
		}
	}
	return out
}

// scimBase returns the SCIM base URL for a request: Config.BaseURL +
// "/scim/v2", or the request's own scheme and host when none is set.
func (a *api) scimBase(r *http.Request) string {
	if a.baseURL != "" {
		return a.baseURL + SCIMPrefix
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + SCIMPrefix
}

// healthz answers a readiness probe.
func (a *api) healthz(w http.ResponseWriter, r *http.Request) {
	if err := a.prov.Ready(r.Context()); err != nil {
		a.writeError(w, r, errUnavailable(err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
