package httpapi

import (
	"net/http"
	"strings"

	roster "github.com/rosterhq/roster"
	"github.com/rosterhq/roster/internal/admin"
	"github.com/rosterhq/roster/internal/core"
)

// authMode says what credentials a route needs.
type authMode int

const (
	// authRequired needs a personal token or a session.
	authRequired authMode = iota
	// authNone needs nothing (setup, sign-in, sign-up, the OpenAPI
	// document); cookie-less writes still pass the Origin check.
	authNone
)

// caller is who sent an admin API request.
type caller struct {
	p core.Principal
	// session is set when the request was authenticated by the session
	// cookie; sessionToken is the cookie's value.
	session      *core.Session
	sessionToken string
}

// method returns "token" or "session".
func (c *caller) method() string {
	if c.session != nil {
		return "session"
	}
	return "token"
}

// unsafe reports whether a method changes state (and so needs CSRF
// protection when authenticated by cookie).
func unsafe(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// authenticate finds the caller of r: a personal API token in
// Authorization (no CSRF check: a browser never adds it by itself), or the
// session cookie, whose writes must pass the Origin check and carry the
// session's CSRF token.
func (h *adminAPI) authenticate(r *http.Request) (*caller, error) {
	if authz := strings.TrimSpace(r.Header.Get("Authorization")); authz != "" {
		p, err := h.adm.AuthenticateToken(r.Context(), authz)
		if err != nil {
			return nil, err
		}
		h.describe(r, &p)
		return &caller{p: p}, nil
	}
	ck, err := r.Cookie(roster.SessionCookie)
	if err != nil || ck.Value == "" {
		return nil, core.Errorf(core.KindUnauthenticated, roster.CodeUnauthenticated,
			"sign in (POST %s/session) or send a personal API token as \"Authorization: Bearer rpt_...\"", APIPrefix)
	}
	if unsafe(r.Method) {
		if err := h.checkOrigin(r); err != nil {
			return nil, err
		}
	}
	p, sess, err := h.adm.Session(r.Context(), ck.Value)
	if err != nil {
		return nil, err
	}
	if unsafe(r.Method) {
		if err := admin.CheckCSRF(sess, r.Header.Get(roster.CSRFHeader)); err != nil {
			return nil, err
		}
	}
	h.describe(r, &p)
	return &caller{p: p, session: &sess, sessionToken: ck.Value}, nil
}

// describe records the request's address and user agent on p, for the
// audit log.
func (h *adminAPI) describe(r *http.Request, p *core.Principal) {
	p.IP = ClientIP(r)
	p.UserAgent = clipUserAgent(r.UserAgent())
	if info := requestInfo(r); info != nil {
		info.team = p.TeamID
	}
}

// checkOrigin refuses a cookie-authenticated (or cookie-setting) write
// whose Origin header names another site. A request without Origin (not a
// browser, or an old one) relies on the CSRF token alone.
func (h *adminAPI) checkOrigin(r *http.Request) error {
	o := r.Header.Get("Origin")
	if o == "" {
		return nil
	}
	got := origin(o)
	if got != "" && (got == h.selfOrigin(r) || (h.baseURL != "" && got == origin(h.baseURL))) {
		return nil
	}
	return core.Errorf(core.KindForbidden, roster.CodeCSRF,
		"cross-site request refused: the Origin header does not name this server")
}

// selfOrigin is the origin the request was addressed to.
func (h *adminAPI) selfOrigin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return strings.ToLower(scheme + "://" + r.Host)
}

// secureCookies reports whether the session cookie gets Secure: when the
// request came over TLS or the configured external URL is https.
func (h *adminAPI) secureCookies(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(strings.ToLower(h.baseURL), "https://")
}

// setSession sets the session cookie.
func (h *adminAPI) setSession(w http.ResponseWriter, r *http.Request, in admin.SignedIn) {
	// Secure is set whenever the request came over TLS or the external URL
	// is https; plain-http development servers need the cookie without it.
	http.SetCookie(w, &http.Cookie{ //nolint:gosec // G124: Secure follows the transport, see above
		Name:     roster.SessionCookie,
		Value:    in.Token,
		Path:     "/",
		Expires:  in.Session.ExpiresAt,
		HttpOnly: true,
		Secure:   h.secureCookies(r),
		SameSite: http.SameSiteLaxMode,
	})
}

// clearSession deletes the session cookie.
func (h *adminAPI) clearSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{ //nolint:gosec // G124: as in setSession
		Name:     roster.SessionCookie,
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   h.secureCookies(r),
		SameSite: http.SameSiteLaxMode,
	})
}
