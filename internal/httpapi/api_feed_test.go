package httpapi_test

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"strings"
	"testing"

	roster "github.com/rosterhq/roster"
)

// Verified domains over a real DNS server, the SCIM-managed member rules,
// the audit log with its exports, and the change feed.
func TestAPIDomainsAuditAndFeed(t *testing.T) {
	eachAPIBackend(t, func(e *apiEnv) {
		t := e.t
		ctx := context.Background()
		boss, team := setup(t, e)
		_, err := boss.SetSCIM(ctx, "acme", true)
		must(t, err, "SCIM on")
		key, err := boss.CreateSCIMKey(ctx, "acme", roster.CreateKeyRequest{Name: "Okta"})
		must(t, err, "key")

		// Domains: add → TXT record; verify reports what it found.
		d, err := boss.AddDomain(ctx, "acme", "Acme.Test")
		must(t, err, "add domain")
		if d.Domain != "acme.test" || d.Verified || d.RecordName == "" || d.RecordValue == "" {
			t.Fatalf("domain = %+v", d)
		}
		chk, err := boss.VerifyDomain(ctx, "acme", "acme.test")
		must(t, err, "verify before publishing")
		if chk.Verified || chk.Result == "" || len(chk.Found) != 0 {
			t.Fatalf("check before publishing = %+v", chk)
		}
		e.dns.Set(d.RecordName, "roster-verification=wrong")
		chk, err = boss.VerifyDomain(ctx, "acme", "acme.test")
		must(t, err, "verify with a wrong record")
		if chk.Verified || len(chk.Found) != 1 || chk.Found[0] != "roster-verification=wrong" {
			t.Fatalf("check with a wrong record = %+v", chk)
		}
		e.dns.Set(d.RecordName, "unrelated", d.RecordValue)
		chk, err = boss.VerifyDomain(ctx, "acme", "acme.test")
		must(t, err, "verify")
		if !chk.Verified || !chk.Domain.Verified || chk.Domain.VerifiedAt == nil {
			t.Fatalf("check = %+v", chk)
		}
		_, err = boss.AddDomain(ctx, "acme", "other.test")
		must(t, err, "add other")
		must(t, boss.RemoveDomain(ctx, "acme", "other.test"), "remove other")
		ds, err := boss.Domains(ctx, "acme")
		must(t, err, "domains")
		if len(ds) != 1 || ds[0].Domain != "acme.test" || !ds[0].Verified {
			t.Fatalf("domains = %+v", ds)
		}
		_, err = boss.AddDomain(ctx, "acme", "not a domain")
		wantErr(t, err, 400, "", "bad domain")

		// Sam has an account; the IdP creates him on the verified domain,
		// which links the account: Sam is now SCIM-managed.
		_, err = e.client().SignUp(ctx, roster.SignUpRequest{Email: "sam@acme.test", Password: "sam's long password"})
		must(t, err, "sam signs up")
		if r := e.scimCreate(key.Secret, "sam@acme.test"); r.status != 201 {
			t.Fatalf("SCIM create: %d %s", r.status, r.body)
		}
		sam := e.signedIn("sam@acme.test", "sam's long password")
		sm := me(t, sam)
		if !sm.SCIMManaged || !sm.Member.SCIMManaged {
			t.Fatalf("sam = %+v", sm)
		}
		wantErr(t, sam.ChangePassword(ctx, "sam's long password", "another long password"), 403, "managedByIdP", "SCIM-managed password change")
		_, err = sam.ChangeEmail(ctx, "sam2@acme.test")
		wantErr(t, err, 403, "managedByIdP", "SCIM-managed email change")
		wantErr(t, sam.Leave(ctx, "acme"), 403, "managedByIdP", "SCIM-managed member leaves")
		wantErr(t, sam.RemoveMember(ctx, "acme", sm.Member.ID), 403, "", "SCIM-managed member removes himself")
		// With SCIM off the member manages himself again.
		_, err = boss.SetSCIM(ctx, "acme", false)
		must(t, err, "SCIM off")
		must(t, sam.ChangePassword(ctx, "sam's long password", "another long password"), "password change with SCIM off")
		sam = e.signedIn("sam@acme.test", "another long password")
		_, err = boss.SetSCIM(ctx, "acme", true)
		must(t, err, "SCIM on again")
		_, err = boss.SetRole(ctx, "acme", sm.Member.ID, roster.RoleTeamAdmin)
		must(t, err, "promote sam")

		// The change feed: strictly ordered, resumable one at a time.
		all, err := boss.Events(ctx, "acme", "", 0)
		must(t, err, "events")
		types := map[string]bool{}
		for i, ev := range all.Events {
			types[ev.Type] = true
			if ev.Seq != int64(i+1) || ev.Cursor == "" {
				t.Fatalf("event %d = %+v", i, ev)
			}
		}
		if !types[roster.EventUserCreated] || !types[roster.EventMemberRoleChanged] || all.HasMore {
			t.Fatalf("feed = %+v", all)
		}
		var walked []int64
		cursor := ""
		for range 100 {
			pg, err := boss.Events(ctx, "acme", cursor, 1)
			must(t, err, "events page")
			if len(pg.Events) == 0 {
				if pg.NextCursor != cursor && cursor != "" {
					t.Fatalf("empty page moved the cursor: %q → %q", cursor, pg.NextCursor)
				}
				break
			}
			walked = append(walked, pg.Events[0].Seq)
			cursor = pg.NextCursor
		}
		if len(walked) != len(all.Events) {
			t.Fatalf("walked %v, want %d events", walked, len(all.Events))
		}
		_, err = boss.Events(ctx, "acme", "not-a-cursor", 0)
		wantErr(t, err, 400, "invalidCursor", "bad cursor")
		dev := e.client(roster.WithToken(mustToken(t, sam)))
		_, err = dev.Events(ctx, "acme", cursor, 0)
		must(t, err, "events by token")

		// The audit log: filters and cursor.
		pg, err := boss.Audit(ctx, team.ID, roster.AuditQuery{Action: "domain.verified"})
		must(t, err, "audit by action")
		if len(pg.Events) != 1 || pg.Events[0].Actor.Kind != "account" || pg.Events[0].Actor.Name != adminEmail || pg.Events[0].IP == "" {
			t.Fatalf("domain.verified events = %+v", pg.Events)
		}
		bossID := me(t, boss).Account.ID
		byBoss, err := boss.Audit(ctx, "acme", roster.AuditQuery{Actor: bossID, Limit: 1000})
		must(t, err, "audit by actor")
		byKey, err := boss.Audit(ctx, "acme", roster.AuditQuery{Actor: key.Key.ID})
		must(t, err, "audit by key")
		if len(byBoss.Events) < 5 || len(byKey.Events) == 0 || byKey.Events[0].Actor.Kind != "scim_key" || byKey.Events[0].Actor.Name != "Okta" {
			t.Fatalf("by boss %d events, by key %+v", len(byBoss.Events), byKey.Events)
		}
		seen := map[string]bool{}
		q := roster.AuditQuery{Actor: bossID, Limit: 2}
		for {
			pg, err := boss.Audit(ctx, "acme", q)
			must(t, err, "audit page")
			for _, ev := range pg.Events {
				if seen[ev.ID] {
					t.Fatalf("audit event %s twice", ev.ID)
				}
				seen[ev.ID] = true
			}
			if pg.NextCursor == "" {
				break
			}
			q.Cursor = pg.NextCursor
		}
		if len(seen) != len(byBoss.Events) {
			t.Fatalf("paged %d events, want %d", len(seen), len(byBoss.Events))
		}
		_, err = boss.Audit(ctx, "acme", roster.AuditQuery{Limit: 0, Cursor: "", Action: "x", Actor: "", Target: ""})
		must(t, err, "audit with an action nobody did")
		wantAPIError(t, e.raw("GET", "/api/v1/teams/acme/audit?since=yesterday", "", map[string]string{"Authorization": "Bearer " + mustToken(t, boss)}), 400, "invalidTime", "bad since")

		// Exports: CSV with a header row, JSON Lines with one event a line,
		// neither with a secret.
		rc, err := boss.ExportAudit(ctx, "acme", roster.ExportCSV, roster.AuditQuery{})
		must(t, err, "export csv")
		rows, err := csv.NewReader(rc).ReadAll()
		rc.Close()
		must(t, err, "read csv")
		if len(rows) < 2 || len(rows)-1 < len(byBoss.Events) {
			t.Fatalf("csv has %d rows", len(rows))
		}
		rc, err = boss.ExportAudit(ctx, "acme", roster.ExportJSON, roster.AuditQuery{Action: "domain.verified"})
		must(t, err, "export jsonl")
		raw, _ := io.ReadAll(rc)
		rc.Close()
		sc := bufio.NewScanner(strings.NewReader(string(raw)))
		n := 0
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil || m["action"] != "domain.verified" {
				t.Fatalf("jsonl line %q", sc.Text())
			}
			n++
		}
		if n != 1 {
			t.Fatalf("jsonl has %d lines", n)
		}
		_, err = boss.ExportAudit(ctx, "acme", "xml", roster.AuditQuery{})
		wantErr(t, err, 400, "invalidFormat", "bad export format")
		_, err = sam.ExportAudit(ctx, "acme", roster.ExportCSV, roster.AuditQuery{})
		must(t, err, "team admin exports")
		rows2, _ := boss.ExportAudit(ctx, "acme", roster.ExportCSV, roster.AuditQuery{})
		all2, _ := io.ReadAll(rows2)
		rows2.Close()
		for _, s := range []string{key.Secret, "sam's long password", adminPass, "Plac3holder!pw"} {
			if strings.Contains(string(all2)+string(raw), s) {
				t.Fatalf("a secret is in the audit export")
			}
		}

		// SCIM activity is readable by admins.
		act, err := boss.Activity(ctx, "acme", roster.ActivityQuery{})
		must(t, err, "activity")
		_ = act
		e.noSecretsLogged(key.Secret, adminPass, "sam's long password", "another long password", "Plac3holder!pw")
	})
}
