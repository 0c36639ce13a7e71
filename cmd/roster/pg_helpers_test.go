package main

import (
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// The PostgreSQL tests of the real binary run when ROSTER_TEST_POSTGRES_DSN
// is set and must run when ROSTER_TEST_REQUIRE_POSTGRES=1, as everywhere
// else in the repository.
const (
	envPGDSN     = "ROSTER_TEST_POSTGRES_DSN"
	envPGRequire = "ROSTER_TEST_REQUIRE_POSTGRES"
)

// pgEnv is a fresh schema of the PostgreSQL test database for one test:
// dsn is what `roster serve --db` gets (search_path set to the schema and
// a distinctive application_name, so the test can terminate its own
// server's connections and nobody else's), db a connection of the test's
// own for checks, under another application_name.
type pgEnv struct {
	schema string
	app    string
	dsn    string
	db     *pgx.Conn
}

// newPGEnv creates the schema (dropped when the test ends) or skips the
// test when no PostgreSQL is configured (fails it under
// ROSTER_TEST_REQUIRE_POSTGRES=1).
func newPGEnv(t *testing.T, tag string) *pgEnv {
	t.Helper()
	base := os.Getenv(envPGDSN)
	fail := func(format string, args ...any) {
		t.Helper()
		if os.Getenv(envPGRequire) == "1" {
			t.Fatalf(format, args...)
		}
		t.Skipf(format, args...)
	}
	if base == "" {
		fail("%s is not set", envPGDSN)
	}
	if !strings.HasPrefix(base, "postgres://") && !strings.HasPrefix(base, "postgresql://") {
		t.Fatalf("%s must be a postgres:// URL for the tests of roster serve", envPGDSN)
	}
	suffix := strings.ToLower(rand.Text()[:12])
	e := &pgEnv{schema: "roster_" + tag + "_" + suffix, app: "roster_" + tag + "_" + suffix}
	e.dsn = withParams(t, base, map[string]string{"search_path": e.schema, "application_name": e.app})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		fail("postgres unreachable: %v", err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+e.schema); err != nil {
		fail("postgres: create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop schema %s: %v", e.schema, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP SCHEMA "+e.schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", e.schema, err)
		}
	})
	checkDSN := withParams(t, base, map[string]string{"search_path": e.schema, "application_name": "check_" + suffix})
	if e.db, err = pgx.Connect(ctx, checkDSN); err != nil {
		t.Fatalf("postgres: %v", err)
	}
	t.Cleanup(func() { _ = e.db.Close(context.Background()) })
	return e
}

// withParams adds query parameters to a postgres:// URL.
func withParams(t *testing.T, dsn string, params map[string]string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("%s: %v", envPGDSN, err)
	}
	q := u.Query()
	for k, v := range params {
		q.Set(k, v)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// spawn starts `roster serve` on the schema (spawnRoster's SQLite --db is
// overridden by the later --db flag).
func (e *pgEnv) spawn(t *testing.T, bin, addr string, extra ...string) (*proc, string, error) {
	return spawnRoster(t, bin, "unused.db", addr, append([]string{"--db", e.dsn}, extra...)...)
}

// start is spawn that fails the test.
func (e *pgEnv) start(t *testing.T, bin, addr string, extra ...string) (*proc, string) {
	t.Helper()
	p, got, err := e.spawn(t, bin, addr, extra...)
	if err != nil {
		t.Fatal(err)
	}
	return p, got
}

// terminate ends every backend of this test's servers (and only those) with
// pg_terminate_backend, as a database failover or a network cut would, and
// returns how many it ended.
func (e *pgEnv) terminate(ctx context.Context) (int, error) {
	var n int
	err := e.db.QueryRow(ctx, `SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = $1 AND pid <> pg_backend_pid()) AS t`, e.app).Scan(&n)
	return n, err
}

// teamID returns the id of the only team.
func (e *pgEnv) teamID(t *testing.T) string {
	t.Helper()
	var id string
	if err := e.db.QueryRow(context.Background(), "SELECT id FROM teams ORDER BY created_at LIMIT 1").Scan(&id); err != nil {
		t.Fatalf("team: %v", err)
	}
	return id
}

// pgVerdict counts what checkPGState found.
type pgVerdict struct {
	lost, halfApplied, duplicates int
	users, memberships, audits    int
	feed                          int64
}

// checkPGState checks the database of a run, in SQL: every acknowledged
// user and membership exists with its audit event and change-feed entry;
// nothing half-applied (each user has exactly one user.created audit event
// and feed entry and no audit or feed entry names a missing user; member
// counts match rows; audited and fed membership additions match); no
// duplicate userName; the change feed is gapless (1..n) and, for each
// resource, its order agrees with the audit log's (time) order.
func checkPGState(t *testing.T, e *pgEnv, acks *idpAcks) pgVerdict {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	team := e.teamID(t)
	var v pgVerdict
	q := func(sql string, args ...any) pgx.Rows {
		t.Helper()
		rows, err := e.db.Query(ctx, sql, args...)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return rows
	}

	// Users, by userName, and duplicates.
	users := map[string]string{} // id -> userName
	byName := map[string]int{}
	rows := q("SELECT id, user_name FROM members WHERE team_id = $1 AND scim_managed", team)
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			t.Fatal(err)
		}
		users[id] = name
		byName[strings.ToLower(name)]++
	}
	rows.Close()
	v.users = len(users)
	for name, n := range byName {
		if n > 1 {
			v.duplicates++
			t.Errorf("userName %s exists %d times", name, n)
		}
	}
	var dupSQL int
	if err := e.db.QueryRow(ctx, `SELECT count(*) FROM (SELECT user_name_key FROM members WHERE team_id = $1
		GROUP BY user_name_key HAVING count(*) > 1) AS d`, team).Scan(&dupSQL); err != nil {
		t.Fatal(err)
	}
	if dupSQL > 0 {
		v.duplicates += dupSQL
		t.Errorf("%d userNames are duplicated (SQL GROUP BY user_name_key)", dupSQL)
	}

	// Memberships.
	members := map[string]map[string]bool{} // group -> member ids
	rows = q("SELECT group_id, member_id FROM group_members WHERE team_id = $1", team)
	for rows.Next() {
		var g, m string
		if err := rows.Scan(&g, &m); err != nil {
			t.Fatal(err)
		}
		if members[g] == nil {
			members[g] = map[string]bool{}
		}
		members[g][m] = true
		if _, ok := users[m]; !ok {
			v.halfApplied++
			t.Errorf("group %s has member %s that is no user", g, m)
		}
	}
	rows.Close()
	rows = q("SELECT id, member_count FROM groups WHERE team_id = $1", team)
	for rows.Next() {
		var g string
		var n int
		if err := rows.Scan(&g, &n); err != nil {
			t.Fatal(err)
		}
		if n != len(members[g]) {
			v.halfApplied++
			t.Errorf("group %s: member_count %d, %d member rows", g, n, len(members[g]))
		}
	}
	rows.Close()

	acks.mu.Lock()
	defer acks.mu.Unlock()
	for name, id := range acks.users {
		if users[id] != name {
			v.lost++
			t.Errorf("acknowledged user %s (%s) is missing", name, id)
		}
	}
	for id, g := range acks.member {
		if !members[g][id] {
			v.lost++
			t.Errorf("acknowledged membership of %s in %s is missing", id, g)
		}
	}
	v.memberships = len(acks.member)

	// Audit events and the change feed of users and groups.
	type entry struct {
		at    time.Time
		id    string
		seq   int64
		kind  string
		added int
		ids   []string
	}
	audit := map[string][]entry{} // resource -> events, time order
	rows = q(`SELECT id, at, action, target_id, COALESCE((summary->>'members_added')::int, 0)
		FROM audit_events WHERE team_id = $1 AND actor_kind = 'scim_key' ORDER BY at, id`, team)
	for rows.Next() {
		var en entry
		var target string
		if err := rows.Scan(&en.id, &en.at, &en.kind, &target, &en.added); err != nil {
			t.Fatal(err)
		}
		audit[target] = append(audit[target], en)
		v.audits++
	}
	rows.Close()
	feed := map[string][]entry{}
	var want int64 = 1
	rows = q(`SELECT seq, at, type, resource_id, data FROM change_feed WHERE team_id = $1 ORDER BY seq`, team)
	for rows.Next() {
		var en entry
		var res string
		var data map[string]any
		if err := rows.Scan(&en.seq, &en.at, &en.kind, &res, &data); err != nil {
			t.Fatal(err)
		}
		if en.seq != want {
			t.Errorf("change feed: seq %d where %d was due (a gap or a duplicate)", en.seq, want)
			want = en.seq
		}
		want++
		ids, _ := data["member_ids"].([]any)
		for _, id := range ids {
			en.ids = append(en.ids, id.(string))
		}
		feed[res] = append(feed[res], en)
		v.feed++
	}
	rows.Close()

	for id, name := range users {
		created := 0
		for _, en := range audit[id] {
			if en.kind == "user.created" {
				created++
			}
		}
		fedCreated := 0
		for _, en := range feed[id] {
			if en.kind == "user.created" {
				fedCreated++
			}
		}
		if created != 1 || fedCreated != 1 || audit[id][0].kind != "user.created" || feed[id][0].kind != "user.created" {
			v.halfApplied++
			t.Errorf("user %s (%s): %d user.created audit events and %d feed entries, want one each, first", name, id, created, fedCreated)
		}
	}
	for res, ens := range audit {
		if _, isUser := users[res]; !isUser && members[res] == nil && !strings.HasPrefix(ens[0].kind, "group.") {
			v.halfApplied++
			t.Errorf("audit events name %s, which is no user or group", res)
		}
	}

	// Per resource, feed order agrees with time order, and for groups the
	// i-th audited membership addition is the i-th fed one, in the same
	// order: the k-th audit event with members_added > 0 and the k-th
	// group.member_added entry come from one transaction, so each must
	// precede the next pair.
	for res, ens := range feed {
		if !sort.SliceIsSorted(ens, func(i, j int) bool { return ens[i].at.Before(ens[j].at) }) {
			t.Errorf("resource %s: change-feed order disagrees with time order", res)
		}
		var fedAdds []entry
		for _, en := range ens {
			if en.kind == "group.member_added" {
				fedAdds = append(fedAdds, en)
			}
		}
		var audAdds []entry
		for _, en := range audit[res] {
			if en.added > 0 {
				audAdds = append(audAdds, en)
			}
		}
		if len(fedAdds) != len(audAdds) {
			v.halfApplied++
			t.Errorf("group %s: %d audited membership additions, %d in the feed", res, len(audAdds), len(fedAdds))
			continue
		}
		seen := map[string]int{}
		for i := range fedAdds {
			if fedAdds[i].added = len(fedAdds[i].ids); fedAdds[i].added != audAdds[i].added {
				t.Errorf("group %s: the %d-th audited addition adds %d members, the %d-th fed one %d: orders disagree",
					res, i, audAdds[i].added, i, fedAdds[i].added)
			}
			if i+1 < len(fedAdds) && (audAdds[i+1].at.Before(fedAdds[i].at) || fedAdds[i+1].at.Before(audAdds[i].at)) {
				t.Errorf("group %s: audit and feed orders disagree at addition %d", res, i)
			}
			for _, id := range fedAdds[i].ids {
				seen[id]++
			}
		}
		for id := range members[res] {
			if seen[id] != 1 {
				v.halfApplied++
				t.Errorf("group %s: member %s added %d times in the feed, want 1", res, id, seen[id])
			}
		}
	}
	return v
}
