package provision

import (
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim"
)

func TestDeriveEmail(t *testing.T) {
	email := func(v, typ string, primary bool) map[string]any {
		m := map[string]any{"value": v}
		if typ != "" {
			m["type"] = typ
		}
		if primary {
			m["primary"] = true
		}
		return m
	}
	cases := []struct {
		name     string
		doc      map[string]any
		want     string
		wantReal bool
	}{
		{"primary wins", map[string]any{"userName": "u@x.com", "emails": []any{email("a@x.com", "work", false), email("p@x.com", "home", true)}}, "p@x.com", true},
		{"first work", map[string]any{"emails": []any{email("h@x.com", "home", false), email("w@x.com", "work", false)}}, "w@x.com", true},
		{"first any", map[string]any{"emails": []any{email("h@x.com", "home", false), email("o@x.com", "other", false)}}, "h@x.com", true},
		{"bad primary skipped", map[string]any{"emails": []any{email("not-an-address", "work", true), email("ok@x.com", "", false)}}, "ok@x.com", true},
		{"userName address", map[string]any{"userName": "  bob@Example.COM "}, "bob@Example.COM", true},
		{"userName not address", map[string]any{"userName": "bob"}, "", false},
		{"nothing", map[string]any{}, "", false},
		{"domain without dot", map[string]any{"userName": "bob@localhost"}, "", false},
	}
	for _, c := range cases {
		got, real := deriveEmail(c.doc)
		if got != c.want || real != c.wantReal {
			t.Errorf("%s: deriveEmail = %q, %v; want %q, %v", c.name, got, real, c.want, c.wantReal)
		}
	}
}

func TestPlaceholderEmail(t *testing.T) {
	a := placeholderEmail("team1", "Bob")
	if a != placeholderEmail("team1", "bOB") {
		t.Error("placeholder depends on the letter case of userName")
	}
	if a == placeholderEmail("team2", "Bob") || a == placeholderEmail("team1", "Bobby") {
		t.Error("placeholder collides across teams or userNames")
	}
	if !isPlaceholder(a) || !looksLikeEmail(a) || isPlaceholder("bob@example.com") {
		t.Errorf("placeholder %q not recognised", a)
	}
}

func TestParseAuthorization(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"Bearer rsk_abc", "rsk_abc", true},
		{"bearer   rsk_abc  ", "rsk_abc", true},
		{"BEARER\trsk_abc", "rsk_abc", true},
		{"  rsk_abc  ", "rsk_abc", true},
		{"", "", false},
		{"   ", "", false},
		{"Bearer", "", false},
		{"Bearer   ", "", false},
		{"Basic dXNlcjpwYXNz", "", false},
	}
	for _, c := range cases {
		got, err := parseAuthorization(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseAuthorization(%q) = %q, %v; want %q, ok=%v", c.in, got, err, c.want, c.ok)
		}
		if err != nil && !core.IsKind(err, core.KindUnauthenticated) {
			t.Errorf("parseAuthorization(%q): error kind %v, want unauthenticated", c.in, core.KindOf(err))
		}
	}
}

func TestCursor(t *testing.T) {
	c := cursorSealer{key: []byte("secret")}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	h := queryHash("team", "User", `userName sw "a"`)
	cur := c.seal("0198-id", h, now)
	for _, r := range cur {
		if !strings.ContainsRune("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", r) {
			t.Fatalf("cursor %q has a character outside RFC 3986's unreserved set", cur)
		}
	}
	id, err := c.open(cur, h, now.Add(time.Minute), time.Hour)
	if err != nil || id != "0198-id" {
		t.Fatalf("open = %q, %v", id, err)
	}
	scimType := func(err error) string {
		if e, ok := scim.AsError(err); ok {
			return e.Type
		}
		return ""
	}
	tampered := []byte(cur)
	tampered[len(tampered)/2] ^= 1
	bad := []struct {
		name, cursor string
		hash         []byte
		at           time.Time
		want         string
	}{
		{"tampered", string(tampered), h, now, scim.ErrInvalidCursor},
		{"other query", cur, queryHash("team", "User", ""), now, scim.ErrInvalidCursor},
		{"other team", cur, queryHash("team2", "User", `userName sw "a"`), now, scim.ErrInvalidCursor},
		{"garbage", "not a cursor!", h, now, scim.ErrInvalidCursor},
		{"empty payload", "AA", h, now, scim.ErrInvalidCursor},
		{"other secret", cursorSealer{key: []byte("other")}.seal("x", h, now), h, now, scim.ErrInvalidCursor},
		{"expired", cur, h, now.Add(2 * time.Hour), scim.ErrExpiredCursor},
	}
	for _, b := range bad {
		if _, err := c.open(b.cursor, b.hash, b.at, time.Hour); scimType(err) != b.want {
			t.Errorf("%s: open error %v, want scimType %s", b.name, err, b.want)
		}
	}
}

func TestPageCache(t *testing.T) {
	c := newPageCache(3, time.Hour)
	k := c.key("t", "User", "")
	c.put(k, 10, "id10")
	if id, ok := c.get(k, 10); !ok || id != "id10" {
		t.Fatalf("get = %q, %v", id, ok)
	}
	if _, ok := c.get(c.key("t2", "User", ""), 10); ok {
		t.Error("entry visible to another team")
	}
	c.bumpUpdate("t", "User")
	if _, ok := c.get(c.key("t", "User", ""), 10); !ok {
		t.Error("an update invalidated an unfiltered query's positions")
	}
	fk := c.key("t", "User", `active eq true`)
	c.put(fk, 5, "id5")
	c.bumpUpdate("t", "User")
	if _, ok := c.get(c.key("t", "User", `active eq true`), 5); ok {
		t.Error("an update did not invalidate a filtered query's positions")
	}
	c.bumpDelete("t", "User")
	if _, ok := c.get(c.key("t", "User", ""), 10); ok {
		t.Error("a delete did not invalidate positions")
	}
	k = c.key("t", "User", "")
	for i := range 5 {
		c.put(k, i, "x")
	}
	if len(c.entries) > 3 || c.lru.Len() > 3 {
		t.Errorf("cache holds %d entries, bound is 3", len(c.entries))
	}
	if _, ok := c.get(k, 0); ok {
		t.Error("least recently used entry not evicted")
	}
	exp := newPageCache(3, -time.Second)
	exp.put(k, 1, "x")
	if _, ok := exp.get(k, 1); ok {
		t.Error("expired entry returned")
	}
}

func TestVersions(t *testing.T) {
	for _, tag := range []string{`W/"7"`, `"7"`, "7", ` w/"7" `} {
		if v, ok := parseVersion(tag); !ok || v != 7 {
			t.Errorf("parseVersion(%q) = %d, %v", tag, v, ok)
		}
	}
	for _, tag := range []string{`W/"x"`, "", `W/""`, "-1", "0"} {
		if _, ok := parseVersion(tag); ok {
			t.Errorf("parseVersion(%q) accepted", tag)
		}
	}
	if !versionIn(3, []string{`W/"1"`, `W/"3"`}) || !versionIn(3, []string{"*"}) || versionIn(3, []string{`W/"4"`}) {
		t.Error("versionIn")
	}
	cond := Conditions{IfMatch: []string{`W/"2"`}}
	if cond.check(scim.UserType(), "x", 2) != nil || !core.IsKind(cond.check(scim.UserType(), "x", 3), core.KindPrecondition) {
		t.Error("If-Match check")
	}
	cond = Conditions{IfNoneMatch: []string{"*"}}
	if !core.IsKind(cond.check(scim.UserType(), "x", 1), core.KindPrecondition) {
		t.Error("If-None-Match: * must fail on an existing resource")
	}
}

func TestUserBodyAlwaysHasNames(t *testing.T) {
	m := core.Member{ID: "id", UserName: "Bob", Active: true, Status: core.StatusActive, SCIMManaged: true,
		Doc: map[string]any{"userName": "Bob", "name": map[string]any{"givenName": "Bob"}}}
	body := userBody(m)
	name := body["name"].(map[string]any)
	if name["givenName"] != "Bob" || name["familyName"] != "" {
		t.Errorf("name = %v", name)
	}
	if m.Doc["name"].(map[string]any)["familyName"] != nil {
		t.Error("userBody modified the stored document")
	}
	admin := core.Member{ID: "a", Email: "admin@example.com", Active: true}
	emails, _ := userBody(admin)["emails"].([]any)
	if len(emails) != 1 || userBody(admin)["userName"] != "admin@example.com" {
		t.Errorf("a member SCIM never wrote shows userName and email: %v", userBody(admin))
	}
}
