package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/scim/filter"
	"github.com/rosterhq/roster/internal/store"
)

// sortCase is one SortBy of the sort differential; required sorts must be
// supported, the others may be refused with KindInvalid.
type sortCase struct {
	path     string
	required bool
}

// sortValue is a resource's sort key: absent, or a string, time or bool.
type sortValue struct {
	present bool
	s       string
	t       time.Time
	b       bool
	kind    scim.Type
}

// compare orders two present sort values of one attribute.
func (v sortValue) compare(w sortValue) int {
	switch v.kind {
	case scim.TypeDateTime:
		return v.t.Compare(w.t)
	case scim.TypeBoolean:
		switch {
		case v.b == w.b:
			return 0
		case !v.b:
			return -1
		}
		return 1
	}
	return strings.Compare(v.s, w.s)
}

// sortKeyOf reads the sort key of path from a served document, as RFC 7644
// §3.4.2.3 describes it: a multi-valued attribute sorts by its primary
// value, else its first; a complex attribute named without a
// sub-attribute by its "value"; caseExact=false strings by their folded
// form (filter.FoldCase), in code-point order. Absent (missing or null)
// values have no key; "" is a value.
func sortKeyOf(rt *scim.ResourceType, path string, doc map[string]any) (sortValue, error) {
	p, err := scim.ParseAttrPath(path)
	if err != nil {
		return sortValue{}, err
	}
	r, err := rt.Resolve(p)
	if err != nil {
		return sortValue{}, err
	}
	var top any
	if r.IsExtension(rt) {
		ext, _ := doc[r.Schema.ID].(map[string]any)
		top = ext[r.Attr.Name]
	} else {
		top = doc[r.Attr.Name]
	}
	target := r.Target()
	sub := ""
	if r.Sub != nil {
		sub = r.Sub.Name
	} else if r.Attr.IsComplex() {
		sub, target = "value", r.Attr.Sub("value")
		if target == nil {
			return sortValue{}, fmt.Errorf("%s has no value sub-attribute", path)
		}
	}
	if l, ok := top.([]any); ok {
		top = nil
		for _, el := range l {
			if m, ok := el.(map[string]any); ok && m["primary"] == true {
				top = el
				break
			}
		}
		if top == nil && len(l) > 0 {
			top = l[0]
		}
	}
	if sub != "" {
		m, _ := top.(map[string]any)
		top = m[sub]
	}
	v := sortValue{kind: target.Type}
	switch x := top.(type) {
	case string:
		if target.Type == scim.TypeDateTime {
			tm, err := time.Parse(time.RFC3339Nano, x)
			if err != nil {
				return v, nil
			}
			v.t = tm
		} else if target.CaseExact {
			v.s = x
		} else {
			v.s = filter.FoldCase(x)
		}
		v.present = true
	case bool:
		v.b, v.present = x, true
	}
	return v, nil
}

// expectedOrder sorts ids by the key of path in their documents: present
// keys ascending, absent ones last, ties by id; descending is the exact
// reverse.
func expectedOrder(rt *scim.ResourceType, path string, docs map[string]map[string]any, desc bool) ([]string, error) {
	type row struct {
		id  string
		key sortValue
	}
	var rows []row
	for id, doc := range docs {
		k, err := sortKeyOf(rt, path, doc)
		if err != nil {
			return nil, err
		}
		rows = append(rows, row{id, k})
	}
	slices.SortFunc(rows, func(a, b row) int {
		c := 0
		switch {
		case a.key.present && b.key.present:
			c = a.key.compare(b.key)
		case a.key.present:
			c = -1
		case b.key.present:
			c = 1
		}
		if c == 0 {
			c = strings.Compare(a.id, b.id)
		}
		return c
	})
	ids := make([]string, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.id)
	}
	if desc {
		slices.Reverse(ids)
	}
	return ids, nil
}

// runSortDifferential sorts the differential's fixtures by many
// attributes through the store and through expectedOrder over the served
// documents, and requires the same order. A store may refuse a sort that
// is not required with KindInvalid; it may not return another order.
func runSortDifferential(t *testing.T, e *env, f *diffFixtures) {
	const ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:"
	userDocs, groupDocs := map[string]map[string]any{}, map[string]map[string]any{}
	names := map[string]string{}
	for _, m := range f.members {
		if !f.deleted[m.ID] {
			userDocs[m.ID] = userResource(m, f.memberGroups(m.ID))
			names[m.ID] = m.UserName
		}
	}
	for _, g := range f.groups {
		if !f.deleted[g.ID] {
			groupDocs[g.ID] = groupResource(g, f.groupMembers[g.ID])
			names[g.ID] = g.DisplayName
		}
	}
	run := func(t *testing.T, rt *scim.ResourceType, docs map[string]map[string]any, sc sortCase,
		query func(store.Query) ([]string, error)) {
		t.Helper()
		for _, desc := range []bool{false, true} {
			want, err := expectedOrder(rt, sc.path, docs, desc)
			if err != nil {
				t.Errorf("sort key of %s (suite bug): %v", sc.path, err)
				return
			}
			got, err := query(store.Query{SortBy: sc.path, Descending: desc, Count: 10000})
			var ce *core.Error
			switch {
			case err != nil && !sc.required && errors.As(err, &ce) && ce.Kind == core.KindInvalid:
				t.Logf("store does not sort by %s: %v", sc.path, err)
				return
			case err != nil:
				t.Errorf("SortBy %s descending=%v: %s", sc.path, desc, describeErr(err))
				continue
			}
			if d := diff(userNamesOrNames(want, names), userNamesOrNames(got, names)); d != "" {
				t.Errorf("SortBy %s descending=%v: order differs (-want +got, by name):\n%s", sc.path, desc, d)
			} else if d := diff(want, got); d != "" {
				t.Errorf("SortBy %s descending=%v: order differs among equal names (-want +got ids):\n%s", sc.path, desc, d)
			}
		}
	}
	t.Run("Users", func(t *testing.T) {
		for _, sc := range []sortCase{
			{"userName", true}, {"meta.created", true}, {"meta.lastModified", true},
			{"id", false}, {"externalId", false}, {"active", false}, {"title", false},
			{"displayName", false}, {"nickName", false}, {"name.familyName", false},
			{"name.givenName", false}, {"emails", false}, {"emails.value", false},
			{"emails.type", false}, {"phoneNumbers.value", false},
			{ent + "department", false}, {"employeeNumber", false}, {ent + "manager.value", false},
			{"urn:ietf:params:scim:schemas:extension:roster:2.0:User:status", false},
		} {
			run(t, scim.UserType(), userDocs, sc, func(q store.Query) ([]string, error) {
				p, err := e.s.Members(e.ctx, f.team.ID, q)
				return memberIDs(p.Items), err
			})
		}
	})
	t.Run("Groups", func(t *testing.T) {
		for _, sc := range []sortCase{
			{"displayName", true}, {"meta.created", true}, {"meta.lastModified", false},
			{"externalId", false}, {"id", false},
		} {
			run(t, scim.GroupType(), groupDocs, sc, func(q store.Query) ([]string, error) {
				p, err := e.s.Groups(e.ctx, f.team.ID, q)
				return groupIDs(p.Items), err
			})
		}
	})
}

// userNamesOrNames maps ids to the fixtures' names, for readable diffs.
func userNamesOrNames(ids []string, names map[string]string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, names[id])
	}
	return out
}
