package httpapi

import (
	"net/http"
	"strings"
)

// Paths of the operational endpoints served beside /scim/v2 and /healthz.
const (
	// MetricsPath serves the Prometheus text exposition.
	MetricsPath = "/metrics"
	// ReadyzPath is the readiness probe.
	ReadyzPath = "/readyz"
)

// securityHeaders are set on every response outside /scim/v2 (admin API,
// admin pages, probes, metrics); a handler may override them.
var securityHeaders = map[string]string{
	"X-Content-Type-Options":       "nosniff",
	"X-Frame-Options":              "DENY",
	"Referrer-Policy":              "no-referrer",
	"Content-Security-Policy":      "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
	"Cross-Origin-Opener-Policy":   "same-origin",
	"Cross-Origin-Resource-Policy": "same-origin",
	"Permissions-Policy":           "camera=(), microphone=(), geolocation=()",
}

// hstsValue is Strict-Transport-Security on responses served over TLS.
const hstsValue = "max-age=31536000"

// ServeHTTP serves a request through the reliability middleware (see
// harden) and then the routing middleware (request id, access log,
// recovery) and the routes.
func (a *api) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.outer.ServeHTTP(w, r) }

// harden wraps the SCIM handler with the reliability middleware, outermost
// first: security headers and the client address (Config.TrustedProxies),
// /metrics and /readyz, the metrics recorder, the provisioning activity
// recorder (activity.go), then the rate limiter (which authenticates, so
// the key decides the tenant whose bucket is spent).
func (a *api) harden(next http.Handler, cfg Config) http.Handler {
	m := cfg.Metrics
	if m == nil {
		m = NewMetrics()
	}
	m.mu.Lock()
	m.activityDropped = a.prov.ActivityDropped
	m.mu.Unlock()
	fixed := map[string]bool{MetricsPath: true, ReadyzPath: true}
	inner := a.withMetrics(a.withActivity(a.withRateLimit(next, cfg.RateLimit, m)), m, fixed)
	readyz := a.withMetrics(a.serveReadyz(cfg.ReadyChecks), m, fixed)
	proxies := trustedProxies(cfg.TrustedProxies)
	return withClientIP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", hstsValue)
		}
		if !strings.HasPrefix(r.URL.Path, SCIMPrefix+"/") {
			for k, v := range securityHeaders {
				h.Set(k, v)
			}
		}
		switch {
		case r.URL.Path == MetricsPath && !cfg.DisableMetrics:
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				next.ServeHTTP(w, r) // the SCIM handler answers 404/405
				return
			}
			m.serveMetrics(w, r)
		case r.URL.Path == ReadyzPath:
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				next.ServeHTTP(w, r)
				return
			}
			readyz.ServeHTTP(w, r)
		default:
			inner.ServeHTTP(w, r)
		}
	}), proxies)
}
