package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/testdns"

	roster "github.com/rosterhq/roster"
	"github.com/rosterhq/roster/internal/admin"
	"github.com/rosterhq/roster/internal/httpapi"
	"github.com/rosterhq/roster/internal/provision"
	"github.com/rosterhq/roster/internal/provision/provisiontest"
	"github.com/rosterhq/roster/internal/scim"
)

// testClock is a clock the test moves forward.
type testClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.off += d
}

// apiEnv is a running Roster (SCIM and admin API) on 127.0.0.1 over an
// empty database, with a DNS server for domain verification.
type apiEnv struct {
	t     *testing.T
	ts    *httptest.Server
	adm   *admin.Service
	clock *testClock
	dns   *testdns.Server
	logs  *syncBuffer
	// open makes an admin service on the same store with another clock.
	open func(opts ...admin.Option) *admin.Service
}

// eachAPIBackend runs fn against a fresh server on every store backend.
func eachAPIBackend(t *testing.T, fn func(e *apiEnv)) {
	t.Helper()
	for _, b := range provisiontest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) { fn(startAPI(t, b)) })
	}
}

func startAPI(t *testing.T, b provisiontest.Backend) *apiEnv {
	t.Helper()
	st := b.Open(t)
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	dnsSrv := testdns.Start(t)
	clock := &testClock{}
	base := []admin.Option{admin.WithPasswordCost(1, 64), admin.WithLogger(logger), admin.WithResolver(dnsSrv.Addr)}
	adm := admin.New(st, append(base, admin.WithClock(clock.Now))...)
	prov := provision.New(st, provision.Config{Quirks: scim.DefaultQuirks(), Logger: logger})
	t.Cleanup(func() { _ = prov.Close(context.Background()) }) // before the store closes
	ts := httptest.NewServer(httpapi.New(prov, httpapi.Config{Admin: adm, Logger: logger}))
	t.Cleanup(ts.Close)
	return &apiEnv{
		t: t, ts: ts, adm: adm, clock: clock, dns: dnsSrv, logs: logs,
		open: func(opts ...admin.Option) *admin.Service { return admin.New(st, append(base, opts...)...) },
	}
}

// client returns an SDK client of the server (session-based unless opts
// add a token).
func (e *apiEnv) client(opts ...roster.Option) *roster.Client {
	e.t.Helper()
	c, err := roster.NewClient(e.ts.URL, opts...)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// signedIn returns a client signed in as email.
func (e *apiEnv) signedIn(email, password string) *roster.Client {
	e.t.Helper()
	c := e.client()
	if _, err := c.SignIn(context.Background(), email, password); err != nil {
		e.t.Fatalf("sign in %s: %v", email, err)
	}
	return c
}

// apiResp is a raw response.
type apiResp struct {
	status int
	header http.Header
	body   []byte
}

// raw sends a request without the SDK.
func (e *apiEnv) raw(method, path, body string, header map[string]string) apiResp {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.ts.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return apiResp{status: res.StatusCode, header: res.Header, body: b}
}

// wantAPIError checks the admin API's one error shape.
func wantAPIError(t *testing.T, r apiResp, status int, code, what string) {
	t.Helper()
	var b struct {
		Error *struct {
			Code      string `json:"code"`
			Message   string `json:"message"`
			RequestID string `json:"requestId"`
		} `json:"error"`
	}
	if err := json.Unmarshal(r.body, &b); err != nil || b.Error == nil {
		t.Fatalf("%s: status %d, body is not the API error shape: %s", what, r.status, r.body)
	}
	if r.status != status || b.Error.Message == "" || b.Error.RequestID == "" || (code != "" && b.Error.Code != code) {
		t.Errorf("%s: status %d body %s; want status %d code %q", what, r.status, r.body, status, code)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("%s: Content-Type %q", what, ct)
	}
}

// wantErr checks an SDK error's status and code.
func wantErr(t *testing.T, err error, status int, code, what string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want %d %s", what, status, code)
	}
	if roster.ErrorStatus(err) != status || (code != "" && roster.ErrorCode(err) != code) {
		t.Fatalf("%s: %v; want status %d code %q", what, err, status, code)
	}
}

// must fails the test on err.
func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// scimGet calls the SCIM service with a key, as Okta's connection test.
func (e *apiEnv) scimGet(key string) apiResp {
	e.t.Helper()
	return e.raw("GET", "/scim/v2/Users?startIndex=1&count=2", "", map[string]string{"Authorization": "Bearer " + key})
}

// scimCreate creates a SCIM user.
func (e *apiEnv) scimCreate(key, userName string) apiResp {
	e.t.Helper()
	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"` + userName +
		`","name":{"givenName":"G","familyName":"F"},"emails":[{"value":"` + userName + `","type":"work","primary":true}],"active":true,"password":"Plac3holder!pw"}`
	return e.raw("POST", "/scim/v2/Users", body, map[string]string{
		"Authorization": "Bearer " + key, "Content-Type": "application/scim+json"})
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// noSecretsLogged fails when any of the secrets is in the log.
func (e *apiEnv) noSecretsLogged(secrets ...string) {
	e.t.Helper()
	logs := e.logs.String()
	if logs == "" {
		e.t.Fatal("no log lines at all: is the logger wired?")
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(logs, s) {
			e.t.Errorf("a secret (%.6s…) is in the log", s)
		}
	}
}
