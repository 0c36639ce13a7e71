package provision_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/provision"
)

// TestAuthenticateSeesChanges: a key that worked (and so is in the key
// cache) is refused on the very next request once it is revoked, and a
// team's key once SCIM is switched off (each change moves the
// authentication epoch, which every request reads).
func TestAuthenticateSeesChanges(t *testing.T) {
	run(t, func(f *fixture) {
		t := f.t
		key := f.e.NewKey(f.e.Team.ID)
		caller, err := f.svc.Authenticate(f.ctx, "Bearer "+key)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.e.Admin.RevokeKey(f.ctx, f.e.Team.ID, caller.KeyID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Authenticate(f.ctx, "Bearer "+key); !core.IsKind(err, core.KindUnauthenticated) {
			t.Errorf("the request after the revoke: error %v, want unauthenticated", err)
		}
		if _, err := f.svc.Authenticate(f.ctx, "Bearer "+f.e.Key); err != nil {
			t.Fatal(err)
		}
		f.e.SetSCIM(f.e.Team.ID, false)
		if _, err := f.svc.Authenticate(f.ctx, "Bearer "+f.e.Key); !core.IsKind(err, core.KindForbidden) {
			t.Errorf("the request after SCIM was switched off: error %v, want forbidden", err)
		}
	})
}

// TestConcurrentPatchesKeepEveryChange: updates read the member outside
// the write transaction and store it only if its version is unchanged, so
// concurrent PATCHes of different attributes of one user must all be in
// the result (no lost update), each in its own version.
func TestConcurrentPatchesKeepEveryChange(t *testing.T) {
	run(t, func(f *fixture) {
		t := f.t
		r, err := f.svc.CreateUser(f.ctx, f.c, []byte(`{"userName":"race@example.com","name":{"givenName":"A","familyName":"B"}}`), provision.Options{})
		if err != nil {
			t.Fatal(err)
		}
		id := r.ID()
		attrs := []string{"title", "nickName", "displayName", "profileUrl", "locale", "timezone", "userType", "preferredLanguage"}
		var wg sync.WaitGroup
		errs := make([]error, len(attrs))
		for i, a := range attrs {
			wg.Go(func() {
				v := fmt.Sprintf("v%d", i)
				if a == "profileUrl" {
					v = "https://example.com/u"
				}
				if a == "locale" || a == "preferredLanguage" {
					v = "en-US"
				}
				if a == "timezone" {
					v = "Europe/Paris"
				}
				body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":%q,"value":%q}]}`, a, v)
				_, errs[i] = f.svc.PatchUser(f.ctx, f.c, id, []byte(body), provision.Options{})
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("PATCH %s: %v", attrs[i], err)
			}
		}
		got, err := f.svc.GetUser(f.ctx, f.c, id, provision.Options{})
		if err != nil {
			t.Fatal(err)
		}
		doc := f.doc(got)
		for _, a := range attrs {
			if _, ok := doc[a]; !ok {
				t.Errorf("attribute %s lost: a concurrent PATCH overwrote it (document %v)", a, doc)
			}
		}
		meta, _ := doc["meta"].(map[string]any)
		if v, _ := meta["version"].(string); v != fmt.Sprintf(`W/"%d"`, 1+len(attrs)) {
			t.Errorf("version %s, want W/\"%d\" (one per PATCH)", v, 1+len(attrs))
		}
	})
}
