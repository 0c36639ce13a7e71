package roster_test

import (
	"context"
	"encoding/json"
	"errors"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rosterhq/roster"
)

// The SDK is standard library only and never imports Roster's internals.
func TestStandardLibraryOnly(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			if first, _, _ := strings.Cut(p, "/"); strings.Contains(first, ".") {
				t.Errorf("%s imports %s: the SDK must use the standard library only", f, p)
			}
		}
	}
}

func TestClientErrorsAndHeaders(t *testing.T) {
	var sawToken, sawCSRF, sawOrigin atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sawToken.Store(r.Header.Get("Authorization"))
		sawCSRF.Store(r.Header.Get(roster.CSRFHeader))
		sawOrigin.Store(r.Header.Get("Origin"))
		switch r.URL.Path {
		case "/api/v1/session":
			http.SetCookie(w, &http.Cookie{Name: roster.SessionCookie, Value: "s3cret", Path: "/"})
			_ = json.NewEncoder(w).Encode(roster.Session{CSRFToken: "csrf-1", ExpiresAt: time.Now().Add(time.Hour)})
		case "/api/v1/teams/acme/scim":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"error":{"code":"forbidden","message":"no","requestId":"R1"}}`))
		case "/api/v1/teams/acme/domains":
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html>proxy error</html>"))
		default:
			_ = json.NewEncoder(w).Encode(roster.Me{AuthMethod: "session"})
		}
	}))
	defer srv.Close()
	ctx := context.Background()

	c, err := roster.NewClient(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SignIn(ctx, "a@b.c", "pw"); err != nil {
		t.Fatal(err)
	}
	if c.CSRFToken() != "csrf-1" {
		t.Fatalf("csrf = %q", c.CSRFToken())
	}
	_, err = c.SetSCIM(ctx, "acme", true)
	var re *roster.Error
	if !errors.As(err, &re) || re.Status != 403 || re.Code != "forbidden" || re.RequestID != "R1" {
		t.Fatalf("err = %#v", err)
	}
	if sawCSRF.Load() != "csrf-1" || sawOrigin.Load() != srv.URL || sawToken.Load() != "" {
		t.Fatalf("session write headers: csrf %v origin %v auth %v", sawCSRF.Load(), sawOrigin.Load(), sawToken.Load())
	}
	if _, err := c.Me(ctx); err != nil || sawCSRF.Load() != "" {
		t.Fatalf("a read sent the CSRF token: %v %v", err, sawCSRF.Load())
	}
	_, err = c.AddDomain(ctx, "acme", "x.test")
	if roster.ErrorStatus(err) != 502 || roster.ErrorCode(err) != "http502" || !strings.Contains(err.Error(), "proxy error") {
		t.Fatalf("non-JSON error = %v", err)
	}

	tc, err := roster.NewClient(srv.URL, roster.WithToken("rpt_x"))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = tc.SetSCIM(ctx, "acme", false)
	if sawToken.Load() != "Bearer rpt_x" || sawCSRF.Load() != "" {
		t.Fatalf("token write headers: auth %v csrf %v", sawToken.Load(), sawCSRF.Load())
	}

	for _, bad := range []string{"", "roster.example.com", "ftp://x", "http://"} {
		if _, err := roster.NewClient(bad); err == nil {
			t.Errorf("NewClient(%q) accepted", bad)
		}
	}
}

func TestFollowResumesAndStops(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		after := r.URL.Query().Get("after")
		var page roster.EventPage
		switch after {
		case "", "0":
			page = roster.EventPage{Events: []roster.Event{{Cursor: "1", Seq: 1}, {Cursor: "2", Seq: 2}}, NextCursor: "2", HasMore: true}
		case "2":
			page = roster.EventPage{Events: []roster.Event{{Cursor: "3", Seq: 3}}, NextCursor: "3"}
		default:
			page = roster.EventPage{Events: []roster.Event{}, NextCursor: after}
		}
		_ = json.NewEncoder(w).Encode(page)
	}))
	defer srv.Close()
	c, err := roster.NewClient(srv.URL, roster.WithToken("rpt_x"))
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	err = c.Follow(context.Background(), "acme", "", time.Millisecond, func(ev roster.Event) error {
		got = append(got, ev.Seq)
		if ev.Seq == 3 {
			return roster.ErrStop
		}
		return nil
	})
	if err != nil || len(got) != 3 || got[0] != 1 || got[2] != 3 {
		t.Fatalf("Follow: %v %v", got, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err = c.Follow(ctx, "acme", "3", time.Millisecond, func(roster.Event) error { return errors.New("no event expected") })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Follow at the end: %v", err)
	}
}
