package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// scenarioFuncs maps a scenario name to its run.
var scenarioFuncs = map[string]func(context.Context, *gen) ([]Stats, error){
	"import": runImport,
	"lookup": runLookup,
	"update": runUpdate,
	"groups": runGroups,
	"list":   runList,
	"mixed":  runMixed,
}

// runID makes the names a run creates unique.
func runID() string { return strconv.FormatInt(time.Now().UnixNano()/1e6, 36) }

func rnd(n int) int {
	if n <= 0 {
		return 0
	}
	return rand.IntN(n) //nolint:gosec // load pattern, not security
}

// runImport is Okta's import of new users: for each, the pre-create filter
// (which must find nothing) and the POST; afterwards a sample of the
// imported users must be found by the filter.
func runImport(ctx context.Context, g *gen) ([]Stats, error) {
	rec := newRecorder()
	id := runID()
	var mu sync.Mutex
	var made []user
	elapsed := loop(ctx, g.cfg.Concurrency, g.cfg.Import, g.cfg.Duration, g.cfg.Progress, "import", func(_, i int) bool {
		name := fmt.Sprintf("imp-%s-%d@load.example", id, i)
		_ = timed(rec, "user (filter+POST)", 2, func() error {
			var lr listResponse
			if err := g.call(ctx, http.MethodGet, filterPath(name), nil, &lr, http.StatusOK); err != nil {
				return err
			}
			if lr.TotalResults != 0 || len(lr.Resources) != 0 {
				return wrongf("pre-create filter for new %q found %d users", name, lr.TotalResults)
			}
			u, err := g.createUser(ctx, name)
			if err == nil {
				mu.Lock()
				made = append(made, u)
				mu.Unlock()
			}
			return err
		})
		return true
	})
	out := rec.stats(elapsed)
	// Every imported user must be found by the filter, with its id.
	check := newRecorder()
	sample := made
	if len(sample) > 200 {
		rand.Shuffle(len(sample), func(i, j int) { sample[i], sample[j] = sample[j], sample[i] }) //nolint:gosec // sampling
		sample = sample[:200]
	}
	start := time.Now()
	for _, u := range sample {
		_ = timed(check, "verify (filter finds it)", 1, func() error {
			got, err := g.findUser(ctx, u.UserName)
			if err == nil && got.ID != u.ID {
				err = wrongf("filter for %q returned id %q, created %q", u.UserName, got.ID, u.ID)
			}
			return err
		})
	}
	return append(out, check.stats(time.Since(start))...), nil
}

// runLookup is the IdP's read path: a filter by userName for a random
// seeded user, then GET by the id it returned.
func runLookup(ctx context.Context, g *gen) ([]Stats, error) {
	if g.cfg.Users <= 0 {
		return nil, errors.New("lookup needs --users (the number of seeded users)")
	}
	rec := newRecorder()
	elapsed := loop(ctx, g.cfg.Concurrency, g.cfg.Requests, g.cfg.Duration, g.cfg.Progress, "lookup", func(_, _ int) bool {
		name := UserName(rnd(g.cfg.Users))
		var u user
		err := timed(rec, "filter userName eq", 1, func() error {
			var err error
			u, err = g.findUser(ctx, name)
			return err
		})
		if err != nil {
			return true
		}
		_ = timed(rec, "GET /Users/{id}", 1, func() error {
			var got user
			if err := g.call(ctx, http.MethodGet, "/Users/"+u.ID, nil, &got, http.StatusOK); err != nil {
				return err
			}
			if got.ID != u.ID || got.UserName != u.UserName {
				return wrongf("GET /Users/%s returned %q %q", u.ID, got.ID, got.UserName)
			}
			return nil
		})
		return true
	})
	return withTotal(rec.stats(elapsed), elapsed), nil
}

// withTotal appends a row over all of a scenario's operations.
func withTotal(st []Stats, elapsed time.Duration) []Stats {
	if len(st) < 2 {
		return st
	}
	t := Stats{Op: "all requests", Seconds: elapsed.Seconds()}
	for _, s := range st {
		t.Count += s.Count
		t.Errors += s.Errors
		t.Wrong += s.Wrong
		t.Requests += s.Requests
	}
	t.PerSec = float64(t.Count) / elapsed.Seconds()
	t.ReqPerSec = float64(t.Requests) / elapsed.Seconds()
	return append(st, t)
}

// runUpdate is the IdP's write path on existing users: PATCH givenName,
// Okta's path-less deactivate, and PUT of the whole user (which
// reactivates it), in rotation over random known users.
func runUpdate(ctx context.Context, g *gen) ([]Stats, error) {
	pool, err := g.knownUsers(ctx, min(max(g.cfg.Users, 100), 5000))
	if err != nil {
		return nil, err
	}
	rec := newRecorder()
	elapsed := loop(ctx, g.cfg.Concurrency, g.cfg.Requests, g.cfg.Duration, g.cfg.Progress, "update", func(_, i int) bool {
		u := pool[rnd(len(pool))]
		switch i % 3 {
		case 0:
			given := "G" + strconv.Itoa(i)
			_ = timed(rec, "PATCH givenName", 1, func() error {
				var got struct {
					Name struct {
						GivenName string `json:"givenName"`
					} `json:"name"`
				}
				op := map[string]any{"op": "replace", "path": "name.givenName", "value": given}
				if err := g.call(ctx, http.MethodPatch, "/Users/"+u.ID, patchBody(op), &got, http.StatusOK); err != nil {
					return err
				}
				if got.Name.GivenName != given {
					return wrongf("PATCH givenName %q answered %q", given, got.Name.GivenName)
				}
				return nil
			})
		case 1:
			_ = timed(rec, "PATCH deactivate", 1, func() error {
				var got struct {
					Active *bool `json:"active"`
				}
				op := map[string]any{"op": "replace", "value": map[string]any{"active": false}}
				if err := g.call(ctx, http.MethodPatch, "/Users/"+u.ID, patchBody(op), &got, http.StatusOK); err != nil {
					return err
				}
				if got.Active == nil || *got.Active {
					return wrongf("deactivate answered active=%v", got.Active)
				}
				return nil
			})
		default:
			_ = timed(rec, "PUT user", 1, func() error {
				var got struct {
					Active *bool `json:"active"`
				}
				if err := g.call(ctx, http.MethodPut, "/Users/"+u.ID, userBody(u.UserName, "Put", true), &got, http.StatusOK); err != nil {
					return err
				}
				if got.Active == nil || !*got.Active {
					return wrongf("PUT active=true answered active=%v", got.Active)
				}
				return nil
			})
		}
		return true
	})
	return withTotal(rec.stats(elapsed), elapsed), nil
}

// groupBody is a group create body with no members (Okta and Entra).
func groupBody(name string) map[string]any {
	return map[string]any{"schemas": []string{schemaGroup}, "displayName": name, "members": []any{}}
}

// memberCount returns the number of members GET /Groups/{id} lists.
func (g *gen) memberCount(ctx context.Context, id string) (int, error) {
	var got struct {
		Members []json.RawMessage `json:"members"`
	}
	if err := g.call(ctx, http.MethodGet, "/Groups/"+id, nil, &got, http.StatusOK); err != nil {
		return 0, err
	}
	return len(got.Members), nil
}

// runGroups is a group push: create groups, add members in PATCHes of 100
// (Okta's shape), check the counts, remove them again (half the groups in
// Okta's members[value eq] shape, half in Entra's legacy value-list
// shape), check the groups are empty, then time single-member PATCHes and
// GETs on the big seeded group against an empty group.
func runGroups(ctx context.Context, g *gen) ([]Stats, error) {
	pool, err := g.knownUsers(ctx, min(max(g.cfg.Users, 100), 10000))
	if err != nil {
		return nil, err
	}
	chunks := len(pool) / 100
	if chunks == 0 {
		return nil, errors.New("groups needs at least 100 users")
	}
	conc := g.cfg.Concurrency
	id := runID()
	rec := newRecorder()
	groups := make([]string, conc)
	for w := range conc {
		var got struct {
			ID string `json:"id"`
		}
		err := timed(rec, "POST /Groups", 1, func() error {
			return g.call(ctx, http.MethodPost, "/Groups", groupBody(fmt.Sprintf("lg-%s-%d", id, w)), &got, http.StatusCreated)
		})
		if err != nil {
			return nil, err
		}
		groups[w] = got.ID
	}
	// Add: worker w pushes chunk after chunk to its own group, as an IdP
	// pushes one group's changes in order.
	added := make([]atomic.Int64, conc)
	next := make([]int, conc)
	addElapsed := loop(ctx, conc, 0, g.cfg.Duration, g.cfg.Progress, "groups+", func(w, _ int) bool {
		c := next[w]
		if c >= chunks {
			return false
		}
		next[w]++
		vals := make([]any, 0, 100)
		for _, u := range pool[c*100 : c*100+100] {
			vals = append(vals, map[string]any{"value": u.ID, "display": u.UserName})
		}
		rename := map[string]any{"op": "replace", "value": map[string]any{"id": groups[w], "displayName": fmt.Sprintf("lg-%s-%d", id, w)}}
		add := map[string]any{"op": "add", "path": "members", "value": vals}
		if timed(rec, "PATCH add 100 members", 1, func() error {
			return g.call(ctx, http.MethodPatch, "/Groups/"+groups[w], patchBody(rename, add), nil, http.StatusOK, http.StatusNoContent)
		}) == nil {
			added[w].Add(100)
		}
		return true
	})
	out := rec.stats(addElapsed)
	check := newRecorder()
	for w := range conc {
		_ = timed(check, "verify member count", 1, func() error {
			n, err := g.memberCount(ctx, groups[w])
			if err == nil && int64(n) != added[w].Load() {
				err = wrongf("group %d has %d members after adding %d", w, n, added[w].Load())
			}
			return err
		})
	}
	// Remove what was added.
	rm := newRecorder()
	done := make([]int, conc)
	rmElapsed := loop(ctx, conc, 0, g.cfg.Duration, g.cfg.Progress, "groups-", func(w, _ int) bool {
		c := done[w]
		if int64(c*100) >= added[w].Load() {
			return false
		}
		done[w]++
		var body map[string]any
		name := "PATCH remove 100 (Entra)"
		if w%2 == 0 {
			name = "PATCH remove 100 (Okta)"
			ops := make([]map[string]any, 0, 100)
			for _, u := range pool[c*100 : c*100+100] {
				ops = append(ops, map[string]any{"op": "remove", "path": `members[value eq "` + u.ID + `"]`})
			}
			body = patchBody(ops...)
		} else {
			vals := make([]any, 0, 100)
			for _, u := range pool[c*100 : c*100+100] {
				vals = append(vals, map[string]any{"value": u.ID})
			}
			body = patchBody(map[string]any{"op": "Remove", "path": "members", "value": vals})
		}
		_ = timed(rm, name, 1, func() error {
			return g.call(ctx, http.MethodPatch, "/Groups/"+groups[w], body, nil, http.StatusOK, http.StatusNoContent)
		})
		return true
	})
	out = append(out, rm.stats(rmElapsed)...)
	for w := range conc {
		_ = timed(check, "verify emptied", 1, func() error {
			n, err := g.memberCount(ctx, groups[w])
			want := added[w].Load() - int64(done[w]*100)
			if err == nil && int64(n) != max(want, 0) {
				err = wrongf("group %d has %d members after removals, want %d", w, n, max(want, 0))
			}
			return err
		})
	}
	out = append(out, check.stats(0)...)
	big, err := bigGroupFigures(ctx, g, id, pool)
	if err != nil {
		return nil, err
	}
	for _, gid := range groups {
		_ = g.call(ctx, http.MethodDelete, "/Groups/"+gid, nil, nil, http.StatusNoContent)
	}
	return append(out, big...), nil
}

// bigGroupFigures times one-member PATCHes and GETs on the big seeded
// group against an empty group, sequentially and interleaved so that both
// see the same machine.
func bigGroupFigures(ctx context.Context, g *gen, id string, pool []user) ([]Stats, error) {
	var lr struct {
		Resources []struct {
			ID string `json:"id"`
		} `json:"Resources"`
	}
	q := "/Groups?filter=" + url.QueryEscape(`displayName eq "`+g.cfg.BigGroup+`"`) + "&excludedAttributes=members"
	if err := g.call(ctx, http.MethodGet, q, nil, &lr, http.StatusOK); err != nil {
		return nil, err
	}
	if len(lr.Resources) != 1 {
		return []Stats{{Op: "big group", Note: "no group " + g.cfg.BigGroup + ": seed with --big-group"}}, nil
	}
	bigID := lr.Resources[0].ID
	var empty struct {
		ID string `json:"id"`
	}
	if err := g.call(ctx, http.MethodPost, "/Groups", groupBody("lg-empty-"+id), &empty, http.StatusCreated); err != nil {
		return nil, err
	}
	defer g.call(ctx, http.MethodDelete, "/Groups/"+empty.ID, nil, nil, http.StatusNoContent) //nolint:errcheck // cleanup
	// A member that is not in the big group: the seed puts its first users
	// in it, so take a user from the end.
	probe, err := g.findUser(ctx, UserName(max(g.cfg.Users-1, 0)))
	if err != nil {
		probe = pool[len(pool)-1]
	}
	rec := newRecorder()
	deadline := time.Now().Add(g.cfg.Duration)
	for i := 0; i < 200 && time.Now().Before(deadline); i++ {
		for _, tgt := range []struct{ name, id string }{{"big", bigID}, {"empty", empty.ID}} {
			op := map[string]any{"op": "add", "path": "members", "value": []any{map[string]any{"value": probe.ID}}}
			if i%2 == 1 {
				op = map[string]any{"op": "remove", "path": `members[value eq "` + probe.ID + `"]`}
			}
			_ = timed(rec, "PATCH 1 member: "+tgt.name, 1, func() error {
				return g.call(ctx, http.MethodPatch, "/Groups/"+tgt.id, patchBody(op), nil, http.StatusOK, http.StatusNoContent)
			})
			_ = timed(rec, "GET excl members: "+tgt.name, 1, func() error {
				return g.call(ctx, http.MethodGet, "/Groups/"+tgt.id+"?excludedAttributes=members", nil, nil, http.StatusOK)
			})
		}
	}
	for i := 0; i < 3; i++ {
		_ = timed(rec, "GET with members: big", 1, func() error {
			n, err := g.memberCount(ctx, bigID)
			if err == nil && n == 0 {
				err = wrongf("the big group lists no members")
			}
			return err
		})
	}
	st := rec.stats(0)
	p50 := map[string]float64{}
	for _, s := range st {
		p50[s.Op] = s.P50
	}
	ratio := func(name, a, b string) Stats {
		r := 0.0
		if p50[b] > 0 {
			r = p50[a] / p50[b]
		}
		return Stats{Op: name, Value: r, Note: "p50 " + a + " / p50 " + b + " (target <= 1.2)"}
	}
	return append(st,
		ratio("ratio PATCH big/empty", "PATCH 1 member: big", "PATCH 1 member: empty"),
		ratio("ratio GET big/empty", "GET excl members: big", "GET excl members: empty")), nil
}

// runList walks every page of /Users with count=100 (as Okta's import
// does), checks there is no duplicate or gap, and compares the time of the
// first 10% of pages with the last 10%.
func runList(ctx context.Context, g *gen) ([]Stats, error) {
	rec := newRecorder()
	seen := map[string]struct{}{}
	var pages []time.Duration
	total := -1
	var wrong error
	limit := max(g.cfg.Duration, 5*time.Minute)
	start := time.Now()
	for idx := 1; total < 0 || idx <= total; idx += 100 {
		if time.Since(start) > limit || ctx.Err() != nil {
			wrong = fmt.Errorf("walk stopped after %v at startIndex %d of %d", limit, idx, total)
			break
		}
		var lr listResponse
		t0 := time.Now()
		err := g.call(ctx, http.MethodGet, "/Users?startIndex="+strconv.Itoa(idx)+"&count=100", nil, &lr, http.StatusOK)
		d := time.Since(t0)
		if err == nil {
			if total < 0 {
				total = lr.TotalResults
			}
			want := min(100, total-idx+1)
			if len(lr.Resources) != want {
				err = wrongf("page at %d has %d items, want %d", idx, len(lr.Resources), want)
			}
			for _, raw := range lr.Resources {
				var u user
				if e := json.Unmarshal(raw, &u); e != nil {
					err = e
					break
				}
				if _, dup := seen[u.ID]; dup {
					err = wrongf("user %s listed twice", u.ID)
				}
				seen[u.ID] = struct{}{}
			}
		}
		rec.add("page (count=100)", d, 1, err)
		pages = append(pages, d)
		if err != nil && total < 0 {
			return nil, err
		}
	}
	elapsed := time.Since(start)
	if wrong == nil && len(seen) != total {
		wrong = wrongf("walk saw %d distinct users, totalResults %d", len(seen), total)
	}
	if wrong != nil {
		rec.add("walk complete", 0, 0, wrong)
	}
	st := rec.stats(elapsed)
	n := len(pages) / 10
	if n > 0 {
		first, last := mean(pages[:n]), mean(pages[len(pages)-n:])
		st = append(st,
			Stats{Op: "first 10% page mean", Value: ms(first), Note: "ms"},
			Stats{Op: "last 10% page mean", Value: ms(last), Note: "ms"},
			Stats{Op: "ratio last/first 10%", Value: float64(last) / float64(first), Note: "target <= 1.2"})
	}
	return st, nil
}

func mean(ds []time.Duration) time.Duration {
	var s time.Duration
	for _, d := range ds {
		s += d
	}
	return s / time.Duration(len(ds))
}

// runMixed is steady-state IdP traffic: 40% filter by userName, 40% GET
// by id, 15% PATCH, 5% POST.
func runMixed(ctx context.Context, g *gen) ([]Stats, error) {
	if g.cfg.Users <= 0 {
		return nil, errors.New("mixed needs --users (the number of seeded users)")
	}
	pool, err := g.knownUsers(ctx, min(max(g.cfg.Users, 100), 5000))
	if err != nil {
		return nil, err
	}
	id := runID()
	rec := newRecorder()
	elapsed := loop(ctx, g.cfg.Concurrency, g.cfg.Requests, g.cfg.Duration, g.cfg.Progress, "mixed", func(_, i int) bool {
		r := rnd(100)
		switch {
		case r < 40:
			_ = timed(rec, "filter", 1, func() error { _, err := g.findUser(ctx, UserName(rnd(g.cfg.Users))); return err })
		case r < 80:
			u := pool[rnd(len(pool))]
			_ = timed(rec, "GET by id", 1, func() error {
				var got user
				err := g.call(ctx, http.MethodGet, "/Users/"+u.ID, nil, &got, http.StatusOK)
				if err == nil && got.ID != u.ID {
					err = wrongf("GET %s returned %s", u.ID, got.ID)
				}
				return err
			})
		case r < 95:
			u := pool[rnd(len(pool))]
			op := map[string]any{"op": "replace", "path": "name.givenName", "value": "M" + strconv.Itoa(i)}
			_ = timed(rec, "PATCH", 1, func() error {
				return g.call(ctx, http.MethodPatch, "/Users/"+u.ID, patchBody(op), nil, http.StatusOK)
			})
		default:
			_ = timed(rec, "POST", 1, func() error {
				_, err := g.createUser(ctx, fmt.Sprintf("mix-%s-%d@load.example", id, i))
				return err
			})
		}
		return true
	})
	return withTotal(rec.stats(elapsed), elapsed), nil
}
