package httpapi_test

import (
	"context"
	"strings"
	"testing"

	roster "github.com/rosterhq/roster"
)

// A genuine key that is refused — revoked (401) or its team's SCIM
// switched off (403) — is recorded in its team's activity log; a wrong
// secret behind a real key's prefix, or an unknown key, is not (it names
// no team, and a stranger must not write into a team's log).
func TestActivityRecordsRefusedGenuineKey(t *testing.T) {
	eachAPIBackend(t, func(e *apiEnv) {
		t := e.t
		ctx := context.Background()
		boss, _ := setup(t, e)
		_, err := boss.SetSCIM(ctx, "acme", true)
		must(t, err, "SCIM on")
		key, err := boss.CreateSCIMKey(ctx, "acme", roster.CreateKeyRequest{Name: "Okta"})
		must(t, err, "key")
		if r := e.scimGet(key.Secret); r.status != 200 {
			t.Fatalf("get: %d %s", r.status, r.body)
		}

		// SCIM off: 403, recorded.
		_, err = boss.SetSCIM(ctx, "acme", false)
		must(t, err, "SCIM off")
		if r := e.scimGet(key.Secret); r.status != 403 {
			t.Fatalf("SCIM off: %d %s", r.status, r.body)
		}
		_, err = boss.SetSCIM(ctx, "acme", true)
		must(t, err, "SCIM on again")

		// Not recorded: the key's prefix with a wrong secret, and junk.
		forged := key.Secret[:len(key.Secret)-10] + strings.Repeat("A", 10)
		if r := e.scimGet(forged); r.status != 401 {
			t.Fatalf("forged: %d %s", r.status, r.body)
		}
		if r := e.scimGet("rsk_notakeyatall"); r.status != 401 {
			t.Fatalf("junk: %d %s", r.status, r.body)
		}

		// Revoked: 401, recorded.
		must(t, boss.RevokeSCIMKey(ctx, "acme", key.Key.ID), "revoke")
		r := e.scimGet(key.Secret)
		if r.status != 401 || !strings.Contains(string(r.body), "revoked") {
			t.Fatalf("revoked: %d %s", r.status, r.body)
		}

		all := waitActivity(t, boss, "acme", roster.ActivityQuery{}, 3)
		if len(all) != 3 {
			t.Fatalf("activity: %d records, want 3 (200, 403, 401): %+v", len(all), all)
		}
		want := []int{401, 403, 200} // newest first
		for i, a := range all {
			if a.Status != want[i] || a.KeyID != key.Key.ID {
				t.Errorf("record %d: status %d key %q, want %d and %q", i, a.Status, a.KeyID, want[i], key.Key.ID)
			}
		}
		if !strings.Contains(all[0].Detail, "revoked") {
			t.Errorf("401 record detail = %q", all[0].Detail)
		}
		fails := waitActivity(t, boss, "acme", roster.ActivityQuery{FailuresOnly: true}, 2)
		if len(fails) != 2 || fails[0].Status != 401 || fails[1].Status != 403 {
			t.Errorf("failures = %+v", fails)
		}
	})
}
