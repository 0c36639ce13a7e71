package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/rosterhq/roster/internal/httpapi"
	"github.com/rosterhq/roster/internal/provision"
	"github.com/rosterhq/roster/internal/provision/provisiontest"
	"github.com/rosterhq/roster/internal/scim"
)

// baseURL is the external base URL the test servers are configured with;
// Location and meta.location must use it, not the listener's address.
const baseURL = "https://roster.example.com"

// server is a running Roster SCIM server on 127.0.0.1 with a temporary
// database, one team and its key.
type server struct {
	t    *testing.T
	ts   *httptest.Server
	e    *provisiontest.Env
	key  string
	logs *syncBuffer
	// bodies collects every response body, for the password check.
	bodies *syncBuffer
}

// syncBuffer is a bytes.Buffer safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// eachBackend runs fn against a fresh server on every store backend.
func eachBackend(t *testing.T, fn func(s *server)) {
	t.Helper()
	for _, b := range provisiontest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			fn(start(t, b, httpapi.Config{}))
		})
	}
}

// start starts a server on a backend; cfg's zero fields get test values.
func start(t *testing.T, b provisiontest.Backend, cfg httpapi.Config) *server {
	t.Helper()
	st := b.Open(t)
	e := provisiontest.New(t, st)
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	svc := provision.New(st, provision.Config{Quirks: scim.DefaultQuirks(), Logger: logger, MaxBulkOperations: 20})
	t.Cleanup(func() { _ = svc.Close(context.Background()) }) // before the store closes
	if cfg.BaseURL == "" {
		cfg.BaseURL = baseURL
	}
	cfg.Logger = logger
	ts := httptest.NewServer(httpapi.New(svc, cfg))
	t.Cleanup(ts.Close)
	return &server{t: t, ts: ts, e: e, key: e.Key, logs: logs, bodies: &syncBuffer{}}
}

// resp is a response, read whole.
type resp struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body as an object.
func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response body is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

// req describes a request; zero fields get defaults: the server's key as
// a Bearer token, application/scim+json for a body.
type req struct {
	method, path, body string
	key                *string // nil: the server's key; "" sends none
	auth               string  // a raw Authorization value, overriding key
	contentType        *string
	header             map[string]string
}

func (s *server) do(q req) resp {
	s.t.Helper()
	var body io.Reader
	if q.body != "" {
		body = strings.NewReader(q.body)
	}
	r, err := http.NewRequest(q.method, s.ts.URL+q.path, body)
	if err != nil {
		s.t.Fatal(err)
	}
	switch {
	case q.auth != "":
		r.Header.Set("Authorization", q.auth)
	case q.key == nil:
		r.Header.Set("Authorization", "Bearer "+s.key)
	case *q.key != "":
		r.Header.Set("Authorization", "Bearer "+*q.key)
	}
	if q.contentType != nil {
		if *q.contentType != "" {
			r.Header.Set("Content-Type", *q.contentType)
		}
	} else if q.body != "" {
		r.Header.Set("Content-Type", "application/scim+json")
	}
	for k, v := range q.header {
		r.Header.Set(k, v)
	}
	res, err := s.ts.Client().Do(r)
	if err != nil {
		s.t.Fatalf("%s %s: %v", q.method, q.path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	_, _ = s.bodies.Write(b)
	// net/http drops Content-Type from a 304 (RFC 9110 §15.4.5 lets it).
	if ct := res.Header.Get("Content-Type"); ct != "application/scim+json; charset=utf-8" && res.StatusCode != http.StatusNotModified {
		s.t.Errorf("%s %s: Content-Type %q", q.method, q.path, ct)
	}
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

func (s *server) get(path string) resp { return s.do(req{method: "GET", path: path}) }
func (s *server) post(path, body string) resp {
	return s.do(req{method: "POST", path: path, body: body})
}
func (s *server) put(path, body string) resp { return s.do(req{method: "PUT", path: path, body: body}) }
func (s *server) patch(path, body string) resp {
	return s.do(req{method: "PATCH", path: path, body: body})
}
func (s *server) del(path string) resp { return s.do(req{method: "DELETE", path: path}) }

// expect checks a response's status and, for errors, the SCIM error body.
func (s *server) expect(r resp, status int, what string) resp {
	s.t.Helper()
	if r.status != status {
		s.t.Fatalf("%s: status %d, want %d; body %s", what, r.status, status, r.body)
	}
	if status >= 400 {
		checkError(s.t, r, status, "", what)
	}
	return r
}

// checkError checks a SCIM error body (RFC 7644 §3.12).
func checkError(t *testing.T, r resp, status int, scimType, what string) {
	t.Helper()
	var e struct {
		Schemas  []string `json:"schemas"`
		Status   string   `json:"status"`
		ScimType string   `json:"scimType"`
		Detail   string   `json:"detail"`
	}
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("%s: error body is not JSON: %s", what, r.body)
	}
	if r.status != status || len(e.Schemas) != 1 || e.Schemas[0] != scim.ErrorSchema || e.Status != itoa(status) || e.Detail == "" {
		t.Errorf("%s: status %d body %s; want a SCIM error with status %d", what, r.status, r.body, status)
	}
	if scimType != "" && e.ScimType != scimType {
		t.Errorf("%s: scimType %q, want %q (%s)", what, e.ScimType, scimType, e.Detail)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// js marshals v.
func js(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// obj is a JSON object literal.
type obj = map[string]any

// arr is a JSON array literal.
type arr = []any

func patchOps(ops ...obj) string {
	list := make(arr, 0, len(ops))
	for _, o := range ops {
		list = append(list, o)
	}
	return js(obj{"schemas": arr{scim.PatchOpSchema}, "Operations": list})
}

// path returns the value at a dotted path of a decoded JSON object.
func path(m map[string]any, p string) any {
	var cur any = m
	for _, k := range strings.Split(p, ".") {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[k]
	}
	return cur
}

// members returns the member ids of a decoded group.
func members(m map[string]any) []string {
	out := []string{}
	list, _ := m["members"].([]any)
	for _, e := range list {
		out = append(out, e.(map[string]any)["value"].(string))
	}
	return out
}

// resources returns the Resources of a decoded ListResponse.
func resources(m map[string]any) []map[string]any {
	var out []map[string]any
	list, _ := m["Resources"].([]any)
	for _, e := range list {
		out = append(out, e.(map[string]any))
	}
	return out
}

func strp(s string) *string { return &s }
