package webui

import (
	"net/http"

	roster "github.com/rosterhq/roster"
)

// registerProfileRoutes registers the self-service page of the caller.
func (u *UI) registerProfileRoutes(m *http.ServeMux) {
	m.Handle("GET "+Prefix+"/profile", u.signedIn(u.profilePage))
	m.Handle("POST "+Prefix+"/profile/email", u.signedIn(u.profileEmail))
	m.Handle("POST "+Prefix+"/profile/password", u.signedIn(u.profilePassword))
	m.Handle("POST "+Prefix+"/profile/leave", u.signedIn(u.profileLeave))
}

// profileData is the profile page.
type profileData struct {
	// Locked is true while the team's identity provider manages the
	// caller (SCIM-managed member, SCIM on): leaving and changing the
	// email or password are refused by the API, so the page disables them.
	Locked bool
	// Invitation is the caller's pending invitation while they are in no
	// team.
	Invitation *roster.Invitation
}

func (u *UI) profilePage(p *page) error {
	d := profileData{Locked: p.Me.SCIMManaged}
	if p.Me.Team == nil {
		inv, err := p.API.MyInvitation(p.ctx())
		switch {
		case err == nil:
			d.Invitation = &inv
		case roster.ErrorStatus(err) != http.StatusNotFound:
			return err
		}
	}
	return p.render("profile", "Profile", "profile", d)
}

func (u *UI) profileEmail(p *page) error {
	p.Back = Prefix + "/profile"
	email := p.form("email")
	if email == "" {
		return p.redirect(p.Back, "error", "Enter the new email address.")
	}
	a, err := p.API.ChangeEmail(p.ctx(), email)
	if err != nil {
		return err
	}
	return p.redirect(p.Back, "ok", "Your email is now "+a.Email+".")
}

func (u *UI) profilePassword(p *page) error {
	p.Back = Prefix + "/profile"
	cur, next := p.r.PostFormValue("current"), p.r.PostFormValue("new")
	if cur == "" || next == "" {
		return p.redirect(p.Back, "error", "Enter your current password and the new one.")
	}
	if next != p.r.PostFormValue("confirm") {
		return p.redirect(p.Back, "error", "The new password and its confirmation differ.")
	}
	if err := p.API.ChangePassword(p.ctx(), cur, next); err != nil {
		return err
	}
	// The API ends every session of the account, this one included: sign
	// in again with the new password so the person stays signed in here.
	if _, err := p.API.SignIn(p.ctx(), p.Me.Account.Email, next); err != nil {
		return p.redirect(Prefix+"/login", "ok", "Your password is changed. Sign in with the new password.")
	}
	return p.redirect(p.Back, "ok", "Your password is changed. Your other sessions have been signed out.")
}

func (u *UI) profileLeave(p *page) error {
	p.Back = Prefix + "/profile"
	if p.Me.Team == nil {
		return p.redirect(p.Back, "error", "You are not in a team.")
	}
	name := p.Me.Team.Name
	if err := p.API.Leave(p.ctx(), p.Me.Team.Slug); err != nil {
		return err
	}
	return p.redirect(p.Back, "ok", "You left "+name+".")
}
