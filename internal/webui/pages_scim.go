package webui

import (
	"net/http"
	"strconv"

	roster "github.com/rosterhq/roster"
)

// registerSCIMRoutes registers the SCIM settings page and its actions.
func (u *UI) registerSCIMRoutes(m *http.ServeMux) {
	t := Prefix + "/t/{team}/scim"
	m.Handle("GET "+t, u.inTeam(u.scimPage))
	m.Handle("POST "+t+"/toggle", u.inTeam(u.scimToggle))
	m.Handle("POST "+t+"/keys", u.inTeam(u.scimCreateKey))
	m.Handle("POST "+t+"/keys/{id}/regenerate", u.inTeam(u.scimRegenerateKey))
	m.Handle("POST "+t+"/keys/{id}/revoke", u.inTeam(u.scimRevokeKey))
	m.Handle("POST "+t+"/check", u.inTeam(u.scimCheck))
}

// scimData is the SCIM settings page.
type scimData struct {
	Settings roster.SCIMSettings
	// Keys is nil for a person who may not manage keys.
	Keys []keyRow
	// NewKey is set only in the answer that created it: its secret is
	// shown this once and never stored, redirected or put in a cookie.
	NewKey *roster.NewKey
	// CheckKey prefills the test-connection field right after a key was
	// generated.
	CheckKey string
	// Check is the result of a connection test; CheckIdP the IdP it
	// imitated.
	Check    *roster.SCIMCheckReport
	CheckIdP string
	Form     keyForm
	Overlaps []overlap
	IdPs     []idpLink
}

// keyForm is what was typed into the generate-key form after an error.
type keyForm struct {
	Name, ExpiresInDays, Error string
}

// keyRow is a key as listed.
type keyRow struct {
	roster.Key
	CreatedByLabel string
}

// overlap is a choice of the regenerate form.
type overlap struct {
	Hours int
	Label string
}

// overlaps are the regenerate choices: how long the old key keeps working.
var overlaps = []overlap{
	{0, "old key: stops now"},
	{1, "old key: 1 h more"},
	{24, "old key: 24 h more"},
	{72, "old key: 3 days more"},
	{168, "old key: 7 days more"},
}

// idpLink is a setup guide in the page's list.
type idpLink struct {
	ID, Name string
}

// idpLinks are the setup guides, in the order shown.
var idpLinks = []idpLink{{"okta", "Okta"}, {"entra", "Microsoft Entra ID"}, {"onelogin", "OneLogin"}, {"jumpcloud", "JumpCloud"}}

// loadSCIM reads the settings and, for admins, the keys.
func (p *page) loadSCIM() (scimData, error) {
	d := scimData{Overlaps: overlaps, IdPs: idpLinks, CheckIdP: "okta"}
	s, err := p.API.SCIMSettings(p.ctx(), p.Team.Slug)
	if err != nil {
		return d, err
	}
	d.Settings = s
	if !p.isAdmin() {
		return d, nil
	}
	keys, err := p.API.SCIMKeys(p.ctx(), p.Team.Slug)
	if err != nil {
		return d, err
	}
	d.Keys = make([]keyRow, 0, len(keys))
	for _, k := range keys {
		d.Keys = append(d.Keys, keyRow{Key: k, CreatedByLabel: p.actorLabel(k.CreatedBy)})
	}
	return d, nil
}

// actorLabel names who created a key: "you", "the command line", or the
// account id.
func (p *page) actorLabel(id string) string {
	switch {
	case id == "":
		return "—"
	case id == "cli":
		return "command line"
	case p.Me != nil && id == p.Me.Account.ID:
		return "you"
	}
	return "another admin"
}

func (u *UI) scimPage(p *page) error {
	d, err := p.loadSCIM()
	if err != nil {
		return err
	}
	return p.render("scim", "SCIM provisioning", "scim", d)
}

func (u *UI) scimToggle(p *page) error {
	p.Back = p.teamPath("/scim")
	var on bool
	switch p.form("enabled") {
	case "on":
		on = true
	case "off":
	default:
		return p.redirect(p.Back, "error", "Choose on or off.")
	}
	s, err := p.API.SetSCIM(p.ctx(), p.Team.Slug, on)
	if err != nil {
		return err
	}
	if s.Enabled {
		return p.redirect(p.Back, "ok", "SCIM provisioning is on. Your identity provider can now manage this team's members.")
	}
	return p.redirect(p.Back, "ok", "SCIM provisioning is off. Requests from your identity provider are now refused with 403.")
}

// maxExpiryDays bounds the expiry a key can be given (10 years, the API's
// limit).
const maxExpiryDays = 3650

func (u *UI) scimCreateKey(p *page) error {
	p.Back = p.teamPath("/scim")
	f := keyForm{Name: p.form("name"), ExpiresInDays: p.form("expiresInDays")}
	req := roster.CreateKeyRequest{Name: f.Name}
	if f.ExpiresInDays != "" {
		n, err := strconv.Atoi(f.ExpiresInDays)
		if err != nil || n < 1 || n > maxExpiryDays {
			f.Error = "Expiry must be a whole number of days from 1 to 3650, or empty for a key that does not expire."
			return p.keyFormError(f)
		}
		req.ExpiresInSeconds = int64(n) * 24 * 3600
	}
	if f.Name == "" {
		f.Error = "Give the key a name, such as the identity provider it is for (\"okta\")."
		return p.keyFormError(f)
	}
	nk, err := p.API.CreateSCIMKey(p.ctx(), p.Team.Slug, req)
	if err != nil {
		var e *roster.Error
		if asAPIError(err, &e) && e.Status == http.StatusBadRequest {
			f.Error = sentence(e.Message)
			return p.keyFormError(f)
		}
		return err
	}
	return p.showNewKey(nk)
}

// keyFormError renders the page with the generate form's error.
func (p *page) keyFormError(f keyForm) error {
	d, err := p.loadSCIM()
	if err != nil {
		return err
	}
	d.Form = f
	return p.renderStatus(http.StatusBadRequest, "scim", "SCIM provisioning", "scim", d)
}

// showNewKey renders the page with a new key's secret, once. The answer
// is not cached (Cache-Control: no-store on every page).
func (p *page) showNewKey(nk roster.NewKey) error {
	d, err := p.loadSCIM()
	if err != nil {
		return err
	}
	d.NewKey = &nk
	d.CheckKey = nk.Secret
	return p.render("scim", "SCIM provisioning", "scim", d)
}

func (u *UI) scimRegenerateKey(p *page) error {
	p.Back = p.teamPath("/scim")
	h, err := strconv.Atoi(p.form("overlapHours"))
	if err != nil || h < 0 || h > 24*30 {
		return p.redirect(p.Back, "error", "Choose how long the old key keeps working (0 to 720 hours).")
	}
	nk, err := p.API.RegenerateSCIMKey(p.ctx(), p.Team.Slug, p.r.PathValue("id"),
		roster.RegenerateKeyRequest{OverlapSeconds: int64(h) * 3600})
	if err != nil {
		return err
	}
	return p.showNewKey(nk)
}

func (u *UI) scimRevokeKey(p *page) error {
	p.Back = p.teamPath("/scim")
	id := p.r.PathValue("id")
	if err := p.API.RevokeSCIMKey(p.ctx(), p.Team.Slug, id); err != nil {
		return err
	}
	return p.redirect(p.Back, "ok", "The key is revoked: the next request made with it is refused with 401.")
}

func (u *UI) scimCheck(p *page) error {
	p.Back = p.teamPath("/scim")
	key := p.form("key")
	idp := p.form("idp")
	switch idp {
	case "okta", "entra", "onelogin", "generic":
	default:
		idp = "okta"
	}
	if key == "" {
		return p.redirect(p.Back, "error", "Paste one of this team's SCIM keys to test the connection with.")
	}
	rep, err := p.API.CheckSCIM(p.ctx(), p.Team.Slug, roster.SCIMCheckRequest{Key: key, IdP: idp})
	if err != nil {
		var e *roster.Error
		if asAPIError(err, &e) && e.Status == http.StatusBadRequest {
			return p.redirect(p.Back, "error", sentence(e.Message))
		}
		return err
	}
	d, err := p.loadSCIM()
	if err != nil {
		return err
	}
	d.CheckIdP = idp
	d.Check = &rep
	return p.render("scim", "SCIM provisioning", "scim", d)
}
