package admin_test

import (
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
)

func TestSCIMKeyLifecycle(t *testing.T) {
	run(t, func(f *fixture) {
		t := f.t
		owner := f.owner.Principal
		dev := f.person("dev", core.RoleDeveloper)
		auth := func(secret string) string {
			_, err := f.prov.Authenticate(f.ctx, secret)
			return code(err)
		}
		// Developers cannot manage SCIM.
		if _, err := f.svc.SetSCIMEnabled(f.ctx, dev.Principal, f.team.ID, true); code(err) != "forbidden/forbidden" {
			t.Errorf("developer enables SCIM: %s", code(err))
		}
		if _, err := f.svc.SCIMKeys(f.ctx, dev.Principal, f.team.ID); code(err) != "forbidden/forbidden" {
			t.Errorf("developer lists keys: %s", code(err))
		}
		k, err := f.svc.CreateSCIMKey(f.ctx, owner, f.team.ID, "okta", 24*time.Hour)
		f.must(err)
		if !strings.HasPrefix(k.Secret, "rsk_") || k.Key.ExpiresAt == nil || k.Key.Hash != nil {
			t.Fatalf("key %+v", k.Key)
		}
		// SCIM off: a valid key is refused with 403.
		if got := auth(k.Secret); got != "forbidden/" {
			t.Errorf("SCIM off: %s", got)
		}
		_, err = f.svc.SetSCIMEnabled(f.ctx, owner, f.team.ID, true)
		f.must(err)
		if got := auth(k.Secret); got != "ok" {
			t.Errorf("SCIM on: %s", got)
		}
		// Regenerate with an overlap: both work until it ends.
		k2, err := f.svc.RegenerateSCIMKey(f.ctx, owner, f.team.ID, k.Key.ID, time.Hour)
		f.must(err)
		if k2.Key.Name != "okta" || k2.Secret == k.Secret || k2.Key.ExpiresAt == nil {
			t.Errorf("regenerated %+v", k2.Key)
		}
		if auth(k.Secret) != "ok" || auth(k2.Secret) != "ok" {
			t.Errorf("overlap: old %s new %s", auth(k.Secret), auth(k2.Secret))
		}
		keys, err := f.svc.SCIMKeys(f.ctx, owner, f.team.ID)
		f.must(err)
		if len(keys) != 2 || keys[0].Status != core.KeyActive || keys[1].Status != core.KeyActive {
			t.Errorf("keys in overlap %+v", keys)
		}
		f.clk.Advance(time.Hour + time.Second)
		if got := auth(k.Secret); got != "unauthenticated/" {
			t.Errorf("old key after the overlap: %s", got)
		}
		// Regenerate with zero overlap revokes at once.
		k3, err := f.svc.RegenerateSCIMKey(f.ctx, owner, f.team.ID, k2.Key.ID, 0)
		f.must(err)
		if auth(k2.Secret) != "unauthenticated/" || auth(k3.Secret) != "ok" {
			t.Errorf("zero overlap: old %s new %s", auth(k2.Secret), auth(k3.Secret))
		}
		if _, err := f.svc.RegenerateSCIMKey(f.ctx, owner, f.team.ID, k2.Key.ID, 0); code(err) != "conflict/keyNotActive" {
			t.Errorf("regenerate a revoked key: %s", code(err))
		}
		// Revoke during an overlap stops the old key now.
		k4, err := f.svc.RegenerateSCIMKey(f.ctx, owner, f.team.ID, k3.Key.ID, time.Hour)
		f.must(err)
		f.must(f.svc.RevokeSCIMKey(f.ctx, owner, f.team.ID, k3.Key.ID))
		if auth(k3.Secret) != "unauthenticated/" || auth(k4.Secret) != "ok" {
			t.Errorf("revoke in overlap: old %s new %s", auth(k3.Secret), auth(k4.Secret))
		}
		// Expiry.
		f.clk.Advance(25 * time.Hour)
		if got := auth(k4.Secret); got != "unauthenticated/" {
			t.Errorf("expired key: %s", got)
		}
		// Delete: only revoked or expired keys.
		k5, err := f.svc.CreateSCIMKey(f.ctx, owner, f.team.ID, "entra", 0)
		f.must(err)
		if err := f.svc.DeleteSCIMKey(f.ctx, owner, f.team.ID, k5.Key.ID); code(err) != "conflict/keyActive" {
			t.Errorf("delete an active key: %s", code(err))
		}
		f.must(f.svc.RevokeSCIMKey(f.ctx, owner, f.team.ID, k5.Key.ID))
		f.must(f.svc.DeleteSCIMKey(f.ctx, owner, f.team.ID, k4.Key.ID))
		f.must(f.svc.DeleteSCIMKey(f.ctx, owner, f.team.ID, k5.Key.ID))
		keys, err = f.svc.SCIMKeys(f.ctx, owner, f.team.ID)
		f.must(err)
		for _, k := range keys {
			if k.ID == k4.Key.ID || k.ID == k5.Key.ID {
				t.Errorf("deleted key still listed: %s", k.ID)
			}
		}
		// Another team's key ids are not found.
		other, otherTeam := f.outsider("eve")
		ok, err := f.svc.CreateSCIMKey(f.ctx, other.Principal, otherTeam.ID, "theirs", 0)
		f.must(err)
		if err := f.svc.RevokeSCIMKey(f.ctx, owner, f.team.ID, ok.Key.ID); code(err) != "notfound/notFound" {
			t.Errorf("revoke another team's key: %s", code(err))
		}
		if err := f.svc.RevokeSCIMKey(f.ctx, other.Principal, f.team.ID, k5.Key.ID); code(err) != "notfound/notFound" {
			t.Errorf("outsider revokes: %s", code(err))
		}
		// Setting the current state again audits nothing.
		before := len(f.actions())
		_, err = f.svc.SetSCIMEnabled(f.ctx, owner, f.team.ID, true)
		f.must(err)
		if len(f.actions()) != before {
			t.Error("a no-op SCIM switch was audited")
		}
	})
}
