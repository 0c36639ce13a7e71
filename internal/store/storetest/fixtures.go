package storetest

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/store"
)

// diffFixtures are the differential's members and groups of team A (and a
// look-alike team B whose rows must never show up in A's results).
type diffFixtures struct {
	team, other core.Team
	members     []core.Member
	groups      []core.Group
	// groupMembers is what the suite added, by group id, sorted by value;
	// it is kept independently of the store.
	groupMembers map[string][]core.GroupMember
	// deleted holds the ids of members and groups deleted since; they stay
	// in members and groups so that filter placeholders keep their ids.
	deleted map[string]bool
}

// memberGroups returns the direct groups of a member as the suite's own
// bookkeeping has them, ordered by group id, with current displayNames.
func (f *diffFixtures) memberGroups(memberID string) []core.GroupRef {
	var out []core.GroupRef
	for _, g := range f.groups {
		if f.deleted[g.ID] {
			continue
		}
		for _, gm := range f.groupMembers[g.ID] {
			if gm.Value == memberID && gm.Type == typeUser {
				out = append(out, core.GroupRef{ID: g.ID, DisplayName: g.DisplayName})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// group returns the fixture group with the given displayName.
func (f *diffFixtures) group(t *testing.T, displayName string) (int, core.Group) {
	t.Helper()
	for k, g := range f.groups {
		if g.DisplayName == displayName {
			return k, g
		}
	}
	t.Fatalf("no differential fixture group %q", displayName)
	return 0, core.Group{}
}

// Indexes of the hand-made members of the differential.
const (
	fxAlice = iota
	fxAliceSmith
	fxBob
	fxOBrien
	fxBackslash
	fxPercent
	fxUnderscore
	fxABC
	fxEmile
	fxAdmin
	fxInvited
	fxEmptyTitle
	fxExtLower
	fxExtUpper
	fxNoEnterprise
	fxKitchenSink
	fxTurkish
	fxGenerated      // the first generated member
	fxGeneratedCount = 43
)

// diffEpoch is the first fixture time of the differential; its fixture
// times have millisecond precision (see metaTimeLayout).
func diffEpoch() time.Time { return time.Date(2024, time.March, 1, 8, 0, 0, 0, time.UTC) }

// fixtureTimes returns the created and lastModified times of the k-th
// fixture: pairs of fixtures share their creation time.
func fixtureTimes(k int) (created, modified time.Time) {
	created = diffEpoch().Add(time.Duration(k/2)*13*time.Hour + time.Duration((k/2)%3)*125*time.Millisecond)
	modified = created.Add(time.Duration(k%4)*90*time.Minute + time.Duration(k%2)*500*time.Millisecond)
	return created, modified
}

// buildDiffFixtures creates the differential's fixtures.
func buildDiffFixtures(t *testing.T, e *env) *diffFixtures {
	t.Helper()
	f := &diffFixtures{
		team:         e.addTeam(t, "differential"),
		other:        e.addTeam(t, "differential-twin"),
		groupMembers: map[string][]core.GroupMember{},
		deleted:      map[string]bool{},
	}
	names := []string{
		fxAlice: "alice", fxAliceSmith: "ALICE.Smith@Example.com", fxBob: "bob",
		fxOBrien: `o"brien`, fxBackslash: `back\slash`, fxPercent: "percent%user",
		fxUnderscore: "a_b", fxABC: "abc", fxEmile: "Émile.Zola", fxAdmin: "admin",
		fxInvited: "invited.person", fxEmptyTitle: "Empty.Title", fxExtLower: "ext.case.lower",
		fxExtUpper: "ext.case.upper", fxNoEnterprise: "no.enterprise", fxKitchenSink: "kitchen.sink",
		fxTurkish: "İlker.Çelik",
	}
	for i := range fxGeneratedCount {
		names = append(names, mixCase(fmt.Sprintf("user%02d@corp.example", i), i*7919))
	}
	ms := make([]core.Member, len(names))
	for k, n := range names {
		ms[k] = e.newMember(f.team.ID, n)
		ms[k].CreatedAt, ms[k].UpdatedAt = fixtureTimes(k)
		ms[k].Version = int64(k%3 + 1)
	}
	id := func(k int) string { return ms[k].ID }
	ent := scim.EnterpriseUserSchema
	email := func(value, typ string, primary any) map[string]any {
		m := map[string]any{"value": value}
		if typ != "" {
			m["type"] = typ
		}
		if primary != nil {
			m["primary"] = primary
		}
		return m
	}
	docs := map[int]map[string]any{
		fxAlice: {
			"emails":      []any{email("alice@example.com", "work", true), email("Alice@Home.example", "home", nil)},
			"name":        map[string]any{"givenName": "Alice", "familyName": "Liddell", "formatted": "Alice Liddell"},
			"displayName": "Alice Liddell",
			"title":       "Engineer",
			ent:           map[string]any{"employeeNumber": "1001", "department": "Engineering", "manager": map[string]any{"value": id(fxBob)}},
		},
		fxAliceSmith: {
			"emails": []any{email("ALICE.Smith@Example.com", "work", true)},
			"name":   map[string]any{"givenName": "Alice", "familyName": "Smith"},
			"title":  "Senior Engineer",
			ent:      map[string]any{"employeeNumber": "1002", "department": "engineering", "manager": map[string]any{"value": id(fxAlice), "displayName": "Alice Liddell"}},
		},
		fxBob: {
			"emails": []any{email("bob@example.com", "work", nil)},
			"name":   map[string]any{"givenName": "Bob", "familyName": "Builder"},
			"title":  "Manager",
			ent:      map[string]any{"employeeNumber": "0999", "department": "Support"},
		},
		fxOBrien: {
			"emails": []any{email("obrien@example.com", "other", false)},
			"name":   map[string]any{"givenName": "Conan", "familyName": "O'Brien"},
			"title":  `Head "Quote" Officer`,
		},
		fxBackslash:  {"title": `C:\Temp`},
		fxPercent:    {"title": "100% Engineer"},
		fxUnderscore: {"nickName": "a_b"},
		fxABC:        {"nickName": "abc"},
		fxEmile: {
			"name":        map[string]any{"givenName": "Émile", "familyName": "Zola"},
			"displayName": "ÉMILE ZOLA",
			"title":       "Écrivain",
		},
		fxInvited: {"emails": []any{email("invited@partner.example", "work", nil)}},
		fxEmptyTitle: {
			"title":  "",
			"name":   map[string]any{"givenName": "", "familyName": "Empty"},
			"emails": []any{},
		},
		fxNoEnterprise: {ent: map[string]any{}},
		// FoldCase (strings.ToLower, the simple mapping) folds "İ" (U+0130)
		// to "i", not to the full mapping's "i̇" (i and U+0307).
		fxTurkish: {
			"name":  map[string]any{"givenName": "İlker", "familyName": "Çelik"},
			"title": "İstanbul Office",
		},
		fxKitchenSink: {
			"phoneNumbers":      []any{map[string]any{"value": "+1 555 0100", "type": "work"}, map[string]any{"value": "+49 30 1234", "type": "mobile"}},
			"addresses":         []any{map[string]any{"type": "work", "country": "DE", "locality": "Berlin"}, map[string]any{"type": "home", "country": "US"}},
			"x509Certificates":  []any{map[string]any{"value": "TUlJQ0FURQ=="}},
			"profileUrl":        "https://profiles.example/kitchen",
			"nickName":          "Sink",
			"userType":          "Contractor",
			"preferredLanguage": "de-DE",
			"locale":            "de_DE",
			"timezone":          "Europe/Berlin",
			"roles":             []any{map[string]any{"value": "admin", "primary": true}},
			"entitlements":      []any{map[string]any{"value": "beta"}},
			"name":              map[string]any{"formatted": "Dr. Kitchen Q. Sink", "middleName": "Q", "honorificPrefix": "Dr."},
			ent:                 map[string]any{"costCenter": "CC-1", "organization": "Org", "division": "Div", "employeeNumber": "7"},
		},
	}
	ms[fxBob].Active, ms[fxBob].Status = false, core.StatusDeactivated
	ms[fxInvited].Status = core.StatusInvited
	ms[fxExtLower].ExternalID = "ext-001"
	ms[fxExtUpper].ExternalID = "EXT-001"
	ms[fxAliceSmith].ExternalID = "00uALICE"
	ms[fxAdmin].SCIMManaged, ms[fxAdmin].Role, ms[fxAdmin].Email = false, core.RoleTeamAdmin, "Admin@Example.com"

	titles := []any{"Engineer", "Senior Engineer", "Manager", "", nil}
	given := []string{"Ann", "Ben", "Cid", "Dee", "Eve", "Fay"}
	family := []string{"Smith", "Jones", "Ng", "Müller", "smith", "Zhang", ""}
	depts := []string{"Engineering", "Sales", "engineering", "Support"}
	for i := range fxGeneratedCount {
		k := fxGenerated + i
		d := map[string]any{}
		if tt := titles[i%5]; tt != nil {
			d["title"] = tt
		}
		name := map[string]any{"givenName": given[i%6]}
		if fam := family[(i*5)%7]; fam != "" {
			name["familyName"] = fam
		}
		d["name"] = name
		switch i % 4 {
		case 0:
			d["emails"] = []any{email(fmt.Sprintf("user%02d@corp.example", i), "work", true)}
		case 1:
			d["emails"] = []any{email(fmt.Sprintf("U%02d@Corp.Example", i), "work", false), email(fmt.Sprintf("u%02d@home.example", i), "home", true)}
		case 3:
			d["emails"] = []any{email(fmt.Sprintf("u%02d@other.example", i), "other", nil)}
		}
		if i%3 != 2 {
			x := map[string]any{
				"employeeNumber": fmt.Sprintf("%04d", (i*137)%2000),
				"department":     depts[i%4],
				"manager":        map[string]any{"value": id(fxAlice + i%2)},
			}
			if i%7 == 0 {
				x["costCenter"] = "CC-" + strconv.Itoa(i)
			}
			d[ent] = x
		}
		switch {
		case i%9 == 0:
			ms[k].ExternalID = fmt.Sprintf("OKTA-%02d", i)
		case i%3 == 0:
			ms[k].ExternalID = fmt.Sprintf("okta-%02d", i)
		}
		if i%2 == 0 {
			d["userType"] = "Employee"
		} else {
			d["userType"] = "contractor"
		}
		if i%5 == 0 {
			ms[k].Active, ms[k].Status = false, core.StatusDeactivated
		}
		docs[k] = d
	}
	// Stored documents carry the columns' userName, externalId and active,
	// as the SCIM layer writes them (provision.storedUserDoc).
	for k := range ms {
		if k == fxAdmin {
			ms[k].Doc = nil
			continue
		}
		d := docs[k]
		if d == nil {
			d = map[string]any{}
		}
		d["userName"] = ms[k].UserName
		if ms[k].ExternalID != "" {
			d["externalId"] = ms[k].ExternalID
		}
		d["active"] = ms[k].Active
		ms[k].Doc = d
	}
	f.members = ms

	// Team B: look-alikes of the hand-made members, same documents.
	var twins []core.Member
	for k := range fxGenerated {
		tw := e.newMember(f.other.ID, ms[k].UserName)
		tw.Doc = scim.Clone(ms[k].Doc)
		tw.ExternalID, tw.Active, tw.Status, tw.SCIMManaged = ms[k].ExternalID, ms[k].Active, ms[k].Status, ms[k].SCIMManaged
		tw.CreatedAt, tw.UpdatedAt = ms[k].CreatedAt, ms[k].UpdatedAt
		twins = append(twins, tw)
	}
	e.createMembers(t, append(append([]core.Member(nil), ms...), twins...)...)

	// Groups.
	type groupSpec struct {
		name, ext string
		users     []int
		groups    []int
	}
	var odd, firstTen, all []int
	for i := range fxGeneratedCount {
		if i%2 == 1 {
			odd = append(odd, fxGenerated+i)
		}
		if i < 10 {
			firstTen = append(firstTen, fxGenerated+i)
		}
	}
	for k := range ms {
		all = append(all, k)
	}
	specs := []groupSpec{
		{name: "Engineering", ext: "okta-grp-1", users: append([]int{fxAlice, fxAliceSmith}, firstTen...)},
		{name: "engineering-oncall", users: []int{fxAlice, fxBob}},
		{name: "Sales", users: []int{fxGenerated + 1, fxGenerated + 3, fxGenerated + 5}},
		{name: "Sales EMEA", users: []int{fxGenerated + 5, fxGenerated + 7}, groups: []int{2}},
		{name: "Support", users: []int{fxBob}},
		{name: "Admins", users: []int{fxAdmin}},
		{name: "Émigrés", users: []int{fxEmile}},
		{name: "100% Club", users: []int{fxPercent}},
		{name: "under_score", users: []int{fxUnderscore}},
		{name: `Quote "Q"`, users: []int{fxOBrien}},
		{name: "Empty"},
		{name: "Nested Parent", users: []int{fxAlice}, groups: []int{12}},
		{name: "Nested Child", users: []int{fxKitchenSink}},
		{name: "All Users", users: all},
		{name: "Contractors", ext: "OKTA-GRP-1", users: odd},
	}
	gs := make([]core.Group, len(specs))
	for k, sp := range specs {
		gs[k] = e.newGroup(f.team.ID, sp.name)
		gs[k].ExternalID = sp.ext
		gs[k].CreatedAt = diffEpoch().Add(time.Duration(k)*5*time.Hour + time.Duration(k%4)*250*time.Millisecond)
		gs[k].UpdatedAt = gs[k].CreatedAt.Add(time.Duration(k) * 10 * time.Minute)
		gs[k].Version = int64(k%2 + 1)
		gs[k].Doc = map[string]any{"displayName": sp.name}
		if sp.ext != "" {
			gs[k].Doc["externalId"] = sp.ext
		}
	}
	twinGroup := e.newGroup(f.other.ID, "Engineering")
	e.tx(t, "create differential groups", func(tx store.Tx) error {
		for _, g := range append(append([]core.Group(nil), gs...), twinGroup) {
			if err := tx.CreateGroup(e.ctx, g); err != nil {
				return err
			}
		}
		return nil
	})
	for k, sp := range specs {
		var refs []core.GroupMember
		for _, u := range sp.users {
			r := core.GroupMember{Value: ms[u].ID, Type: typeUser}
			if (u+k)%3 == 0 {
				r.Display = ms[u].UserName
			}
			refs = append(refs, r)
		}
		for _, c := range sp.groups {
			refs = append(refs, core.GroupMember{Value: gs[c].ID, Display: gs[c].DisplayName, Type: typeGroup})
		}
		if len(refs) > 0 {
			e.addToGroup(t, f.team.ID, gs[k].ID, refs...)
		}
		sortRefs(refs)
		f.groupMembers[gs[k].ID] = refs
		gs[k].MemberCount = len(refs)
	}
	e.addToGroup(t, f.other.ID, twinGroup.ID, userRef(twins[fxAlice]), userRef(twins[fxBob]))
	f.groups = gs
	return f
}

// placeholderRE matches the placeholders of differential filters: {m3} is
// member 3's id, {M3} the same upper-cased, {c3} and {u3} its meta.created
// and meta.lastModified; {g3}, {G3}, {gc3} likewise for group 3.
var placeholderRE = regexp.MustCompile(`\{(m|M|c|u|g|G|gc)(\d+)\}`)

// expand replaces the placeholders of a filter template.
func (f *diffFixtures) expand(s string) string {
	return placeholderRE.ReplaceAllStringFunc(s, func(p string) string {
		sub := placeholderRE.FindStringSubmatch(p)
		k, _ := strconv.Atoi(sub[2])
		switch sub[1] {
		case "m":
			return f.members[k].ID
		case "M":
			return strings.ToUpper(f.members[k].ID)
		case "c":
			return f.members[k].CreatedAt.UTC().Format(metaTimeLayout)
		case "u":
			return f.members[k].UpdatedAt.UTC().Format(metaTimeLayout)
		case "g":
			return f.groups[k].ID
		case "G":
			return strings.ToUpper(f.groups[k].ID)
		default:
			return f.groups[k].CreatedAt.UTC().Format(metaTimeLayout)
		}
	})
}

// updateDiffFixtures changes the differential's fixtures through every
// kind of write, keeping the suite's bookkeeping in step: member updates
// (userName, emails, title, externalId set and cleared, active, status,
// the account email of a member without a document, enterprise
// attributes), a member deletion, a group rename, membership adds and
// removes (by id and by filter), and a group deletion.
func updateDiffFixtures(t *testing.T, e *env, f *diffFixtures) {
	t.Helper()
	ctx := e.ctx
	later := diffEpoch().AddDate(0, 2, 0)
	n := 0
	next := func() time.Time {
		n++
		return later.Add(time.Duration(n) * 1500 * time.Millisecond)
	}
	update := func(k int, change func(m *core.Member, doc map[string]any)) {
		t.Helper()
		m := f.members[k]
		prev := m.Version
		doc := scim.Clone(m.Doc)
		if doc == nil {
			doc = map[string]any{}
		}
		change(&m, doc)
		if m.Doc != nil {
			doc["userName"] = m.UserName
			if m.ExternalID != "" {
				doc["externalId"] = m.ExternalID
			} else {
				delete(doc, "externalId")
			}
			doc["active"] = m.Active
			m.Doc = doc
		}
		m.Version, m.UpdatedAt = prev+1, next()
		e.tx(t, "UpdateMember "+m.UserName, func(tx store.Tx) error { return tx.UpdateMember(ctx, m, prev) })
		f.members[k] = m
	}
	ent := scim.EnterpriseUserSchema
	update(fxAlice, func(m *core.Member, doc map[string]any) {
		m.UserName = "Alice.Liddell"
		doc["emails"] = []any{map[string]any{"value": "alice@new.example", "type": "work", "primary": true}}
		doc["title"] = "Staff Engineer"
	})
	update(fxBob, func(m *core.Member, doc map[string]any) {
		m.Active, m.Status, m.ExternalID = true, core.StatusActive, "bob-ext"
	})
	update(fxKitchenSink, func(m *core.Member, doc map[string]any) {
		delete(doc, "phoneNumbers")
		delete(doc, "addresses")
		doc[ent].(map[string]any)["department"] = "Ops"
	})
	update(fxAdmin, func(m *core.Member, doc map[string]any) {
		m.Email = "root@example.com" // shown as its email: it has no document
	})
	update(fxInvited, func(m *core.Member, doc map[string]any) { m.Status = core.StatusActive })
	update(fxExtLower, func(m *core.Member, doc map[string]any) { m.ExternalID = "" })
	update(fxEmptyTitle, func(m *core.Member, doc map[string]any) {
		doc["title"] = "Now Titled"
		doc["emails"] = []any{map[string]any{"value": "Empty@Example.com"}}
	})
	update(fxGenerated+2, func(m *core.Member, doc map[string]any) {
		delete(doc, ent)
		delete(doc, "emails")
		m.Active, m.Status = false, core.StatusDeactivated
	})

	// Delete a member that is in groups.
	gone := f.members[fxGenerated+5]
	e.tx(t, "DeleteMember", func(tx store.Tx) error { return tx.DeleteMember(ctx, f.team.ID, gone.ID) })
	f.deleted[gone.ID] = true
	for gid, refs := range f.groupMembers {
		f.groupMembers[gid] = slicesDelete(refs, gone.ID)
	}

	// Membership changes.
	alice, bob, sink := f.members[fxAlice], f.members[fxBob], f.members[fxKitchenSink]
	_, eng := f.group(t, "Engineering")
	e.tx(t, "RemoveGroupMembers", func(tx store.Tx) error {
		_, err := tx.RemoveGroupMembers(ctx, f.team.ID, eng.ID, []string{alice.ID})
		return err
	})
	f.groupMembers[eng.ID] = slicesDelete(f.groupMembers[eng.ID], alice.ID)
	bobRef := core.GroupMember{Value: bob.ID, Display: "Bob", Type: typeUser}
	e.addToGroup(t, f.team.ID, eng.ID, bobRef)
	f.groupMembers[eng.ID] = append(f.groupMembers[eng.ID], bobRef)
	sortRefs(f.groupMembers[eng.ID])

	_, empty := f.group(t, "Empty")
	e.addToGroup(t, f.team.ID, empty.ID, userRef(sink))
	f.groupMembers[empty.ID] = []core.GroupMember{userRef(sink)}

	_, emea := f.group(t, "Sales EMEA")
	e.tx(t, "RemoveGroupMembersWhere", func(tx store.Tx) error {
		_, err := tx.RemoveGroupMembersWhere(ctx, f.team.ID, emea.ID, eqStr("type", typeGroup))
		return err
	})
	var users []core.GroupMember
	for _, r := range f.groupMembers[emea.ID] {
		if r.Type == typeUser {
			users = append(users, r)
		}
	}
	f.groupMembers[emea.ID] = users

	// Rename a group; delete another.
	k, sales := f.group(t, "Sales")
	renamed := sales
	renamed.DisplayName, renamed.ExternalID = "Revenue", "rev-1"
	renamed.Doc = map[string]any{"displayName": "Revenue", "externalId": "rev-1"}
	renamed.Version, renamed.UpdatedAt = sales.Version+1, next()
	e.tx(t, "UpdateGroup", func(tx store.Tx) error { return tx.UpdateGroup(ctx, renamed, sales.Version) })
	f.groups[k] = renamed

	_, support := f.group(t, "Support")
	e.tx(t, "DeleteGroup", func(tx store.Tx) error { return tx.DeleteGroup(ctx, f.team.ID, support.ID) })
	f.deleted[support.ID] = true
	delete(f.groupMembers, support.ID)
}

// slicesDelete returns refs without the member with the given value.
func slicesDelete(refs []core.GroupMember, value string) []core.GroupMember {
	var out []core.GroupMember
	for _, r := range refs {
		if r.Value != value {
			out = append(out, r)
		}
	}
	return out
}
