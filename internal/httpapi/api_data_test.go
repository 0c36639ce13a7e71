package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	roster "github.com/rosterhq/roster"
)

// Member search, filters and two-way paging through the admin API, the
// dashboard figures, and the explanation of failed SCIM requests.
func TestAPIMemberSearchStatsAndExplanations(t *testing.T) {
	eachAPIBackend(t, func(e *apiEnv) {
		t := e.t
		ctx := context.Background()
		boss, _ := setup(t, e)
		_, err := boss.SetSCIM(ctx, "acme", true)
		must(t, err, "SCIM on")
		key, err := boss.CreateSCIMKey(ctx, "acme", roster.CreateKeyRequest{Name: "Okta"})
		must(t, err, "key")
		ids := map[string]string{}
		for i := range 12 {
			name := fmt.Sprintf("u%02d@acme.test", i)
			r := e.scimCreate(key.Secret, name)
			if r.status != 201 {
				t.Fatalf("SCIM create: %d %s", r.status, r.body)
			}
			var u struct{ ID string }
			_ = json.Unmarshal(r.body, &u)
			ids[name] = u.ID
		}
		// A display name that matches where the userName does not.
		r := e.raw("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"zed@acme.test","displayName":"Ünal Zed","emails":[{"value":"Work.Zed@Mail.test","primary":true}]}`,
			map[string]string{"Authorization": "Bearer " + key.Secret, "Content-Type": "application/scim+json"})
		if r.status != 201 {
			t.Fatalf("SCIM create zed: %d %s", r.status, r.body)
		}
		// u03 is deactivated; a duplicate create fails with 409.
		r = e.raw("PATCH", "/scim/v2/Users/"+ids["u03@acme.test"], `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`,
			map[string]string{"Authorization": "Bearer " + key.Secret, "Content-Type": "application/scim+json"})
		if r.status != 200 {
			t.Fatalf("deactivate: %d %s", r.status, r.body)
		}
		if r := e.scimCreate(key.Secret, "u01@acme.test"); r.status != 409 {
			t.Fatalf("duplicate create: %d %s", r.status, r.body)
		}
		_, err = boss.Invite(ctx, "acme", roster.InviteRequest{Email: "invitee@acme.test", Role: roster.RoleTeamAdmin})
		must(t, err, "invite")

		emails := func(pg roster.MemberPage) []string {
			var out []string
			for _, m := range pg.Members {
				out = append(out, m.Email)
			}
			return out
		}
		search := func(q roster.MemberQuery) roster.MemberPage {
			t.Helper()
			pg, err := boss.SearchMembers(ctx, "acme", q)
			must(t, err, fmt.Sprintf("search %+v", q))
			return pg
		}

		// Prefixes, in any case, on userName, email and display name.
		var u0 []string
		for i := range 10 {
			u0 = append(u0, fmt.Sprintf("u%02d@acme.test", i))
		}
		if got := emails(search(roster.MemberQuery{Q: "U0"})); !slices.Equal(got, u0) {
			t.Errorf("q=U0 = %v, want %v", got, u0)
		}
		for _, q := range []string{"ünal", "ÜNAL Z", "work.zed@", "ZED@ACME"} {
			pg := search(roster.MemberQuery{Q: q})
			if len(pg.Members) != 1 || pg.Members[0].UserName != "zed@acme.test" {
				t.Errorf("q=%q = %v, want zed", q, emails(pg))
			}
		}
		if pg := search(roster.MemberQuery{Q: "nobody"}); len(pg.Members) != 0 || pg.Total != 15 {
			t.Errorf("q=nobody = %v total %d, want none of 15", emails(pg), pg.Total)
		}
		// Filters.
		if pg := search(roster.MemberQuery{Status: "deactivated"}); len(pg.Members) != 1 || pg.Members[0].ID != ids["u03@acme.test"] {
			t.Errorf("status=deactivated = %v", emails(pg))
		}
		if pg := search(roster.MemberQuery{Status: "invited"}); len(pg.Members) != 1 || pg.Members[0].Email != "invitee@acme.test" {
			t.Errorf("status=invited = %v", emails(pg))
		}
		if pg := search(roster.MemberQuery{Role: "super_admin"}); len(pg.Members) != 1 || pg.Members[0].Email != adminEmail {
			t.Errorf("role=super_admin = %v", emails(pg))
		}
		if pg := search(roster.MemberQuery{Q: "u0", Status: "active"}); len(pg.Members) != 9 {
			t.Errorf("q=u0&status=active = %v, want the 9 active", emails(pg))
		}

		// Paging forward then back in pages of 3: no gap, no duplicate.
		all := emails(search(roster.MemberQuery{Limit: 1000}))
		if len(all) != 15 {
			t.Fatalf("all members = %d, want 15: %v", len(all), all)
		}
		var fwd []string
		var pages []roster.MemberPage
		q := roster.MemberQuery{Limit: 4}
		for range 10 {
			pg := search(q)
			if (q.Cursor == "") != (pg.PrevCursor == "") {
				t.Errorf("page after %q: prevCursor %q", q.Cursor, pg.PrevCursor)
			}
			pages = append(pages, pg)
			fwd = append(fwd, emails(pg)...)
			if pg.NextCursor == "" {
				break
			}
			q.Cursor = pg.NextCursor
		}
		if !slices.Equal(fwd, all) {
			t.Errorf("forward walk = %v, want %v", fwd, all)
		}
		back := emails(pages[len(pages)-1])
		before := pages[len(pages)-1].PrevCursor
		for i := len(pages) - 2; i >= 0; i-- {
			pg := search(roster.MemberQuery{Before: before, Limit: 4})
			if !slices.Equal(emails(pg), emails(pages[i])) || pg.NextCursor != pages[i].NextCursor {
				t.Errorf("page %d backwards = %v next %q, want %v next %q", i, emails(pg), pg.NextCursor, emails(pages[i]), pages[i].NextCursor)
			}
			back = append(emails(pg), back...)
			before = pg.PrevCursor
		}
		if before != "" || !slices.Equal(back, all) {
			t.Errorf("backward walk = %v (last prevCursor %q), want %v", back, before, all)
		}

		// Bad input is a 400, never a 500.
		tok := mustToken(t, boss)
		for _, bad := range []string{"status=gone", "role=owner", "q=" + strings.Repeat("x", 300), "cursor=a&before=b", "limit=0", "q=%ff"} {
			r := e.raw("GET", "/api/v1/teams/acme/members?"+bad, "", map[string]string{"Authorization": "Bearer " + tok})
			if r.status != 400 {
				t.Errorf("members?%s: %d %s, want 400", bad, r.status, r.body)
			}
		}

		// The dashboard.
		waitActivity(t, boss, "acme", roster.ActivityQuery{FailuresOnly: true}, 1)
		st, err := boss.Stats(ctx, "acme")
		must(t, err, "stats")
		if st.Members != (roster.MemberCounts{Active: 13, Deactivated: 1, Invited: 1}) {
			t.Errorf("stats members = %+v, want 13 active, 1 deactivated, 1 invited", st.Members)
		}
		p := st.Provisioning
		if p == nil {
			t.Fatal("stats without provisioning for the Super Admin")
		}
		if len(p.Hourly) != 24 || len(p.Daily) != 30 {
			t.Fatalf("stats buckets: %d hourly, %d daily", len(p.Hourly), len(p.Daily))
		}
		acts := waitActivity(t, boss, "acme", roster.ActivityQuery{Limit: 1000}, 15)
		if p.Requests24h != len(acts) || p.Failures24h != 1 || p.Hourly[23].Requests+p.Hourly[22].Requests != len(acts) ||
			p.Daily[29].Requests+p.Daily[28].Requests != len(acts) {
			t.Errorf("stats traffic = %d requests, %d failures (last hours %+v %+v); the log holds %d", p.Requests24h, p.Failures24h, p.Hourly[22], p.Hourly[23], len(acts))
		}
		if !p.Hourly[23].End.After(time.Now().Add(-time.Minute)) || p.Hourly[0].End.Sub(p.Hourly[0].Start) != time.Hour {
			t.Errorf("hourly buckets = %+v … %+v", p.Hourly[0], p.Hourly[23])
		}
		if len(p.Keys) != 1 || p.Keys[0].Key.ID != key.Key.ID || p.Keys[0].LastSuccessAt == nil || p.Keys[0].LastSuccessMethod != "PATCH" {
			t.Errorf("stats keys = %+v, want the key with its last success (the PATCH)", p.Keys)
		}

		// Failures carry roster check's explanation and fix.
		fails := waitActivity(t, boss, "acme", roster.ActivityQuery{FailuresOnly: true}, 1)
		if f := fails[0]; f.Status != 409 || f.Explanation == "" || f.Fix == "" || !strings.Contains(f.Explanation, "409") {
			t.Errorf("409 activity = %+v, want explanation and fix", f)
		}
		// (A revoked key's 401 is not in the activity log: requests that fail
		// authentication are not recorded; check.Explain's tests cover 401.)
		if r := e.raw("GET", "/scim/v2/Users?filter=userName+zz+%22x%22", "", map[string]string{"Authorization": "Bearer " + key.Secret}); r.status != 400 {
			t.Fatalf("bad filter: %d", r.status)
		}
		fails = waitActivity(t, boss, "acme", roster.ActivityQuery{FailuresOnly: true}, 2)
		if f := fails[0]; f.Status != 400 || !strings.Contains(f.Explanation, "400") || !strings.Contains(f.Explanation, "expected a comparison operator") || f.Fix == "" {
			t.Errorf("400 activity = %+v, want explanation quoting the detail, and a fix", f)
		}
		all2, err := boss.Activity(ctx, "acme", roster.ActivityQuery{})
		must(t, err, "activity")
		for _, a := range all2.Activity {
			if a.Status < 300 && (a.Explanation != "" || a.Fix != "") {
				t.Errorf("a success has an explanation: %+v", a)
			}
		}

		// A developer sees the member counts but not the SCIM traffic.
		_, err = boss.Invite(ctx, "acme", roster.InviteRequest{Email: "dev@acme.test"})
		must(t, err, "invite dev")
		_, err = e.client().SignUp(ctx, roster.SignUpRequest{Email: "dev@acme.test", Password: "dev's long password"})
		must(t, err, "dev signs up")
		dev := e.signedIn("dev@acme.test", "dev's long password")
		inv, err := dev.MyInvitation(ctx)
		must(t, err, "dev's invitation")
		_, err = dev.AcceptInvitation(ctx, inv.ID)
		must(t, err, "dev accepts")
		dst, err := dev.Stats(ctx, "acme")
		must(t, err, "developer stats")
		if dst.Provisioning != nil || dst.Members.Active != 14 {
			t.Errorf("developer stats = %+v, want members only", dst)
		}
		if pg, err := dev.SearchMembers(ctx, "acme", roster.MemberQuery{Q: "u1"}); err != nil || len(pg.Members) != 2 {
			t.Errorf("developer search = %v, %v", pg, err)
		}

		// Another team sees nothing of acme.
		_, err = e.client().SignUp(ctx, roster.SignUpRequest{Email: "zed@zeta.test", Password: "zed's long password"})
		must(t, err, "zed signs up")
		zed := e.signedIn("zed@zeta.test", "zed's long password")
		_, err = zed.CreateTeam(ctx, roster.CreateTeamRequest{Slug: "zeta"})
		must(t, err, "zeta")
		_, err = zed.Stats(ctx, "acme")
		wantErr(t, err, 404, "notFound", "another team's stats")
		_, err = zed.SearchMembers(ctx, "acme", roster.MemberQuery{Q: "u"})
		wantErr(t, err, 404, "notFound", "another team's members")
		zs, err := zed.Stats(ctx, "zeta")
		must(t, err, "zeta stats")
		if zs.Members.Active != 1 || zs.Provisioning == nil || zs.Provisioning.Requests24h != 0 || len(zs.Provisioning.Keys) != 0 {
			t.Errorf("zeta stats = %+v", zs)
		}
		if pg, err := zed.SearchMembers(ctx, "zeta", roster.MemberQuery{Q: "u0"}); err != nil || len(pg.Members) != 0 {
			t.Errorf("zeta search u0 = %v, %v", emails(pg), err)
		}
	})
}
