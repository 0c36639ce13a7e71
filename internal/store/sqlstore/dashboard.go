package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim/filter"
	"github.com/rosterhq/roster/internal/store"
)

// prefixEnd is appended to a folded prefix to make the exclusive upper
// bound of the keys that start with it: U+10FFFF is the greatest code
// point, so in byte (code-point) order every key that starts with the
// prefix sorts below prefix+U+10FFFF (except keys that continue with
// U+10FFFF itself, a noncharacter). Keys are compared in byte order in
// both backends (SQLite BINARY, PostgreSQL COLLATE "C"), so the range is
// an index range scan.
const prefixEnd = "\U0010FFFF"

// sparseMatches is the number of index entries under which a prefix
// counts as selective: SearchMembers then collects the matching ids from
// the indexes (cost: the matches); above it, matches are common enough
// that walking the team in id order and testing each member finds a page
// sooner (cost: about a page divided by the share of members that match).
const sparseMatches = 2000

// SearchMembers implements store.AdminReader. Without a prefix it is a
// range scan of the primary key (team_id, id), or of members_status
// (team_id, status, id) / members_role (team_id, role, id) when filtered.
// With a prefix, one probe counts (up to sparseMatches) the entries of
// the three indexes the prefix selects (members_user_name,
// members_display_name, member_emails_value, folded keys): a selective
// prefix reads its candidate ids from those index ranges; a common one
// walks the primary key from the cursor and tests each member, stopping
// at a page. Either way a page never reads the whole team unless almost
// nothing matches a common-looking prefix.
func (s *base) SearchMembers(ctx context.Context, teamID string, q store.MemberSearch) ([]core.Member, error) {
	dense := false
	if q.Prefix != "" {
		b := prefixProbe(s.d, teamID, q.Prefix)
		var n int64
		if err := s.q.QueryRowContext(ctx, b.String(), b.Args()...).Scan(&n); err != nil {
			return nil, s.wrapErr("search members", err)
		}
		dense = n >= sparseMatches
	}
	b, desc := searchStatement(s.d, teamID, q, dense)
	rows, err := s.q.QueryContext(ctx, b.String(), b.Args()...)
	if err != nil {
		return nil, s.wrapErr("search members", err)
	}
	defer rows.Close()
	var out []core.Member
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, s.wrapErr("search members", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrapErr("search members", err)
	}
	if desc {
		slices.Reverse(out)
	}
	return out, nil
}

// prefixProbe counts, up to sparseMatches in each, the index entries a
// prefix selects.
func prefixProbe(d Dialect, teamID, prefix string) *Builder {
	lo := filter.FoldCase(prefix)
	hi := lo + prefixEnd
	lim := strconv.Itoa(sparseMatches)
	return NewBuilder(d).SQL("SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM members WHERE team_id = ").Arg(teamID).
		SQL(" AND user_name_key >= ").Arg(lo).SQL(" AND user_name_key < ").Arg(hi).SQL(" LIMIT " + lim + ") pu)").
		SQL(" + (SELECT COUNT(*) FROM (SELECT 1 FROM members WHERE team_id = ").Arg(teamID).
		SQL(" AND display_name_key >= ").Arg(lo).SQL(" AND display_name_key < ").Arg(hi).SQL(" LIMIT " + lim + ") pd)").
		SQL(" + (SELECT COUNT(*) FROM (SELECT 1 FROM member_emails WHERE team_id = ").Arg(teamID).
		SQL(" AND value >= ").Arg(lo).SQL(" AND value < ").Arg(hi).SQL(" LIMIT " + lim + ") pe)")
}

// searchStatement builds SearchMembers' SELECT; desc reports that it reads
// backwards (a Before cursor) and the rows must be reversed. dense picks
// the per-member test of a prefix instead of the candidate-id list.
func searchStatement(d Dialect, teamID string, q store.MemberSearch, dense bool) (b *Builder, desc bool) {
	desc = q.After == "" && q.Before != ""
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	limit := strconv.Itoa(adminLimit(q.Limit)) // a literal, as in list: the limit is a validated int
	filters := func(b *Builder, alias string) {
		if q.Status != "" {
			b.SQL(" AND " + alias + ".status = ").Arg(string(q.Status))
		}
		if q.Role != "" {
			b.SQL(" AND " + alias + ".role = ").Arg(string(q.Role))
		}
		switch {
		case q.After != "":
			b.SQL(" AND " + alias + ".id > ").Arg(q.After)
		case q.Before != "":
			b.SQL(" AND " + alias + ".id < ").Arg(q.Before)
		}
	}
	if q.Prefix != "" && dense {
		// A common prefix: walk members_search (team_id, id, user_name_key,
		// display_name_key) in id order, testing each member, up to a page
		// (the LIMIT keeps the walk a subquery that runs first and alone);
		// then read the page's rows by primary key. The email test is a
		// prefix comparison, not a range, so that it is a lookup by member
		// (member_emails' primary key), never a range scan per member.
		lo := filter.FoldCase(q.Prefix)
		hi := lo + prefixEnd
		b = NewBuilder(d).SQL("SELECT " + memberSelect(d) + " FROM members m WHERE m.team_id = ").Arg(teamID).
			SQL(" AND m.id IN (SELECT p.id FROM (SELECT c.id FROM members c WHERE c.team_id = ").Arg(teamID)
		filters(b, "c")
		b.SQL(" AND ((c.user_name_key >= ").Arg(lo).SQL(" AND c.user_name_key < ").Arg(hi).
			SQL(") OR (c.display_name_key >= ").Arg(lo).SQL(" AND c.display_name_key < ").Arg(hi).
			SQL(") OR EXISTS (SELECT 1 FROM member_emails e WHERE e.team_id = ").Arg(teamID).
			SQL(" AND e.member_id = c.id AND ")
		d.StringCompare(b, func(b *Builder) { b.SQL("e.value") }, filter.OpSw, lo)
		b.SQL(")) ORDER BY c.id" + dir + " LIMIT " + limit + ") p) ORDER BY m.id" + dir + " LIMIT " + limit)
		return b, desc
	}
	b = NewBuilder(d).SQL("SELECT " + memberSelect(d) + " FROM members m WHERE m.team_id = ").Arg(teamID)
	filters(b, "m")
	if q.Prefix != "" {
		// A selective prefix: the candidate ids from three index ranges.
		// UNION ALL, not UNION: IN ignores duplicates, and a UNION would
		// make SQLite read each branch in id order (a scan).
		lo := filter.FoldCase(q.Prefix)
		hi := lo + prefixEnd
		b.SQL(" AND m.id IN (SELECT u.id FROM members u WHERE u.team_id = ").Arg(teamID).
			SQL(" AND u.user_name_key >= ").Arg(lo).SQL(" AND u.user_name_key < ").Arg(hi).
			SQL(" UNION ALL SELECT d.id FROM members d WHERE d.team_id = ").Arg(teamID).
			SQL(" AND d.display_name_key >= ").Arg(lo).SQL(" AND d.display_name_key < ").Arg(hi).
			SQL(" UNION ALL SELECT e.member_id FROM member_emails e WHERE e.team_id = ").Arg(teamID).
			SQL(" AND e.value >= ").Arg(lo).SQL(" AND e.value < ").Arg(hi).SQL(")")
	}
	b.SQL(" ORDER BY m.id" + dir + " LIMIT " + limit)
	return b, desc
}

// SearchMembersSQL returns the statement (and its arguments) with which
// SearchMembers would read one page of q, so that tests and operators can
// EXPLAIN it.
// dense picks the statement of a common prefix (see SearchMembers).
func (s *Store) SearchMembersSQL(teamID string, q store.MemberSearch, dense bool) (string, []any) {
	b, _ := searchStatement(s.d, teamID, q, dense)
	return b.String(), b.Args()
}

// MemberCounts implements store.AdminReader. Deactivated and invited
// members are counted on the index members_status (team_id, status, id),
// an index-only range count that costs as many entries as there are such
// members; active members are the rest of the team's member count (the
// teams.member_count counter), so that counting an active team of 100,000
// reads nothing per member. (Every member is active, deactivated or
// invited.)
func (s *base) MemberCounts(ctx context.Context, teamID string) (map[core.MemberStatus]int, error) {
	out := map[core.MemberStatus]int{}
	err := s.snapshot(ctx, func(q Querier) error {
		total, err := s.teamCount(ctx, q, teamID, "member_count")
		if err != nil {
			return err
		}
		rest := total
		for _, st := range []core.MemberStatus{core.StatusDeactivated, core.StatusInvited} {
			b := NewBuilder(s.d).SQL("SELECT COUNT(*) FROM members WHERE team_id = ").Arg(teamID).SQL(" AND status = ").Arg(string(st))
			var n int64
			if err := q.QueryRowContext(ctx, b.String(), b.Args()...).Scan(&n); err != nil {
				return s.wrapErr("member counts", err)
			}
			if n > 0 {
				out[st] = int(n)
			}
			rest -= int(n)
		}
		if rest > 0 {
			out[core.StatusActive] = rest
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkBounds validates the bounds of ActivityCounts.
func checkBounds(bounds []time.Time) error {
	if len(bounds) < 2 || len(bounds) > store.MaxActivityBuckets+1 {
		return invalid("invalidValue", "activity counts take 2 to %d bucket bounds, not %d", store.MaxActivityBuckets+1, len(bounds))
	}
	for i := 1; i < len(bounds); i++ {
		if !StoredTime(bounds[i]).After(StoredTime(bounds[i-1])) {
			return invalid("invalidValue", "activity bucket bounds must ascend strictly")
		}
	}
	return nil
}

// ActivityCounts implements store.AdminReader: one statement of one
// aggregate per bucket (UNION ALL), each a range sum over the primary key
// of scim_traffic (team_id, minute), so the database sums and no row is
// read twice or tested against every bound. A day is 1,440 rows.
func (s *base) ActivityCounts(ctx context.Context, teamID string, bounds []time.Time) ([]store.ActivityBucket, error) {
	if err := checkBounds(bounds); err != nil {
		return nil, err
	}
	n := len(bounds) - 1
	b := NewBuilder(s.d)
	for i := range n {
		if i > 0 {
			b.SQL(" UNION ALL ")
		}
		b.SQL("SELECT " + strconv.Itoa(i) + ", CAST(COALESCE(SUM(requests), 0) AS BIGINT), CAST(COALESCE(SUM(failures), 0) AS BIGINT)" +
			" FROM scim_traffic WHERE team_id = ").Arg(teamID).
			SQL(" AND minute >= ").Arg(s.timeArg(bounds[i])).SQL(" AND minute < ").Arg(s.timeArg(bounds[i+1]))
	}
	out := make([]store.ActivityBucket, n)
	for i := range out {
		out[i].Start, out[i].End = StoredTime(bounds[i]), StoredTime(bounds[i+1])
	}
	rows, err := s.q.QueryContext(ctx, b.String(), b.Args()...)
	if err != nil {
		return nil, s.wrapErr("activity counts", err)
	}
	defer rows.Close()
	for rows.Next() {
		var i, reqs, fails int64
		if err := rows.Scan(&i, &reqs, &fails); err != nil {
			return nil, s.wrapErr("activity counts", err)
		}
		if i >= 0 && int(i) < n {
			out[i].Requests, out[i].Failures = int(reqs), int(fails)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrapErr("activity counts", err)
	}
	return out, nil
}

// LastSuccess implements store.AdminReader: per key, one seek of the
// partial index scim_activity_key_success (team_id, key_id, id) WHERE
// status / 100 = 2 (the 2xx records), read backwards. The condition is
// written as the index is, so that it can serve only that index (a range on
// status would let the planner prefer scim_activity_status and sort).
func (s *base) LastSuccess(ctx context.Context, teamID string, keyIDs []string) (map[string]core.Activity, error) {
	out := map[string]core.Activity{}
	for _, k := range keyIDs {
		if _, seen := out[k]; seen || k == "" {
			continue
		}
		b := NewBuilder(s.d).SQL("SELECT " + activityCols + " FROM scim_activity WHERE team_id = ").Arg(teamID).
			SQL(" AND key_id = ").Arg(k).SQL(" AND status / 100 = 2 ORDER BY id DESC LIMIT 1")
		var a core.Activity
		err := s.q.QueryRowContext(ctx, b.String(), b.Args()...).Scan(&a.TeamID, &a.ID, scanTime(&a.At), &a.KeyID, &a.Method,
			&a.Path, &a.Status, &a.SCIMType, &a.Detail, &a.LatencyMS, &a.RequestBody, &a.ResponseBody)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, s.wrapErr("last success", err)
		}
		out[k] = a
	}
	return out, nil
}
