package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/scim/filter"
	"github.com/rosterhq/roster/internal/store"
)

// fixture is a team with members named by userNames.
func fixture(t *testing.T, s store.Store, userNames ...string) (teamID string, ids map[string]string) {
	t.Helper()
	ctx := context.Background()
	gen := core.NewIDGen(nil, nil)
	teamID = gen()
	ids = map[string]string{}
	now := time.Now()
	err := s.InTx(ctx, func(tx store.Tx) error {
		if err := tx.CreateTeam(ctx, core.Team{ID: teamID, Slug: "t-" + teamID, Name: "T", CreatedAt: now, UpdatedAt: now}); err != nil {
			return err
		}
		for _, u := range userNames {
			m := core.Member{ID: gen(), TeamID: teamID, UserName: u, Active: true, Version: 1, CreatedAt: now, UpdatedAt: now,
				Doc: map[string]any{"userName": u, "title": u}}
			ids[u] = m.ID
			if err := tx.CreateMember(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return teamID, ids
}

// TestFilterInjection: client text in filters and sort keys is bound,
// never SQL; quotes, comment markers and LIKE wildcards are plain
// characters.
func TestFilterInjection(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	evil := []string{`x' OR 1=1 --`, `x" OR "1"="1`, `'; DROP TABLE members; --`, `50%_off\`, `a?1b$1`}
	teamID, ids := fixture(t, s, append([]string{"plain"}, evil...)...)
	for _, tc := range []struct {
		filter string
		want   []string
	}{
		{`userName eq "x' OR 1=1 --"`, []string{`x' OR 1=1 --`}},
		{`userName eq "nobody' OR '1'='1"`, nil},
		{`userName eq "x\" OR \"1\"=\"1"`, []string{`x" OR "1"="1`}},
		{`title co "'; DROP TABLE members; --"`, []string{`'; DROP TABLE members; --`}},
		{`userName co "%"`, []string{`50%_off\`}},
		{`userName sw "_"`, nil},
		{`title ew "\\"`, []string{`50%_off\`}},
		{`userName eq "a?1b$1"`, []string{`a?1b$1`}},
		{`title eq "?2"`, nil},
	} {
		e, err := filter.Parse(tc.filter)
		if err != nil {
			t.Fatalf("parse %s: %v", tc.filter, err)
		}
		p, err := s.Members(ctx, teamID, store.Query{Filter: e, Count: 100})
		if err != nil {
			t.Errorf("%s: %v", tc.filter, err)
			continue
		}
		var got []string
		for _, m := range p.Items {
			got = append(got, m.UserName)
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) || p.Total != len(tc.want) {
			t.Errorf("%s: got %q (total %d), want %q", tc.filter, got, p.Total, tc.want)
		}
		query, args, err := s.ListSQL("User", teamID, store.Query{Filter: e, Count: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range evil {
			if strings.Contains(query, u) {
				t.Errorf("%s: client text %q is in the SQL: %s", tc.filter, u, query)
			}
		}
		if len(args) < 2 {
			t.Errorf("%s: no bound arguments: %s", tc.filter, query)
		}
	}
	// Sort keys are attribute paths, resolved against the schema.
	for _, sortBy := range []string{"userName; DROP TABLE members", "userName DESC", "1", "(SELECT 1)"} {
		_, err := s.Members(ctx, teamID, store.Query{SortBy: sortBy, Count: 10})
		if !core.IsKind(err, core.KindInvalid) {
			t.Errorf("SortBy %q: %v, want KindInvalid", sortBy, err)
		}
	}
	if _, err := s.Member(ctx, teamID, ids["plain"]); err != nil {
		t.Errorf("members table damaged: %v", err)
	}
}

// TestInvalidFilters: what filter.Check rejects is invalidFilter.
func TestInvalidFilters(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	teamID, _ := fixture(t, s, "a")
	for _, f := range []string{`foo eq "x"`, `active gt true`, `title eq 5`, `meta.location pr`, `groups.$ref eq "x"`} {
		e, err := filter.Parse(f)
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Members(ctx, teamID, store.Query{Filter: e, Count: 10})
		var ce *core.Error
		if !errors.As(err, &ce) || ce.Kind != core.KindInvalid || ce.Code != scim.ErrInvalidFilter {
			t.Errorf("%s: %v, want invalidFilter", f, err)
		}
	}
}

// TestReopen: opening a migrated database again applies nothing and keeps
// the data; two processes opening a new file at once both succeed.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "reopen.db")
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(ctx, path)
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("concurrent Open %d: %v", i, err)
		}
	}
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	teamID, _ := fixture(t, s, "kept")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p, err := s.Members(ctx, teamID, store.Query{Count: 10})
	if err != nil || p.Total != 1 {
		t.Errorf("after reopening: %v, total %d", err, p.Total)
	}
}

// TestTwoStoresOneFile: two stores on one file (a CLI command beside the
// server) both write; the busy timeout serialises their writers.
func TestTwoStoresOneFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	a, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	gen := core.NewIDGen(nil, nil)
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := a
			if i%2 == 1 {
				s = b
			}
			now := time.Now()
			errs[i] = s.InTx(ctx, func(tx store.Tx) error {
				return tx.CreateTeam(ctx, core.Team{ID: gen(), Slug: fmt.Sprintf("team-%d", i), CreatedAt: now, UpdatedAt: now})
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v", i, err)
		}
	}
	teams, err := b.Teams(ctx)
	if err != nil || len(teams) != 20 {
		t.Errorf("Teams: %d, %v; want 20", len(teams), err)
	}
}
