package storetest

import (
	"errors"
	"fmt"
	"sort"
	"testing"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/scim/filter"
	"github.com/rosterhq/roster/internal/store"
)

// diffCase is one filter of the differential. want, when set, is the
// expected result by userName (Users) or displayName (Groups), written by
// hand to check the oracle itself.
type diffCase struct {
	filter string
	want   []string
}

// userFilters are run against /Users. Templates use the placeholders of
// diffFixtures.expand.
func userFilters() []diffCase {
	const ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	const roster = "urn:ietf:params:scim:schemas:extension:roster:2.0:User"
	return []diffCase{
		// userName: caseExact=false.
		{`userName eq "alice"`, []string{"alice"}},
		{`userName eq "ALICE"`, []string{"alice"}},
		{`USERNAME EQ "Alice"`, []string{"alice"}},
		{`userName ne "alice"`, nil},
		{`userName co "smith"`, []string{"ALICE.Smith@Example.com"}},
		{`userName sw "USER0"`, nil},
		{`userName ew "@CORP.EXAMPLE"`, nil},
		{`userName gt "user20"`, nil},
		{`userName ge "user20@corp.example"`, nil},
		{`userName lt "b"`, []string{"a_b", "abc", "admin", "alice", "ALICE.Smith@Example.com"}},
		{`userName le "bob"`, nil},
		{`userName co "%"`, []string{"percent%user"}},
		{`userName sw "a_"`, []string{"a_b"}},
		{`userName co "_"`, []string{"a_b"}},
		{`userName eq "o\"brien"`, []string{`o"brien`}},
		{`userName co "\\"`, []string{`back\slash`}},
		{`userName eq "émile.zola"`, []string{"Émile.Zola"}},
		{`userName sw "ÉMILE"`, []string{"Émile.Zola"}},
		{`userName pr`, nil},
		{`not (userName pr)`, []string{}},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "BOB"`, []string{"bob"}},
		// id and externalId: caseExact=true.
		{`id eq "{m3}"`, []string{`o"brien`}},
		{`id eq "{M3}"`, []string{}},
		{`id ne "{m3}"`, nil},
		{`id gt "{m30}"`, nil},
		{`externalId eq "ext-001"`, []string{"ext.case.lower"}},
		{`externalId eq "EXT-001"`, []string{"ext.case.upper"}},
		{`externalId sw "okta"`, nil},
		{`externalId pr`, nil},
		{`not (externalId pr)`, nil},
		// active: boolean.
		{`active eq true`, nil},
		{`active eq false`, nil},
		{`active ne true`, nil},
		{`active pr`, nil},
		// Simple strings, present or absent.
		{`title eq "Engineer"`, nil},
		{`title eq "engineer"`, nil},
		{`title ne "Engineer"`, nil},
		{`not (title eq "Engineer")`, nil},
		{`title co "engineer"`, nil},
		{`title pr`, nil},
		{`not (title pr)`, nil},
		{`active eq true and (emails pr or externalId pr)`, nil},
		{`title eq null`, nil},
		{`title ne null`, nil},
		{`title co "%"`, []string{"percent%user"}},
		{`title co "\""`, []string{`o"brien`}},
		{`title ew "\\temp"`, []string{`back\slash`}},
		{`title sw "é"`, []string{"Émile.Zola"}},
		{`nickName eq "a_b"`, []string{"a_b"}},
		{`userType eq "CONTRACTOR"`, nil},
		{`displayName co "émile"`, []string{"Émile.Zola"}},
		{`userName eq "ilker.çelik"`, []string{"İlker.Çelik"}},
		{`userName eq "i̇lker.çelik"`, []string{}},
		{`userName sw "ILKER"`, []string{"İlker.Çelik"}},
		{`name.givenName eq "İLKER"`, []string{"İlker.Çelik"}},
		{`name.givenName eq "ilker"`, []string{"İlker.Çelik"}},
		{`title co "istanbul"`, []string{"İlker.Çelik"}},
		{`title sw "i̇stanbul"`, []string{}},
		{`name.familyName eq "ÇELIK"`, []string{"İlker.Çelik"}},
		// Sub-attributes of a single complex attribute.
		{`name.givenName eq "alice"`, []string{"alice", "ALICE.Smith@Example.com"}},
		{`name.familyName sw "S"`, nil},
		{`name.familyName eq "müller"`, nil},
		{`name.givenName pr`, nil},
		{`not (name.familyName pr)`, nil},
		{`name.familyName lt "c"`, nil},
		{`name.middleName eq "q"`, []string{"kitchen.sink"}},
		{`name pr`, nil},
		{`name[givenName eq "Ann" and familyName pr]`, nil},
		// Multi-valued emails.
		{`emails.value eq "alice@example.com"`, []string{"alice"}},
		{`emails.value eq "ALICE@EXAMPLE.COM"`, []string{"alice"}},
		{`emails eq "alice@example.com"`, []string{"alice"}},
		{`emails co "example.com"`, nil},
		{`emails.value ew "@home.example"`, nil},
		{`emails[type eq "work"].value eq "alice@example.com"`, []string{"alice"}},
		{`emails[type eq "work"].value eq "alice@home.example"`, []string{}},
		{`emails[type eq "work" and value ew "corp.example"]`, nil},
		{`emails[primary eq true]`, nil},
		{`emails[primary eq true and type eq "home"]`, nil},
		{`emails[not (type eq "work")]`, nil},
		{`emails[type eq "work" or primary eq true].value co "CORP"`, nil},
		{`emails.type eq "other"`, nil},
		{`emails.primary eq false`, nil},
		{`emails.primary ne true`, nil},
		{`not (emails[type eq "work"])`, nil},
		{`emails[value sw "alice" or value sw "bob"]`, []string{"alice", "ALICE.Smith@Example.com", "bob"}},
		{`name.familyName eq ""`, nil},
		{`name.givenName ne ""`, nil},
		{`emails pr`, nil},
		{`not (emails pr)`, nil},
		{`emails.value ne "alice@example.com"`, nil},
		{`emails.value eq "admin@example.com"`, []string{"admin"}},
		{`emails[type eq "work"].value eq "ADMIN@example.com"`, []string{"admin"}},
		// Other multi-valued attributes.
		{`phoneNumbers.value co "555"`, []string{"kitchen.sink"}},
		{`addresses[type eq "work" and country eq "de"]`, []string{"kitchen.sink"}},
		{`addresses.locality eq "berlin"`, []string{"kitchen.sink"}},
		{`roles[primary eq true].value eq "ADMIN"`, []string{"kitchen.sink"}},
		{`roles pr`, []string{"kitchen.sink"}},
		{`x509Certificates.value eq "TUlJQ0FURQ=="`, []string{"kitchen.sink"}},
		{`x509Certificates.value eq "tuljq0fursq=="`, []string{}},
		{`profileUrl sw "HTTPS://PROFILES"`, []string{"kitchen.sink"}},
		// Enterprise extension, qualified or not.
		{`` + ent + `:employeeNumber eq "1001"`, []string{"alice"}},
		{`` + ent + `:department eq "engineering"`, nil},
		{`department co "SUP"`, nil},
		{`employeeNumber gt "0500"`, nil},
		{`` + ent + `:manager.value eq "{m0}"`, nil},
		{`` + ent + `:manager eq "{m0}"`, nil},
		{`` + ent + `:manager.value eq "{M0}"`, nil}, // manager.value is caseExact=false
		{`` + ent + `:manager.displayName eq "alice liddell"`, []string{"ALICE.Smith@Example.com"}},
		{`` + ent + `:manager pr`, nil},
		{`` + ent + `:department pr`, nil},
		{`` + ent + `:costCenter sw "cc-"`, nil},
		{`not (` + ent + `:employeeNumber pr)`, nil},
		{`schemas eq "` + ent + `"`, nil},
		// The Roster extension: read-only state from the member's columns.
		{`` + roster + `:status eq "invited"`, []string{"invited.person"}},
		{`` + roster + `:status eq "INVITED"`, []string{}},
		{`` + roster + `:status eq "deactivated"`, nil},
		{`invitationPending eq true`, []string{"invited.person"}},
		// meta: dateTime and strings.
		{`meta.created gt "2024-03-10T00:00:00Z"`, nil},
		{`meta.created ge "{c5}"`, nil},
		{`meta.created eq "{c5}"`, nil},
		{`meta.created eq "{c20}"`, nil},
		{`meta.created lt "2024-03-05T01:00:00+01:00"`, nil},
		{`meta.created le "2024-03-04T20:00:00.125-04:00"`, nil},
		{`meta.lastModified gt "2024-03-15T00:00:00.5Z"`, nil},
		{`meta.lastModified le "{u17}"`, nil},
		{`meta.lastModified ne "{u17}"`, nil},
		{`meta.created pr`, nil},
		{`meta.resourceType eq "User"`, nil},
		{`meta.resourceType eq "user"`, []string{}},
		{`meta.version eq "W/\"2\""`, nil},
		{`meta.created ne "{c5}"`, nil},
		{`id pr`, nil},
		{`schemas eq "urn:ietf:params:scim:schemas:core:2.0:user"`, nil},
		{`schemas eq "` + roster + `"`, nil},
		// groups: read-only, from membership rows.
		{`groups.value eq "{g0}"`, nil},
		{`groups eq "{g4}"`, []string{"bob"}},
		{`groups.display eq "ENGINEERING"`, nil},
		{`groups[display sw "sales"]`, nil},
		{`groups pr`, nil},
		{`groups.type eq "DIRECT"`, nil},
		{`not (groups pr)`, nil},
		// Logic.
		{`userName eq "alice" or userName eq "bob"`, []string{"alice", "bob"}},
		{`userName eq "alice" and userName eq "bob"`, []string{}},
		{`userName sw "user" and active eq false`, nil},
		{`(title eq "Manager" or title eq "Engineer") and not (active eq false)`, nil},
		{`not (userName sw "user" or emails pr)`, nil},
		{`title pr and not (title co "engineer")`, nil},
		{`not (not (active eq true))`, nil},
		{`emails[type eq "work"].value eq "alice@example.com" and active eq true`, []string{"alice"}},
		{`externalId eq "okta-03" or (userType eq "employee" and name.familyName eq "smith")`, nil},
		// What Check rejects: a store answers invalidFilter, or exactly
		// what Match says (false for the term).
		{`foo eq "x"`, []string{}},
		{`not (foo eq "x")`, nil},
		{`name.nonexistent pr`, []string{}},
		{`active gt true`, []string{}},
		{`meta.created co "2024"`, []string{}},
		{`title eq 5`, []string{}},
		{`urn:example:unknown:2.0:User:foo eq "x"`, []string{}},
		{`name eq "x"`, []string{}},
		{`password pr`, []string{}},
	}
}

// groupFilters are run against /Groups.
func groupFilters() []diffCase {
	return []diffCase{
		{`displayName eq "engineering"`, []string{"Engineering"}},
		{`displayName eq "ENGINEERING"`, []string{"Engineering"}},
		{`displayName co "sales"`, []string{"Sales", "Sales EMEA"}},
		{`displayName sw "Sales "`, []string{"Sales EMEA"}},
		{`displayName ew "CLUB"`, []string{"100% Club"}},
		{`displayName co "%"`, []string{"100% Club"}},
		{`displayName co "_"`, []string{"under_score"}},
		{`displayName co "\""`, []string{`Quote "Q"`}},
		{`displayName gt "m"`, nil},
		{`displayName ne "Support"`, nil},
		{`displayName eq "émigrés"`, []string{"Émigrés"}},
		{`displayName pr`, nil},
		{`urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "sales"`, []string{"Sales"}},
		{`id eq "{g3}"`, []string{"Sales EMEA"}},
		{`id eq "{G3}"`, []string{}},
		{`externalId eq "okta-grp-1"`, []string{"Engineering"}},
		{`externalId eq "OKTA-GRP-1"`, []string{"Contractors"}},
		{`not (externalId pr)`, nil},
		{`members.value eq "{m0}"`, []string{"All Users", "Engineering", "Nested Parent", "engineering-oncall"}},
		{`members eq "{m0}"`, []string{"All Users", "Engineering", "Nested Parent", "engineering-oncall"}},
		{`members[value eq "{m0}"]`, []string{"All Users", "Engineering", "Nested Parent", "engineering-oncall"}},
		{`members.value eq "{M0}"`, []string{}},
		{`members.value eq "{g12}"`, []string{"Nested Parent"}},
		{`members[type eq "Group"]`, []string{"Nested Parent", "Sales EMEA"}},
		{`members.type eq "user"`, nil},
		{`members.display eq "ALICE"`, nil},
		{`members[type eq "User" and display co "li"]`, nil},
		{`members.display pr`, nil},
		{`members pr`, nil},
		{`not (members pr)`, []string{"Empty"}},
		{`members.value ne "{m0}"`, nil},
		{`members.value eq "{m0}" or members.value eq "{m2}"`, []string{"All Users", "Engineering", "Nested Parent", "Support", "engineering-oncall"}},
		{`members.value eq "{m0}" and members.value eq "{m2}"`, []string{"All Users", "engineering-oncall"}},
		{`meta.created lt "{gc5}"`, nil},
		{`meta.lastModified ge "2024-03-02T00:00:00Z"`, nil},
		{`meta.created eq "{gc7}"`, []string{"100% Club"}},
		{`meta.version eq "W/\"2\""`, nil},
		{`meta.resourceType eq "Group"`, nil},
		{`members.type eq "Group"`, []string{"Nested Parent", "Sales EMEA"}},
		{`members[not (type eq "User")]`, []string{"Nested Parent", "Sales EMEA"}},
		{`members[display eq "alice liddell"]`, nil},
		{`displayName pr and not (members pr)`, []string{"Empty"}},
		{`foo pr`, []string{}},
		{`members.foo eq "x"`, []string{}},
		{`not (members[foo eq "x"])`, nil},
	}
}

// invalidFilterAllowed lists the filters that filter.Check accepts and
// that a store may nevertheless reject with invalidFilter, with the reason.
// Keep it empty: every accepted filter must compile to SQL.
func invalidFilterAllowed() map[string]string {
	return map[string]string{}
}

// testFilterDifferential runs every filter through the store (Members or
// Groups with Query.Filter) and through filter.Match over the documents
// the SCIM layer serves (userResource, groupResource), and requires the
// same ids. A store may refuse a filter with KindInvalid/"invalidFilter"
// only when filter.Check refuses it too, or when invalidFilterAllowed lists
// it; any other error fails.
//
// It runs twice: on the fixtures as created, and again after updates,
// deletions, renames and membership changes (updateDiffFixtures), so that
// whatever a backend keeps beside the document (folded columns, email
// rows, membership rows) is checked to follow every write.
func testFilterDifferential(t *testing.T, e *env) {
	f := buildDiffFixtures(t, e)
	t.Run("Created", func(t *testing.T) { runDifferential(t, e, f, true) })
	updateDiffFixtures(t, e, f)
	t.Run("AfterUpdates", func(t *testing.T) { runDifferential(t, e, f, false) })
	t.Run("Sorting", func(t *testing.T) { runSortDifferential(t, e, f) })
}

// runDifferential runs userFilters and groupFilters over the current
// fixtures; hand checks the hand-written expectations, which hold for the
// fixtures as created only.
func runDifferential(t *testing.T, e *env, f *diffFixtures, hand bool) {
	allowed := invalidFilterAllowed()

	userDocs := map[string]map[string]any{}
	userName := map[string]string{}
	for _, m := range f.members {
		if f.deleted[m.ID] {
			continue
		}
		userDocs[m.ID] = userResource(m, f.memberGroups(m.ID))
		userName[m.ID] = m.UserName
	}
	groupDocs := map[string]map[string]any{}
	groupName := map[string]string{}
	for _, g := range f.groups {
		if f.deleted[g.ID] {
			continue
		}
		groupDocs[g.ID] = groupResource(g, f.groupMembers[g.ID])
		groupName[g.ID] = g.DisplayName
	}

	var ran, empty, full int
	run := func(t *testing.T, rt *scim.ResourceType, dc diffCase, docs map[string]map[string]any, names map[string]string,
		query func(filter.Expr) ([]string, int, error)) {
		t.Helper()
		src := f.expand(dc.filter)
		expr, err := filter.Parse(src)
		if err != nil {
			t.Errorf("filter %s does not parse (suite bug): %v", src, err)
			return
		}
		checkErr := filter.Check(rt, expr)
		var want []string
		for id, doc := range docs {
			if filter.Match(rt, expr, doc) {
				want = append(want, id)
			}
		}
		sort.Strings(want)
		ran++
		switch len(want) {
		case 0:
			empty++
		case len(docs):
			full++
		}
		if hand && dc.want != nil {
			if d := diff(sorted(dc.want), sortedNames(want, names)); d != "" {
				t.Errorf("oracle: filter.Match of %s disagrees with the suite's hand-written expectation (-hand +Match):\n%s", src, d)
			}
		}

		got, total, err := query(expr)
		var ce *core.Error
		switch {
		case err != nil && errors.As(err, &ce) && ce.Kind == core.KindInvalid && ce.Code == scim.ErrInvalidFilter:
			if checkErr != nil {
				return // both refuse it
			}
			if why, ok := allowed[dc.filter]; ok {
				t.Logf("allow-listed: store refuses %s (%s)", src, why)
				return
			}
			t.Errorf("store refuses %s with invalidFilter, but filter.Check accepts it: %v", src, err)
		case err != nil:
			t.Errorf("store fails on %s: %s", src, describeErr(err))
		default:
			sort.Strings(got)
			if total != len(got) {
				t.Errorf("filter %s: Total %d, %d items", src, total, len(got))
			}
			if d := diff(want, got); d != "" {
				t.Errorf("filter %s (canonical %s): store and filter.Match disagree%s\n  only Match: %v\n  only store: %v",
					src, expr.String(), checkNote(checkErr), namesOf(minus(want, got), names), namesOf(minus(got, want), names))
			}
		}
	}

	t.Run("Users", func(t *testing.T) {
		rt := scim.UserType()
		for _, dc := range userFilters() {
			run(t, rt, dc, userDocs, userName, func(x filter.Expr) ([]string, int, error) {
				p, err := e.s.Members(e.ctx, f.team.ID, store.Query{Filter: x, Count: 10000})
				return memberIDs(p.Items), p.Total, err
			})
		}
	})
	t.Run("Groups", func(t *testing.T) {
		rt := scim.GroupType()
		for _, dc := range groupFilters() {
			run(t, rt, dc, groupDocs, groupName, func(x filter.Expr) ([]string, int, error) {
				p, err := e.s.Groups(e.ctx, f.team.ID, store.Query{Filter: x, Count: 10000})
				return groupIDs(p.Items), p.Total, err
			})
		}
	})
	t.Logf("filter differential: %d filters over %d users and %d groups (%d match nothing, %d match everything)",
		ran, len(userDocs), len(groupDocs), empty, full)
	if ran < 80 {
		t.Errorf("the differential ran %d filters, want at least 80", ran)
	}
}

// checkNote explains a disagreement on a filter that Check rejects.
func checkNote(err error) string {
	if err == nil {
		return ""
	}
	return fmt.Sprintf(" (filter.Check rejects it: %v; the store must then answer invalidFilter or exactly what Match says)", err)
}

// minus returns the ids of a that are not in b.
func minus(a, b []string) []string {
	in := map[string]bool{}
	for _, x := range b {
		in[x] = true
	}
	var out []string
	for _, x := range a {
		if !in[x] {
			out = append(out, x)
		}
	}
	return out
}

// namesOf renders ids with their names.
func namesOf(ids []string, names map[string]string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		n, ok := names[id]
		if !ok {
			n = "NOT A FIXTURE OF THIS TEAM"
		}
		out = append(out, fmt.Sprintf("%q (%s)", n, id))
	}
	return out
}

// sortedNames maps ids to names and sorts them.
func sortedNames(ids []string, names map[string]string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, names[id])
	}
	sort.Strings(out)
	return out
}
