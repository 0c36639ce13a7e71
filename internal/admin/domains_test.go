package admin_test

import (
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/testdns"

	"github.com/rosterhq/roster/internal/admin"
	"github.com/rosterhq/roster/internal/core"
)

func TestDomainVerification(t *testing.T) {
	srv := testdns.Start(t)
	run(t, func(f *fixture) {
		t := f.t
		svc := admin.New(f.st, append(f.opts, admin.WithResolver(srv.Addr), admin.WithDNSTimeout(2*time.Second))...)
		owner := f.owner.Principal
		dom := strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")) + ".example.com"
		dom = strings.ReplaceAll(dom, "_", "-")
		if _, err := svc.AddDomain(f.ctx, owner, f.team.ID, "not a domain"); code(err) != "invalid/invalidDomain" {
			t.Errorf("bad domain: %s", code(err))
		}
		dev := f.person("dev", core.RoleDeveloper)
		if _, err := svc.AddDomain(f.ctx, dev.Principal, f.team.ID, dom); code(err) != "forbidden/forbidden" {
			t.Errorf("developer adds a domain: %s", code(err))
		}
		d, err := svc.AddDomain(f.ctx, owner, f.team.ID, strings.ToUpper(dom))
		f.must(err)
		if d.Domain.Domain != dom || d.RecordName != "_roster-challenge."+dom || !strings.HasPrefix(d.RecordValue, "roster-verification=") || d.Verified {
			t.Fatalf("AddDomain = %+v", d)
		}
		// Nothing published yet.
		c, err := svc.VerifyDomain(f.ctx, owner, f.team.ID, dom)
		f.must(err)
		if c.Verified || !strings.Contains(c.Result, "no TXT record") {
			t.Errorf("unpublished: %+v", c)
		}
		// A wrong record: say what was found.
		srv.Set(d.RecordName, "roster-verification=wrong", "v=spf1 -all")
		c, err = svc.VerifyDomain(f.ctx, owner, f.team.ID, dom)
		f.must(err)
		if c.Verified || len(c.Found) != 2 || !strings.Contains(c.Result, `"roster-verification=wrong"`) {
			t.Errorf("wrong record: %+v", c)
		}
		ok, err := f.st.DomainVerified(f.ctx, f.team.ID, dom)
		f.must(err)
		if ok {
			t.Error("domain verified by a wrong record")
		}
		// The right record verifies it.
		srv.Set(d.RecordName, "v=spf1 -all", d.RecordValue)
		c, err = svc.VerifyDomain(f.ctx, owner, f.team.ID, dom)
		f.must(err)
		if !c.Verified || c.Domain.VerifiedAt == nil {
			t.Errorf("right record: %+v", c)
		}
		if ok, _ := f.st.DomainVerified(f.ctx, f.team.ID, dom); !ok {
			t.Error("store does not see the domain verified")
		}
		ds, err := svc.Domains(f.ctx, dev.Principal, f.team.ID)
		f.must(err)
		if len(ds) != 1 || !ds[0].Verified {
			t.Errorf("Domains = %+v", ds)
		}
		// Another team cannot verify or remove it through its own id.
		other, otherTeam := f.outsider("eve")
		if _, err := svc.VerifyDomain(f.ctx, other.Principal, otherTeam.ID, dom); code(err) != "notfound/notFound" {
			t.Errorf("other team verifies our domain: %s", code(err))
		}
		if err := svc.RemoveDomain(f.ctx, other.Principal, f.team.ID, dom); code(err) != "notfound/notFound" {
			t.Errorf("outsider removes: %s", code(err))
		}
		f.must(svc.RemoveDomain(f.ctx, owner, f.team.ID, dom))
		if ok, _ := f.st.DomainVerified(f.ctx, f.team.ID, dom); ok {
			t.Error("removed domain still verified")
		}
		want := "domain.added domain.verified domain.removed"
		got := []string{}
		for _, a := range f.actions() {
			if strings.HasPrefix(a, "domain.") {
				got = append(got, a)
			}
		}
		if strings.Join(got, " ") != want {
			t.Errorf("domain audit %v", got)
		}
	})
}
