package webui

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/admin"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/httpapi"
	"github.com/rosterhq/roster/internal/provision"
	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/seed"
	"github.com/rosterhq/roster/internal/store"
	"github.com/rosterhq/roster/internal/store/sqlite"
)

// benchMembers is the team size of the page benchmarks.
const benchMembers = 100_000

// benchStack is the full handler stack (webui → in-process admin API →
// admin → SQLite) over a team of benchMembers seeded members and a full
// activity log, with a signed-in Super Admin's cookies. It is built once
// per test process.
type benchStack struct {
	ui      http.Handler
	cookies []*http.Cookie
	// midCursor is a member id in the middle of the team (a deep page).
	midCursor string
	err       error
}

var (
	benchOnce sync.Once
	bench     benchStack
)

func benchSetup(b *testing.B) *benchStack {
	b.Helper()
	benchOnce.Do(func() { bench.err = bench.build() })
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return &bench
}

func (s *benchStack) build() error {
	ctx := context.Background()
	// ROSTER_BENCH_DIR keeps the seeded database between runs (seeding
	// takes about a minute); by default it is a new temporary directory.
	dir := os.Getenv("ROSTER_BENCH_DIR")
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "roster-webui-bench-"); err != nil {
			return err
		}
	}
	_, statErr := os.Stat(filepath.Join(dir, "roster.db"))
	reuse := statErr == nil
	st, err := sqlite.Open(ctx, filepath.Join(dir, "roster.db"))
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	adm := admin.New(st, admin.WithPasswordCost(1, 64), admin.WithLogger(logger))
	prov := provision.New(st, provision.Config{Quirks: scim.DefaultQuirks(), Logger: logger})
	api := httpapi.New(prov, httpapi.Config{Admin: adm, Logger: logger})
	ui, err := New(Config{API: api, Logger: logger})
	if err != nil {
		return err
	}
	s.ui = ui

	// First-run setup (or sign-in, on a kept database) through the page,
	// keeping the session cookies.
	form := url.Values{"email": {adminEmail}, "password": {adminPassword}, "displayName": {"Ann Admin"}, "teamName": {"Acme"}}
	target := "/setup"
	if reuse {
		target = "/login"
	}
	req := httptest.NewRequest(http.MethodPost, "http://roster.test"+Prefix+target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://roster.test")
	rec := httptest.NewRecorder()
	ui.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		return fmt.Errorf("%s: %d %s", target, rec.Code, clip(rec.Body.String(), 500))
	}
	s.cookies = rec.Result().Cookies()
	team, err := st.TeamBySlug(ctx, teamSlug)
	if err != nil {
		return err
	}
	if reuse {
		pg, err := st.SearchMembers(ctx, team.ID, store.MemberSearch{Prefix: "user0050000", Limit: 1})
		if err != nil || len(pg) != 1 {
			return fmt.Errorf("kept database: middle member: %d found: %w", len(pg), err)
		}
		s.midCursor = pg[0].ID
		return nil
	}
	start := time.Now()
	if _, err := seed.Run(ctx, st, seed.Config{TeamID: team.ID, Users: benchMembers, Groups: 20, GroupMembers: 50,
		Progress: func(done, total int) {
			fmt.Fprintf(os.Stderr, "bench: seed %d/%d %v\n", done, total, time.Since(start).Round(time.Millisecond))
		}}); err != nil {
		return err
	}
	// A full activity log (the writer keeps 10,000 records per team):
	// 30 days of requests, one in twenty a failure.
	key, err := adm.CreateSCIMKey(ctx, core.CLIPrincipal(), team.ID, "okta", 0)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	var at time.Time
	ids := core.NewIDGen(func() time.Time { return at }, nil) // ids in time order, as the writer's
	var acts []core.Activity
	for i := 10_000 - 1; i >= 0; i-- {
		status := 200
		if i%20 == 0 {
			status = 401
		}
		at = now.Add(-time.Duration(i) * 30 * 24 * time.Hour / 10_000)
		acts = append(acts, core.Activity{ID: ids(), TeamID: team.ID, At: at, KeyID: key.Key.ID, Method: "PATCH",
			Path: "/scim/v2/Users/x", Status: status, LatencyMS: 3})
	}
	if err := st.InTx(ctx, func(tx store.Tx) error { return tx.AppendActivity(ctx, acts) }); err != nil {
		return err
	}
	pg, err := st.SearchMembers(ctx, team.ID, store.MemberSearch{Prefix: "user0050000", Limit: 1})
	if err != nil || len(pg) != 1 {
		return fmt.Errorf("middle member: %d found: %w", len(pg), err)
	}
	s.midCursor = pg[0].ID
	fmt.Fprintf(os.Stderr, "bench: seeded %d members, 20 groups and 10000 activity records in %v\n", benchMembers, time.Since(start).Round(time.Millisecond))
	return nil
}

// get renders one page through the whole stack and checks that it is a
// 200 holding want.
func (s *benchStack) get(b *testing.B, path, want string) {
	req := httptest.NewRequest(http.MethodGet, "http://roster.test"+path, nil)
	for _, c := range s.cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	s.ui.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), want) {
		b.Fatalf("GET %s: %d %s", path, rec.Code, clip(rec.Body.String(), 500))
	}
}

// BenchmarkMembersPage100k renders the members page (50 rows) of a team of
// 100,000 members: the first page and a page from the middle (keyset).
func BenchmarkMembersPage100k(b *testing.B) {
	s := benchSetup(b)
	b.Run("first", func(b *testing.B) {
		for b.Loop() {
			s.get(b, Prefix+"/t/acme/members", `data-testid="next-page"`)
		}
	})
	b.Run("middle", func(b *testing.B) {
		for b.Loop() {
			s.get(b, Prefix+"/t/acme/members?cursor="+url.QueryEscape(s.midCursor), "user0050001@seed.example")
		}
	})
	b.Run("status-filter", func(b *testing.B) {
		for b.Loop() {
			s.get(b, Prefix+"/t/acme/members?status=active&role=developer", `data-testid="next-page"`)
		}
	})
}

// BenchmarkMembersSearch100k renders the members page for a prefix search:
// 100 matches, 10,000 matches, and every member matching.
func BenchmarkMembersSearch100k(b *testing.B) {
	s := benchSetup(b)
	for _, c := range []struct{ name, q, want string }{
		{"100-matches", "USER00123", "user0012300@seed.example"},
		{"10k-matches", "user001", "user0010000@seed.example"},
		{"all-match", "user", "user0000000@seed.example"},
		{"no-match", "nobody", "No member matches"},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				s.get(b, Prefix+"/t/acme/members?q="+url.QueryEscape(c.q), c.want)
			}
		})
	}
}

// BenchmarkDashboard100k renders the dashboard: member counts over
// 100,000 members, 24 h and 30 d charts over a full activity log.
func BenchmarkDashboard100k(b *testing.B) {
	s := benchSetup(b)
	for b.Loop() {
		s.get(b, Prefix+"/t/acme/", `data-testid="dash-chart-30d"`)
	}
}
