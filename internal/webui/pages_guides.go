package webui

import (
	"net/http"

	roster "github.com/rosterhq/roster"
)

// registerGuideRoutes registers the identity-provider setup guides.
func (u *UI) registerGuideRoutes(m *http.ServeMux) {
	m.Handle("GET "+Prefix+"/t/{team}/guides/{idp}", u.inTeam(u.guidePage))
}

// guideData is a setup guide with this deployment's SCIM base URL.
type guideData struct {
	IdP      string
	Name     string
	BaseURL  string
	Settings roster.SCIMSettings
	IdPs     []idpLink
}

func (u *UI) guidePage(p *page) error {
	idp := p.r.PathValue("idp")
	name := ""
	for _, l := range idpLinks {
		if l.ID == idp {
			name = l.Name
		}
	}
	if name == "" {
		return errNotFound
	}
	s, err := p.API.SCIMSettings(p.ctx(), p.Team.Slug)
	if err != nil {
		return err
	}
	d := guideData{IdP: idp, Name: name, BaseURL: s.BaseURL, Settings: s, IdPs: idpLinks}
	if idp == "entra" {
		// Entra's Tenant URL carries the flag that makes it follow the
		// SCIM standard (docs/idp/entra.md).
		d.BaseURL += "?aadOptscim062020"
	}
	return p.render("guides", name+" setup guide", "scim", d)
}
