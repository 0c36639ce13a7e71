package httpapi

import (
	"crypto/rand"
	"crypto/sha256"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/provision"
)

// Rate-limit defaults. Entra ID gallery apps must sustain 25 requests/s
// per tenant and Okta imports run bursts of filter look-ups and creates
// (docs/idp-behaviour.md rows 14 and 25): the defaults leave those
// workloads an 8× margin, so normal IdP traffic never sees a 429.
const (
	// DefaultRatePerKey is the sustained rate of one API key (req/s).
	DefaultRatePerKey = 200
	// DefaultRatePerTeam is the sustained rate of one team, all its keys
	// together (req/s).
	DefaultRatePerTeam = 200
	// DefaultRateBurst is the capacity of every bucket: how many requests
	// may arrive at once after a quiet period.
	DefaultRateBurst = 400
	// DefaultMaxBuckets bounds the buckets kept in memory.
	DefaultMaxBuckets = 100_000
)

// RateLimit configures the token buckets that limit SCIM requests per API
// key and per team. A request spends one token from its key's bucket and
// one from its team's; when either is empty the answer is 429 with
// Retry-After (whole seconds until both buckets hold a token again) and a
// SCIM error body (RFC 7644 §3.12). Zero fields get the defaults above.
type RateLimit struct {
	// PerKey is the refill rate of a key's bucket in requests per second
	// (default DefaultRatePerKey; negative: no per-key limit).
	PerKey float64
	// PerTeam is the refill rate of a team's bucket in requests per second
	// (default DefaultRatePerTeam; negative: no per-team limit).
	PerTeam float64
	// Burst is the capacity of each bucket (default DefaultRateBurst).
	Burst int
	// MaxBuckets bounds memory: idle buckets (refilled to capacity, so
	// indistinguishable from new ones) are dropped first; past the bound,
	// arbitrary buckets are dropped, which only ever makes the limit more
	// lenient (default DefaultMaxBuckets).
	MaxBuckets int
	// Disabled turns rate limiting off.
	Disabled bool
}

// withDefaults fills the zero fields.
func (c RateLimit) withDefaults() RateLimit {
	if c.PerKey == 0 {
		c.PerKey = DefaultRatePerKey
	}
	if c.PerTeam == 0 {
		c.PerTeam = DefaultRatePerTeam
	}
	if c.Burst <= 0 {
		c.Burst = DefaultRateBurst
	}
	if c.MaxBuckets <= 0 {
		c.MaxBuckets = DefaultMaxBuckets
	}
	return c
}

// bucket is one token bucket.
type bucket struct {
	tokens float64
	last   time.Time
	rate   float64
}

// refill brings the bucket up to now.
func (b *bucket) refill(now time.Time, capacity float64) {
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = math.Min(capacity, b.tokens+el*b.rate)
		b.last = now
	}
}

// limiter holds the buckets of every key and team.
type limiter struct {
	cfg       RateLimit
	capacity  float64
	now       func() time.Time
	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

func newLimiter(cfg RateLimit, now func() time.Time) *limiter {
	cfg = cfg.withDefaults()
	return &limiter{cfg: cfg, capacity: float64(cfg.Burst), now: now, buckets: map[string]*bucket{}}
}

// limitScope names the bucket that refused a request, for metrics.
type limitScope string

const (
	scopeKey  limitScope = "key"
	scopeTeam limitScope = "team"
)

// allow spends one token of the key's and one of the team's bucket when
// both have one. Otherwise it spends nothing and returns how long until
// both have one, and which bucket was short (the one that takes longer
// to refill when both are).
func (l *limiter) allow(keyID, teamID string) (ok bool, wait time.Duration, scope limitScope) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	// Sweep before taking buckets, so a sweep never drops one in use.
	if len(l.buckets)+2 > l.cfg.MaxBuckets || now.Sub(l.lastSweep) > time.Minute {
		l.sweep(now)
	}
	type want struct {
		b     *bucket
		scope limitScope
	}
	var ws [2]want
	n := 0
	if l.cfg.PerTeam > 0 && teamID != "" {
		ws[n] = want{l.get("t\x00"+teamID, l.cfg.PerTeam, now), scopeTeam}
		n++
	}
	if l.cfg.PerKey > 0 && keyID != "" {
		ws[n] = want{l.get("k\x00"+keyID, l.cfg.PerKey, now), scopeKey}
		n++
	}
	var worst float64
	for _, w := range ws[:n] {
		if w.b.tokens < 1 {
			if s := (1 - w.b.tokens) / w.b.rate; s > worst || scope == "" {
				worst, scope = s, w.scope
			}
		}
	}
	if scope != "" {
		return false, time.Duration(worst * float64(time.Second)), scope
	}
	for _, w := range ws[:n] {
		w.b.tokens--
	}
	return true, 0, ""
}

// get returns the bucket of name, refilled to now, making a full one if
// needed. l.mu is held.
func (l *limiter) get(name string, rate float64, now time.Time) *bucket {
	b, ok := l.buckets[name]
	if !ok {
		b = &bucket{tokens: l.capacity, last: now, rate: rate}
		l.buckets[name] = b
		return b
	}
	b.refill(now, l.capacity)
	return b
}

// sweep drops the buckets that have refilled to capacity (a new bucket
// would be the same), then, if the map is still at its bound, arbitrary
// buckets until a tenth of the bound is free. l.mu is held.
func (l *limiter) sweep(now time.Time) {
	l.lastSweep = now
	for name, b := range l.buckets {
		b.refill(now, l.capacity)
		if b.tokens >= l.capacity {
			delete(l.buckets, name)
		}
	}
	target := max(0, l.cfg.MaxBuckets-l.cfg.MaxBuckets/10-2)
	for name := range l.buckets {
		if len(l.buckets) <= target {
			break
		}
		delete(l.buckets, name)
	}
}

// size returns the number of buckets held.
func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// callerCache remembers, for a few seconds, which caller an Authorization
// value authenticates as, so that the rate limiter (which runs before the
// handler's own authentication) costs no database read per request. It
// holds SHA-256 digests of the header values, never the values.
type callerCache struct {
	mu      sync.Mutex
	max     int
	ttl     time.Duration
	entries map[[32]byte]cachedCaller
}

type cachedCaller struct {
	caller  provision.Caller
	ok      bool
	expires time.Time
}

func (c *callerCache) get(k [32]byte, now time.Time) (cachedCaller, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok || now.After(e.expires) {
		return cachedCaller{}, false
	}
	return e, true
}

func (c *callerCache) put(k [32]byte, e cachedCaller) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		clear(c.entries)
	}
	c.entries[k] = e
}

// rateLimiter is the middleware state.
type rateLimiter struct {
	a       *api
	lim     *limiter
	callers *callerCache
	metrics *Metrics
	now     func() time.Time
}

// withRateLimit returns next behind the per-key and per-team token
// buckets. Only SCIM requests are limited, and only those whose key
// authenticates: a missing or bad key goes on to the handler, which
// answers 401. The caller (the key, hence the team) is found with the
// service's own authentication, cached for ten seconds per header value.
func (a *api) withRateLimit(next http.Handler, cfg RateLimit, m *Metrics) http.Handler {
	if cfg.Disabled {
		return next
	}
	rl := &rateLimiter{
		a:       a,
		lim:     newLimiter(cfg, time.Now),
		callers: &callerCache{max: 10_000, ttl: 10 * time.Second, entries: map[[32]byte]cachedCaller{}},
		metrics: m,
		now:     time.Now,
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, SCIMPrefix+"/") {
			next.ServeHTTP(w, r)
			return
		}
		c, ok := rl.caller(r)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		allowed, wait, scope := rl.lim.allow(c.KeyID, c.TeamID)
		if allowed {
			next.ServeHTTP(w, r)
			return
		}
		rl.reject(w, r, c, wait, scope)
	})
}

// caller returns the caller the request's Authorization authenticates
// as, from the cache or the service.
func (rl *rateLimiter) caller(r *http.Request) (provision.Caller, bool) {
	h := r.Header.Get("Authorization")
	if strings.TrimSpace(h) == "" {
		return provision.Caller{}, false
	}
	k := sha256.Sum256([]byte(h))
	now := rl.now()
	if e, ok := rl.callers.get(k, now); ok {
		return e.caller, e.ok
	}
	c, err := rl.a.prov.Authenticate(r.Context(), h)
	ok := err == nil
	if err != nil && !core.IsKind(err, core.KindUnauthenticated) && !core.IsKind(err, core.KindForbidden) {
		return provision.Caller{}, false // transient: do not cache
	}
	rl.callers.put(k, cachedCaller{caller: c, ok: ok, expires: now.Add(rl.callers.ttl)})
	return c, ok
}

// reject answers 429 with Retry-After in whole seconds (at least 1) and a
// SCIM error body (RFC 7644 §3.12; RFC 6585 §4), with the request id and
// the access log line the routing middleware would have written.
func (rl *rateLimiter) reject(w http.ResponseWriter, r *http.Request, c provision.Caller, wait time.Duration, scope limitScope) {
	start := rl.now()
	noteCaller(r, c) // the team is known: record the 429 (activity.go)
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	rl.metrics.rateLimited(scope)
	id := r.Header.Get("X-Request-Id")
	if !validRequestID(id) {
		id = rand.Text()
	}
	err := core.Errorf(core.KindRateLimited, "", "too many requests for this API %s; retry after %d second(s)", scope, secs)
	status, body := rl.a.errorBody(r, err)
	w.Header().Set("X-Request-Id", id)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	writeJSON(w, status, body)
	rl.a.log.LogAttrs(r.Context(), slog.LevelInfo, "http request",
		slog.String("request_id", id),
		slog.String("method", r.Method),
		slog.String("route", rl.a.routeFor(r, nil)),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(rl.now().Sub(start).Microseconds())/1000),
		slog.String("team", c.TeamID),
		slog.String("rate_limited", string(scope)),
	)
}
