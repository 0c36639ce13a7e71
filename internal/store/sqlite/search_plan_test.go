package sqlite

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

// TestSearchPlans checks that the admin pages' member search, filters and
// counts are index searches, never a scan of the team's members or of the
// activity log's rows (run with -v to see the plans).
func TestSearchPlans(t *testing.T) {
	ctx := context.Background()
	var mid string
	s, db, teamID := planStore(t, 500, func(tx store.Tx, m core.Member, i int) error {
		if i%10 == 0 {
			m.Status = core.StatusDeactivated
		}
		m.Doc = map[string]any{"displayName": fmt.Sprintf("Person %d", i),
			"emails": []any{map[string]any{"value": fmt.Sprintf("p%03d@mail.example", i), "type": "work"}}}
		if i == 250 {
			mid = m.ID
		}
		return tx.CreateMember(ctx, m)
	})
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
		tc{"activity counts", "SELECT 0, CAST(COALESCE(SUM(requests), 0) AS BIGINT), CAST(COALESCE(SUM(failures), 0) AS BIGINT) FROM scim_traffic WHERE team_id = ?1 AND minute >= ?2 AND minute < ?3",
			[]any{teamID, "a", "c"}, []string{"SEARCH scim_traffic USING PRIMARY KEY (team_id=? AND minute>? AND minute<?)"}},
		tc{"last success", "SELECT id FROM scim_activity WHERE team_id = ?1 AND key_id = ?2 AND status / 100 = 2 ORDER BY id DESC LIMIT 1",
			[]any{teamID, "k"}, []string{"scim_activity_key_success (team_id=? AND key_id=?)"}},
	)
	for _, c := range cases {
		checkPlan(t, db, c.name, c.query, c.args, c.want, func(line string) bool {
			return strings.HasPrefix(line, "SCAN ") && !strings.Contains(line, "INDEX") && line != "SCAN p" // p: the page of ids
		})
	}
}
