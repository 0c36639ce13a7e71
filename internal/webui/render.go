package webui

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	roster "github.com/rosterhq/roster"
)

// maxForm bounds a form body.
const maxForm = 64 << 10

// flashCookie carries a one-time message across a redirect
// (Post/Redirect/Get). It never holds a secret.
const flashCookie = "roster_flash"

// errNotFound renders the not-found page.
var errNotFound = &roster.Error{Status: http.StatusNotFound, Code: roster.CodeNotFound, Message: "There is nothing here."}

// page is one browser request being served: the SDK client bound to it
// and what the layout shows. Handlers fill Title, Nav and Data and call
// p.render, or answer a POST with p.redirect.
type page struct {
	ui  *UI
	w   http.ResponseWriter
	r   *http.Request
	tr  *apiTransport
	API *roster.Client

	// Signed-in pages: the caller, the session's CSRF token, the current
	// team (team pages) and the teams of the switcher.
	Me    *roster.Me
	CSRF  string
	Team  *roster.Team
	Teams []roster.Team

	// Back is where a failed POST redirects with its error as a flash
	// message; empty renders an error page instead.
	Back string

	flash *flash
}

// flash is a one-time message: Kind "ok" or "error".
type flash struct {
	Kind string `json:"k"`
	Msg  string `json:"m"`
}

// view is what every template receives.
type view struct {
	Title   string
	Nav     string
	Flash   *flash
	CSRF    string
	Me      *roster.Me
	Team    *roster.Team
	Teams   []roster.Team
	IsAdmin bool
	Role    string
	Path    string
	// Data is the page's own data.
	Data any
}

// newPage prepares a request: the form is parsed (bounded) for a POST and
// its csrf field becomes the CSRF header of the API calls.
func (u *UI) newPage(w http.ResponseWriter, r *http.Request) *page {
	csrf := ""
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		_ = r.ParseForm() // a bad body leaves fields empty; the API refuses them
		csrf = r.PostFormValue("csrf")
	}
	tr := newTransport(u.api, w, r, csrf)
	p := &page{ui: u, w: w, r: r, tr: tr, API: tr.client()}
	p.flash = p.takeFlash()
	return p
}

// public serves a page that needs no session.
func (u *UI) public(fn func(p *page) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := u.newPage(w, r)
		if err := fn(p); err != nil {
			p.fail(err)
		}
	})
}

// signedIn serves a page that needs a session: p.Me and p.CSRF are set
// (no session, or an expired one, redirects to the sign-in page).
func (u *UI) signedIn(fn func(p *page) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := u.newPage(w, r)
		err := p.loadSession()
		if err == nil {
			err = fn(p)
		}
		if err != nil {
			p.fail(err)
		}
	})
}

// inTeam serves a page of the team named by the {team} path segment:
// p.Team and p.Teams are set too (another team's slug is 404).
func (u *UI) inTeam(fn func(p *page) error) http.Handler {
	return u.signedIn(func(p *page) error {
		t, err := p.API.Team(p.ctx(), p.r.PathValue("team"))
		if err != nil {
			return err
		}
		p.Team = &t
		if p.Teams, err = p.API.Teams(p.ctx()); err != nil {
			return err
		}
		return fn(p)
	})
}

// loadSession reads the caller and the session's CSRF token.
func (p *page) loadSession() error {
	if p.tr.sessionCookie() == "" {
		return &roster.Error{Status: http.StatusUnauthorized, Code: roster.CodeUnauthenticated, Message: "sign in"}
	}
	me, err := p.API.Me(p.ctx())
	if err != nil {
		return err
	}
	p.Me = &me
	s, err := p.API.Session(p.ctx())
	if err != nil {
		return err
	}
	p.CSRF = s.CSRFToken
	return nil
}

// ctx is the request's context.
func (p *page) ctx() context.Context { return p.r.Context() }

// form returns a trimmed form field.
func (p *page) form(name string) string { return strings.TrimSpace(p.r.PostFormValue(name)) }

// teamPath returns /admin/t/{team} + rest for the current team.
func (p *page) teamPath(rest string) string {
	if p.Team == nil {
		return Prefix + "/"
	}
	return Prefix + "/t/" + url.PathEscape(p.Team.Slug) + rest
}

// isAdmin reports whether the caller is a Super or Team Admin of the
// current team (of their own team outside team pages).
func (p *page) isAdmin() bool {
	if p.Me == nil || p.Me.Member == nil || p.Me.Team == nil {
		return false
	}
	if p.Team != nil && p.Team.ID != p.Me.Team.ID {
		return false
	}
	if p.Me.Member.Status != roster.MemberActive {
		return false
	}
	return p.Me.Member.Role == roster.RoleSuperAdmin || p.Me.Member.Role == roster.RoleTeamAdmin
}

// render writes a page with status 200.
func (p *page) render(name, title, nav string, data any) error {
	return p.renderStatus(http.StatusOK, name, title, nav, data)
}

// renderStatus writes a page. The page is rendered into a buffer first,
// so a template error becomes a clean 500.
func (p *page) renderStatus(status int, name, title, nav string, data any) error {
	t, ok := p.ui.pages[name]
	if !ok {
		return fmt.Errorf("webui: no page template %q", name)
	}
	v := view{Title: title, Nav: nav, Flash: p.flash, CSRF: p.CSRF, Me: p.Me, Team: p.Team, Teams: p.Teams,
		IsAdmin: p.isAdmin(), Path: p.r.URL.Path, Data: data}
	if p.Me != nil && p.Me.Member != nil {
		v.Role = p.Me.Member.Role
	}
	if v.Team == nil && p.Me != nil {
		v.Team = p.Me.Team
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		return fmt.Errorf("webui: rendering %s: %w", name, err)
	}
	h := p.w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	p.w.WriteHeader(status)
	_, _ = p.w.Write(buf.Bytes())
	return nil
}

// redirect answers a POST with 303 to target and a flash message ("" for
// none); kind is "ok" or "error".
func (p *page) redirect(target, kind, msg string) error {
	if msg != "" {
		p.setFlash(kind, msg)
	}
	// Targets are local paths built by the handlers; the one taken from
	// the request (sign-in's "next") is checked by safeNext.
	http.Redirect(p.w, p.r, target, http.StatusSeeOther) //nolint:gosec // G710: local targets only, see above
	return nil
}

// secureCookies reports whether the page's cookies get Secure.
func (p *page) secureCookies() bool {
	return p.r.TLS != nil || strings.HasPrefix(strings.ToLower(p.ui.baseURL), "https://")
}

// setFlash sets the one-time message cookie.
func (p *page) setFlash(kind, msg string) {
	b, _ := json.Marshal(flash{Kind: kind, Msg: clip(msg, 500)})
	http.SetCookie(p.w, &http.Cookie{ //nolint:gosec // G124: Secure follows the transport, as the session cookie's
		Name: flashCookie, Value: base64.RawURLEncoding.EncodeToString(b), Path: Prefix,
		MaxAge: 60, HttpOnly: true, Secure: p.secureCookies(), SameSite: http.SameSiteLaxMode,
	})
}

// takeFlash reads and clears the one-time message.
func (p *page) takeFlash() *flash {
	ck, err := p.r.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	http.SetCookie(p.w, &http.Cookie{ //nolint:gosec // G124: as in setFlash
		Name: flashCookie, Value: "", Path: Prefix, MaxAge: -1, HttpOnly: true,
		Secure: p.secureCookies(), SameSite: http.SameSiteLaxMode,
	})
	b, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err != nil {
		return nil
	}
	var f flash
	if json.Unmarshal(b, &f) != nil || f.Msg == "" || (f.Kind != "ok" && f.Kind != "error") {
		return nil
	}
	return &f
}

// errorData is the data of the error page.
type errorData struct {
	Status    int
	Heading   string
	Message   string
	RequestID string
}

// fail answers an error: 401 (no or expired session) redirects to the
// sign-in page; 403 shows the "you need the Admin role" page (or, for a
// CSRF refusal, asks to reload); 404 the not-found page; a refused POST
// with p.Back set redirects there with the API's message; anything else
// is an error page (500 logged, never detailed).
func (p *page) fail(err error) {
	var e *roster.Error
	if !errors.As(err, &e) {
		p.ui.log.LogAttrs(p.ctx(), slog.LevelError, "admin page error",
			slog.String("path", p.r.URL.Path), slog.String("err", err.Error()))
		p.errorPage(http.StatusInternalServerError, "Something went wrong",
			"The page could not be shown. Try again; if it keeps failing, the server log has the details.", "")
		return
	}
	switch {
	case e.Status == http.StatusUnauthorized:
		if p.r.URL.Path != Prefix+"/login" {
			if p.tr.sessionCookie() != "" {
				p.setFlash("error", "Your session has ended. Sign in again.")
			}
			target := Prefix + "/login"
			if p.r.Method == http.MethodGet && p.r.URL.Path != Prefix+"/" {
				target += "?next=" + url.QueryEscape(p.r.URL.RequestURI())
			}
			http.Redirect(p.w, p.r, target, http.StatusSeeOther)
			return
		}
		p.errorPage(http.StatusUnauthorized, "Sign in", sentence(e.Message), e.RequestID)
	case e.Status == http.StatusForbidden && e.Code == roster.CodeCSRF:
		p.errorPage(http.StatusForbidden, "This form has expired",
			"The form was sent without a valid security token, or from another site. Go back, reload the page and try again.", e.RequestID)
	case e.Status == http.StatusForbidden && p.r.Method == http.MethodPost && p.Back != "" && e.Code != roster.CodeForbidden:
		// A rule refused the action (for example scimManaged): say why.
		_ = p.redirect(p.Back, "error", sentence(e.Message))
	case e.Status == http.StatusForbidden:
		p.errorPage(http.StatusForbidden, "You need the Admin role",
			"Only a team's Super Admins and Team Admins can see this page or make this change. Ask one of them to do it, or to change your role.", e.RequestID)
	case e.Status == http.StatusNotFound && (p.r.Method != http.MethodPost || p.Back == ""):
		p.errorPage(http.StatusNotFound, "Not found", "There is nothing here. It may have been removed, or the link is wrong.", e.RequestID)
	case e.Status < 500 && p.r.Method == http.MethodPost && p.Back != "":
		_ = p.redirect(p.Back, "error", sentence(e.Message))
	case e.Status < 500:
		p.errorPage(e.Status, "That did not work", sentence(e.Message), e.RequestID)
	default:
		p.errorPage(e.Status, "Something went wrong", sentence(e.Message), e.RequestID)
	}
}

// errorPage renders the error page (with the layout when signed in).
func (p *page) errorPage(status int, heading, msg, requestID string) {
	d := errorData{Status: status, Heading: heading, Message: msg, RequestID: requestID}
	if err := p.renderStatus(status, "error", heading, "", d); err != nil {
		p.ui.log.Error("admin page: rendering the error page", "err", err)
		http.Error(p.w, heading, status)
	}
}

// sentence capitalises a message and ends it with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "!") {
		s += "."
	}
	return s
}

// clip shortens s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// funcs are the template functions.
func (u *UI) funcs() template.FuncMap {
	return template.FuncMap{
		"asset": u.assetURL,
		"when":  when,
		"whenp": func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return when(*t)
		},
		"iso":   func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"short": shortTime,
		"shortp": func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return shortTime(*t)
		},
		"full": fullTime,
		"fullp": func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return fullTime(*t)
		},
		"isop": func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return t.UTC().Format(time.RFC3339)
		},
		"latency":  latency,
		"shortID":  shortID,
		"readable": readablePath,
		"roleName": roleName,
		"sentence": sentence,
		"lower":    strings.ToLower,
		"title": func(s string) string {
			if s == "" {
				return s
			}
			r, n := utf8.DecodeRuneInString(s)
			return string(unicode.ToUpper(r)) + s[n:]
		},
		"teamPath": func(t *roster.Team, rest string) string {
			if t == nil {
				return Prefix + "/"
			}
			return Prefix + "/t/" + url.PathEscape(t.Slug) + rest
		},
		"pathEscape": url.PathEscape,
		"dialog": func(id, title, body, confirm, testID string, danger bool) confirmDialog {
			return confirmDialog{ID: id, Title: title, Body: body, Confirm: confirm, TestID: testID, Danger: danger}
		},
	}
}

// confirmDialog is the data of partial_confirm: made in templates with
// {{template "partial_confirm" (dialog "ID" "Title" "Body" "Confirm" "test-id" true)}}.
type confirmDialog struct {
	ID, Title, Body, Confirm, TestID string
	Danger                           bool
}

// when formats a time for people: "2026-11-29 20:19 UTC".
func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// roleName is a role as people read it.
func roleName(role string) string {
	switch role {
	case roster.RoleSuperAdmin:
		return "Super Admin"
	case roster.RoleTeamAdmin:
		return "Team Admin"
	case roster.RoleDeveloper:
		return "Developer"
	}
	return role
}

// Pager is the Previous / Next links of a cursor-paged list. The previous
// cursors ride along in repeated "back" query parameters ("-" is the
// first page), so paging needs no server state.
type Pager struct {
	Prev, Next string
}

// maxBack bounds the remembered previous pages.
const maxBack = 30

// pager returns the links of the current list page of r, whose next page
// starts at next ("" on the last page). Other query parameters (filters)
// are kept.
func pager(r *http.Request, next string) Pager {
	q := r.URL.Query()
	cur := q.Get("cursor")
	back := q["back"]
	var out Pager
	if next != "" {
		nq := cloneValues(q)
		marker := cur
		if marker == "" {
			marker = "-"
		}
		nb := append(append([]string{}, back...), marker)
		if len(nb) > maxBack {
			nb = nb[len(nb)-maxBack:]
		}
		nq["back"] = nb
		nq.Set("cursor", next)
		out.Next = r.URL.Path + "?" + nq.Encode()
	}
	if cur != "" {
		pq := cloneValues(q)
		prev := "-"
		if len(back) > 0 {
			prev = back[len(back)-1]
			pq["back"] = back[:len(back)-1]
		}
		if len(pq["back"]) == 0 {
			pq.Del("back")
		}
		if prev == "-" {
			pq.Del("cursor")
		} else {
			pq.Set("cursor", prev)
		}
		out.Prev = r.URL.Path
		if enc := pq.Encode(); enc != "" {
			out.Prev += "?" + enc
		}
	}
	return out
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// asAPIError finds the API error in err's chain.
func asAPIError(err error, e **roster.Error) bool { return errors.As(err, e) }
