package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	roster "github.com/rosterhq/roster"
)

// Groups as the product sees them: what SCIM pushed, with member counts
// and paged members; another team's group is 404.
func TestAPIGroups(t *testing.T) {
	eachAPIBackend(t, func(e *apiEnv) {
		t := e.t
		ctx := context.Background()
		boss, _ := setup(t, e)
		_, err := boss.SetSCIM(ctx, "acme", true)
		must(t, err, "SCIM on")
		key, err := boss.CreateSCIMKey(ctx, "acme", roster.CreateKeyRequest{Name: "Okta"})
		must(t, err, "key")
		var ids []string
		for i := range 3 {
			r := e.scimCreate(key.Secret, fmt.Sprintf("u%d@acme.test", i))
			if r.status != 201 {
				t.Fatalf("SCIM create: %d %s", r.status, r.body)
			}
			var u struct{ ID string }
			_ = json.Unmarshal(r.body, &u)
			ids = append(ids, `{"value":"`+u.ID+`"}`)
		}
		r := e.raw("POST", "/scim/v2/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Engineering","members":[`+strings.Join(ids, ",")+`]}`,
			map[string]string{"Authorization": "Bearer " + key.Secret, "Content-Type": "application/scim+json"})
		if r.status != 201 {
			t.Fatalf("SCIM group: %d %s", r.status, r.body)
		}
		var g struct{ ID string }
		_ = json.Unmarshal(r.body, &g)

		pg, err := boss.Groups(ctx, "acme", "", 0)
		must(t, err, "groups")
		if pg.Total != 1 || len(pg.Groups) != 1 || pg.Groups[0].ID != g.ID || pg.Groups[0].DisplayName != "Engineering" || pg.Groups[0].MemberCount != 3 {
			t.Fatalf("groups = %+v", pg)
		}
		one, err := boss.Group(ctx, "acme", g.ID)
		must(t, err, "group")
		if one.MemberCount != 3 {
			t.Fatalf("group = %+v", one)
		}
		seen := map[string]bool{}
		cursor := ""
		for range 5 {
			mp, err := boss.GroupMembers(ctx, "acme", g.ID, cursor, 2)
			must(t, err, "group members")
			for _, m := range mp.Members {
				if seen[m.ID] || m.Type != "User" {
					t.Fatalf("member %+v twice or mistyped", m)
				}
				seen[m.ID] = true
			}
			if cursor = mp.NextCursor; cursor == "" {
				break
			}
		}
		if len(seen) != 3 {
			t.Fatalf("paged %d members, want 3", len(seen))
		}

		_, err = e.client().SignUp(ctx, roster.SignUpRequest{Email: "zed@zeta.test", Password: "zed's long password"})
		must(t, err, "zed signs up")
		zed := e.signedIn("zed@zeta.test", "zed's long password")
		_, err = zed.CreateTeam(ctx, roster.CreateTeamRequest{Slug: "zeta"})
		must(t, err, "zeta")
		_, err = zed.Group(ctx, "zeta", g.ID)
		wantErr(t, err, 404, "notFound", "another team's group")
		_, err = zed.GroupMembers(ctx, "zeta", g.ID, "", 0)
		wantErr(t, err, 404, "notFound", "another team's group members")
	})
}
