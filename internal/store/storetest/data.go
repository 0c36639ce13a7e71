package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim/filter"
	"github.com/rosterhq/roster/internal/store"
)

// testDataPages checks the reads of the admin web page's data views:
// SearchMembers (prefix on userName, displayName and emails, ignoring case;
// status and role filters; keyset paging both ways), MemberCounts,
// ActivityCounts and LastSuccess, each against the obvious answer computed
// from the fixtures, and each scoped by team.
func testDataPages(t *testing.T, e *env) {
	ctx := e.ctx
	a := e.addTeam(t, "data-a")
	b := e.addTeam(t, "data-b")

	// Team A: a mix of names, display names, emails, statuses and roles.
	type spec struct {
		userName, display, email string
		status                   core.MemberStatus
		role                     core.Role
		scim                     bool
	}
	specs := []spec{
		{"alice@corp.example", "Alice Martin", "", core.StatusActive, core.RoleDeveloper, true},
		{"ALBERT@corp.example", "Albert Zed", "", core.StatusDeactivated, core.RoleDeveloper, true},
		{"bob", "Alfred Bob", "bob.work@Mail.example", core.StatusActive, core.RoleTeamAdmin, true},
		{"carol", "", "ALPHA.carol@mail.example", core.StatusInvited, core.RoleDeveloper, false},
		{"dave", "Émile Dave", "dave@mail.example", core.StatusActive, core.RoleSuperAdmin, true},
		{"eve%_x", "", "", core.StatusActive, core.RoleDeveloper, true},
	}
	var as []core.Member
	for _, s := range specs {
		m := e.newMember(a.ID, s.userName)
		m.Status, m.Role, m.SCIMManaged = s.status, s.role, s.scim
		m.Active = s.status != core.StatusDeactivated
		if s.display != "" {
			m.Doc["displayName"] = s.display
		}
		if s.email != "" {
			if s.scim {
				m.Doc["emails"] = []any{map[string]any{"value": s.email, "type": "work", "primary": true}}
			} else {
				m.Email = s.email
			}
		}
		as = append(as, m)
	}
	for i := range 25 {
		m := e.newMember(a.ID, fmt.Sprintf("page%02d@corp.example", i))
		if i%3 == 0 {
			m.Role = core.RoleTeamAdmin
		}
		as = append(as, m)
	}
	// Team B: names that match A's prefixes.
	b1 := e.newMember(b.ID, "alice@corp.example")
	b1.Doc["displayName"] = "Alice B"
	b2 := e.newMember(b.ID, "albatross")
	b2.Status, b2.Active = core.StatusDeactivated, false
	e.createMembers(t, append(slices.Clone(as), b1, b2)...)

	ids := func(ms []core.Member) []string { return memberIDs(ms) }
	want := func(pred func(core.Member) bool) []string {
		var out []string
		for _, m := range as {
			if pred(m) {
				out = append(out, m.ID)
			}
		}
		return sorted(out)
	}
	search := func(t *testing.T, r store.Reader, teamID string, q store.MemberSearch) []core.Member {
		t.Helper()
		got, err := r.SearchMembers(ctx, teamID, q)
		checkOK(t, fmt.Sprintf("SearchMembers(%+v)", q), err)
		return got
	}

	t.Run("Prefix", func(t *testing.T) {
		hasPrefix := func(p string) func(core.Member) bool {
			return func(m core.Member) bool {
				for _, k := range searchKeys(m) {
					if strings.HasPrefix(k, filter.FoldCase(p)) {
						return true
					}
				}
				return false
			}
		}
		for _, p := range []string{"al", "AL", "alice", "alf", "bob.w", "BOB.WORK@MAIL", "alpha", "émile", "ÉMI", "page1", "eve%", "eve%_", "%", "_", "zzz", "dave@"} {
			got := ids(search(t, e.s, a.ID, store.MemberSearch{Prefix: p, Limit: 1000}))
			if d := diff(want(hasPrefix(p)), got); d != "" {
				t.Errorf("SearchMembers(A, prefix %q) (-want +got):\n%s", p, d)
			}
		}
		// The fixtures make sure each source is exercised.
		for p, who := range map[string]string{"alb": specs[1].userName, "alf": specs[2].userName, "alpha": specs[3].userName, "bob.work": specs[2].userName} {
			got := search(t, e.s, a.ID, store.MemberSearch{Prefix: p})
			if len(got) != 1 || got[0].UserName != who {
				t.Errorf("SearchMembers(A, %q) = %v, want only %s", p, got, who)
			}
		}
		// Another team's members never appear.
		for _, m := range search(t, e.s, b.ID, store.MemberSearch{Prefix: "al"}) {
			if m.TeamID != b.ID {
				t.Errorf("SearchMembers(B, al) returned A's member %s", m.UserName)
			}
		}
		if got := ids(search(t, e.s, b.ID, store.MemberSearch{Prefix: "al"})); len(got) != 2 {
			t.Errorf("SearchMembers(B, al) = %d members, want B's 2", len(got))
		}
	})

	t.Run("Filters", func(t *testing.T) {
		for _, q := range []store.MemberSearch{
			{Status: core.StatusActive}, {Status: core.StatusDeactivated}, {Status: core.StatusInvited},
			{Role: core.RoleTeamAdmin}, {Role: core.RoleSuperAdmin}, {Status: core.StatusActive, Role: core.RoleTeamAdmin},
			{Status: core.StatusActive, Prefix: "al"}, {Role: core.RoleDeveloper, Prefix: "page"}, {Status: "nonsense"},
		} {
			q.Limit = 1000
			pred := func(m core.Member) bool {
				if (q.Status != "" && m.Status != q.Status) || (q.Role != "" && m.Role != q.Role) {
					return false
				}
				return q.Prefix == "" || slices.ContainsFunc(searchKeys(m), func(k string) bool { return strings.HasPrefix(k, q.Prefix) })
			}
			if d := diff(want(pred), ids(search(t, e.s, a.ID, q))); d != "" {
				t.Errorf("SearchMembers(A, %+v) (-want +got):\n%s", q, d)
			}
		}
	})

	t.Run("Paging", func(t *testing.T) {
		for _, base := range []store.MemberSearch{{}, {Prefix: "page"}, {Role: core.RoleDeveloper}} {
			all := ids(search(t, e.s, a.ID, store.MemberSearch{Prefix: base.Prefix, Role: base.Role, Limit: 1000}))
			// Forward in pages of 4: no gap, no duplicate, in order.
			var fwd []string
			var pages [][]string
			q := base
			q.Limit = 4
			for range 100 {
				pg := ids(search(t, e.s, a.ID, q))
				if len(pg) == 0 {
					break
				}
				pages = append(pages, pg)
				fwd = append(fwd, pg...)
				q.After = pg[len(pg)-1]
			}
			if d := exactDiff(all, fwd); d != "" {
				t.Errorf("forward walk of %+v (-all +walk):\n%s", base, d)
			}
			// Backward from the end with Before gives the same pages.
			q = base
			q.Limit = 4
			var back []string
			if len(pages) > 0 {
				last := pages[len(pages)-1]
				back = append(back, last...)
				q.Before = last[0]
				for range 100 {
					pg := ids(search(t, e.s, a.ID, q))
					if len(pg) == 0 {
						break
					}
					if len(pg) != 4 && len(back)+len(pg) != len(all) {
						t.Errorf("backward page of %+v has %d members", base, len(pg))
					}
					back = append(pg, back...)
					q.Before = pg[0]
				}
			}
			if d := exactDiff(all, back); d != "" && len(all) > 0 {
				t.Errorf("backward walk of %+v (-all +walk):\n%s", base, d)
			}
		}
	})

	t.Run("Hostile", func(t *testing.T) {
		for _, p := range []string{"\x00", "a\xffb", strings.Repeat("x", 5000), "' OR 1=1 --", "\U0010FFFF"} {
			got, err := e.s.SearchMembers(ctx, a.ID, store.MemberSearch{Prefix: p, After: p})
			if err != nil && !core.IsKind(err, core.KindInvalid) {
				t.Errorf("SearchMembers(prefix %q): %s, want no error or KindInvalid", p, describeErr(err))
			}
			if len(got) != 0 {
				t.Errorf("SearchMembers(prefix %q) = %d members, want none", p, len(got))
			}
		}
	})

	t.Run("MemberCounts", func(t *testing.T) {
		wantA := map[core.MemberStatus]int{}
		for _, m := range as {
			wantA[m.Status]++
		}
		for _, r := range []store.Reader{e.s} {
			got, err := r.MemberCounts(ctx, a.ID)
			if checkOK(t, "MemberCounts(A)", err) {
				if d := diff(wantA, got); d != "" {
					t.Errorf("MemberCounts(A) (-want +got):\n%s", d)
				}
			}
			got, err = r.MemberCounts(ctx, b.ID)
			if checkOK(t, "MemberCounts(B)", err) {
				if d := diff(map[core.MemberStatus]int{core.StatusActive: 1, core.StatusDeactivated: 1}, got); d != "" {
					t.Errorf("MemberCounts(B) (-want +got):\n%s", d)
				}
			}
			got, err = r.MemberCounts(ctx, e.ids())
			if checkOK(t, "MemberCounts(unknown)", err) && len(got) != 0 {
				t.Errorf("MemberCounts(unknown team) = %v, want none", got)
			}
		}
	})

	t.Run("CommonPrefix", func(t *testing.T) {
		// More matches than the selective-prefix threshold of a backend:
		// the answers must not change with the strategy.
		var ms []core.Member
		for i := range 2100 {
			m := e.newMember(b.ID, fmt.Sprintf("common%04d", i))
			if i%7 == 0 {
				m.Role = core.RoleTeamAdmin
			}
			ms = append(ms, m)
		}
		e.createMembers(t, ms...)
		want := func(role core.Role) []string {
			var out []string
			for _, m := range ms {
				if role == "" || m.Role == role {
					out = append(out, m.ID)
				}
			}
			return sorted(out)
		}
		for _, role := range []core.Role{"", core.RoleTeamAdmin} {
			var got []string
			q := store.MemberSearch{Prefix: "COMMON", Role: role, Limit: 700}
			for range 10 {
				pg := ids(search(t, e.s, b.ID, q))
				got = append(got, pg...)
				if len(pg) < q.Limit {
					break
				}
				q.After = pg[len(pg)-1]
			}
			if d := exactDiff(want(role), got); d != "" {
				t.Errorf("common prefix, role %q (-want +got):\n%s", role, d)
			}
			last := got[len(got)-1]
			back := ids(search(t, e.s, b.ID, store.MemberSearch{Prefix: "common", Role: role, Before: last, Limit: 3}))
			if w := want(role); !slices.Equal(back, w[len(w)-4:len(w)-1]) {
				t.Errorf("common prefix before the last, role %q = %v", role, back)
			}
		}
		if got := search(t, e.s, a.ID, store.MemberSearch{Prefix: "common"}); len(got) != 0 {
			t.Errorf("team A finds team B's members: %d", len(got))
		}
	})

	t.Run("Activity", func(t *testing.T) {
		testActivityCounts(t, e, a, b)
	})
}

// searchKeys are the folded strings a member's search prefix is matched
// against: the served userName, the displayName and the served emails.
func searchKeys(m core.Member) []string {
	doc := userResource(m, nil)
	var keys []string
	if s, ok := doc["userName"].(string); ok {
		keys = append(keys, filter.FoldCase(s))
	}
	if s, ok := doc["displayName"].(string); ok {
		keys = append(keys, filter.FoldCase(s))
	}
	var elems []any
	switch v := doc["emails"].(type) {
	case []any:
		elems = v
	case map[string]any:
		elems = []any{v}
	}
	for _, el := range elems {
		if o, ok := el.(map[string]any); ok {
			if s, ok := o["value"].(string); ok {
				keys = append(keys, filter.FoldCase(s))
			}
		}
	}
	return keys
}

// testActivityCounts checks ActivityCounts and LastSuccess.
func testActivityCounts(t *testing.T, e *env, a, b core.Team) {
	ctx := e.ctx
	base := time.Date(2025, time.June, 1, 0, 0, 0, 0, time.UTC)
	type rec struct {
		team   string
		key    string
		offset time.Duration
		status int
	}
	recs := []rec{
		{a.ID, "k1", 0, 200},                            // bucket 0, on its start
		{a.ID, "k1", 30 * time.Minute, 201},             // bucket 0
		{a.ID, "k2", time.Hour - time.Microsecond, 401}, // bucket 0, at its end
		{a.ID, "k1", time.Hour, 500},                    // bucket 1
		{a.ID, "k2", 90 * time.Minute, 204},             // bucket 1
		{a.ID, "k1", 3 * time.Hour, 404},                // bucket 3
		{a.ID, "k1", 4 * time.Hour, 200},                // outside (the end is exclusive)
		{a.ID, "k3", -time.Second, 200},                 // before the window
		{b.ID, "kb", 10 * time.Minute, 500},             // team B
		{b.ID, "k1", 20 * time.Minute, 200},             // team B, same key id string
		{a.ID, "k2", 2*time.Hour + 5*time.Minute, 204},  // bucket 2
		{a.ID, "k3", 2*time.Hour + 10*time.Minute, 302}, // bucket 2 (a 3xx: neither success nor failure)
	}
	var acts []core.Activity
	newest := map[string]core.Activity{}
	for _, r := range recs {
		x := e.newActivity(r.team, r.key, r.status)
		x.At = base.Add(r.offset)
		acts = append(acts, x)
		if r.team == a.ID && r.status >= 200 && r.status < 300 {
			if p, ok := newest[r.key]; !ok || x.ID > p.ID {
				newest[r.key] = x
			}
		}
	}
	// The counts come from the per-minute traffic: each record counted in
	// its own call, so that minutes with several records sum.
	e.tx(t, "AppendActivity and AddActivityTraffic", func(tx store.Tx) error {
		for _, x := range acts {
			failed := 0
			if x.Status >= 400 {
				failed = 1
			}
			if err := tx.AddActivityTraffic(ctx, []store.ActivityTraffic{{TeamID: x.TeamID, Minute: x.At, Requests: 1, Failures: failed}}); err != nil {
				return err
			}
		}
		return tx.AppendActivity(ctx, acts)
	})

	bounds := []time.Time{base, base.Add(time.Hour), base.Add(2 * time.Hour), base.Add(3 * time.Hour), base.Add(4 * time.Hour)}
	got, err := e.s.ActivityCounts(ctx, a.ID, bounds)
	if checkOK(t, "ActivityCounts(A)", err) {
		wantCounts := [][2]int{{3, 1}, {2, 1}, {2, 0}, {1, 1}}
		if len(got) != len(wantCounts) {
			t.Fatalf("ActivityCounts(A) = %d buckets, want %d", len(got), len(wantCounts))
		}
		for i, w := range wantCounts {
			if got[i].Requests != w[0] || got[i].Failures != w[1] || !got[i].Start.Equal(bounds[i]) || !got[i].End.Equal(bounds[i+1]) {
				t.Errorf("bucket %d = %+v, want %d requests, %d failures over [%v, %v)", i, got[i], w[0], w[1], bounds[i], bounds[i+1])
			}
		}
	}
	got, err = e.s.ActivityCounts(ctx, b.ID, bounds)
	if checkOK(t, "ActivityCounts(B)", err) && (len(got) != 4 || got[0].Requests != 2 || got[0].Failures != 1 || got[1].Requests != 0) {
		t.Errorf("ActivityCounts(B) = %+v, want only B's two records in bucket 0", got)
	}
	// Bad traffic is refused; a prune drops the minutes before its time.
	for _, bad := range []store.ActivityTraffic{{Minute: base, Requests: 1}, {TeamID: a.ID, Minute: base, Requests: 1, Failures: 2}, {TeamID: a.ID, Minute: base, Requests: -1}} {
		err := e.s.InTx(ctx, func(tx store.Tx) error { return tx.AddActivityTraffic(ctx, []store.ActivityTraffic{bad}) })
		checkErr(t, fmt.Sprintf("AddActivityTraffic(%+v)", bad), err, core.KindInvalid, "")
	}
	for _, bad := range [][]time.Time{nil, {base}, {base, base}, {base.Add(time.Hour), base}, make([]time.Time, store.MaxActivityBuckets+2)} {
		_, err := e.s.ActivityCounts(ctx, a.ID, bad)
		checkErr(t, fmt.Sprintf("ActivityCounts(%d bounds)", len(bad)), err, core.KindInvalid, "")
	}

	last, err := e.s.LastSuccess(ctx, a.ID, []string{"k1", "k2", "k3", "kb", "none", ""})
	if checkOK(t, "LastSuccess(A)", err) {
		if len(last) != len(newest) {
			t.Errorf("LastSuccess(A) has %d keys, want %d: %v", len(last), len(newest), last)
		}
		for k, w := range newest {
			if g, ok := last[k]; !ok || g.ID != w.ID || !g.At.Equal(w.At) || g.TeamID != a.ID {
				t.Errorf("LastSuccess(A)[%s] = %+v, want %s at %v", k, g, w.ID, w.At)
			}
		}
	}
	last, err = e.s.LastSuccess(ctx, b.ID, []string{"k2", "kb"})
	if checkOK(t, "LastSuccess(B)", err) && len(last) != 0 {
		t.Errorf("LastSuccess(B, A's key, B's failing key) = %v, want none", last)
	}
	e.tx(t, "PruneActivity", func(tx store.Tx) error {
		_, err := tx.PruneActivity(ctx, a.ID, base.Add(time.Hour+30*time.Second), 0)
		return err
	})
	got, err = e.s.ActivityCounts(ctx, a.ID, bounds)
	if checkOK(t, "ActivityCounts(A) after a prune", err) {
		// Bucket 0 is gone; bucket 1's minute 01:00 was not over by the
		// prune's time (01:00:30), so it stays.
		want := [][2]int{{0, 0}, {2, 1}, {2, 0}, {1, 1}}
		for i, w := range want {
			if got[i].Requests != w[0] || got[i].Failures != w[1] {
				t.Errorf("after the prune, bucket %d = %+v, want %d requests, %d failures", i, got[i], w[0], w[1])
			}
		}
	}
}

// dataProbes are testIsolation's probes of the data-page reads.
func (e *env) dataProbes(f adminFix, unknown string) []isoProbe {
	ctx := e.ctx
	a, b := f.a, f.b
	return []isoProbe{
		{method: "SearchMembers", name: "SearchMembers(B) with A's names and cursors", read: func(t *testing.T, r store.Reader) {
			for _, q := range []store.MemberSearch{{Prefix: "alpha"}, {Prefix: f.a2.UserName}, {Before: f.a2.ID}, {After: ""}} {
				got, err := r.SearchMembers(ctx, b.ID, q)
				if checkOK(t, "SearchMembers", err) {
					for _, m := range got {
						if m.TeamID != b.ID {
							t.Errorf("SearchMembers(B, %+v) returned A's member %s", q, m.ID)
						}
					}
				}
			}
			unk, uerr := r.SearchMembers(ctx, unknown, store.MemberSearch{})
			cross, err := r.SearchMembers(ctx, unknown, store.MemberSearch{Prefix: "alpha"})
			sameAsUnknown(t, "SearchMembers(unknown team)", out(len(cross), err), out(len(unk), uerr))
			got, err := r.SearchMembers(ctx, a.ID, store.MemberSearch{Prefix: "SHARED"})
			if checkOK(t, "SearchMembers(A)", err) && (len(got) != 1 || got[0].ID != f.a1.ID) {
				t.Errorf("SearchMembers(A, SHARED) = %v, want a1 only", memberIDs(got))
			}
		}},
		{method: "MemberCounts", name: "MemberCounts(B) counts B's only", read: func(t *testing.T, r store.Reader) {
			got, err := r.MemberCounts(ctx, b.ID)
			all, _ := allMembers(ctx, r, b.ID)
			if checkOK(t, "MemberCounts", err) {
				n := 0
				for _, c := range got {
					n += c
				}
				if n != len(all) {
					t.Errorf("MemberCounts(B) = %v, B has %d members", got, len(all))
				}
			}
		}},
		{method: "ActivityCounts", name: "ActivityCounts(B) counts B's only", read: func(t *testing.T, r store.Reader) {
			from := f.activityB.At.Add(-time.Hour)
			bounds := []time.Time{from, from.Add(time.Hour), from.Add(1000 * time.Hour)}
			got, err := r.ActivityCounts(ctx, b.ID, bounds)
			mine, _ := r.Activity(ctx, b.ID, store.ActivityQuery{Since: from, Limit: 1000})
			if checkOK(t, "ActivityCounts", err) && got[0].Requests+got[1].Requests != len(mine) {
				t.Errorf("ActivityCounts(B) = %+v, B has %d records", got, len(mine))
			}
		}},
		{method: "LastSuccess", name: "LastSuccess(B, A's key)", read: func(t *testing.T, r store.Reader) {
			got, err := r.LastSuccess(ctx, b.ID, []string{f.keyA.ID, unknown})
			if checkOK(t, "LastSuccess", err) && len(got) != 0 {
				t.Errorf("LastSuccess(B, A's key) = %v, want none", got)
			}
		}},
	}
}
