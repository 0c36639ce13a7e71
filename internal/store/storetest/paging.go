package storetest

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim/filter"
	"github.com/rosterhq/roster/internal/store"
)

// walkOffset pages through members with Offset and returns the items in
// the order seen and the Totals reported.
func walkOffset(e *env, teamID string, q store.Query, pageSize int) ([]core.Member, []int, error) {
	var items []core.Member
	var totals []int
	q.Count, q.After = pageSize, ""
	for off := 0; ; off += pageSize {
		q.Offset = off
		p, err := e.s.Members(e.ctx, teamID, q)
		if err != nil {
			return items, totals, fmt.Errorf("Members(offset %d): %w", off, err)
		}
		items = append(items, p.Items...)
		totals = append(totals, p.Total)
		if len(p.Items) < pageSize {
			return items, totals, nil
		}
		if off > 1<<16 {
			return items, totals, fmt.Errorf("offset walk does not end")
		}
	}
}

// walkAfter pages through members with keyset paging (After) and returns
// the items in the order seen and the Totals reported.
func walkAfter(e *env, teamID string, q store.Query, pageSize int) ([]core.Member, []int, error) {
	var items []core.Member
	var totals []int
	q.Count, q.Offset, q.After = pageSize, 0, ""
	for i := 0; ; i++ {
		p, err := e.s.Members(e.ctx, teamID, q)
		if err != nil {
			return items, totals, fmt.Errorf("Members(after %q): %w", q.After, err)
		}
		items = append(items, p.Items...)
		totals = append(totals, p.Total)
		if len(p.Items) < pageSize {
			return items, totals, nil
		}
		q.After = p.Items[len(p.Items)-1].ID
		if i > 1<<16 {
			return items, totals, fmt.Errorf("keyset walk does not end")
		}
	}
}

// checkTotals reports totals that are not all want.
func checkTotals(t *testing.T, what string, totals []int, want int) {
	t.Helper()
	for i, got := range totals {
		if got != want {
			t.Errorf("%s: page %d reported Total %d, want %d", what, i, got, want)
			return
		}
	}
}

// testPaging: Offset/Count and keyset (After) paging over 250 members,
// with and without a filter, Total and SkipTotal, descending id order, and
// the same for groups.
func testPaging(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	team := e.addTeam(t, "paging")
	other := e.addTeam(t, "paging-other")
	var ms []core.Member
	for i := range 250 {
		m := e.newMember(team.ID, fmt.Sprintf("pager%03d", i))
		m.Active = i%3 != 0
		ms = append(ms, m)
	}
	for i := range 20 {
		ms = append(ms, e.newMember(other.ID, fmt.Sprintf("pager%03d", i)))
	}
	e.createMembers(t, ms...)
	ms = ms[:250]
	all := memberIDs(ms)
	var active []string
	for _, m := range ms {
		if m.Active {
			active = append(active, m.ID)
		}
	}
	activeTrue := eqBool("active", true)

	for _, tc := range []struct {
		name   string
		filter filter.Expr
		want   []string
	}{
		{"all", nil, all},
		{"active eq true", activeTrue, active},
	} {
		for _, size := range []int{4, 64, 250, 1000} {
			q := store.Query{Filter: tc.filter}
			items, totals, err := walkOffset(e, team.ID, q, size)
			if checkOK(t, "offset walk", err) {
				if d := diff(tc.want, memberIDs(items)); d != "" {
					t.Errorf("%s: Offset walk with Count %d must give every member once, in id order (-want +got):\n%s", tc.name, size, d)
				}
				checkTotals(t, fmt.Sprintf("%s: Offset walk with Count %d", tc.name, size), totals, len(tc.want))
			}
			items, totals, err = walkAfter(e, team.ID, q, size)
			if checkOK(t, "keyset walk", err) {
				if d := diff(tc.want, memberIDs(items)); d != "" {
					t.Errorf("%s: After walk with Count %d must give every member once, in id order (-want +got):\n%s", tc.name, size, d)
				}
				checkTotals(t, fmt.Sprintf("%s: After walk with Count %d", tc.name, size), totals, len(tc.want))
			}
			q.SkipTotal = true
			items, totals, err = walkAfter(e, team.ID, q, size)
			if checkOK(t, "keyset walk", err) {
				if d := diff(tc.want, memberIDs(items)); d != "" {
					t.Errorf("%s: After walk with SkipTotal, Count %d (-want +got):\n%s", tc.name, size, d)
				}
				checkTotals(t, fmt.Sprintf("%s: After walk with SkipTotal", tc.name), totals, -1)
			}
		}
	}

	for _, tc := range []struct {
		name      string
		q         store.Query
		wantIDs   []string
		wantTotal int
	}{
		{"Count 0 gives only the total", store.Query{}, nil, 250},
		{"Count 0 with a filter", store.Query{Filter: activeTrue}, nil, len(active)},
		{"offset at the end", store.Query{Offset: 250, Count: 10}, nil, 250},
		{"offset past the end", store.Query{Offset: 1000, Count: 10}, nil, 250},
		{"last partial page", store.Query{Offset: 245, Count: 10}, all[245:], 250},
		{"offset with SkipTotal", store.Query{Offset: 10, Count: 5, SkipTotal: true}, all[10:15], -1},
		{"After the last id", store.Query{After: all[249], Count: 10}, nil, 250},
		{"After an id not in the store", store.Query{After: e.ids(), Count: 10}, nil, 250},
		{"After ignores Offset", store.Query{After: all[99], Offset: 50, Count: 3}, all[100:103], 250},
		{"descending id order", store.Query{Descending: true, Count: 1000}, reversed(all), 250},
		{"descending, second page", store.Query{Descending: true, Offset: 7, Count: 7}, reversed(all)[7:14], 250},
		{"filter with offset", store.Query{Filter: activeTrue, Offset: 100, Count: 10}, active[100:110], len(active)},
		{"filter with After", store.Query{Filter: activeTrue, After: all[0], Count: 3}, active[:3], len(active)},
	} {
		p, err := s.Members(ctx, team.ID, tc.q)
		if !checkOK(t, tc.name, err) {
			continue
		}
		if d := diff(tc.wantIDs, memberIDs(p.Items)); d != "" || p.Total != tc.wantTotal {
			t.Errorf("%s: Total %d (want %d), ids (-want +got):\n%s", tc.name, p.Total, tc.wantTotal, d)
		}
	}

	// Keyset paging is in id order only: After with SortBy is refused.
	_, err := s.Members(ctx, team.ID, store.Query{After: all[10], SortBy: "userName", Count: 5})
	checkErr(t, "Members with After and SortBy", err, core.KindInvalid, "")

	// Keyset paging resumes after a cursor whose member was deleted.
	e.tx(t, "DeleteMember", func(tx store.Tx) error { return tx.DeleteMember(ctx, team.ID, all[100]) })
	var p store.Page[core.Member]
	p, err = s.Members(ctx, team.ID, store.Query{After: all[100], Count: 2})
	if checkOK(t, "Members(After a deleted id)", err) {
		if d := diff(all[101:103], memberIDs(p.Items)); d != "" || p.Total != 249 {
			t.Errorf("After a deleted member's id: Total %d (want 249) (-want +got):\n%s", p.Total, d)
		}
	}

	// Groups page the same way.
	var gs []core.Group
	for i := range 30 {
		gs = append(gs, e.newGroup(team.ID, fmt.Sprintf("group %02d", i)))
	}
	e.tx(t, "CreateGroup", func(tx store.Tx) error {
		for _, g := range gs {
			if err := tx.CreateGroup(ctx, g); err != nil {
				return err
			}
		}
		return nil
	})
	want := groupIDs(gs)
	for _, size := range []int{1, 4, 30} {
		var got []string
		for off := 0; off <= 30; off += size {
			p, err := s.Groups(ctx, team.ID, store.Query{Offset: off, Count: size})
			if !checkOK(t, "Groups", err) {
				break
			}
			if p.Total != 30 {
				t.Errorf("Groups(offset %d, count %d): Total %d, want 30", off, size, p.Total)
			}
			got = append(got, groupIDs(p.Items)...)
		}
		if d := diff(want, got); d != "" {
			t.Errorf("Groups Offset walk with Count %d (-want +got):\n%s", size, d)
		}
		got = nil
		q := store.Query{Count: size, SkipTotal: true}
		for range 40 {
			p, err := s.Groups(ctx, team.ID, q)
			if !checkOK(t, "Groups", err) {
				break
			}
			if p.Total != -1 {
				t.Errorf("Groups with SkipTotal: Total %d, want -1", p.Total)
			}
			got = append(got, groupIDs(p.Items)...)
			if len(p.Items) < size {
				break
			}
			q.After = p.Items[len(p.Items)-1].ID
		}
		if d := diff(want, got); d != "" {
			t.Errorf("Groups After walk with Count %d (-want +got):\n%s", size, d)
		}
	}
}

// reversed returns a reversed copy.
func reversed(ids []string) []string {
	out := slices.Clone(ids)
	slices.Reverse(out)
	return out
}

// mixCase returns s with the letter case of each letter chosen by the bits
// of k.
func mixCase(s string, k int) string {
	b := []byte(s)
	bit := 0
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			if k>>(bit%16)&1 == 1 {
				b[i] = c - 'a' + 'A'
			}
			bit++
		}
	}
	return string(b)
}

// testSorting: SortBy userName, meta.created and meta.lastModified,
// ascending and descending, ties broken by id, with offsets and a filter;
// and groups by displayName.
func testSorting(t *testing.T, e *env) {
	ctx, s := e.ctx, e.s
	team := e.addTeam(t, "sorting")
	const n = 40
	var ms []core.Member
	for i := range n {
		// Names in an order unrelated to creation, in mixed case, so that
		// a case-sensitive sort differs from the case-insensitive one.
		m := e.newMember(team.ID, mixCase(fmt.Sprintf("user-%02d", (i*17)%n), i*40503))
		m.CreatedAt = epoch().Add(time.Duration((i*7)%10) * time.Minute) // ties: 4 members per time
		m.UpdatedAt = m.CreatedAt.Add(time.Duration((i*13)%5) * time.Hour)
		m.Active = i%4 != 0
		ms = append(ms, m)
	}
	e.createMembers(t, ms...)

	order := func(keep func(core.Member) bool, less func(a, b core.Member) int) []string {
		var sel []core.Member
		for _, m := range ms {
			if keep == nil || keep(m) {
				sel = append(sel, m)
			}
		}
		slices.SortFunc(sel, func(a, b core.Member) int {
			if c := less(a, b); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
		return memberIDs(sel)
	}
	byUserName := func(a, b core.Member) int {
		return strings.Compare(strings.ToLower(a.UserName), strings.ToLower(b.UserName))
	}
	byCreated := func(a, b core.Member) int { return a.CreatedAt.Compare(b.CreatedAt) }
	byModified := func(a, b core.Member) int { return a.UpdatedAt.Compare(b.UpdatedAt) }
	isActive := func(m core.Member) bool { return m.Active }

	for _, tc := range []struct {
		sortBy string
		filter filter.Expr
		want   []string
	}{
		{"userName", nil, order(nil, byUserName)},
		{"username", nil, order(nil, byUserName)}, // attribute names are case-insensitive (RFC 7643 §2.1)
		{"meta.created", nil, order(nil, byCreated)},
		{"meta.lastModified", nil, order(nil, byModified)},
		{"userName", eqBool("active", true), order(isActive, byUserName)},
		{"meta.created", eqBool("active", true), order(isActive, byCreated)},
	} {
		for _, desc := range []bool{false, true} {
			name := fmt.Sprintf("SortBy %q descending=%v filter=%v", tc.sortBy, desc, tc.filter)
			want := tc.want
			if desc {
				want = reversed(want) // the exact reverse, ties included
			}
			q := store.Query{SortBy: tc.sortBy, Descending: desc, Filter: tc.filter, Count: 1000}
			p, err := s.Members(ctx, team.ID, q)
			if !checkOK(t, name, err) {
				continue
			}
			if d := diff(want, memberIDs(p.Items)); d != "" {
				t.Errorf("%s (-want +got ids):\n%s\nwant userNames %v", name, d, userNamesOf(ms, want))
			}
			items, totals, err := walkOffset(e, team.ID, q, 7)
			if checkOK(t, name+" offset walk", err) {
				if d := diff(want, memberIDs(items)); d != "" {
					t.Errorf("%s: pages of 7 differ from the whole (-want +got):\n%s", name, d)
				}
				checkTotals(t, name, totals, len(want))
			}
		}
	}

	var gs []core.Group
	for i := range 12 {
		gs = append(gs, e.newGroup(team.ID, mixCase(fmt.Sprintf("team %02d", (i*5)%12), i*977)))
	}
	e.tx(t, "CreateGroup", func(tx store.Tx) error {
		for _, g := range gs {
			if err := tx.CreateGroup(ctx, g); err != nil {
				return err
			}
		}
		return nil
	})
	sort.Slice(gs, func(i, j int) bool { return strings.ToLower(gs[i].DisplayName) < strings.ToLower(gs[j].DisplayName) })
	want := groupIDs(gs)
	for _, desc := range []bool{false, true} {
		w := want
		if desc {
			w = reversed(want)
		}
		p, err := s.Groups(ctx, team.ID, store.Query{SortBy: "displayName", Descending: desc, Count: 100})
		if checkOK(t, "Groups sorted by displayName", err) {
			if d := diff(w, groupIDs(p.Items)); d != "" {
				t.Errorf("Groups SortBy displayName descending=%v (-want +got):\n%s", desc, d)
			}
		}
	}
}

// userNamesOf maps ids to userNames, for readable failures.
func userNamesOf(ms []core.Member, ids []string) []string {
	byID := map[string]string{}
	for _, m := range ms {
		byID[m.ID] = m.UserName
	}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, byID[id])
	}
	return out
}

// testPagingConcurrentInserts: walking pages while other goroutines insert
// members returns no member twice and every member that existed before the
// walk. Keyset walks run against fully concurrent inserters. Offset walks
// run against inserters that commit in id order (they take a lock around
// id generation and commit): that is the situation offset paging is stable
// under — appends after the existing rows — whereas out-of-order commits of
// concurrently generated ids shift positions, which no backend can prevent.
func testPagingConcurrentInserts(t *testing.T, e *env) {
	team := e.addTeam(t, "concurrent-paging")
	var pre []core.Member
	for i := range 200 {
		pre = append(pre, e.newMember(team.ID, fmt.Sprintf("existing%03d", i)))
	}
	e.createMembers(t, pre...)
	preIDs := memberIDs(pre)

	for _, mode := range []string{"Offset", "After"} {
		t.Run(mode, func(t *testing.T) {
			const inserters, perInserter = 4, 25
			var (
				ordered sync.Mutex // serialises id generation and commit (Offset mode)
				wg      sync.WaitGroup
				start   = make(chan struct{})
				errs    = make(chan error, inserters*perInserter)
			)
			for w := range inserters {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					for i := range perInserter {
						if mode == "Offset" {
							ordered.Lock()
						}
						m := e.newMember(team.ID, fmt.Sprintf("%s-new-%d-%02d", mode, w, i))
						err := e.s.InTx(e.ctx, func(tx store.Tx) error { return e.createMember(tx, m) })
						if mode == "Offset" {
							ordered.Unlock()
						}
						if err != nil {
							errs <- err
						}
					}
				}()
			}
			// A reader checks that a page and its Total come from one
			// snapshot while the inserts run.
			done := make(chan struct{})
			snapErrs := make(chan string, 1)
			var rg sync.WaitGroup
			rg.Add(1)
			go func() {
				defer rg.Done()
				<-start
				for range 15 {
					p, err := e.s.Members(e.ctx, team.ID, store.Query{Count: 1 << 20})
					var msg string
					switch {
					case err != nil:
						msg = "Members during inserts: " + describeErr(err)
					case p.Total != len(p.Items):
						msg = fmt.Sprintf("Members during inserts: Total %d but %d items (not one snapshot)", p.Total, len(p.Items))
					case len(p.Items) < len(preIDs):
						msg = fmt.Sprintf("Members during inserts: %d items, fewer than the %d that existed before", len(p.Items), len(preIDs))
					}
					if msg != "" {
						snapErrs <- msg
						return
					}
					select {
					case <-done:
						return
					default:
					}
				}
			}()
			close(start)
			var items []core.Member
			var err error
			if mode == "Offset" {
				items, _, err = walkOffset(e, team.ID, store.Query{}, 10)
			} else {
				items, _, err = walkAfter(e, team.ID, store.Query{SkipTotal: true}, 10)
			}
			wg.Wait()
			close(done)
			rg.Wait()
			close(snapErrs)
			for msg := range snapErrs {
				t.Error(msg)
			}
			close(errs)
			for err := range errs {
				t.Errorf("concurrent CreateMember: %s", describeErr(err))
			}
			if !checkOK(t, mode+" walk", err) {
				return
			}
			seen := map[string]int{}
			for i, m := range items {
				seen[m.ID]++
				if seen[m.ID] == 2 {
					t.Errorf("%s walk returned member %s (%q) twice", mode, m.ID, m.UserName)
				}
				if i > 0 && items[i-1].ID >= m.ID {
					t.Errorf("%s walk out of id order at %d: %s then %s", mode, i, items[i-1].ID, m.ID)
				}
			}
			for _, id := range preIDs {
				if seen[id] == 0 {
					t.Errorf("%s walk missed member %s, which existed before the walk started", mode, id)
				}
			}
			final, err := allMembers(e.ctx, e.s, team.ID)
			if checkOK(t, "Members", err) && len(final) < len(preIDs)+inserters*perInserter {
				t.Errorf("after the walk: %d members, want at least %d", len(final), len(preIDs)+inserters*perInserter)
			}
		})
	}
}
