package httpapi

import (
	"net/http"
	"time"

	roster "github.com/rosterhq/roster"
	"github.com/rosterhq/roster/internal/admin"
	"github.com/rosterhq/roster/internal/core"
)

// accountRoutes are first-run setup, accounts, sessions, the caller and
// their personal tokens.
func (h *adminAPI) accountRoutes() []apiRoute {
	return []apiRoute{
		{Method: "POST", Path: "/setup", OpID: "setup", Tag: "session", Auth: authNone,
			Summary:     "First run: create the first account and its team, and sign in",
			Description: "Open only while no team has a member; afterwards 403 setupDone.",
			Body:        roster.SetupRequest{}, Resp: roster.SetupResult{}, Status: http.StatusCreated, SetsCookie: true, h: h.setup},
		{Method: "POST", Path: "/accounts", OpID: "signUp", Tag: "session", Auth: authNone,
			Summary: "Create an account with no team (then accept an invitation or create a team)",
			Body:    roster.SignUpRequest{}, Resp: roster.Account{}, Status: http.StatusCreated, h: h.signUp},
		{Method: "POST", Path: "/session", OpID: "signIn", Tag: "session", Auth: authNone,
			Summary: "Sign in with email and password; sets the session cookie",
			Body:    roster.SignInRequest{}, Resp: roster.Session{}, SetsCookie: true, h: h.signIn},
		{Method: "DELETE", Path: "/session", OpID: "signOut", Tag: "session",
			Summary: "Sign out: end the session", Status: http.StatusNoContent, h: h.signOut},
		{Method: "GET", Path: "/me", OpID: "getMe", Tag: "me",
			Summary: "The caller: account, team and membership", Resp: roster.Me{}, h: h.getMe},
		{Method: "PUT", Path: "/me/password", OpID: "changePassword", Tag: "me",
			Summary:     "Change one's own password (ends every session of the account, the current one included)",
			Description: "403 managedByIdP for a SCIM-managed member while SCIM is on.",
			Body:        roster.PasswordRequest{}, Status: http.StatusNoContent, h: h.changePassword},
		{Method: "PUT", Path: "/me/email", OpID: "changeEmail", Tag: "me",
			Summary:     "Change one's own email",
			Description: "403 managedByIdP for a SCIM-managed member while SCIM is on.",
			Body:        roster.EmailRequest{}, Resp: roster.Account{}, h: h.changeEmail},
		{Method: "GET", Path: "/me/tokens", OpID: "listTokens", Tag: "me",
			Summary: "List one's personal API tokens", Resp: roster.KeyList{}, h: h.listTokens},
		{Method: "POST", Path: "/me/tokens", OpID: "createToken", Tag: "me",
			Summary: "Create a personal API token; its secret is in this answer only",
			Body:    roster.CreateKeyRequest{}, Resp: roster.NewKey{}, Status: http.StatusCreated, h: h.createToken},
		{Method: "DELETE", Path: "/me/tokens/{token}", OpID: "revokeToken", Tag: "me",
			Summary: "Revoke one of one's personal API tokens", Status: http.StatusNoContent, h: h.revokeToken},
	}
}

func (h *adminAPI) setup(w http.ResponseWriter, r *http.Request, _ *caller) error {
	var in roster.SetupRequest
	if err := h.decode(w, r, &in, false); err != nil {
		return err
	}
	si, err := h.adm.Setup(r.Context(), admin.SetupInput{
		SignUpInput: admin.SignUpInput{Email: in.Email, Password: in.Password, DisplayName: in.DisplayName},
		TeamSlug:    in.TeamSlug, TeamName: in.TeamName,
	})
	if err != nil {
		return err
	}
	me, err := h.adm.Me(r.Context(), si.Principal)
	if err != nil {
		return err
	}
	h.setSession(w, r, si)
	out := roster.SetupResult{Account: wireAccount(me.Account), Session: wireSession(si)}
	if me.Team != nil {
		out.Team = wireTeam(*me.Team)
	}
	return created(w, out)
}

func wireSession(si admin.SignedIn) roster.Session {
	return roster.Session{CSRFToken: si.CSRFToken, ExpiresAt: si.Session.ExpiresAt}
}

func (h *adminAPI) signUp(w http.ResponseWriter, r *http.Request, _ *caller) error {
	var in roster.SignUpRequest
	if err := h.decode(w, r, &in, false); err != nil {
		return err
	}
	a, err := h.adm.SignUp(r.Context(), admin.SignUpInput{Email: in.Email, Password: in.Password, DisplayName: in.DisplayName})
	if err != nil {
		return err
	}
	return created(w, wireAccount(a))
}

func (h *adminAPI) signIn(w http.ResponseWriter, r *http.Request, _ *caller) error {
	var in roster.SignInRequest
	if err := h.decode(w, r, &in, false); err != nil {
		return err
	}
	si, err := h.adm.SignIn(r.Context(), in.Email, in.Password)
	if err != nil {
		return err
	}
	h.setSession(w, r, si)
	return ok(w, wireSession(si))
}

func (h *adminAPI) signOut(w http.ResponseWriter, r *http.Request, c *caller) error {
	if c.session == nil {
		return core.Errorf(core.KindInvalid, "notSession", "this request is authenticated by a personal token, not a session; revoke the token instead")
	}
	if err := h.adm.SignOut(r.Context(), c.sessionToken); err != nil {
		return err
	}
	h.clearSession(w, r)
	return noContent(w)
}

func (h *adminAPI) getMe(w http.ResponseWriter, r *http.Request, c *caller) error {
	me, err := h.adm.Me(r.Context(), c.p)
	if err != nil {
		return err
	}
	return ok(w, wireMe(me, c))
}

func (h *adminAPI) changePassword(w http.ResponseWriter, r *http.Request, c *caller) error {
	var in roster.PasswordRequest
	if err := h.decode(w, r, &in, false); err != nil {
		return err
	}
	if err := h.adm.ChangePassword(r.Context(), c.p, in.Current, in.New); err != nil {
		return err
	}
	return noContent(w)
}

func (h *adminAPI) changeEmail(w http.ResponseWriter, r *http.Request, c *caller) error {
	var in roster.EmailRequest
	if err := h.decode(w, r, &in, false); err != nil {
		return err
	}
	a, err := h.adm.ChangeEmail(r.Context(), c.p, in.Email)
	if err != nil {
		return err
	}
	return ok(w, wireAccount(a))
}

func (h *adminAPI) listTokens(w http.ResponseWriter, r *http.Request, c *caller) error {
	ks, err := h.adm.Tokens(r.Context(), c.p)
	if err != nil {
		return err
	}
	return ok(w, roster.KeyList{Keys: wireKeyViews(ks)})
}

// lifetime converts a request's seconds into a duration, refusing
// negative or absurd values.
func lifetime(field string, secs int64) (time.Duration, error) {
	const maxSecs = 10 * 365 * 24 * 3600
	if secs < 0 || secs > maxSecs {
		return 0, core.Errorf(core.KindInvalid, "invalidDuration", "%s must be from 0 to %d seconds", field, maxSecs)
	}
	return time.Duration(secs) * time.Second, nil
}

func (h *adminAPI) createToken(w http.ResponseWriter, r *http.Request, c *caller) error {
	var in roster.CreateKeyRequest
	if err := h.decode(w, r, &in, false); err != nil {
		return err
	}
	d, err := lifetime("expiresInSeconds", in.ExpiresInSeconds)
	if err != nil {
		return err
	}
	k, err := h.adm.CreateToken(r.Context(), c.p, in.Name, d)
	if err != nil {
		return err
	}
	return created(w, wireNewKey(k, time.Now()))
}

func (h *adminAPI) revokeToken(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := h.adm.RevokeToken(r.Context(), c.p, r.PathValue("token")); err != nil {
		return err
	}
	return noContent(w)
}
