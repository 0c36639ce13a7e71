package provision_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/provision"
	"github.com/rosterhq/roster/internal/scim"
)

func TestGroups(t *testing.T) {
	run(t, func(f *fixture) {
		t := f.t
		a, b, c := f.user("a", ""), f.user("b", ""), f.user("c", "")
		g := f.group("Eng", a.ID())
		id := g.ID()
		if d := f.doc(g); d["displayName"] != "Eng" || len(memberIDs(d)) != 1 || g.ETag() != `W/"1"` {
			t.Errorf("created group = %v", d)
		}
		// displayName unique in any case; bad members fail the create.
		if _, err := f.svc.CreateGroup(f.ctx, f.c, []byte(`{"displayName":"eNG"}`), provision.Options{}); !core.IsKind(err, core.KindConflict) {
			t.Errorf("duplicate displayName: %v", err)
		}
		if _, err := f.svc.CreateGroup(f.ctx, f.c, []byte(`{"displayName":"bad","members":[{"value":"nope"}]}`), provision.Options{}); kindOf(err) != "400 invalidValue" || !strings.Contains(err.Error(), "nope") {
			t.Errorf("create with unknown member: %v", err)
		}
		if l, _ := f.svc.ListGroups(f.ctx, f.c, scim.SearchRequest{Filter: `displayName eq "bad"`}); l.Total != 0 {
			t.Error("a failed create left a group")
		}
		steps := []struct {
			name    string
			ops     []string
			want    []string
			version string
		}{
			{"add (Okta)", []string{fmt.Sprintf(`{"op":"add","path":"members","value":[{"value":%q,"display":"b"}]}`, b.ID())}, []string{a.ID(), b.ID()}, `W/"2"`},
			{"re-add changes nothing", []string{fmt.Sprintf(`{"op":"add","path":"members","value":[{"value":%q}]}`, b.ID())}, []string{a.ID(), b.ID()}, `W/"2"`},
			{"rename no-op (Okta)", []string{fmt.Sprintf(`{"op":"replace","value":{"id":%q,"displayName":"Eng"}}`, id)}, []string{a.ID(), b.ID()}, `W/"2"`},
			{"remove by filter (Okta)", []string{fmt.Sprintf(`{"op":"remove","path":%q}`, `members[value eq "`+a.ID()+`"]`)}, []string{b.ID()}, `W/"3"`},
			{"replace all", []string{fmt.Sprintf(`{"op":"replace","path":"members","value":[{"value":%q},{"value":%q}]}`, a.ID(), c.ID())}, []string{a.ID(), c.ID()}, `W/"4"`},
			{"replace same set", []string{fmt.Sprintf(`{"op":"replace","path":"members","value":[{"value":%q},{"value":%q}]}`, c.ID(), a.ID())}, []string{a.ID(), c.ID()}, `W/"4"`},
			{"path-less replace", []string{fmt.Sprintf(`{"op":"replace","value":{"members":[{"value":%q}]}}`, b.ID())}, []string{b.ID()}, `W/"5"`},
			{"legacy remove (Entra)", []string{fmt.Sprintf(`{"op":"Add","path":"members","value":[{"value":%q},{"value":%q}]}`, a.ID(), c.ID()), fmt.Sprintf(`{"op":"Remove","path":"members","value":[{"value":%q,"$ref":null}]}`, a.ID())}, []string{b.ID(), c.ID()}, `W/"6"`},
			{"rename", []string{`{"op":"replace","path":"displayName","value":"Engineering"}`}, []string{b.ID(), c.ID()}, `W/"7"`},
		}
		for _, s := range steps {
			r, err := f.svc.PatchGroup(f.ctx, f.c, id, patchBody(s.ops...), provision.Options{})
			if err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			got := memberIDs(f.doc(mustGroup(f, id)))
			if strings.Join(got, ",") != strings.Join(sorted(s.want), ",") || r.ETag() != s.version {
				t.Errorf("%s: members %v version %s; want %v %s", s.name, got, r.ETag(), sorted(s.want), s.version)
			}
		}
		// One bad member id: the rest applies, the error names it.
		_, err := f.svc.PatchGroup(f.ctx, f.c, id, patchBody(fmt.Sprintf(`{"op":"add","path":"members","value":[{"value":"ghost"},{"value":%q}]}`, a.ID())), provision.Options{})
		if kindOf(err) != "400 invalidValue" || !strings.Contains(err.Error(), `"ghost"`) || !strings.Contains(err.Error(), "rest of the request was applied") {
			t.Errorf("bad member id: %v", err)
		}
		if got := memberIDs(f.doc(mustGroup(f, id))); len(got) != 3 {
			t.Errorf("after partial PATCH members = %v, want 3", got)
		}
		// excludedAttributes=members, and the user's groups.
		r, _ := f.svc.GetGroup(f.ctx, f.c, id, provision.Options{ExcludedAttributes: []string{"members"}})
		if _, ok := f.doc(r)["members"]; ok {
			t.Error("excludedAttributes=members returned members")
		}
		u, _ := f.svc.GetUser(f.ctx, f.c, b.ID(), provision.Options{})
		gs, _ := f.doc(u)["groups"].([]any)
		if len(gs) != 1 || gs[0].(map[string]any)["value"] != id || gs[0].(map[string]any)["display"] != "Engineering" {
			t.Errorf("user groups = %v", gs)
		}
		// Too many members in one request.
		many := make([]string, 51)
		for i := range many {
			many[i] = fmt.Sprintf(`{"value":"m%d"}`, i)
		}
		_, err = f.svc.PatchGroup(f.ctx, f.c, id, patchBody(`{"op":"add","path":"members","value":[`+strings.Join(many, ",")+`]}`), provision.Options{})
		if kindOf(err) != "400 tooMany" {
			t.Errorf("too many members: %v", err)
		}
		// PUT replaces the set; DELETE keeps users.
		put := fmt.Sprintf(`{"displayName":"Engineering","members":[{"value":%q}]}`, a.ID())
		if r, err := f.svc.ReplaceGroup(f.ctx, f.c, id, []byte(put), provision.Options{}); err != nil || strings.Join(memberIDs(f.doc(r)), ",") != a.ID() {
			t.Errorf("PUT group: %v", err)
		}
		if err := f.svc.DeleteGroup(f.ctx, f.c, id, provision.Conditions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.GetUser(f.ctx, f.c, a.ID(), provision.Options{}); err != nil {
			t.Errorf("user gone with its group: %v", err)
		}
	})
}

func sorted(ids []string) []string {
	out := append([]string(nil), ids...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestConcurrentIfMatch(t *testing.T) {
	run(t, func(f *fixture) {
		t := f.t
		g := f.group("race")
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				body := patchBody(fmt.Sprintf(`{"op":"replace","path":"displayName","value":"race-%d"}`, i))
				_, errs[i] = f.svc.PatchGroup(f.ctx, f.c, g.ID(), body, provision.Options{Conditions: provision.Conditions{IfMatch: []string{g.ETag()}}})
			}()
		}
		wg.Wait()
		ok, failed := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case core.IsKind(err, core.KindPrecondition):
				failed++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != 1 || failed != n-1 {
			t.Errorf("%d succeeded and %d got 412; want 1 and %d", ok, failed, n-1)
		}
		// Without If-Match, concurrent membership adds all land.
		users := make([]*provision.Resource, n)
		for i := range users {
			users[i] = f.user(fmt.Sprintf("racer%d", i), "")
		}
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				body := patchBody(fmt.Sprintf(`{"op":"add","path":"members","value":[{"value":%q}]}`, users[i].ID()))
				if _, err := f.svc.PatchGroup(f.ctx, f.c, g.ID(), body, provision.Options{}); err != nil {
					t.Errorf("concurrent add: %v", err)
				}
			}()
		}
		wg.Wait()
		if got := memberIDs(f.doc(mustGroup(f, g.ID()))); len(got) != n {
			t.Errorf("%d members after %d concurrent adds", len(got), n)
		}
	})
}
