package filter

import (
	"encoding/json"
	"testing"

	"github.com/rosterhq/roster/internal/scim"
)

const (
	bjensenID = "2819c223-7f76-453a-919d-413861904646"
	managerID = "26118915-6090-4610-87e4-49d8ca9f808d"
)

// bjensen is the canonical document of RFC 7643 §8.2's full User, trimmed.
func bjensen() map[string]any {
	return map[string]any{
		"schemas":     []any{scim.UserSchema, scim.EnterpriseUserSchema},
		"id":          bjensenID,
		"externalId":  "bjensen-ext",
		"userName":    "bjensen@example.com",
		"name":        map[string]any{"formatted": "Ms. Barbara J Jensen, III", "familyName": "O'Malley", "givenName": "Barbara"},
		"displayName": "Babs Jensen",
		"title":       "Tour Guide",
		"userType":    "Employee",
		"active":      true,
		"emails": []any{
			map[string]any{"value": "bjensen@example.com", "type": "work", "primary": true},
			map[string]any{"value": "babs@jensen.org", "type": "home"},
		},
		"ims":              []any{map[string]any{"value": "babs@foo.com", "type": "xmpp"}},
		"addresses":        []any{map[string]any{"type": "work", "locality": "Hollywood", "streetAddress": "100 Universal City Plaza"}},
		"x509Certificates": []any{map[string]any{"value": "MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx"}},
		"meta": map[string]any{
			"resourceType": "User",
			"created":      "2010-01-23T04:56:22Z",
			"lastModified": "2011-05-13T04:42:34Z",
			"version":      `W/"a330bc54f0671c9"`,
		},
		scim.EnterpriseUserSchema: map[string]any{
			"employeeNumber": "701984",
			"costCenter":     "4130",
			"manager":        map[string]any{"value": managerID, "displayName": "John Smith"},
		},
	}
}

// sparse is a User with little more than a userName.
func sparse() map[string]any {
	return map[string]any{
		"schemas":  []any{scim.UserSchema},
		"id":       "b2",
		"userName": "Sparse",
		"title":    "",
		"nickName": nil,
		"active":   false,
		"emails":   []any{},
		"phoneNumbers": []any{
			map[string]any{},
			map[string]any{"type": ""},
		},
		"name": map[string]any{"givenName": ""},
		"meta": map[string]any{"lastModified": "yesterday"},
	}
}

func engineering() map[string]any {
	return map[string]any{
		"schemas":     []any{scim.GroupSchema},
		"id":          "g1",
		"displayName": "Engineering",
		"members": []any{
			map[string]any{"value": "id1", "type": "User", "display": "Ann"},
			map[string]any{"value": "id2", "display": "Bob"},
		},
	}
}

// deviceType is a small inline resource type with the attribute types
// that User and Group lack: integer, decimal, multi-valued simple ones.
func deviceType() *scim.ResourceType {
	str := func(name string, caseExact, multi bool) *scim.Attribute {
		return &scim.Attribute{Name: name, Type: scim.TypeString, CaseExact: caseExact, MultiValued: multi}
	}
	return &scim.ResourceType{
		ID: "Device", Name: "Device", Endpoint: "/Devices",
		Schema: &scim.Schema{ID: "urn:example:Device", Attributes: []*scim.Attribute{
			str("id", true, false),
			{Name: "count", Type: scim.TypeInteger},
			{Name: "big", Type: scim.TypeInteger},
			{Name: "score", Type: scim.TypeDecimal},
			{Name: "sizes", Type: scim.TypeInteger, MultiValued: true},
			str("tags", false, true),
			str("codes", true, true),
			{Name: "flags", Type: scim.TypeBoolean, MultiValued: true},
			{Name: "seen", Type: scim.TypeDateTime, MultiValued: true},
			{Name: "blob", Type: scim.TypeBinary, CaseExact: true},
		}},
	}
}

func device() map[string]any {
	return map[string]any{
		"id":    "d1",
		"count": int64(3),
		"big":   int64(9007199254740993), // 2^53+1: not a float64
		"score": 2.5,
		"sizes": []any{int64(1), int64(10)},
		"tags":  []any{"Red", "blue"},
		"codes": []any{"AB", "cd"},
		"flags": []any{false, true},
		"seen":  []any{"2020-01-01T00:00:00Z", "2021-06-01T12:00:00.5+02:00"},
		"blob":  "AAEC",
	}
}

func TestMatch(t *testing.T) {
	user, group, dev := scim.UserType(), scim.GroupType(), deviceType()
	tests := []struct {
		filter string
		rt     *scim.ResourceType
		doc    map[string]any
		want   bool
	}{
		// RFC 7644 §3.4.2.2 examples.
		{`userName eq "bjensen@example.com"`, user, bjensen(), true},
		{`name.familyName co "O'Malley"`, user, bjensen(), true},
		{`userName sw "J"`, user, bjensen(), false},
		{`userName sw "b"`, user, bjensen(), true},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName sw "BJ"`, user, bjensen(), true},
		{`title pr`, user, bjensen(), true},
		{`meta.lastModified gt "2011-05-13T04:42:34Z"`, user, bjensen(), false},
		{`meta.lastModified ge "2011-05-13T04:42:34Z"`, user, bjensen(), true},
		{`meta.lastModified lt "2011-05-13T04:42:34Z"`, user, bjensen(), false},
		{`meta.lastModified le "2011-05-13T04:42:34Z"`, user, bjensen(), true},
		{`title pr and userType eq "Employee"`, user, bjensen(), true},
		{`title pr or userType eq "Intern"`, user, sparse(), false},
		{`schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`, user, bjensen(), true},
		{`schemas eq "URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER"`, user, bjensen(), true},
		{`schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`, user, sparse(), false},
		{`userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`, user, bjensen(), true},
		{`userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")`, user, bjensen(), false},
		{`userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")`, user, sparse(), true},
		{`userType eq "Employee" and (emails.type eq "work")`, user, bjensen(), true},
		{`userType eq "Employee" and emails[type eq "work" and value co "@example.com"]`, user, bjensen(), true},
		{`emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`, user, bjensen(), true},

		// Okta and Entra ID lookups.
		{`userName eq "BJENSEN@EXAMPLE.COM"`, user, bjensen(), true},
		{`userName eq "bjensen@example.org"`, user, bjensen(), false},
		{`externalId eq "bjensen-ext"`, user, bjensen(), true},
		{`id eq "` + bjensenID + `"`, user, bjensen(), true},
		{`displayName eq "babs jensen"`, user, bjensen(), true},
		{`emails[type eq "work"].value eq "bjensen@example.com"`, user, bjensen(), true},
		{`emails[type eq "work"].value eq "babs@jensen.org"`, user, bjensen(), false},
		{`userName eq "bjensen@example.com" and externalId eq "bjensen-ext"`, user, bjensen(), true},
		{`userName eq "bjensen@example.com" and externalId eq "other"`, user, bjensen(), false},
		{`displayName eq "Engineering"`, group, engineering(), true},

		// caseExact (RFC 7644 §3.4.2.2, RFC 7643 §2.2).
		{`USERNAME EQ "BJensen@Example.COM"`, user, bjensen(), true},
		{`userName co "@EXAMPLE"`, user, bjensen(), true},
		{`userName ew "EXAMPLE.COM"`, user, bjensen(), true},
		{`userName gt "BA"`, user, bjensen(), true},
		{`userName lt "C"`, user, bjensen(), true},
		{`id eq "2819C223-7F76-453A-919D-413861904646"`, user, bjensen(), false},
		{`id sw "2819c"`, user, bjensen(), true},
		{`id lt "A"`, user, bjensen(), true},
		{`externalId eq "BJENSEN-EXT"`, user, bjensen(), false},
		{`meta.resourceType eq "user"`, user, bjensen(), false},
		{`emails.type eq "WORK"`, user, bjensen(), true},
		{`members.value eq "ID2"`, group, engineering(), false},
		{`members.display eq "bob"`, group, engineering(), true},
		{`codes eq "ab"`, dev, device(), false},
		{`codes eq "AB"`, dev, device(), true},
		{`tags eq "RED"`, dev, device(), true},
		{`tags gt "c"`, dev, device(), true},

		// dateTime: compared as instants.
		{`meta.lastModified eq "2011-05-13T06:42:34+02:00"`, user, bjensen(), true},
		{`meta.lastModified eq "2011-05-13T04:42:34.000Z"`, user, bjensen(), true},
		{`meta.lastModified gt "2011-05-13T04:42:33.999Z"`, user, bjensen(), true},
		{`meta.lastModified ne "2011-05-13T04:42:34Z"`, user, bjensen(), false},
		{`meta.lastModified gt "2000-01-01T00:00:00Z"`, user, sparse(), false},
		{`meta.lastModified eq "2000-01-01T00:00:00Z"`, user, sparse(), false},
		{`meta.lastModified ne "2000-01-01T00:00:00Z"`, user, sparse(), true},
		{`meta.lastModified pr`, user, sparse(), true},
		{`meta.lastModified gt "yesterday"`, user, bjensen(), false},
		{`meta.lastModified ne "yesterday"`, user, bjensen(), false},
		{`meta.lastModified co "2011"`, user, bjensen(), false},
		{`seen gt "2021-06-01T10:00:00Z"`, dev, device(), true},
		{`seen gt "2021-06-01T10:00:00.5Z"`, dev, device(), false},
		{`seen eq "2021-06-01T10:00:00.5Z"`, dev, device(), true},

		// integer and decimal.
		{`count eq 3`, dev, device(), true},
		{`count eq 3.0`, dev, device(), true},
		{`count eq 3e0`, dev, device(), true},
		{`count gt 2.5`, dev, device(), true},
		{`count ge 3`, dev, device(), true},
		{`count lt 3`, dev, device(), false},
		{`count le -1`, dev, device(), false},
		{`count ne 4`, dev, device(), true},
		{`count eq "3"`, dev, device(), false},
		{`count co 3`, dev, device(), false},
		{`big eq 9007199254740993`, dev, device(), true},
		{`big eq 9007199254740992`, dev, device(), false},
		{`big gt 9007199254740992`, dev, device(), true},
		{`score eq 2.5`, dev, device(), true},
		{`score gt 2`, dev, device(), true},
		{`score lt 1e1`, dev, device(), true},
		{`score eq 2.50`, dev, device(), true},
		{`sizes gt 5`, dev, device(), true},
		{`sizes gt 50`, dev, device(), false},
		{`count eq 3`, dev, map[string]any{"count": 3}, true},
		{`count eq 3`, dev, map[string]any{"count": float64(3)}, true},
		{`count eq 3`, dev, map[string]any{"count": json.Number("3")}, true},
		{`count eq 3`, dev, map[string]any{"count": "3"}, false},
		{`count lt 3`, dev, map[string]any{"count": uint64(1 << 63)}, false},

		// boolean: eq and ne only.
		{`active eq true`, user, bjensen(), true},
		{`active eq false`, user, bjensen(), false},
		{`active ne false`, user, bjensen(), true},
		{`active eq TRUE`, user, bjensen(), true},
		{`active gt false`, user, bjensen(), false},
		{`active eq "true"`, user, bjensen(), false},
		{`active eq false`, user, sparse(), true},
		{`active pr`, user, sparse(), true},
		{`flags eq true`, dev, device(), true},
		{`flags ne false`, dev, device(), false},
		{`blob eq "AAEC"`, dev, device(), true},
		{`blob eq "aaec"`, dev, device(), false},
		{`blob gt "A"`, dev, device(), false},

		// Multi-valued attributes: any value; complex ones through "value".
		{`emails eq "babs@jensen.org"`, user, bjensen(), true},
		{`emails co "example.com"`, user, bjensen(), true},
		{`emails co "example.org"`, user, bjensen(), false},
		{`emails.value eq "babs@jensen.org"`, user, bjensen(), true},
		{`emails.type eq "home"`, user, bjensen(), true},
		{`emails.type eq "other"`, user, bjensen(), false},
		{`members eq "id2"`, group, engineering(), true},
		{`members eq "id3"`, group, engineering(), false},
		{`members.type eq "User"`, group, engineering(), true},
		{`manager eq "` + managerID + `"`, user, bjensen(), true},
		{`x509Certificates eq "MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx"`, user, bjensen(), true},

		// ne is not eq, on every attribute.
		{`emails.value ne "babs@jensen.org"`, user, bjensen(), false},
		{`emails.value ne "nobody@example.com"`, user, bjensen(), true},
		{`emails ne "x"`, user, sparse(), true},
		{`nickName ne "x"`, user, bjensen(), true},
		{`userName ne "BJENSEN@example.com"`, user, bjensen(), false},
		{`members ne "id1"`, group, engineering(), false},

		// Value filters.
		{`emails[type eq "home" and value co "@example.com"]`, user, bjensen(), false},
		{`emails[not (type eq "work")]`, user, bjensen(), true},
		{`emails[primary eq true]`, user, bjensen(), true},
		{`emails[primary eq false]`, user, bjensen(), false},
		{`emails[primary ne true]`, user, bjensen(), true},
		{`emails[value pr]`, user, bjensen(), true},
		{`emails[display pr]`, user, bjensen(), false},
		{`emails[type eq "work" or (type eq "home" and value ew "@jensen.org")]`, user, bjensen(), true},
		{`emails[type eq "work" or type eq "home"].value eq "babs@jensen.org"`, user, bjensen(), true},
		{`ims[type eq "xmpp" and value co "@foo.com"]`, user, bjensen(), true},
		{`addresses[type eq "work"].locality eq "hollywood"`, user, bjensen(), true},
		{`addresses[type eq "home"]`, user, bjensen(), false},
		{`manager[value eq "` + managerID + `"]`, user, bjensen(), true},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager[displayName sw "john"]`, user, bjensen(), true},
		{`members[value eq "id1" and type eq "User"]`, group, engineering(), true},
		{`members[value eq "id2" and type eq "User"]`, group, engineering(), false},
		{`members[value eq "id2" and not (type pr)]`, group, engineering(), true},
		{`emails[type eq "work"]`, user, sparse(), false},
		{`not (emails[type eq "work"])`, user, sparse(), true},
		{`phoneNumbers[type pr]`, user, sparse(), false},
		{`phoneNumbers[not (type pr)]`, user, sparse(), true},
		{`emails[kind eq "x"]`, user, bjensen(), false},
		{`not (emails[kind eq "x"])`, user, bjensen(), true},
		{`userName[value eq "x"]`, user, bjensen(), false},

		// pr: null, "", [] and {} are absent.
		{`nickName pr`, user, bjensen(), false},
		{`title pr`, user, sparse(), false},
		{`nickName pr`, user, sparse(), false},
		{`emails pr`, user, bjensen(), true},
		{`emails pr`, user, sparse(), false},
		{`emails.value pr`, user, bjensen(), true},
		{`phoneNumbers pr`, user, sparse(), false},
		{`phoneNumbers.type pr`, user, sparse(), false},
		{`name pr`, user, bjensen(), true},
		{`name pr`, user, sparse(), false},
		{`name.givenName pr`, user, sparse(), false},
		{`x509Certificates pr`, user, bjensen(), true},
		{`members pr`, group, engineering(), true},
		{`members pr`, group, map[string]any{"members": []any{}}, false},
		{`tags pr`, dev, map[string]any{"tags": []any{"", nil}}, false},
		{`tags pr`, dev, map[string]any{"tags": []any{"", "x"}}, true},
		{`count pr`, dev, map[string]any{"count": int64(0)}, true},

		// null: "eq null" is "not pr", "ne null" is "pr".
		{`title eq null`, user, bjensen(), false},
		{`title ne null`, user, bjensen(), true},
		{`nickName eq null`, user, bjensen(), true},
		{`title eq null`, user, sparse(), true},
		{`emails eq null`, user, sparse(), true},
		{`emails ne null`, user, bjensen(), true},
		{`emails.display eq null`, user, bjensen(), true},
		{`active eq null`, user, sparse(), false},
		{`name eq null`, user, bjensen(), false},
		{`name ne null`, user, bjensen(), true},
		{`name eq null`, user, sparse(), true},
		{`addresses eq null`, user, sparse(), true},
		{`emails[display eq null]`, user, bjensen(), true},
		{`emails[value eq null]`, user, bjensen(), false},
		{`title gt null`, user, bjensen(), false},

		// not.
		{`not (userName eq "x")`, user, bjensen(), true},
		{`not (title pr)`, user, bjensen(), false},
		{`not (not (title pr))`, user, bjensen(), true},
		{`not (title pr) or not (userName pr)`, user, bjensen(), false},
		{`not (title pr and nickName pr)`, user, bjensen(), true},

		// Unknown attributes: the expression is false, whatever the operator.
		{`foo eq "x"`, user, bjensen(), false},
		{`foo ne "x"`, user, bjensen(), false},
		{`foo pr`, user, bjensen(), false},
		{`foo eq null`, user, bjensen(), false},
		{`not (foo eq "x")`, user, bjensen(), true},
		{`not (foo pr)`, user, bjensen(), true},
		{`name.foo eq "x"`, user, bjensen(), false},
		{`urn:example:foo:userName eq "bjensen@example.com"`, user, bjensen(), false},
		{`userName eq "x" or foo pr`, user, bjensen(), false},
		{`userName eq "bjensen@example.com" or foo pr`, user, bjensen(), true},
		{`userName eq "bjensen@example.com"`, group, bjensen(), false},
		{`name eq "Barbara"`, user, bjensen(), false},
		{`name ne "Barbara"`, user, bjensen(), false},

		// Extension attributes live under the extension URN key.
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"`, user, bjensen(), true},
		{`employeeNumber eq "701984"`, user, bjensen(), true},
		{`EMPLOYEENUMBER eq "701984"`, user, bjensen(), true},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "` + managerID + `"`, user, bjensen(), true},
		{`manager.displayName eq "john smith"`, user, bjensen(), true},
		{`costCenter gt "4000"`, user, bjensen(), true},
		{`employeeNumber pr`, user, sparse(), false},
		{`employeeNumber ne "1"`, user, sparse(), true},
		{`employeeNumber eq "701984"`, user, map[string]any{scim.EnterpriseUserSchema: "701984"}, false},
		{`employeeNumber eq "701984"`, user, map[string]any{"employeeNumber": "701984"}, false},
		{`urn:ietf:params:scim:schemas:extension:roster:2.0:User:status eq "invited"`, user,
			map[string]any{scim.RosterUserSchema: map[string]any{"status": "invited"}}, true},
	}
	for _, tt := range tests {
		e, err := Parse(tt.filter)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.filter, err)
		}
		if got := Match(tt.rt, e, tt.doc); got != tt.want {
			t.Errorf("Match(%s, %q) = %v, want %v", tt.rt.ID, tt.filter, got, tt.want)
		}
	}
}

// TestMatchAgreesWithCheck: every comparison that Check rejects is false
// in Match, and so is its "ne" form.
func TestMatchAgreesWithCheck(t *testing.T) {
	user := scim.UserType()
	for _, f := range []string{
		`active gt true`, `active eq "true"`, `userName eq 42`, `meta.lastModified co "2011"`,
		`meta.lastModified eq "yesterday"`, `x509Certificates.value gt "A"`, `name eq "Barbara"`,
		`foo eq "x"`, `title gt null`, `emails[primary eq "true"]`, `userName[value pr]`,
	} {
		e, err := Parse(f)
		if err != nil {
			t.Fatal(err)
		}
		if Check(user, e) == nil {
			t.Errorf("Check(%q) = nil, want an error", f)
		}
		if Match(user, e, bjensen()) {
			t.Errorf("Match(%q) = true for a filter Check rejects", f)
		}
	}
}

// TestMatchShapes feeds documents of every wrong shape: Match must not
// panic, and mistyped values match nothing.
func TestMatchShapes(t *testing.T) {
	docs := []map[string]any{
		nil,
		{},
		{"userName": 42, "emails": "a@b.c", "name": []any{"x"}, "meta": "2011", "active": "true"},
		{"emails": map[string]any{"value": "a@b.c"}, "name": map[string]any{"givenName": []any{"A", 1}}},
		{"emails": []any{"a@b.c", nil, 1, []any{map[string]any{"value": "x"}}}},
		{"emails": []any{map[string]any{"value": []any{"a@b.c", "d@e.f"}, "primary": "yes"}}},
		{scim.EnterpriseUserSchema: []any{map[string]any{"employeeNumber": "1"}}, "schemas": "x"},
		{scim.EnterpriseUserSchema: map[string]any{"manager": "bare-id"}},
		{"meta": map[string]any{"lastModified": 12, "created": []any{"2011-05-13T04:42:34Z"}}},
		{"x509Certificates": []any{map[string]any{"value": []byte("raw")}}},
		{"active": []any{true, false}, "userName": []any{"a", "B"}, "title": map[string]any{}},
		deepDoc(100),
	}
	filters := []string{
		`userName eq "a"`, `userName gt "a"`, `emails eq "a@b.c"`, `emails.value co "@"`, `emails pr`,
		`emails[value eq "a@b.c" or primary eq true]`, `emails[type eq "work"].value pr`, `name pr`,
		`name.givenName sw "A"`, `meta.lastModified gt "2000-01-01T00:00:00Z"`, `meta.created pr`,
		`active eq true`, `active ne true`, `employeeNumber eq "1"`, `manager eq "bare-id"`, `manager.value pr`,
		`manager[value pr]`, `schemas eq "x"`, `x509Certificates eq "raw"`, `title pr`, `title eq null`,
		`not (emails[value pr])`, `addresses pr`,
	}
	user := scim.UserType()
	for _, doc := range docs {
		for _, f := range filters {
			e, err := Parse(f)
			if err != nil {
				t.Fatal(err)
			}
			_ = Match(user, e, doc)
		}
	}
	// Mistyped values match nothing ("meta" is a string, not an object).
	for _, f := range []string{`userName eq "42"`, `active eq true`, `meta.lastModified pr`, `name.givenName pr`} {
		e, err := Parse(f)
		if err != nil {
			t.Fatal(err)
		}
		if Match(user, e, docs[2]) {
			t.Errorf("Match(%q) on a mistyped document = true", f)
		}
	}
	// A nil resource type or expression matches nothing.
	if Match(nil, &Present{Path: scim.AttrPath{Name: "title"}}, bjensen()) {
		t.Error("Match(nil resource type) = true")
	}
	if Match(user, nil, bjensen()) || Match(user, (*Compare)(nil), bjensen()) || Match(user, &And{}, bjensen()) {
		t.Error("Match(nil expression) = true")
	}
}

// deepDoc nests maps and lists n levels deep under "title" and "emails".
func deepDoc(n int) map[string]any {
	var v any = "leaf"
	for i := 0; i < n; i++ {
		if i%2 == 0 {
			v = []any{v}
		} else {
			v = map[string]any{"value": v}
		}
	}
	return map[string]any{"title": v, "emails": v, "name": v}
}

func TestFoldCase(t *testing.T) {
	for _, tt := range []struct{ a, b string }{
		{"BJensen@Example.COM", "bjensen@example.com"},
		{"ÉCOLE", "école"},
		{"Straße", "STRAßE"},
		{"\xffA", "\xffa"},
		{"\xff", "\ufffd"},
		{"K", "k"}, // Kelvin sign
		{"abc", "ab"},
		{"ab", "abc"},
		{"École", "ecole"},
		{"ΣΑΣ", "σας"},
		{"", ""},
	} {
		want := FoldCase(tt.a) == FoldCase(tt.b)
		if got := foldEqual(tt.a, tt.b); got != want {
			t.Errorf("foldEqual(%q, %q) = %v, want %v", tt.a, tt.b, got, want)
		}
	}
}
