package httpapi

import (
	"net/http"

	roster "github.com/rosterhq/roster"
	"github.com/rosterhq/roster/internal/admin"
)

// domainRoutes are a team's verified email domains.
func (h *adminAPI) domainRoutes() []apiRoute {
	return []apiRoute{
		{Method: "GET", Path: "/teams/{team}/domains", OpID: "listDomains", Tag: "domains",
			Summary: "The team's email domains and their verification state", Resp: roster.DomainList{}, h: h.listDomains},
		{Method: "POST", Path: "/teams/{team}/domains", OpID: "addDomain", Tag: "domains",
			Summary:     "Add a domain; the answer names the DNS TXT record to publish",
			Description: "Adding a domain the team already has returns it unchanged.",
			Body:        roster.AddDomainRequest{}, Resp: roster.Domain{}, Status: http.StatusCreated, h: h.addDomain},
		{Method: "POST", Path: "/teams/{team}/domains/{domain}/verify", OpID: "verifyDomain", Tag: "domains",
			Summary: "Look the TXT record up and mark the domain verified, or say what was found instead",
			Resp:    roster.DomainCheck{}, h: h.verifyDomain},
		{Method: "DELETE", Path: "/teams/{team}/domains/{domain}", OpID: "removeDomain", Tag: "domains",
			Summary: "Remove a domain", Status: http.StatusNoContent, h: h.removeDomain},
	}
}

func wireDomain(d admin.DomainView) roster.Domain {
	return roster.Domain{
		Domain: d.Domain.Domain, Verified: d.Verified, RecordName: d.RecordName, RecordValue: d.RecordValue,
		CreatedAt: d.CreatedAt, VerifiedAt: d.VerifiedAt, LastCheckAt: d.LastCheckAt, LastCheckResult: d.LastCheckResult,
	}
}

func (h *adminAPI) listDomains(w http.ResponseWriter, r *http.Request, c *caller) error {
	t, err := h.team(r, c)
	if err != nil {
		return err
	}
	ds, err := h.adm.Domains(r.Context(), c.p, t.ID)
	if err != nil {
		return err
	}
	out := roster.DomainList{Domains: make([]roster.Domain, 0, len(ds))}
	for _, d := range ds {
		out.Domains = append(out.Domains, wireDomain(d))
	}
	return ok(w, out)
}

func (h *adminAPI) addDomain(w http.ResponseWriter, r *http.Request, c *caller) error {
	var in roster.AddDomainRequest
	if err := h.decode(w, r, &in, false); err != nil {
		return err
	}
	t, err := h.team(r, c)
	if err != nil {
		return err
	}
	d, err := h.adm.AddDomain(r.Context(), c.p, t.ID, in.Domain)
	if err != nil {
		return err
	}
	return created(w, wireDomain(d))
}

func (h *adminAPI) verifyDomain(w http.ResponseWriter, r *http.Request, c *caller) error {
	t, err := h.team(r, c)
	if err != nil {
		return err
	}
	chk, err := h.adm.VerifyDomain(r.Context(), c.p, t.ID, r.PathValue("domain"))
	if err != nil {
		return err
	}
	found := chk.Found
	if found == nil {
		found = []string{}
	}
	return ok(w, roster.DomainCheck{Domain: wireDomain(chk.Domain), Verified: chk.Verified, Found: found, Result: chk.Result})
}

func (h *adminAPI) removeDomain(w http.ResponseWriter, r *http.Request, c *caller) error {
	t, err := h.team(r, c)
	if err != nil {
		return err
	}
	if err := h.adm.RemoveDomain(r.Context(), c.p, t.ID, r.PathValue("domain")); err != nil {
		return err
	}
	return noContent(w)
}
