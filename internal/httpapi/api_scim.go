package httpapi

import (
	"net/http"
	"time"

	roster "github.com/rosterhq/roster"
)

// scimRoutes are a team's SCIM settings and keys (Super and Team Admins).
func (h *adminAPI) scimRoutes() []apiRoute {
	return []apiRoute{
		{Method: "GET", Path: "/teams/{team}/scim", OpID: "getSCIMSettings", Tag: "scim",
			Summary: "The team's SCIM settings and the base URL to give the identity provider", Resp: roster.SCIMSettings{}, h: h.getSCIM},
		{Method: "PUT", Path: "/teams/{team}/scim", OpID: "setSCIMSettings", Tag: "scim",
			Summary: "Turn SCIM provisioning on or off", Body: roster.SCIMSettingsRequest{}, Resp: roster.SCIMSettings{}, h: h.putSCIM},
		{Method: "GET", Path: "/teams/{team}/scim/keys", OpID: "listSCIMKeys", Tag: "scim",
			Summary: "The team's SCIM keys, newest first, with status ACTIVE, REVOKED or EXPIRED", Resp: roster.KeyList{}, h: h.listSCIMKeys},
		{Method: "POST", Path: "/teams/{team}/scim/keys", OpID: "createSCIMKey", Tag: "scim",
			Summary: "Create a SCIM key; its secret is in this answer only",
			Body:    roster.CreateKeyRequest{}, Resp: roster.NewKey{}, Status: http.StatusCreated, h: h.createSCIMKey},
		{Method: "POST", Path: "/teams/{team}/scim/keys/{key}/regenerate", OpID: "regenerateSCIMKey", Tag: "scim",
			Summary:     "Replace an ACTIVE key: a new key now, the old one revoked after the overlap",
			Description: "The new key has the old key's name and lifetime; overlapSeconds 0 revokes the old key now.",
			Body:        roster.RegenerateKeyRequest{}, OptionalBody: true, Resp: roster.NewKey{}, Status: http.StatusCreated, h: h.regenerateSCIMKey},
		{Method: "POST", Path: "/teams/{team}/scim/keys/{key}/revoke", OpID: "revokeSCIMKey", Tag: "scim",
			Summary: "Revoke a key now: its next request is refused", Status: http.StatusNoContent, h: h.revokeSCIMKey},
		{Method: "DELETE", Path: "/teams/{team}/scim/keys/{key}", OpID: "deleteSCIMKey", Tag: "scim",
			Summary: "Delete a revoked or expired key (409 keyActive for an ACTIVE one)", Status: http.StatusNoContent, h: h.deleteSCIMKey},
	}
}

// scimSettings returns a team's settings with the SCIM base URL.
func (h *adminAPI) scimSettings(r *http.Request, enabled bool) roster.SCIMSettings {
	base := h.baseURL
	if base == "" {
		base = h.selfOrigin(r)
	}
	return roster.SCIMSettings{Enabled: enabled, BaseURL: base + SCIMPrefix}
}

func (h *adminAPI) getSCIM(w http.ResponseWriter, r *http.Request, c *caller) error {
	t, err := h.team(r, c)
	if err != nil {
		return err
	}
	return ok(w, h.scimSettings(r, t.SCIMEnabled))
}

func (h *adminAPI) putSCIM(w http.ResponseWriter, r *http.Request, c *caller) error {
	var in roster.SCIMSettingsRequest
	if err := h.decode(w, r, &in, false); err != nil {
		return err
	}
	t, err := h.team(r, c)
	if err != nil {
		return err
	}
	t, err = h.adm.SetSCIMEnabled(r.Context(), c.p, t.ID, in.Enabled)
	if err != nil {
		return err
	}
	return ok(w, h.scimSettings(r, t.SCIMEnabled))
}

func (h *adminAPI) listSCIMKeys(w http.ResponseWriter, r *http.Request, c *caller) error {
	t, err := h.team(r, c)
	if err != nil {
		return err
	}
	ks, err := h.adm.SCIMKeys(r.Context(), c.p, t.ID)
	if err != nil {
		return err
	}
	return ok(w, roster.KeyList{Keys: wireKeyViews(ks)})
}

func (h *adminAPI) createSCIMKey(w http.ResponseWriter, r *http.Request, c *caller) error {
	var in roster.CreateKeyRequest
	if err := h.decode(w, r, &in, false); err != nil {
		return err
	}
	d, err := lifetime("expiresInSeconds", in.ExpiresInSeconds)
	if err != nil {
		return err
	}
	t, err := h.team(r, c)
	if err != nil {
		return err
	}
	k, err := h.adm.CreateSCIMKey(r.Context(), c.p, t.ID, in.Name, d)
	if err != nil {
		return err
	}
	return created(w, wireNewKey(k, time.Now()))
}

func (h *adminAPI) regenerateSCIMKey(w http.ResponseWriter, r *http.Request, c *caller) error {
	var in roster.RegenerateKeyRequest
	if err := h.decode(w, r, &in, true); err != nil {
		return err
	}
	d, err := lifetime("overlapSeconds", in.OverlapSeconds)
	if err != nil {
		return err
	}
	t, err := h.team(r, c)
	if err != nil {
		return err
	}
	k, err := h.adm.RegenerateSCIMKey(r.Context(), c.p, t.ID, r.PathValue("key"), d)
	if err != nil {
		return err
	}
	return created(w, wireNewKey(k, time.Now()))
}

func (h *adminAPI) revokeSCIMKey(w http.ResponseWriter, r *http.Request, c *caller) error {
	t, err := h.team(r, c)
	if err != nil {
		return err
	}
	if err := h.adm.RevokeSCIMKey(r.Context(), c.p, t.ID, r.PathValue("key")); err != nil {
		return err
	}
	return noContent(w)
}

func (h *adminAPI) deleteSCIMKey(w http.ResponseWriter, r *http.Request, c *caller) error {
	t, err := h.team(r, c)
	if err != nil {
		return err
	}
	if err := h.adm.DeleteSCIMKey(r.Context(), c.p, t.ID, r.PathValue("key")); err != nil {
		return err
	}
	return noContent(w)
}
