package roster

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxErrorBody bounds how much of an error response the client reads.
const maxErrorBody = 64 << 10

// Client calls the admin REST API of one Roster server. It authenticates
// with a personal API token (WithToken) or with a session made by SignIn
// or Setup (the session cookie is kept in the client's cookie jar and the
// CSRF token is sent on every write). A Client is safe for concurrent use.
type Client struct {
	base  *url.URL
	hc    *http.Client
	token string
	ua    string

	mu   sync.Mutex
	csrf string
}

// Option configures a Client.
type Option func(*Client)

// WithToken authenticates every request with a personal API token
// ("rpt_...") as "Authorization: Bearer <token>".
func WithToken(token string) Option { return func(c *Client) { c.token = token } }

// WithHTTPClient sets the HTTP client (default: a client with a 30-second
// timeout and its own cookie jar). A client without a cookie jar cannot
// keep a session.
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return func(c *Client) { c.ua = ua } }

// NewClient returns a client of the Roster server at baseURL, such as
// "https://roster.example.com" (the API is under baseURL + "/api/v1").
func NewClient(baseURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("roster: base URL %q must be an absolute http(s) URL", baseURL)
	}
	c := &Client{base: u, ua: "roster-go"}
	for _, o := range opts {
		o(c)
	}
	if c.hc == nil {
		jar, err := cookiejar.New(nil)
		if err != nil {
			return nil, err
		}
		c.hc = &http.Client{Timeout: 30 * time.Second, Jar: jar}
	}
	return c, nil
}

// CSRFToken returns the CSRF token of the client's session, or "".
func (c *Client) CSRFToken() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.csrf
}

// SetCSRFToken sets the CSRF token sent with cookie-authenticated writes
// (SignIn and Setup set it themselves).
func (c *Client) SetCSRFToken(tok string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.csrf = tok
}

// Do sends a request to path (relative to the server, such as
// "/api/v1/me") with query q and JSON body in (nil for none) and decodes a
// JSON answer into out (nil to discard it). An error answer is an *Error.
func (c *Client) Do(ctx context.Context, method, path string, q url.Values, in, out any) error {
	resp, err := c.send(ctx, method, path, q, in)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil || resp.StatusCode == http.StatusNoContent {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("roster: %s %s: decoding the answer: %w", method, path, err)
	}
	return nil
}

// send makes the request and returns a successful response (its body is
// the caller's to close) or an error.
func (c *Client) send(ctx context.Context, method, path string, q url.Values, in any) (*http.Response, error) {
	u := *c.base
	u.Path = c.base.Path + path
	u.RawQuery = q.Encode()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("roster: encoding the request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("roster: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.ua != "" {
		req.Header.Set("User-Agent", c.ua)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	} else if method != http.MethodGet && method != http.MethodHead {
		req.Header.Set("Origin", c.base.Scheme+"://"+c.base.Host)
		if tok := c.CSRFToken(); tok != "" {
			req.Header.Set(CSRFHeader, tok)
		}
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("roster: %s %s: %w", method, path, err)
	}
	if resp.StatusCode < 400 {
		return resp, nil
	}
	defer resp.Body.Close()
	return nil, decodeError(resp)
}

// decodeError reads an error response.
func decodeError(resp *http.Response) error {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var b ErrorBody
	if err := json.Unmarshal(raw, &b); err != nil || b.Error.Code == "" {
		msg := strings.TrimSpace(string(raw))
		if len(msg) > 200 {
			msg = msg[:200] + "…"
		}
		if msg == "" {
			msg = http.StatusText(resp.StatusCode)
		}
		return &Error{Status: resp.StatusCode, Code: "http" + strconv.Itoa(resp.StatusCode), Message: msg}
	}
	e := b.Error
	e.Status = resp.StatusCode
	return &e
}

// esc escapes one path segment.
func esc(s string) string { return url.PathEscape(s) }

// teamPath returns /api/v1/teams/{team} + rest.
func teamPath(team, rest string) string { return APIPrefix + "/teams/" + esc(team) + rest }

// Setup creates the first account and its team on an empty server and
// signs in as that account.
func (c *Client) Setup(ctx context.Context, req SetupRequest) (SetupResult, error) {
	var out SetupResult
	err := c.Do(ctx, http.MethodPost, APIPrefix+"/setup", nil, req, &out)
	if err == nil {
		c.SetCSRFToken(out.Session.CSRFToken)
	}
	return out, err
}

// SignIn signs in with an email and a password; the session cookie is
// kept in the client's cookie jar.
func (c *Client) SignIn(ctx context.Context, email, password string) (Session, error) {
	var out Session
	err := c.Do(ctx, http.MethodPost, APIPrefix+"/session", nil, SignInRequest{Email: email, Password: password}, &out)
	if err == nil {
		c.SetCSRFToken(out.CSRFToken)
	}
	return out, err
}

// SignOut ends the client's session.
func (c *Client) SignOut(ctx context.Context) error {
	err := c.Do(ctx, http.MethodDelete, APIPrefix+"/session", nil, nil, nil)
	if err == nil {
		c.SetCSRFToken("")
	}
	return err
}

// SignUp creates an account with no team; sign in with it afterwards.
func (c *Client) SignUp(ctx context.Context, req SignUpRequest) (Account, error) {
	var out Account
	return out, c.Do(ctx, http.MethodPost, APIPrefix+"/accounts", nil, req, &out)
}

// RenameTeam changes a team's display name.
func (c *Client) RenameTeam(ctx context.Context, team, name string) (Team, error) {
	var out Team
	return out, c.Do(ctx, http.MethodPatch, teamPath(team, ""), nil, RenameTeamRequest{Name: name}, &out)
}

// Me returns the caller.
func (c *Client) Me(ctx context.Context) (Me, error) {
	var out Me
	return out, c.Do(ctx, http.MethodGet, APIPrefix+"/me", nil, nil, &out)
}

// Tokens lists the caller's personal API tokens.
func (c *Client) Tokens(ctx context.Context) ([]Key, error) {
	var out KeyList
	return out.Keys, c.Do(ctx, http.MethodGet, APIPrefix+"/me/tokens", nil, nil, &out)
}

// CreateToken makes a personal API token; its secret is in the answer only.
func (c *Client) CreateToken(ctx context.Context, req CreateKeyRequest) (NewKey, error) {
	var out NewKey
	return out, c.Do(ctx, http.MethodPost, APIPrefix+"/me/tokens", nil, req, &out)
}

// RevokeToken revokes one of the caller's personal API tokens.
func (c *Client) RevokeToken(ctx context.Context, id string) error {
	return c.Do(ctx, http.MethodDelete, APIPrefix+"/me/tokens/"+esc(id), nil, nil, nil)
}

// ChangePassword changes the caller's own password.
func (c *Client) ChangePassword(ctx context.Context, current, next string) error {
	return c.Do(ctx, http.MethodPut, APIPrefix+"/me/password", nil, PasswordRequest{Current: current, New: next}, nil)
}

// ChangeEmail changes the caller's own email address.
func (c *Client) ChangeEmail(ctx context.Context, email string) (Account, error) {
	var out Account
	return out, c.Do(ctx, http.MethodPut, APIPrefix+"/me/email", nil, EmailRequest{Email: email}, &out)
}

// MyInvitation returns the invitation waiting for the caller (an *Error
// with Code "notFound" when there is none).
func (c *Client) MyInvitation(ctx context.Context) (Invitation, error) {
	var out Invitation
	return out, c.Do(ctx, http.MethodGet, APIPrefix+"/me/invitation", nil, nil, &out)
}

// AcceptInvitation accepts an invitation addressed to the caller.
func (c *Client) AcceptInvitation(ctx context.Context, id string) (Member, error) {
	var out Member
	return out, c.Do(ctx, http.MethodPost, APIPrefix+"/invitations/"+esc(id)+"/accept", nil, nil, &out)
}

// DeclineInvitation declines an invitation addressed to the caller.
func (c *Client) DeclineInvitation(ctx context.Context, id string) error {
	return c.Do(ctx, http.MethodPost, APIPrefix+"/invitations/"+esc(id)+"/decline", nil, nil, nil)
}

// Teams lists the teams the caller can see.
func (c *Client) Teams(ctx context.Context) ([]Team, error) {
	var out TeamList
	return out.Teams, c.Do(ctx, http.MethodGet, APIPrefix+"/teams", nil, nil, &out)
}

// CreateTeam creates a team whose Super Admin is the caller.
func (c *Client) CreateTeam(ctx context.Context, req CreateTeamRequest) (Team, error) {
	var out Team
	return out, c.Do(ctx, http.MethodPost, APIPrefix+"/teams", nil, req, &out)
}

// Team returns a team by id or slug.
func (c *Client) Team(ctx context.Context, team string) (Team, error) {
	var out Team
	return out, c.Do(ctx, http.MethodGet, teamPath(team, ""), nil, nil, &out)
}

// Members returns one page of a team's members (cursor "" for the first;
// limit 0 for the server's default).
func (c *Client) Members(ctx context.Context, team, cursor string, limit int) (MemberPage, error) {
	var out MemberPage
	return out, c.Do(ctx, http.MethodGet, teamPath(team, "/members"), pageQuery(cursor, limit), nil, &out)
}

// Member returns one member of a team.
func (c *Client) Member(ctx context.Context, team, id string) (Member, error) {
	var out Member
	return out, c.Do(ctx, http.MethodGet, teamPath(team, "/members/"+esc(id)), nil, nil, &out)
}

// SetRole changes a member's role.
func (c *Client) SetRole(ctx context.Context, team, id, role string) (Member, error) {
	var out Member
	return out, c.Do(ctx, http.MethodPut, teamPath(team, "/members/"+esc(id)+"/role"), nil, RoleRequest{Role: role}, &out)
}

// RemoveMember removes a member from a team (the account is kept).
func (c *Client) RemoveMember(ctx context.Context, team, id string) error {
	return c.Do(ctx, http.MethodDelete, teamPath(team, "/members/"+esc(id)), nil, nil, nil)
}

// Leave makes the caller leave a team.
func (c *Client) Leave(ctx context.Context, team string) error {
	return c.Do(ctx, http.MethodPost, teamPath(team, "/leave"), nil, nil, nil)
}

// Invite invites an email address into a team.
func (c *Client) Invite(ctx context.Context, team string, req InviteRequest) (Invitation, error) {
	var out Invitation
	return out, c.Do(ctx, http.MethodPost, teamPath(team, "/invitations"), nil, req, &out)
}

// Invitations lists a team's pending invitations.
func (c *Client) Invitations(ctx context.Context, team string) ([]Invitation, error) {
	var out InvitationList
	return out.Invitations, c.Do(ctx, http.MethodGet, teamPath(team, "/invitations"), nil, nil, &out)
}

// CancelInvitation cancels a team's invitation.
func (c *Client) CancelInvitation(ctx context.Context, team, id string) error {
	return c.Do(ctx, http.MethodDelete, teamPath(team, "/invitations/"+esc(id)), nil, nil, nil)
}

// SCIMSettings returns a team's SCIM settings.
func (c *Client) SCIMSettings(ctx context.Context, team string) (SCIMSettings, error) {
	var out SCIMSettings
	return out, c.Do(ctx, http.MethodGet, teamPath(team, "/scim"), nil, nil, &out)
}

// SetSCIM turns SCIM provisioning on or off for a team.
func (c *Client) SetSCIM(ctx context.Context, team string, enabled bool) (SCIMSettings, error) {
	var out SCIMSettings
	return out, c.Do(ctx, http.MethodPut, teamPath(team, "/scim"), nil, SCIMSettingsRequest{Enabled: enabled}, &out)
}

// SCIMKeys lists a team's SCIM keys, newest first.
func (c *Client) SCIMKeys(ctx context.Context, team string) ([]Key, error) {
	var out KeyList
	return out.Keys, c.Do(ctx, http.MethodGet, teamPath(team, "/scim/keys"), nil, nil, &out)
}

// CreateSCIMKey makes a SCIM key; its secret is in the answer only.
func (c *Client) CreateSCIMKey(ctx context.Context, team string, req CreateKeyRequest) (NewKey, error) {
	var out NewKey
	return out, c.Do(ctx, http.MethodPost, teamPath(team, "/scim/keys"), nil, req, &out)
}

// RegenerateSCIMKey makes a new key replacing id; id stays ACTIVE for the
// requested overlap.
func (c *Client) RegenerateSCIMKey(ctx context.Context, team, id string, req RegenerateKeyRequest) (NewKey, error) {
	var out NewKey
	return out, c.Do(ctx, http.MethodPost, teamPath(team, "/scim/keys/"+esc(id)+"/regenerate"), nil, req, &out)
}

// RevokeSCIMKey revokes a SCIM key now: the next request with it is
// refused.
func (c *Client) RevokeSCIMKey(ctx context.Context, team, id string) error {
	return c.Do(ctx, http.MethodPost, teamPath(team, "/scim/keys/"+esc(id)+"/revoke"), nil, nil, nil)
}

// DeleteSCIMKey deletes a revoked or expired SCIM key.
func (c *Client) DeleteSCIMKey(ctx context.Context, team, id string) error {
	return c.Do(ctx, http.MethodDelete, teamPath(team, "/scim/keys/"+esc(id)), nil, nil, nil)
}

// Domains lists a team's domains.
func (c *Client) Domains(ctx context.Context, team string) ([]Domain, error) {
	var out DomainList
	return out.Domains, c.Do(ctx, http.MethodGet, teamPath(team, "/domains"), nil, nil, &out)
}

// AddDomain adds a domain to a team; publish the TXT record it names.
func (c *Client) AddDomain(ctx context.Context, team, domain string) (Domain, error) {
	var out Domain
	return out, c.Do(ctx, http.MethodPost, teamPath(team, "/domains"), nil, AddDomainRequest{Domain: domain}, &out)
}

// VerifyDomain looks the domain's TXT record up and marks the domain
// verified when it is there; the answer says what was found otherwise.
func (c *Client) VerifyDomain(ctx context.Context, team, domain string) (DomainCheck, error) {
	var out DomainCheck
	return out, c.Do(ctx, http.MethodPost, teamPath(team, "/domains/"+esc(domain)+"/verify"), nil, nil, &out)
}

// RemoveDomain removes a team's domain.
func (c *Client) RemoveDomain(ctx context.Context, team, domain string) error {
	return c.Do(ctx, http.MethodDelete, teamPath(team, "/domains/"+esc(domain)), nil, nil, nil)
}

// Groups returns one page of a team's groups with their member counts.
func (c *Client) Groups(ctx context.Context, team, cursor string, limit int) (GroupPage, error) {
	var out GroupPage
	return out, c.Do(ctx, http.MethodGet, teamPath(team, "/groups"), pageQuery(cursor, limit), nil, &out)
}

// Group returns one of a team's groups.
func (c *Client) Group(ctx context.Context, team, id string) (Group, error) {
	var out Group
	return out, c.Do(ctx, http.MethodGet, teamPath(team, "/groups/"+esc(id)), nil, nil, &out)
}

// GroupMembers returns one page of a group's members.
func (c *Client) GroupMembers(ctx context.Context, team, id, cursor string, limit int) (GroupMemberPage, error) {
	var out GroupMemberPage
	return out, c.Do(ctx, http.MethodGet, teamPath(team, "/groups/"+esc(id)+"/members"), pageQuery(cursor, limit), nil, &out)
}

// Activity returns one page of a team's SCIM activity log, newest first.
func (c *Client) Activity(ctx context.Context, team string, q ActivityQuery) (ActivityPage, error) {
	var out ActivityPage
	return out, c.Do(ctx, http.MethodGet, teamPath(team, "/scim/activity"), q.values(), nil, &out)
}

// Audit returns one page of a team's audit log.
func (c *Client) Audit(ctx context.Context, team string, q AuditQuery) (AuditPage, error) {
	var out AuditPage
	return out, c.Do(ctx, http.MethodGet, teamPath(team, "/audit"), q.values(), nil, &out)
}

// Audit export formats.
const (
	ExportCSV  = "csv"
	ExportJSON = "jsonl"
)

// ExportAudit streams a team's audit log matching q (its Cursor and Limit
// are ignored) as CSV (ExportCSV) or JSON Lines (ExportJSON). The caller
// closes the reader.
func (c *Client) ExportAudit(ctx context.Context, team, format string, q AuditQuery) (io.ReadCloser, error) {
	v := q.values()
	v.Del("cursor")
	v.Del("limit")
	v.Del("order")
	v.Set("format", format)
	resp, err := c.send(ctx, http.MethodGet, teamPath(team, "/audit/export"), v, nil)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// Events returns the change-feed entries of a team after the cursor
// ("" = from the beginning), at most limit of them (0 = the server's
// default), oldest first.
func (c *Client) Events(ctx context.Context, team, after string, limit int) (EventPage, error) {
	q := url.Values{}
	if after != "" {
		q.Set("after", after)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var out EventPage
	return out, c.Do(ctx, http.MethodGet, teamPath(team, "/events"), q, nil, &out)
}

// ErrStop is returned by a Follow callback to end Follow without an error.
var ErrStop = errors.New("roster: stop following")

// Follow reads a team's change feed from after, calling fn for every
// event in order, and polls every interval once it is at the end. It
// returns when ctx ends, when fn returns an error (ErrStop: nil), or on
// an API error. fn should persist ev.Cursor with its effects so that a
// restart resumes without gaps or repeats.
func (c *Client) Follow(ctx context.Context, team, after string, interval time.Duration, fn func(Event) error) error {
	if interval <= 0 {
		interval = 5 * time.Second
	}
	for {
		page, err := c.Events(ctx, team, after, 0)
		if err != nil {
			return err
		}
		for _, ev := range page.Events {
			if err := fn(ev); err != nil {
				if errors.Is(err, ErrStop) {
					return nil
				}
				return err
			}
			after = ev.Cursor
		}
		if page.HasMore {
			continue
		}
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

func pageQuery(cursor string, limit int) url.Values {
	q := url.Values{}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	return q
}

func (q AuditQuery) values() url.Values {
	v := pageQuery(q.Cursor, q.Limit)
	if q.Actor != "" {
		v.Set("actor", q.Actor)
	}
	if q.Action != "" {
		v.Set("action", q.Action)
	}
	if q.Target != "" {
		v.Set("target", q.Target)
	}
	if !q.Since.IsZero() {
		v.Set("since", q.Since.UTC().Format(time.RFC3339Nano))
	}
	if !q.Until.IsZero() {
		v.Set("until", q.Until.UTC().Format(time.RFC3339Nano))
	}
	if q.OldestFirst {
		v.Set("order", "asc")
	}
	return v
}

func (q ActivityQuery) values() url.Values {
	v := pageQuery(q.Cursor, q.Limit)
	if q.FailuresOnly {
		v.Set("failures", "true")
	}
	if q.KeyID != "" {
		v.Set("key", q.KeyID)
	}
	if !q.Since.IsZero() {
		v.Set("since", q.Since.UTC().Format(time.RFC3339Nano))
	}
	return v
}

// Session returns the CSRF token and expiry of the session the client's
// cookie carries (401 without one). A browser front end whose session
// cookie it cannot read uses it to put the CSRF token into its forms.
func (c *Client) Session(ctx context.Context) (Session, error) {
	var out Session
	return out, c.Do(ctx, http.MethodGet, APIPrefix+"/session", nil, nil, &out)
}

// CheckSCIM runs the checks of `roster check` from the server against the
// team's own SCIM base URL with one of the team's SCIM keys and returns
// each step's verdict.
func (c *Client) CheckSCIM(ctx context.Context, team string, req SCIMCheckRequest) (SCIMCheckReport, error) {
	var out SCIMCheckReport
	return out, c.Do(ctx, http.MethodPost, teamPath(team, "/scim/check"), nil, req, &out)
}

// SetupState reports whether first-run setup is still possible (no team
// has a member yet).
func (c *Client) SetupState(ctx context.Context) (SetupState, error) {
	var out SetupState
	return out, c.Do(ctx, http.MethodGet, APIPrefix+"/setup", nil, nil, &out)
}

// SearchMembers returns one page of a team's members matching q, in
// creation order.
func (c *Client) SearchMembers(ctx context.Context, team string, q MemberQuery) (MemberPage, error) {
	v := pageQuery(q.Cursor, q.Limit)
	for k, x := range map[string]string{"q": q.Q, "status": q.Status, "role": q.Role, "before": q.Before} {
		if x != "" {
			v.Set(k, x)
		}
	}
	var out MemberPage
	return out, c.Do(ctx, http.MethodGet, teamPath(team, "/members"), v, nil, &out)
}

// Stats returns a team's dashboard figures.
func (c *Client) Stats(ctx context.Context, team string) (TeamStats, error) {
	var out TeamStats
	return out, c.Do(ctx, http.MethodGet, teamPath(team, "/stats"), nil, nil, &out)
}
