package webui

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"

	roster "github.com/rosterhq/roster"
)

// registerAuthRoutes registers first-run setup, sign-in and sign-out.
func (u *UI) registerAuthRoutes(m *http.ServeMux) {
	m.Handle("GET "+Prefix+"/setup", u.public(u.setupForm))
	m.Handle("POST "+Prefix+"/setup", u.public(u.setup))
	m.Handle("GET "+Prefix+"/login", u.public(u.loginForm))
	m.Handle("POST "+Prefix+"/login", u.public(u.login))
	m.Handle("POST "+Prefix+"/logout", u.public(u.logout))
}

// index sends the visitor where they belong: setup on an empty server,
// the sign-in page without a session, else their team's dashboard.
func (u *UI) index(p *page) error {
	if p.tr.sessionCookie() != "" {
		me, err := p.API.Me(p.ctx())
		if err == nil {
			return p.redirect(home(me), "", "")
		}
		if roster.ErrorStatus(err) != http.StatusUnauthorized {
			return err
		}
	}
	st, err := p.API.SetupState(p.ctx())
	if err != nil {
		return err
	}
	if st.Open {
		return p.redirect(Prefix+"/setup", "", "")
	}
	return p.fail401()
}

// fail401 sends the visitor to the sign-in page.
func (p *page) fail401() error {
	return &roster.Error{Status: http.StatusUnauthorized, Code: roster.CodeUnauthenticated, Message: "sign in"}
}

// home is the first page of a signed-in person: their team's dashboard,
// or the profile when they belong to no team.
func home(me roster.Me) string {
	if me.Team != nil {
		return Prefix + "/t/" + url.PathEscape(me.Team.Slug) + "/"
	}
	return Prefix + "/profile"
}

// switchTeam is the team switcher's target: GET /admin/switch?team=slug.
func (u *UI) switchTeam(p *page) error {
	slug := strings.TrimSpace(p.r.URL.Query().Get("team"))
	if slug == "" {
		return p.redirect(home(*p.Me), "", "")
	}
	t, err := p.API.Team(p.ctx(), slug)
	if err != nil {
		return err
	}
	return p.redirect(Prefix+"/t/"+url.PathEscape(t.Slug)+"/", "", "")
}

// authData is the data of the setup and sign-in forms: the values typed
// (never the password) and the error to show.
type authData struct {
	Email       string
	DisplayName string
	TeamName    string
	Next        string
	Error       string
	Field       string
}

func (u *UI) setupForm(p *page) error {
	st, err := p.API.SetupState(p.ctx())
	if err != nil {
		return err
	}
	if !st.Open {
		return p.redirect(Prefix+"/login", "ok", "Roster is already set up. Sign in, or ask a team administrator for an invitation.")
	}
	return p.render("setup", "Set up Roster", "", authData{})
}

// slugRE finds runs of characters a team slug cannot hold.
var slugRE = regexp.MustCompile(`[^a-z0-9]+`)

// slugOf derives a team slug from a team name ("Acme Inc." -> "acme-inc").
func slugOf(name string) string {
	s := strings.Trim(slugRE.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if len(s) > 63 {
		s = strings.Trim(s[:63], "-")
	}
	return s
}

func (u *UI) setup(p *page) error {
	d := authData{Email: p.form("email"), DisplayName: p.form("displayName"), TeamName: p.form("teamName")}
	req := roster.SetupRequest{Email: d.Email, Password: p.r.PostFormValue("password"), DisplayName: d.DisplayName, TeamName: d.TeamName}
	if d.TeamName != "" {
		req.TeamSlug = slugOf(d.TeamName)
		if req.TeamSlug == "" {
			d.Error, d.Field = "A team name needs at least one letter or digit.", "teamName"
			return p.renderStatus(http.StatusBadRequest, "setup", "Set up Roster", "", d)
		}
	}
	res, err := p.API.Setup(p.ctx(), req)
	if err != nil {
		var e *roster.Error
		if asAPIError(err, &e) && e.Status < 500 {
			if e.Code == "setupDone" {
				return p.redirect(Prefix+"/login", "ok", "Roster is already set up. Sign in.")
			}
			d.Error, d.Field = sentence(e.Message), fieldOf(e.Code)
			return p.renderStatus(e.Status, "setup", "Set up Roster", "", d)
		}
		return err
	}
	return p.redirect(Prefix+"/t/"+url.PathEscape(res.Team.Slug)+"/scim", "ok",
		"Welcome to Roster. Your team "+res.Team.Name+" is ready: turn SCIM on and generate a key for your identity provider.")
}

// fieldOf names the form field an API error code is about.
func fieldOf(code string) string {
	c := strings.ToLower(code)
	switch {
	case strings.Contains(c, "email"):
		return "email"
	case strings.Contains(c, "password"):
		return "password"
	case strings.Contains(c, "slug"), strings.Contains(c, "name") && !strings.Contains(c, "display"):
		return "teamName"
	}
	return ""
}

// safeNext accepts only a local /admin path as a post-sign-in target.
func safeNext(next string) string {
	if !strings.HasPrefix(next, Prefix+"/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return ""
	}
	return next
}

func (u *UI) loginForm(p *page) error {
	if p.tr.sessionCookie() != "" {
		if me, err := p.API.Me(p.ctx()); err == nil {
			return p.redirect(home(me), "", "")
		}
	}
	return p.render("login", "Sign in", "", authData{Next: safeNext(p.r.URL.Query().Get("next"))})
}

func (u *UI) login(p *page) error {
	d := authData{Email: p.form("email"), Next: safeNext(p.form("next"))}
	if _, err := p.API.SignIn(p.ctx(), d.Email, p.r.PostFormValue("password")); err != nil {
		var e *roster.Error
		if asAPIError(err, &e) && e.Status < 500 {
			d.Error = sentence(e.Message)
			if e.Status == http.StatusUnauthorized {
				d.Error = "The email or password is wrong."
			}
			return p.renderStatus(e.Status, "login", "Sign in", "", d)
		}
		return err
	}
	if d.Next != "" {
		return p.redirect(d.Next, "", "")
	}
	me, err := p.API.Me(p.ctx())
	if err != nil {
		return err
	}
	return p.redirect(home(me), "", "")
}

func (u *UI) logout(p *page) error {
	if p.tr.sessionCookie() != "" {
		err := p.API.SignOut(p.ctx())
		if err != nil && roster.ErrorStatus(err) != http.StatusUnauthorized {
			return err
		}
	}
	return p.redirect(Prefix+"/login", "ok", "You are signed out.")
}
