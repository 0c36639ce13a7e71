package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3/driver"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim/filter"
	"github.com/rosterhq/roster/internal/store"
)

// TestQueryPlans checks that the lookups identity providers make are
// index searches (never a scan of a team's members), by asking SQLite for
// the plan of the statements the store runs. Run with -v to see them.
func TestQueryPlans(t *testing.T) {
	ctx := context.Background()
	var firstMember string
	s, db, teamID := planStore(t, 200, func(tx store.Tx, m core.Member, i int) error {
		m.ExternalID = fmt.Sprintf("ext%03d", i)
		m.Doc = map[string]any{"emails": []any{map[string]any{"value": m.UserName, "type": "work"}}}
		if firstMember == "" {
			firstMember = m.ID
		}
		if err := tx.CreateMember(ctx, m); err != nil {
			return err
		}
		if i == 199 {
			return tx.CreateGroup(ctx, core.Group{ID: core.NewIDGen(nil, nil)(), TeamID: m.TeamID, DisplayName: "G", Version: 1, CreatedAt: m.CreatedAt, UpdatedAt: m.CreatedAt})
		}
		return nil
	})

	parse := func(s string) filter.Expr {
		e, err := filter.Parse(s)
		if err != nil {
			t.Fatalf("parse %s: %v", s, err)
		}
		return e
	}
	for _, tc := range []struct {
		name, resource string
		q              store.Query
		want           []string // substrings of the plan
	}{
		{"userName eq", "User", store.Query{Filter: parse(`userName eq "USER007@example.com"`), Count: 100}, []string{"members_user_name"}},
		{"externalId eq", "User", store.Query{Filter: parse(`externalId eq "ext007"`), Count: 100}, []string{"members_external_id"}},
		{"emails.value eq", "User", store.Query{Filter: parse(`emails.value eq "user007@example.com"`), Count: 100}, []string{"member_emails_value"}},
		{"emails[type eq work].value eq", "User", store.Query{Filter: parse(`emails[type eq "work"].value eq "user007@example.com"`), Count: 100}, []string{"member_emails_value"}},
		{"id eq", "User", store.Query{Filter: parse(`id eq "` + firstMember + `"`), Count: 100}, []string{"SEARCH m USING INDEX"}},
		{"keyset page", "User", store.Query{After: firstMember, Count: 100}, []string{"(team_id=? AND id>?)"}},
		{"displayName eq (groups)", "Group", store.Query{Filter: parse(`displayName eq "g"`), Count: 100}, []string{"groups_display_name"}},
		{"members.value eq (groups)", "Group", store.Query{Filter: parse(`members.value eq "` + firstMember + `"`), Count: 100}, []string{"group_members_member"}},
	} {
		query, args, err := s.ListSQL(tc.resource, teamID, tc.q)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		checkPlan(t, db, tc.name, query, args, tc.want, func(line string) bool {
			return strings.HasPrefix(line, "SCAN m") || strings.HasPrefix(line, "SCAN g") || strings.HasPrefix(line, "SCAN e")
		})
	}
}

// explain returns the details of SQLite's plan of query.
func explain(ctx context.Context, t *testing.T, db *sql.DB, query string, args []any) []string {
	t.Helper()
	rows, err := db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatalf("explain: %v", err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notUsed int
		var detail string
		if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}

// planStore opens a store on a temporary file with one team and n
// members (user%03d@example.com, active Developers, created by create so
// a test can adjust each and add rows), then a second connection on the
// file for EXPLAIN, with ANALYZE run so the planner has statistics.
func planStore(t *testing.T, n int, create func(tx store.Tx, m core.Member, i int) error) (*Store, *sql.DB, string) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "plans.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ids := core.NewIDGen(nil, nil)
	teamID := ids()
	now := time.Now()
	err = s.InTx(ctx, func(tx store.Tx) error {
		if err := tx.CreateTeam(ctx, core.Team{ID: teamID, Slug: "plans", Name: "Plans", CreatedAt: now, UpdatedAt: now}); err != nil {
			return err
		}
		for i := range n {
			m := core.Member{ID: ids(), TeamID: teamID, UserName: fmt.Sprintf("user%03d@example.com", i), Active: true,
				Status: core.StatusActive, Role: core.RoleDeveloper, Version: 1, CreatedAt: now, UpdatedAt: now}
			if err := create(tx, m, i); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db, err := driver.Open(dsn(path, nil), registerFunctions)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
		t.Fatal(err)
	}
	return s, db, teamID
}

// checkPlan asks SQLite for the plan of query and fails unless it
// mentions every want and has no line scan reports as a table scan.
func checkPlan(t *testing.T, db *sql.DB, name, query string, args []any, want []string, scan func(line string) bool) {
	t.Helper()
	plan := explain(context.Background(), t, db, query, args)
	text := strings.Join(plan, "\n")
	t.Logf("%s\n  SQL: %s\n  plan:\n    %s", name, query, strings.ReplaceAll(text, "\n", "\n    "))
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s: plan does not use %q:\n%s", name, w, text)
		}
	}
	for _, line := range plan {
		if scan(line) {
			t.Errorf("%s: plan scans a table: %q", name, line)
		}
	}
}
