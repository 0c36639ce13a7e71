package httpapi

import (
	"net/http"

	roster "github.com/rosterhq/roster"
	"github.com/rosterhq/roster/internal/core"
)

// sessionUIRoutes serve browser front ends (the admin web page,
// internal/webui) whose session cookie is HttpOnly: they read the
// session's CSRF token here to put it into their forms.
func (h *adminAPI) sessionUIRoutes() []apiRoute {
	return []apiRoute{
		{Method: "GET", Path: "/session", OpID: "getSession", Tag: "session",
			Summary:     "The current cookie session: its CSRF token and expiry",
			Description: "401 without a session cookie; 400 notSession when the request is authenticated by a personal token.",
			Resp:        roster.Session{}, h: h.getSession},
		{Method: "GET", Path: "/setup", OpID: "getSetupState", Tag: "session", Auth: authNone,
			Summary: "Whether first-run setup is still open (no team has a member yet)",
			Resp:    roster.SetupState{}, h: h.getSetupState},
	}
}

func (h *adminAPI) getSetupState(w http.ResponseWriter, r *http.Request, _ *caller) error {
	open, err := h.adm.SetupOpen(r.Context())
	if err != nil {
		return err
	}
	return ok(w, roster.SetupState{Open: open})
}

func (h *adminAPI) getSession(w http.ResponseWriter, _ *http.Request, c *caller) error {
	if c.session == nil {
		return core.Errorf(core.KindInvalid, "notSession", "this request is authenticated by a personal token, not a session")
	}
	return ok(w, roster.Session{CSRFToken: c.session.CSRFToken, ExpiresAt: c.session.ExpiresAt})
}
