package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/provision"
	"github.com/rosterhq/roster/internal/provision/provisiontest"
)

// TestPanicAndInternalErrors checks that a panic and an internal error
// become generic SCIM 500s, logged with the request id, and that their
// text never reaches the client.
func TestPanicAndInternalErrors(t *testing.T) {
	st := provisiontest.OpenSQLite(t)
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	a := New(provision.New(st, provision.Config{Logger: logger}), Config{Logger: logger}).(*api)
	a.mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("secret panic text") })
	a.mux.HandleFunc("GET /internal", func(w http.ResponseWriter, r *http.Request) {
		a.writeError(w, r, errors.New("secret database text"))
	})
	a.mux.HandleFunc("GET /wrapped", func(w http.ResponseWriter, r *http.Request) {
		a.writeError(w, r, &core.Error{Kind: core.KindInternal, Message: "secret message", Err: errors.New("cause")})
	})
	for _, p := range []string{"/boom", "/internal", "/wrapped"} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", p, nil)
		req.Header.Set("X-Request-Id", "req-"+p[1:])
		a.ServeHTTP(rec, req)
		if rec.Code != 500 || rec.Header().Get("Content-Type") != contentType {
			t.Errorf("%s: %d %q", p, rec.Code, rec.Header().Get("Content-Type"))
		}
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body["status"] != "500" {
			t.Errorf("%s: body %s", p, rec.Body.String())
		}
		if strings.Contains(rec.Body.String(), "secret") || !strings.Contains(rec.Body.String(), "req-"+p[1:]) {
			t.Errorf("%s: body %s leaks the error or lacks the request id", p, rec.Body.String())
		}
	}
	if !strings.Contains(logs.String(), "secret panic text") || !strings.Contains(logs.String(), `"request_id":"req-boom"`) {
		t.Errorf("panic not logged with its request id:\n%s", logs.String())
	}
}

func TestClassify(t *testing.T) {
	cases := []struct {
		err      error
		status   int
		scimType string
		internal bool
	}{
		{core.NotFound("x"), 404, "", false},
		{core.Errorf(core.KindConflict, "uniqueness", "x"), 409, "uniqueness", false},
		{core.Errorf(core.KindInvalid, "invalidSlug", "x"), 400, "invalidValue", false},
		{core.Errorf(core.KindPrecondition, "", "x"), 412, "", false},
		{core.Errorf(core.KindUnavailable, "", "x"), 503, "", true},
		{&core.Error{Kind: core.KindInternal, Message: "x"}, 500, "", true},
		{&http.MaxBytesError{Limit: 10}, 413, "", false},
		{errors.New("boom"), 500, "", true},
	}
	for _, c := range cases {
		status, typ, _, internal := classify(c.err)
		if status != c.status || typ != c.scimType || internal != c.internal {
			t.Errorf("classify(%v) = %d %q %v; want %d %q %v", c.err, status, typ, internal, c.status, c.scimType, c.internal)
		}
	}
}
