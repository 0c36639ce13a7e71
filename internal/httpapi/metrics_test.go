package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/httpapi"
	"github.com/rosterhq/roster/internal/provision/provisiontest"
)

// sampleLine is one sample of the Prometheus text format (version 0.0.4).
var sampleLine = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? [-+0-9.eEInfNa]+$`)

// TestMetrics drives a few requests and checks /metrics: valid text
// format, route patterns (never ids or paths), statuses, scimType of
// errors, cumulative histograms, store latencies fed by ObserveStore, and
// no tenant-identifying value anywhere.
func TestMetrics(t *testing.T) {
	m := httpapi.NewMetrics()
	s := start(t, provisiontest.Backends(t)[0], httpapi.Config{Metrics: m})
	email := s.e.Email("metrics.user")
	u := s.expect(s.post("/scim/v2/Users", js(obj{"userName": email, "name": obj{"familyName": "M"}})), 201, "create").json(t)
	id := u["id"].(string)
	s.expect(s.get("/scim/v2/Users/"+id), 200, "get")
	s.expect(s.post("/scim/v2/Users", js(obj{"userName": email, "name": obj{"familyName": "M"}})), 409, "duplicate")
	s.expect(s.get("/scim/v2/Users?filter=bogus"), 400, "bad filter")
	s.expect(s.get("/scim/v2/Nope/x"), 404, "no route")
	m.ObserveStore("tx", 3*time.Millisecond)

	text := scrape(t, s)
	for i, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if strings.HasPrefix(l, "# HELP ") || strings.HasPrefix(l, "# TYPE ") {
			continue
		}
		if !sampleLine.MatchString(l) {
			t.Errorf("line %d is not a valid sample: %q", i+1, l)
		}
	}
	for _, want := range []string{
		`roster_http_requests_total{route="/scim/v2/Users",method="POST",status="201"} 1`,
		`roster_http_requests_total{route="/scim/v2/Users",method="POST",status="409"} 1`,
		`roster_http_requests_total{route="/scim/v2/Users/{id}",method="GET",status="200"} 1`,
		`roster_http_requests_total{route="unmatched",method="GET",status="404"} 1`,
		`roster_scim_errors_total{scim_type="uniqueness"} 1`,
		`roster_scim_errors_total{scim_type="invalidFilter"} 1`,
		`roster_scim_errors_total{scim_type="none"} 1`,
		`roster_http_request_duration_seconds_count{route="/scim/v2/Users",method="POST"} 2`,
		`roster_http_request_duration_seconds_bucket{route="/scim/v2/Users",method="POST",le="+Inf"} 2`,
		`roster_store_duration_seconds_bucket{op="tx",le="0.0025"} 0`,
		`roster_store_duration_seconds_bucket{op="tx",le="0.005"} 1`,
		`roster_store_duration_seconds_count{op="tx"} 1`,
		`# TYPE roster_http_request_duration_seconds histogram`,
		`roster_http_requests_in_flight 0`,
	} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	// Buckets are cumulative.
	var last int64 = -1
	for _, l := range strings.Split(grepLines(text, `roster_http_request_duration_seconds_bucket{route="/scim/v2/Users",method="POST"`), "\n") {
		n, _ := strconv.ParseInt(l[strings.LastIndexByte(l, ' ')+1:], 10, 64)
		if n < last {
			t.Errorf("bucket counts decrease: %s", l)
		}
		last = n
	}
	for _, secret := range []string{s.e.Team.ID, id, email, s.key[:12], "metrics.user"} {
		if strings.Contains(text, secret) {
			t.Errorf("/metrics contains a tenant-identifying value %q", secret)
		}
	}
}

func TestReadyz(t *testing.T) {
	fail := errors.New("schema version 3 behind binary 4: secret detail")
	var failing bool
	s := start(t, provisiontest.Backends(t)[0], httpapi.Config{ReadyChecks: []httpapi.ReadyCheck{{
		Name: "migrations",
		Check: func(context.Context) error {
			if failing {
				return fail
			}
			return nil
		},
	}}})
	get := func() (int, map[string]any) {
		res, err := s.ts.Client().Get(s.ts.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body map[string]any
		if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, body
	}
	code, body := get()
	if code != 200 || js(body) != `{"checks":{"database":"ok","migrations":"ok"},"status":"ok"}` {
		t.Fatalf("ready: %d %s", code, js(body))
	}
	failing = true
	code, body = get()
	if code != 503 || js(body) != `{"checks":{"database":"ok","migrations":"failed"},"status":"unavailable"}` {
		t.Fatalf("not ready: %d %s", code, js(body))
	}
	if !strings.Contains(s.logs.String(), "secret detail") {
		t.Error("the failed check's error was not logged")
	}
}

// TestSecurityHeaders: surfaces outside /scim/v2 carry the browser
// security headers; SCIM responses carry nosniff.
func TestSecurityHeaders(t *testing.T) {
	s := start(t, provisiontest.Backends(t)[0], httpapi.Config{})
	for _, p := range []string{"/healthz", "/readyz", "/metrics", "/elsewhere"} {
		res, err := s.ts.Client().Get(s.ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		for _, h := range []string{"X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy", "Referrer-Policy"} {
			if res.Header.Get(h) == "" {
				t.Errorf("%s: no %s", p, h)
			}
		}
	}
	r := s.get("/scim/v2/Users")
	if r.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("SCIM response without nosniff")
	}
}

// TestAccessLog checks the access log line: request id, route pattern,
// status, latency, team id; never the Authorization header, the query
// string or a body.
func TestAccessLog(t *testing.T) {
	s := start(t, provisiontest.Backends(t)[0], httpapi.Config{})
	email := s.e.Email("log.user")
	s.do(req{method: "GET", path: "/scim/v2/Users?filter=" + strings.ReplaceAll(`userName eq "`+email+`"`, " ", "%20"), header: map[string]string{"X-Request-Id": "req-42"}})
	s.do(req{method: "POST", path: "/scim/v2/Users", body: js(obj{"userName": email, "password": "Hunter2!x", "name": obj{"familyName": "L"}})})
	var found bool
	for _, l := range strings.Split(s.logs.String(), "\n") {
		if !strings.Contains(l, `"msg":"http request"`) {
			continue
		}
		var e map[string]any
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"request_id", "route", "status", "duration_ms", "team"} {
			if _, ok := e[k]; !ok {
				t.Errorf("access log line without %s: %s", k, l)
			}
		}
		if e["request_id"] == "req-42" {
			found = true
			if e["route"] != "GET /scim/v2/Users" || e["team"] != s.e.Team.ID || e["status"] != float64(200) {
				t.Errorf("access log line: %s", l)
			}
		}
	}
	if !found {
		t.Fatal("no access log line with the caller's request id")
	}
	for _, secret := range []string{s.key, "Bearer", email, "Hunter2"} {
		if strings.Contains(s.logs.String(), secret) {
			t.Errorf("the log contains %q", secret)
		}
	}
}

func TestRedactEmail(t *testing.T) {
	for in, want := range map[string]string{
		"ada.lovelace@example.com":             "a***@example.com",
		`userName eq "Bob+x@corp.example.org"`: `userName eq "B***@corp.example.org"`,
		"two a@b.io and c.d@e.io":              "two a***@b.io and c***@e.io",
		"no address @ here":                    "no address @ here",
		"":                                     "",
	} {
		if got := httpapi.RedactEmail(in); got != want {
			t.Errorf("RedactEmail(%q) = %q, want %q", in, got, want)
		}
	}
	var buf bytes.Buffer
	log := slog.New(httpapi.NewRedactingHandler(slog.NewJSONHandler(&buf, nil))).With("who", "eve@example.com")
	log.Info("created ada@example.com", "user", "ada@example.com", slog.Group("g", "e", "x.y@example.com"), "err", errors.New("conflict on z@example.com"), "n", 3)
	out := buf.String()
	for _, leak := range []string{"eve@", "ada@", "x.y@", "z@"} {
		if strings.Contains(out, leak) {
			t.Errorf("redacting handler leaked %q: %s", leak, out)
		}
	}
	if !strings.Contains(out, `"n":3`) || !strings.Contains(out, "a***@example.com") {
		t.Errorf("redacting handler output: %s", out)
	}
}
