package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3/driver"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

// TestSearchPlans checks that the admin pages' member search, filters and
// counts are index searches, never a scan of the team's members or of the
// activity log's rows (run with -v to see the plans).
func TestSearchPlans(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "search.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ids := core.NewIDGen(nil, nil)
	teamID := ids()
	now := time.Now()
	var mid string
	err = s.InTx(ctx, func(tx store.Tx) error {
		if err := tx.CreateTeam(ctx, core.Team{ID: teamID, Slug: "plans", Name: "Plans", CreatedAt: now, UpdatedAt: now}); err != nil {
			return err
		}
		for i := range 500 {
			st := core.StatusActive
			if i%10 == 0 {
				st = core.StatusDeactivated
			}
			m := core.Member{ID: ids(), TeamID: teamID, UserName: fmt.Sprintf("user%03d@example.com", i), Active: true, Status: st,
				Role: core.RoleDeveloper, Version: 1, CreatedAt: now, UpdatedAt: now,
				Doc: map[string]any{"displayName": fmt.Sprintf("Person %d", i),
					"emails": []any{map[string]any{"value": fmt.Sprintf("p%03d@mail.example", i), "type": "work"}}}}
			if i == 250 {
				mid = m.ID
			}
			if err := tx.CreateMember(ctx, m); err != nil {
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
	defer db.Close()
	if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
		t.Fatal(err)
	}
	type tc struct {
		name  string
		query string
		args  []any
		want  []string
	}
	var cases []tc
	for _, c := range []struct {
		name string
		q    store.MemberSearch
		want []string
	}{
		{"prefix", store.MemberSearch{Prefix: "user1"}, []string{"members_user_name", "members_display_name", "member_emails_value"}},
		{"prefix after", store.MemberSearch{Prefix: "user1", After: mid}, []string{"members_user_name", "member_emails_value"}},
		{"prefix before", store.MemberSearch{Prefix: "user1", Before: mid}, []string{"members_user_name", "member_emails_value"}},
		{"status", store.MemberSearch{Status: core.StatusDeactivated, After: mid}, []string{"members_status (team_id=? AND status=? AND id>?)"}},
		{"role", store.MemberSearch{Role: core.RoleTeamAdmin}, []string{"members_role"}},
		{"page", store.MemberSearch{After: mid}, []string{"(team_id=? AND id>?)"}},
	} {
		query, args := s.SearchMembersSQL(teamID, c.q, false)
		cases = append(cases, tc{c.name, query, args, c.want})
	}
	// A common prefix: the primary key from the cursor, each member tested.
	query, args := s.SearchMembersSQL(teamID, store.MemberSearch{Prefix: "user", After: mid}, true)
	cases = append(cases, tc{"dense prefix", query, args, []string{"COVERING INDEX members_search (team_id=? AND id>?)"}})
	// The statements MemberCounts, ActivityCounts and LastSuccess run.
	cases = append(cases,
		tc{"member count", "SELECT COUNT(*) FROM members WHERE team_id = ?1 AND status = ?2", []any{teamID, "invited"}, []string{"COVERING INDEX members_status (team_id=? AND status=?)"}},
		tc{"activity counts", "SELECT 0, COUNT(*), COALESCE(SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END), 0) FROM scim_activity WHERE team_id = ?1 AND at >= ?2 AND at < ?3",
			[]any{teamID, "a", "c"}, []string{"COVERING INDEX scim_activity_at_status (team_id=? AND at>? AND at<?)"}},
		tc{"last success", "SELECT id FROM scim_activity WHERE team_id = ?1 AND key_id = ?2 AND status / 100 = 2 ORDER BY id DESC LIMIT 1",
			[]any{teamID, "k"}, []string{"scim_activity_key_success (team_id=? AND key_id=?)"}},
	)
	for _, c := range cases {
		plan := explain(ctx, t, db, c.query, c.args)
		text := strings.Join(plan, "\n")
		t.Logf("%s\n  SQL: %s\n  plan:\n    %s", c.name, c.query, strings.ReplaceAll(text, "\n", "\n    "))
		for _, w := range c.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: plan does not use %q:\n%s", c.name, w, text)
			}
		}
		for _, line := range plan {
			if strings.HasPrefix(line, "SCAN ") && !strings.Contains(line, "INDEX") && line != "SCAN p" { // p: the page of ids
				t.Errorf("%s: plan scans a table: %q", c.name, line)
			}
		}
	}
}
