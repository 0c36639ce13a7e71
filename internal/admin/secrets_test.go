package admin_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/admin"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/provision"
	"github.com/rosterhq/roster/internal/provision/provisiontest"
	"github.com/rosterhq/roster/internal/scim"
)

// TestNoSecretsInClear runs a full scenario and then reads every row of
// every table: no password, SCIM key, personal token or session token may
// appear in clear.
func TestNoSecretsInClear(t *testing.T) {
	run(t, func(f *fixture) {
		t := f.t
		secrets := map[string]string{"owner password": password, "owner session": f.owner.Token}
		owner := f.owner.Principal
		_, err := f.svc.SetSCIMEnabled(f.ctx, owner, f.team.ID, true)
		f.must(err)
		k, err := f.svc.CreateSCIMKey(f.ctx, owner, f.team.ID, "okta", time.Hour)
		f.must(err)
		secrets["scim key"] = k.Secret
		k2, err := f.svc.RegenerateSCIMKey(f.ctx, owner, f.team.ID, k.Key.ID, time.Minute)
		f.must(err)
		secrets["regenerated scim key"] = k2.Secret
		c, err := f.prov.Authenticate(f.ctx, k2.Secret)
		f.must(err)
		f.verify("corp.example")
		const scimPassword = "Sc1mSentPassw0rd-xyz"
		body := fmt.Sprintf(`{"schemas":[%q],"userName":"bob@corp.example","password":%q,"emails":[{"value":"bob@corp.example","primary":true}]}`, scim.UserSchema, scimPassword)
		u, err := f.prov.CreateUser(f.ctx, c, []byte(body), provision.Options{})
		f.must(err)
		secrets["SCIM password"] = scimPassword
		patch := fmt.Sprintf(`{"schemas":[%q],"Operations":[{"op":"replace","value":{"password":%q,"active":false}}]}`, scim.PatchOpSchema, scimPassword+"2")
		_, err = f.prov.PatchUser(f.ctx, c, u.ID(), []byte(patch), provision.Options{})
		f.must(err)
		secrets["SCIM patched password"] = scimPassword + "2"
		dev := f.person("dev", core.RoleDeveloper)
		secrets["dev session"] = dev.Token
		tok, err := f.svc.CreateToken(f.ctx, dev.Principal, "ci", 0)
		f.must(err)
		secrets["personal token"] = tok.Secret
		f.must(f.svc.ChangePassword(f.ctx, dev.Principal, password, "the second password"))
		secrets["changed password"] = "the second password"
		si, err := f.svc.SignIn(f.ctx, "dev@example.com", "the second password")
		f.must(err)
		secrets["new session"] = si.Token
		f.must(f.svc.RevokeToken(f.ctx, si.Principal, tok.Key.ID))
		var sb strings.Builder
		f.must(f.svc.ExportAudit(f.ctx, owner, f.team.ID, admin.AuditQuery{}, admin.ExportJSONL, &sb))

		dump := provisiontest.DumpText(t, f.st)
		if !strings.Contains(dump, k.Key.Prefix) || !strings.Contains(dump, "bob@corp.example") {
			t.Fatalf("the dump does not look like the database:\n%.2000s", dump)
		}
		for what, s := range secrets {
			if strings.Contains(dump, s) {
				t.Errorf("%s found in clear in the database", what)
			}
			if strings.Contains(sb.String(), s) {
				t.Errorf("%s found in the audit export", what)
			}
		}
	})
}
