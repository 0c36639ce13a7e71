package webui

import (
	"net/http"
)

// registerDomainRoutes registers the verified-domains page and actions.
func (u *UI) registerDomainRoutes(m *http.ServeMux) {
	t := Prefix + "/t/{team}/domains"
	m.Handle("GET "+t, u.inTeam(u.domainsPage))
	m.Handle("POST "+t, u.inTeam(u.domainAdd))
	m.Handle("POST "+t+"/{domain}/verify", u.inTeam(u.domainVerify))
	m.Handle("POST "+t+"/{domain}/remove", u.inTeam(u.domainRemove))
}

// domainsData is the domains page.
type domainsData struct {
	Domains []domainRow
	Input   string
}

// domainRow is a listed domain.
type domainRow struct {
	Domain   string
	Verified bool
	// RecordName and RecordValue are the TXT record to publish.
	RecordName, RecordValue string
	VerifiedAt, LastCheckAt string
	LastCheckResult         string
}

func (u *UI) domainsPage(p *page) error {
	ds, err := p.API.Domains(p.ctx(), p.Team.Slug)
	if err != nil {
		return err
	}
	d := domainsData{Domains: make([]domainRow, 0, len(ds))}
	for _, x := range ds {
		r := domainRow{Domain: x.Domain, Verified: x.Verified, RecordName: x.RecordName, RecordValue: x.RecordValue,
			LastCheckResult: x.LastCheckResult}
		if x.VerifiedAt != nil {
			r.VerifiedAt = when(*x.VerifiedAt)
		}
		if x.LastCheckAt != nil {
			r.LastCheckAt = when(*x.LastCheckAt)
		}
		d.Domains = append(d.Domains, r)
	}
	return p.render("domains", "Verified domains", "domains", d)
}

func (u *UI) domainAdd(p *page) error {
	p.Back = p.teamPath("/domains")
	name := p.form("domain")
	if name == "" {
		return p.redirect(p.Back, "error", "Enter a domain, such as example.com.")
	}
	d, err := p.API.AddDomain(p.ctx(), p.Team.Slug, name)
	if err != nil {
		return err
	}
	return p.redirect(p.Back, "ok", d.Domain+" added. Publish its TXT record, then press Verify.")
}

func (u *UI) domainVerify(p *page) error {
	p.Back = p.teamPath("/domains")
	c, err := p.API.VerifyDomain(p.ctx(), p.Team.Slug, p.r.PathValue("domain"))
	if err != nil {
		return err
	}
	if c.Verified {
		return p.redirect(p.Back, "ok", c.Domain.Domain+" is verified. "+sentence(c.Result))
	}
	return p.redirect(p.Back, "error", c.Domain.Domain+" is not verified yet. "+sentence(c.Result))
}

func (u *UI) domainRemove(p *page) error {
	p.Back = p.teamPath("/domains")
	name := p.r.PathValue("domain")
	if err := p.API.RemoveDomain(p.ctx(), p.Team.Slug, name); err != nil {
		return err
	}
	return p.redirect(p.Back, "ok", name+" removed.")
}
