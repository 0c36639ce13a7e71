package httpapi

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"path"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// latencyBuckets are the upper bounds, in seconds, of the latency
// histograms.
var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// Metrics collects the server's metrics and writes them in the Prometheus
// text exposition format (version 0.0.4). No label identifies a tenant: routes
// are ServeMux patterns ("/scim/v2/Users/{id}"), never paths, and team
// and key ids are never labels. It is safe for concurrent use. The zero
// value is not usable: call NewMetrics.
type Metrics struct {
	mu         sync.Mutex
	requests   map[reqLabels]uint64
	latency    map[routeLabels]*histogram
	scimErrors map[string]uint64
	limited    map[limitScope]uint64
	store      map[string]*histogram
	inFlight   atomic.Int64
	started    time.Time
	// activityDropped reads the provisioning activity records lost
	// (provision.Service.ActivityDropped); nil until a handler is built.
	activityDropped func() uint64
}

type reqLabels struct {
	route, method string
	status        int
}

type routeLabels struct{ route, method string }

// histogram is a cumulative-on-output Prometheus histogram.
type histogram struct {
	counts []uint64 // per bucket, not cumulative; len(latencyBuckets)+1
	sum    float64
	count  uint64
}

func newHistogram() *histogram {
	return &histogram{counts: make([]uint64, len(latencyBuckets)+1)}
}

func (h *histogram) observe(v float64) {
	i := sort.SearchFloat64s(latencyBuckets, v) // first bound >= v
	h.counts[i]++
	h.sum += v
	h.count++
}

// NewMetrics returns an empty metrics registry.
func NewMetrics() *Metrics {
	return &Metrics{
		requests:   map[reqLabels]uint64{},
		latency:    map[routeLabels]*histogram{},
		scimErrors: map[string]uint64{},
		limited:    map[limitScope]uint64{},
		store:      map[string]*histogram{},
		started:    time.Now(),
	}
}

// ObserveStore records the duration of one storage operation; op is a
// fixed name chosen by the caller ("tx", "ping", ...), never data.
// cmd/roster feeds it from a timing decorator around the store, since
// this package must not import the store.
func (m *Metrics) ObserveStore(op string, d time.Duration) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	h := m.store[op]
	if h == nil {
		h = newHistogram()
		m.store[op] = h
	}
	h.observe(d.Seconds())
}

// request records one finished HTTP request.
func (m *Metrics) request(route, method string, status int, d time.Duration, scimType string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[reqLabels{route, method, status}]++
	rl := routeLabels{route, method}
	h := m.latency[rl]
	if h == nil {
		h = newHistogram()
		m.latency[rl] = h
	}
	h.observe(d.Seconds())
	if status >= 400 {
		m.scimErrors[scimType]++
	}
}

// rateLimited counts one request refused by a rate limit.
func (m *Metrics) rateLimited(scope limitScope) {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.limited[scope]++
	m.mu.Unlock()
}

// WriteTo writes every metric in the Prometheus text format, sorted so the
// output is stable.
func (m *Metrics) WriteTo(w io.Writer) (int64, error) {
	bw := &countingWriter{w: bufio.NewWriter(w)}
	m.mu.Lock()
	defer m.mu.Unlock()

	family(bw, "roster_http_requests_total", "counter", "HTTP requests by route pattern, method and status code.")
	reqs := make([]reqLabels, 0, len(m.requests))
	for k := range m.requests {
		reqs = append(reqs, k)
	}
	sort.Slice(reqs, func(i, j int) bool {
		a, b := reqs[i], reqs[j]
		if a.route != b.route {
			return a.route < b.route
		}
		if a.method != b.method {
			return a.method < b.method
		}
		return a.status < b.status
	})
	for _, k := range reqs {
		fmt.Fprintf(bw, "roster_http_requests_total{route=%s,method=%s,status=\"%d\"} %d\n", quote(k.route), quote(k.method), k.status, m.requests[k])
	}

	family(bw, "roster_http_request_duration_seconds", "histogram", "HTTP request latency by route pattern and method.")
	lats := make([]routeLabels, 0, len(m.latency))
	for k := range m.latency {
		lats = append(lats, k)
	}
	sort.Slice(lats, func(i, j int) bool {
		if lats[i].route != lats[j].route {
			return lats[i].route < lats[j].route
		}
		return lats[i].method < lats[j].method
	})
	for _, k := range lats {
		writeHistogram(bw, "roster_http_request_duration_seconds", "route="+quote(k.route)+",method="+quote(k.method), m.latency[k])
	}

	family(bw, "roster_http_requests_in_flight", "gauge", "HTTP requests being served.")
	fmt.Fprintf(bw, "roster_http_requests_in_flight %d\n", m.inFlight.Load())

	family(bw, "roster_scim_errors_total", "counter", `SCIM error responses (status >= 400) by scimType ("none" when the error has none).`)
	for _, t := range sortedKeys(m.scimErrors) {
		fmt.Fprintf(bw, "roster_scim_errors_total{scim_type=%s} %d\n", quote(t), m.scimErrors[t])
	}

	family(bw, "roster_rate_limited_total", "counter", "Requests refused with 429 by a rate limit, by the bucket that was empty (key or team).")
	for _, s := range []limitScope{scopeKey, scopeTeam} {
		fmt.Fprintf(bw, "roster_rate_limited_total{scope=%s} %d\n", quote(string(s)), m.limited[s])
	}

	if m.activityDropped != nil {
		family(bw, "roster_activity_dropped_total", "counter", "Provisioning activity records lost (queue full, write failed or shut down).")
		fmt.Fprintf(bw, "roster_activity_dropped_total %d\n", m.activityDropped())
	}

	family(bw, "roster_store_duration_seconds", "histogram", "Storage operation latency by operation.")
	for _, op := range sortedKeys(m.store) {
		writeHistogram(bw, "roster_store_duration_seconds", "op="+quote(op), m.store[op])
	}

	family(bw, "roster_goroutines", "gauge", "Goroutines in the process.")
	fmt.Fprintf(bw, "roster_goroutines %d\n", runtime.NumGoroutine())
	family(bw, "roster_uptime_seconds", "gauge", "Seconds since the metrics registry was created.")
	fmt.Fprintf(bw, "roster_uptime_seconds %s\n", formatFloat(time.Since(m.started).Seconds()))

	err := bw.w.Flush()
	if bw.err != nil {
		err = bw.err
	}
	return bw.n, err
}

// countingWriter counts bytes and keeps the first error.
type countingWriter struct {
	w   *bufio.Writer
	n   int64
	err error
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	if err != nil && c.err == nil {
		c.err = err
	}
	return n, err
}

func family(w io.Writer, name, typ, help string) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, escapeHelp(help), name, typ)
}

func writeHistogram(w io.Writer, name, labels string, h *histogram) {
	var cum uint64
	for i, bound := range latencyBuckets {
		cum += h.counts[i]
		fmt.Fprintf(w, "%s_bucket{%s,le=\"%s\"} %d\n", name, labels, formatFloat(bound), cum)
	}
	cum += h.counts[len(latencyBuckets)]
	fmt.Fprintf(w, "%s_bucket{%s,le=\"+Inf\"} %d\n", name, labels, cum)
	fmt.Fprintf(w, "%s_sum{%s} %s\n", name, labels, formatFloat(h.sum))
	fmt.Fprintf(w, "%s_count{%s} %d\n", name, labels, h.count)
}

// quote returns a label value in double quotes with \, " and newline
// escaped, as the text format requires.
func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

// escapeHelp escapes \ and newline in HELP text.
func escapeHelp(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(s)
}

func formatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	case math.IsNaN(f):
		return "NaN"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// serveMetrics answers GET /metrics.
func (m *Metrics) serveMetrics(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = m.WriteTo(w)
}

// withMetrics records every request that reaches next: its route pattern
// (found as the handler will find it; "unmatched" for no route), method,
// status, latency and, for errors, the scimType of the SCIM error body.
func (a *api) withMetrics(next http.Handler, m *Metrics, fixed map[string]bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		m.inFlight.Add(1)
		defer m.inFlight.Add(-1)
		route := a.routeFor(r, fixed)
		rec := &metricsWriter{ResponseWriter: w}
		defer func() {
			m.request(route, methodLabel(r.Method), rec.status(), time.Since(start), rec.scimType())
		}()
		next.ServeHTTP(rec, r)
	})
}

// routeFor returns the route pattern (without its method) the request
// will be served by, or "unmatched".
func (a *api) routeFor(r *http.Request, fixed map[string]bool) string {
	p := r.URL.Path
	if fixed[p] {
		return p
	}
	clean := path.Clean(p)
	if clean != p && clean+"/" != p {
		return "unmatched"
	}
	r2 := *r
	u := *r.URL
	u.Path, u.RawPath = clean, ""
	r2.URL = &u
	_, pattern := a.mux.Handler(&r2)
	if pattern == "" {
		return "unmatched"
	}
	if _, rest, ok := strings.Cut(pattern, " "); ok {
		return rest
	}
	return pattern
}

// methodLabel bounds the method label to the methods HTTP defines.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "other"
}

// metricsWriter records the status and, for an error response, the start
// of its body (to read the scimType).
type metricsWriter struct {
	http.ResponseWriter
	code int
	body []byte
}

const maxErrorCapture = 4 << 10

func (w *metricsWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *metricsWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	if w.code >= 400 && len(w.body) < maxErrorCapture {
		w.body = append(w.body, b[:min(len(b), maxErrorCapture-len(w.body))]...)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *metricsWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *metricsWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}

// scimType returns the scimType of an error body: one of RFC 7644's
// values, "none" when it has none, "other" for anything else (so the
// label's values stay a small fixed set).
func (w *metricsWriter) scimType() string {
	if w.status() < 400 {
		return ""
	}
	var e struct {
		ScimType string `json:"scimType"`
	}
	if json.Unmarshal(w.body, &e) != nil || e.ScimType == "" {
		return "none"
	}
	if scimTypes[e.ScimType] {
		return e.ScimType
	}
	return "other"
}
