package webui

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	roster "github.com/rosterhq/roster"
)

// scimPost sends a SCIM request with a key and returns the status and
// the decoded body.
func (e *env) scimDo(method, path, key, body string) (int, map[string]any) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.ts.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/scim+json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// scimUser creates a SCIM user and returns its id.
func (e *env) scimUser(key, userName, displayName string) string {
	e.t.Helper()
	b, _ := json.Marshal(map[string]any{
		"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": userName, "displayName": displayName,
		"emails": []any{map[string]any{"value": userName, "type": "work", "primary": true}}, "active": true,
	})
	st, out := e.scimDo("POST", "/scim/v2/Users", key, string(b))
	if st != http.StatusCreated {
		e.t.Fatalf("SCIM create %s: %d %v", userName, st, out)
	}
	return out["id"].(string)
}

// dataFixture is a team with SCIM on, a key, SCIM users, a group, an
// invitation, a developer and a failed SCIM request.
type dataFixture struct {
	e     *env
	admin *browser
	api   *roster.Client
	key   roster.NewKey
	users []string // emails of the SCIM users, in creation order
	group string
}

func newDataFixture(t *testing.T, nUsers int) *dataFixture {
	e := newEnv(t)
	f := &dataFixture{e: e, admin: e.setupAdmin()}
	ctx := context.Background()
	f.api = e.sdk(adminEmail, adminPassword)
	e.addMember("dev@example.com", "developer-password", roster.RoleDeveloper)
	if _, err := f.api.SetSCIM(ctx, teamSlug, true); err != nil {
		t.Fatal(err)
	}
	var err error
	if f.key, err = f.api.CreateSCIMKey(ctx, teamSlug, roster.CreateKeyRequest{Name: "Okta"}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range nUsers {
		email := fmt.Sprintf("user%03d@acme.test", i)
		ids = append(ids, e.scimUser(f.key.Secret, email, fmt.Sprintf("User %03d", i)))
		f.users = append(f.users, email)
	}
	members := []any{}
	for _, id := range ids[:min(3, len(ids))] {
		members = append(members, map[string]any{"value": id})
	}
	b, _ := json.Marshal(map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": "Engineering", "members": members})
	st, out := e.scimDo("POST", "/scim/v2/Groups", f.key.Secret, string(b))
	if st != http.StatusCreated {
		t.Fatalf("SCIM group: %d %v", st, out)
	}
	f.group = out["id"].(string)
	if st, _ := e.scimDo("POST", "/scim/v2/Users", f.key.Secret, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"user000@acme.test"}`); st != http.StatusConflict {
		t.Fatalf("duplicate: %d", st)
	}
	if _, err := f.api.Invite(ctx, teamSlug, roster.InviteRequest{Email: "pending@acme.test"}); err != nil {
		t.Fatal(err)
	}
	// The activity recorder writes in the background: wait for the failure.
	deadline := time.Now().Add(10 * time.Second)
	for {
		pg, err := f.api.Activity(ctx, teamSlug, roster.ActivityQuery{FailuresOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(pg.Activity) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the failed SCIM request never reached the activity log")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return f
}

// attrRE finds data-testid elements with their other attributes.
var attrRE = regexp.MustCompile(`data-testid="([a-z0-9-]+)"([^>]*)>`)

// rows returns, for each element with data-testid=id, the value of attr.
func rows(body, id, attr string) []string {
	var out []string
	for _, m := range attrRE.FindAllStringSubmatch(body, -1) {
		if m[1] != id {
			continue
		}
		am := regexp.MustCompile(attr + `="([^"]*)"`).FindStringSubmatch(m[2])
		if am == nil {
			out = append(out, "")
			continue
		}
		out = append(out, html.UnescapeString(am[1]))
	}
	return out
}

// textOf returns the text of the first element with data-testid=id.
func textOf(body, id string) string {
	m := regexp.MustCompile(`data-testid="` + id + `"[^>]*>([^<]*)<`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(strings.TrimSpace(m[1]))
}

// link returns the href of the element with data-testid=id.
func link(body, id string) string {
	m := regexp.MustCompile(`href="([^"]*)"[^>]*data-testid="` + id + `"`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

func mustOK(t *testing.T, r resp, what string) string {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("%s: %d %s", what, r.status, clip(r.body, 800))
	}
	return r.body
}

func TestDataPagesDashboard(t *testing.T) {
	f := newDataFixture(t, 5)
	body := mustOK(t, f.admin.get(Prefix+"/t/acme/"), "dashboard")
	// ann and dev, 5 SCIM users; pending@ invited.
	for id, want := range map[string]string{"dash-members-active": "7", "dash-members-deactivated": "0", "dash-members-invited": "1", "dash-failures-24h": "1"} {
		if got := textOf(body, id); got != want {
			t.Errorf("%s = %q, want %s", id, got, want)
		}
	}
	if n, _ := strconv.Atoi(textOf(body, "dash-requests-24h")); n != 7 {
		t.Errorf("dash-requests-24h = %d, want the 7 SCIM requests", n)
	}
	for _, id := range []string{"dash-chart-24h", "dash-chart-30d"} {
		m := regexp.MustCompile(`<svg[^>]*data-testid="` + id + `"[^>]*role="img"[^>]*>\s*<title id="[^"]+">[^<]+</title>`).FindString(body)
		if m == "" {
			t.Errorf("%s is not an accessible inline <svg> with a <title>", id)
		}
	}
	// The figures' tables sit in a visually-hidden <div>: a <table> ignores
	// width and height, so hiding the table itself left it taking room.
	if strings.Count(body, "<div class=\"visually-hidden\">\n  <table>") != 2 || strings.Contains(body, `<table class="visually-hidden"`) ||
		strings.Count(body, "<rect class=\"bar-req\"") != 54 {
		t.Errorf("charts: want 24+30 bars and a visually-hidden table of the figures")
	}
	if ids := rows(body, "dash-last-sync", "data-key-id"); len(ids) != 1 || ids[0] != f.key.Key.ID {
		t.Errorf("dash-last-sync rows = %v, want the key %s", ids, f.key.Key.ID)
	}

	dev := f.e.signIn("dev@example.com", "developer-password")
	body = mustOK(t, dev.get(Prefix+"/t/acme/"), "developer dashboard")
	if textOf(body, "dash-members-active") != "7" || testIDs(body, "dash-chart-24h") != 0 || testIDs(body, "dash-last-sync") != 0 {
		t.Errorf("developer dashboard: want the counts only")
	}
}

func TestDataPagesMembers(t *testing.T) {
	f := newDataFixture(t, 57)
	b := f.admin
	body := mustOK(t, b.get(Prefix+"/t/acme/members"), "members")
	if n := testIDs(body, "member-row"); n != membersPageSize {
		t.Fatalf("first page has %d member rows, want %d", n, membersPageSize)
	}
	if rows(body, "invitation-row", "data-email")[0] != "pending@acme.test" {
		t.Errorf("invitation rows = %v", rows(body, "invitation-row", "data-email"))
	}
	// SCIM is on: each SCIM-managed row has the explanation, not the button;
	// so has the team's only Super Admin (the API refuses lastSuperAdmin).
	scim := 0
	for _, s := range rows(body, "member-row", "data-scim") {
		if s == "true" {
			scim++
		}
	}
	if refused := testIDs(body, "member-remove-refused"); refused != scim+1 || scim == 0 || testIDs(body, "member-remove") != membersPageSize-scim-1 {
		t.Errorf("%d SCIM rows, %d refusals, %d remove buttons; want a refusal for each and for the only Super Admin", scim, refused, testIDs(body, "member-remove"))
	}
	if !strings.Contains(body, "Only Super Admin") || !strings.Contains(body, "make someone else Super Admin first") {
		t.Errorf("the only Super Admin's row does not say why they cannot be removed")
	}

	// Paging: next to the end, then previous to the start; no gap, no duplicate.
	all := []string{adminEmail, "dev@example.com"}
	all = append(all, f.users...)
	all = append(all, "pending@acme.test")
	var fwd []string
	var bodies []string
	path := Prefix + "/t/acme/members"
	for range 10 {
		body := mustOK(t, b.get(path), "members page")
		bodies = append(bodies, body)
		fwd = append(fwd, rows(body, "member-row", "data-email")...)
		if path = link(body, "next-page"); path == "" {
			break
		}
	}
	if !slices.Equal(fwd, all) {
		t.Fatalf("paging forward: %d rows %v, want %d %v", len(fwd), fwd, len(all), all)
	}
	path = link(bodies[len(bodies)-1], "prev-page")
	for i := len(bodies) - 2; i >= 0; i-- {
		body := mustOK(t, b.get(path), "previous page")
		if got, want := rows(body, "member-row", "data-email"), rows(bodies[i], "member-row", "data-email"); !slices.Equal(got, want) {
			t.Errorf("previous page %d = %v, want %v", i, got, want)
		}
		path = link(body, "prev-page")
	}
	if path != "" {
		t.Errorf("the first page has a previous link %q", path)
	}

	// Search by prefix: email, display name, any case; filters.
	for q, want := range map[string]int{"USER00": 10, "user05": 7, "User 01": 10, "user056@": 1, "nobody": 0, "dev@": 1} {
		body := mustOK(t, b.get(Prefix+"/t/acme/members?q="+url.QueryEscape(q)), "search")
		if got := testIDs(body, "member-row"); got != want {
			t.Errorf("search %q: %d rows, want %d", q, got, want)
		}
	}
	body = mustOK(t, b.get(Prefix+"/t/acme/members?status=invited"), "status filter")
	if got := rows(body, "member-row", "data-email"); !slices.Equal(got, []string{"pending@acme.test"}) {
		t.Errorf("status=invited: %v", got)
	}
	body = mustOK(t, b.get(Prefix+"/t/acme/members?q=user0&status=active&role=developer"), "combined filters")
	if n := testIDs(body, "member-row"); n != 50 || link(body, "next-page") == "" {
		t.Errorf("q=user0 active developers: %d rows, next %q", n, link(body, "next-page"))
	}
	if r := b.get(Prefix + "/t/acme/members?status=bogus"); r.status != http.StatusBadRequest || !strings.Contains(strings.ToLower(r.body), "unknown status") {
		t.Errorf("status=bogus: %d", r.status)
	}
}

func TestDataPagesMemberActions(t *testing.T) {
	f := newDataFixture(t, 2)
	b := f.admin
	ctx := context.Background()
	pg, err := f.api.SearchMembers(ctx, teamSlug, roster.MemberQuery{Q: "dev@"})
	if err != nil || len(pg.Members) != 1 {
		t.Fatalf("dev: %v %v", pg, err)
	}
	dev := pg.Members[0]
	pg, err = f.api.SearchMembers(ctx, teamSlug, roster.MemberQuery{Q: f.users[0]})
	if err != nil || len(pg.Members) != 1 {
		t.Fatalf("user: %v %v", pg, err)
	}
	scimUser := pg.Members[0]

	// Detail page; change role.
	body := mustOK(t, b.get(Prefix+"/t/acme/members/"+dev.ID), "member page")
	if testIDs(body, "member-role-select") != 1 || testIDs(body, "member-remove") != 1 || testIDs(body, "member-remove-refused") != 0 {
		t.Errorf("member page of a non-SCIM member: want role select and remove button")
	}
	r := b.follow(b.submit(Prefix+"/t/acme/members/"+dev.ID+"/role", url.Values{"role": {roster.RoleTeamAdmin}}))
	if !strings.Contains(r.body, `data-testid="flash" data-kind="ok"`) || !strings.Contains(r.body, "is now Team Admin") || rows(r.body, "member-row", "data-role")[0] != roster.RoleTeamAdmin {
		t.Errorf("after the role change: role %v, body %s", rows(r.body, "member-row", "data-role"), clip(r.body, 1500))
	}
	// A SCIM-managed member: the page explains, and the API refuses a forged POST.
	body = mustOK(t, b.get(Prefix+"/t/acme/members/"+scimUser.ID), "SCIM member page")
	if testIDs(body, "member-remove-refused") != 1 || testIDs(body, "member-remove") != 0 {
		t.Errorf("SCIM member page: want the refusal instead of the button")
	}
	r = b.follow(b.submit(Prefix+"/t/acme/members/"+scimUser.ID+"/remove", nil))
	if !strings.Contains(r.body, `data-kind="error"`) || !strings.Contains(r.body, "identity provider") {
		t.Errorf("forged remove of a SCIM member: %s", clip(r.body, 400))
	}
	if _, err := f.api.Member(ctx, teamSlug, scimUser.ID); err != nil {
		t.Errorf("the SCIM member is gone: %v", err)
	}
	// Remove the developer.
	r = b.submit(Prefix+"/t/acme/members/"+dev.ID+"/remove", nil)
	if r.status != http.StatusSeeOther || !strings.HasSuffix(r.location(), "/members") {
		t.Fatalf("remove: %d %q", r.status, r.location())
	}
	if _, err := f.api.Member(ctx, teamSlug, dev.ID); roster.ErrorStatus(err) != http.StatusNotFound {
		t.Errorf("removed member still there: %v", err)
	}

	// Invite, then cancel.
	r = b.follow(b.submit(Prefix+"/t/acme/invitations", url.Values{"email": {"new.person@acme.test"}, "role": {roster.RoleDeveloper}}))
	if !slices.Contains(rows(r.body, "invitation-row", "data-email"), "new.person@acme.test") || !strings.Contains(r.body, `data-kind="ok"`) {
		t.Fatalf("invite: rows %v", rows(r.body, "invitation-row", "data-email"))
	}
	invs, _ := f.api.Invitations(ctx, teamSlug)
	var id string
	for _, in := range invs {
		if in.Email == "new.person@acme.test" {
			id = in.ID
		}
	}
	r = b.follow(b.submit(Prefix+"/t/acme/invitations/"+id+"/cancel", nil))
	if slices.Contains(rows(r.body, "invitation-row", "data-email"), "new.person@acme.test") {
		t.Errorf("cancelled invitation still listed")
	}
	// A bad invitation comes back as an error flash.
	r = b.follow(b.submit(Prefix+"/t/acme/invitations", url.Values{"email": {"not an email"}}))
	if !strings.Contains(r.body, `data-kind="error"`) {
		t.Errorf("bad invite: no error flash")
	}
}

func TestDataPagesGroupsActivityAudit(t *testing.T) {
	f := newDataFixture(t, 4)
	b := f.admin
	body := mustOK(t, b.get(Prefix+"/t/acme/groups"), "groups")
	if got := rows(body, "group-row", "data-name"); !slices.Equal(got, []string{"Engineering"}) || rows(body, "group-row", "data-members")[0] != "3" {
		t.Errorf("group rows %v members %v", got, rows(body, "group-row", "data-members"))
	}
	body = mustOK(t, b.get(Prefix+"/t/acme/groups/"+f.group), "group")
	if n := testIDs(body, "group-member-row"); n != 3 {
		t.Errorf("group members: %d rows, want 3", n)
	}
	if r := b.get(Prefix + "/t/acme/groups/no-such-group"); r.status != http.StatusNotFound {
		t.Errorf("unknown group: %d", r.status)
	}

	body = mustOK(t, b.get(Prefix+"/t/acme/activity"), "activity")
	if n := testIDs(body, "activity-row"); n < 6 || link(body, "activity-failures-only") == "" {
		t.Errorf("activity: %d rows", n)
	}
	body = mustOK(t, b.get(Prefix+"/t/acme/activity?failures=1"), "failures")
	if st := rows(body, "activity-row", "data-status"); !slices.Equal(st, []string{"409"}) {
		t.Errorf("failures only: statuses %v", st)
	}
	if !strings.Contains(body, "the server rejected the request (409)") || testIDs(body, "activity-fix") != 1 || testIDs(body, "activity-explanation") != 1 {
		t.Errorf("failure without explanation and fix")
	}

	body = mustOK(t, b.get(Prefix+"/t/acme/audit"), "audit")
	if testIDs(body, "audit-row") == 0 || link(body, "audit-export-csv") == "" || link(body, "audit-export-jsonl") == "" {
		t.Fatalf("audit page: %d rows", testIDs(body, "audit-row"))
	}
	body = mustOK(t, b.get(Prefix+"/t/acme/audit?action=member.invited"), "audit by action")
	acts := rows(body, "audit-row", "data-action")
	if len(acts) != 2 || acts[0] != "member.invited" || acts[1] != "member.invited" {
		t.Errorf("action filter: %v", acts)
	}
	body = mustOK(t, b.get(Prefix+"/t/acme/audit?actor="+url.QueryEscape(adminEmail)+"&action=member.invited"), "audit by actor email")
	if n := testIDs(body, "audit-row"); n != 2 {
		t.Errorf("actor filter by email: %d rows", n)
	}
	body = mustOK(t, b.get(Prefix+"/t/acme/audit?actor=dev%40example.com&action=member.invited"), "audit by another actor")
	if n := testIDs(body, "audit-row"); n != 0 {
		t.Errorf("actor dev: %d rows, want 0", n)
	}
	today := time.Now().UTC().Format(time.DateOnly)
	body = mustOK(t, b.get(Prefix+"/t/acme/audit?since="+today+"&until="+today+"&action=member.invited"), "audit by day")
	if n := testIDs(body, "audit-row"); n != 2 {
		t.Errorf("today's invitations: %d rows", n)
	}
	if r := b.get(Prefix + "/t/acme/audit?since=yesterday"); r.status != http.StatusBadRequest || testIDs(r.body, "field-error") != 1 {
		t.Errorf("bad date: %d", r.status)
	}
	csvLink := link(mustOK(t, b.get(Prefix+"/t/acme/audit?action=member.invited"), "audit"), "audit-export-csv")
	r := b.get(csvLink)
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") ||
		strings.Count(r.body, "member.invited") != 2 || strings.Contains(r.body, "session.created") {
		t.Errorf("CSV export: %d %s %s", r.status, r.header.Get("Content-Type"), clip(r.body, 300))
	}
	r = b.get(strings.Replace(csvLink, "format=csv", "format=jsonl", 1))
	if r.status != http.StatusOK || strings.Count(strings.TrimSpace(r.body), "\n") != 1 || !strings.HasPrefix(r.body, "{") {
		t.Errorf("JSON Lines export: %d %s", r.status, clip(r.body, 300))
	}
}

func TestDataPagesDeveloperAndEscaping(t *testing.T) {
	f := newDataFixture(t, 1)
	f.e.scimUser(f.key.Secret, `evil"<x>@acme.test`, `<script>alert(1)</script>`)
	dev := f.e.signIn("dev@example.com", "developer-password")
	body := mustOK(t, dev.get(Prefix+"/t/acme/members"), "developer members")
	for _, id := range []string{"member-remove", "member-remove-refused", "invite-submit", "invitation-row", "member-role-select"} {
		if testIDs(body, id) != 0 {
			t.Errorf("a developer sees %s", id)
		}
	}
	if testIDs(body, "member-row") != 5 {
		t.Errorf("developer sees %d member rows, want 5", testIDs(body, "member-row"))
	}
	pg, _ := f.api.SearchMembers(context.Background(), teamSlug, roster.MemberQuery{Q: f.users[0]})
	body = mustOK(t, dev.get(Prefix+"/t/acme/members/"+pg.Members[0].ID), "developer member page")
	if testIDs(body, "member-role-save") != 0 || testIDs(body, "member-remove") != 0 {
		t.Errorf("a developer sees admin actions on a member page")
	}
	for _, p := range []string{"/activity", "/audit", "/audit/export?format=csv"} {
		if r := dev.get(Prefix + "/t/acme" + p); r.status != http.StatusForbidden {
			t.Errorf("developer GET %s: %d, want 403", p, r.status)
		}
	}
	if r := dev.submit(Prefix+"/t/acme/invitations", url.Values{"email": {"x@acme.test"}}); r.status == http.StatusSeeOther && strings.Contains(dev.follow(r).body, `data-kind="ok"`) {
		t.Errorf("a developer invited someone")
	}

	// Escaping: the hostile display name and userName are text.
	body = mustOK(t, f.admin.get(Prefix+"/t/acme/members?q=evil"), "members")
	if strings.Contains(body, "<script>alert(1)") || strings.Contains(body, `evil"<x>`) || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("hostile names are not escaped: %s", clip(body, 2000))
	}
	if got := rows(body, "member-row", "data-email"); len(got) != 1 || got[0] != `evil"<x>@acme.test` {
		t.Errorf("escaped data-email = %v", got)
	}
	body = mustOK(t, f.admin.get(Prefix+"/t/acme/members?q="+url.QueryEscape(`"><script>`)), "hostile search")
	if strings.Contains(body, `"><script>`) {
		t.Errorf("the search box echoes markup")
	}
}
