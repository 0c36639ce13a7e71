package admin

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"io"
	"strings"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

// Account states.
const (
	// AccountActive is an account that can sign in.
	AccountActive = "active"
	// AccountPending is an account created by an invitation for an email
	// nobody has signed up with yet: it has no password until someone
	// signs up with that email.
	AccountPending = "pending"
)

// SignUpInput is what a person gives to create an account.
type SignUpInput struct {
	Email       string
	Password    string
	DisplayName string
}

// SetupInput is the first-run form: the first account and its team.
type SetupInput struct {
	SignUpInput
	TeamSlug string
	TeamName string
}

// SignedIn is the result of a sign-in: the session token (shown once,
// only its SHA-256 is stored; the transport puts it in an HttpOnly
// cookie), the CSRF token the client must echo on cookie-authenticated
// writes, the session and who is now signed in.
type SignedIn struct {
	Token     string
	CSRFToken string
	Session   core.Session
	Principal core.Principal
}

// Me is what a signed-in person sees about themselves.
type Me struct {
	Account core.Account
	// Member is the person's membership (active, deactivated or invited),
	// nil when they belong to no team.
	Member *core.Member
	// Team is the member's team, nil without one.
	Team *core.Team
	// SCIMLocked is true while the membership is managed by the team's
	// identity provider: email, password and leaving are then refused.
	SCIMLocked bool
}

// normEmail trims an email and checks its shape (local@domain.tld).
func normEmail(email string) (string, error) {
	e := strings.TrimSpace(email)
	at := strings.LastIndexByte(e, '@')
	if len(e) > 254 || at <= 0 || at == len(e)-1 || strings.ContainsAny(e, " \t\r\n<>,;\"") {
		return "", invalid("invalidEmail", "%q is not an email address", clipS(email))
	}
	d := e[at+1:]
	if !strings.Contains(d, ".") || strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") {
		return "", invalid("invalidEmail", "%q is not an email address", clipS(email))
	}
	return e, nil
}

// emailDomain returns the lower-cased domain of a checked address.
func emailDomain(email string) string {
	return strings.ToLower(email[strings.LastIndexByte(email, '@')+1:])
}

func clipS(s string) string {
	if len(s) > 100 {
		return s[:100] + "…"
	}
	return s
}

// newAccount validates a sign-up and hashes its password.
func (s *Service) newAccount(in SignUpInput) (core.Account, error) {
	email, err := normEmail(in.Email)
	if err != nil {
		return core.Account{}, err
	}
	if err := checkPassword(in.Password); err != nil {
		return core.Account{}, err
	}
	h, err := s.hasher.hash(in.Password)
	if err != nil {
		return core.Account{}, err
	}
	now := s.clock()
	name := strings.TrimSpace(in.DisplayName)
	if name == "" {
		name = email[:strings.LastIndexByte(email, '@')]
	}
	return core.Account{ID: s.newID(), Email: email, DisplayName: name, PasswordHash: h, Status: AccountActive, CreatedAt: now, UpdatedAt: now}, nil
}

// SignUp creates an account (with no team). An email already registered
// (any letter case) is KindConflict "emailTaken" — except an account that
// an invitation created and nobody claimed yet, which this sign-up
// claims. The password is hashed with argon2id; it is never stored,
// logged or returned in clear.
func (s *Service) SignUp(ctx context.Context, in SignUpInput) (core.Account, error) {
	a, err := s.newAccount(in)
	if err != nil {
		return core.Account{}, err
	}
	err = s.store.InTx(ctx, func(tx store.Tx) error {
		cur, err := tx.AccountByEmail(ctx, a.Email)
		switch {
		case core.IsKind(err, core.KindNotFound):
			return tx.CreateAccount(ctx, a)
		case err != nil:
			return err
		case cur.Status == AccountPending && cur.PasswordHash == "":
			cur.PasswordHash, cur.Status, cur.UpdatedAt = a.PasswordHash, AccountActive, a.UpdatedAt
			if strings.TrimSpace(in.DisplayName) != "" {
				cur.DisplayName = a.DisplayName
			}
			a = cur
			return tx.UpdateAccount(ctx, cur)
		default:
			return conflict("emailTaken", "an account with this email already exists; sign in instead")
		}
	})
	if core.IsKind(err, core.KindConflict) {
		return core.Account{}, conflict("emailTaken", "an account with this email already exists; sign in instead")
	}
	if err != nil {
		return core.Account{}, err
	}
	a.PasswordHash = ""
	return a, nil
}

// Setup is the first run: while no team has a member (SetupOpen), it
// creates the first account and makes it Super Admin of a new team (or of
// the first existing team, such as the one `roster serve` makes on an
// empty database), and signs it in. Afterwards it is KindForbidden
// "setupDone".
func (s *Service) Setup(ctx context.Context, in SetupInput) (SignedIn, error) {
	a, err := s.newAccount(in.SignUpInput)
	if err != nil {
		return SignedIn{}, err
	}
	var newTeam *core.Team
	if in.TeamSlug != "" {
		t, err := s.newTeam(in.TeamSlug, in.TeamName)
		if err != nil {
			return SignedIn{}, err
		}
		newTeam = &t
	}
	cli := core.Principal{Kind: core.PrincipalAccount, AccountID: a.ID, Email: a.Email}
	err = s.store.InTx(ctx, func(tx store.Tx) error {
		open, teams, err := setupOpen(ctx, tx)
		if err != nil {
			return err
		}
		if !open {
			return core.Errorf(core.KindForbidden, "setupDone", "Roster is already set up; sign in, or ask a team administrator for an invitation")
		}
		if err := tx.CreateAccount(ctx, a); err != nil {
			if core.IsKind(err, core.KindConflict) {
				return conflict("emailTaken", "an account with this email already exists; sign in instead")
			}
			return err
		}
		var team core.Team
		switch {
		case newTeam != nil:
			team = *newTeam
			if err := s.createTeamTx(ctx, tx, cli, team); err != nil {
				return err
			}
		case len(teams) > 0:
			team = teams[0]
		default:
			t, err := s.newTeam("default", "Default team")
			if err != nil {
				return err
			}
			team = t
			if err := s.createTeamTx(ctx, tx, cli, team); err != nil {
				return err
			}
		}
		return s.addOwner(ctx, tx, cli, team, a)
	})
	if err != nil {
		return SignedIn{}, err
	}
	return s.startSession(ctx, a)
}

// addOwner makes an account Super Admin of a team.
func (s *Service) addOwner(ctx context.Context, tx store.Tx, p core.Principal, t core.Team, a core.Account) error {
	now := s.clock()
	m := core.Member{
		ID: s.newID(), TeamID: t.ID, AccountID: a.ID, UserName: a.Email, Email: a.Email,
		Active: true, Status: core.StatusActive, Role: core.RoleSuperAdmin, Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	if err := tx.CreateMember(ctx, m); err != nil {
		if core.IsKind(err, core.KindConflict) {
			return conflict("alreadyMember", "you already belong to a team; an account is a member of at most one team")
		}
		return err
	}
	if err := s.audit(ctx, tx, p, t.ID, "member.added", "member", m.ID, map[string]any{"email": a.Email, "role": string(m.Role)}); err != nil {
		return err
	}
	return s.change(ctx, tx, t.ID, core.ChangeUserCreated, m.ID, map[string]any{"member_id": m.ID, "status": string(m.Status), "role": string(m.Role)})
}

// SignIn checks an email and password and starts a session. A wrong
// password, an unknown email and an account without a password all give
// the same KindUnauthenticated error after the same argon2id work (an
// unknown email is checked against a dummy hash), so the answer does not
// tell whether an email is registered.
func (s *Service) SignIn(ctx context.Context, email, password string) (SignedIn, error) {
	bad := core.Errorf(core.KindUnauthenticated, "badCredentials", "the email or password is wrong")
	var acct *core.Account
	a, err := s.store.AccountByEmail(ctx, strings.TrimSpace(email))
	switch {
	case err == nil:
		acct = &a
	case !core.IsKind(err, core.KindNotFound):
		return SignedIn{}, err
	}
	if len(password) > maxPasswordLen {
		password = password[:maxPasswordLen]
	}
	if !s.hasher.verifyAccount(password, acct) || acct.Status != AccountActive {
		return SignedIn{}, bad
	}
	return s.startSession(ctx, a)
}

// randomToken returns prefix + 32 random bytes in base64url.
func randomToken(r io.Reader, prefix string) (string, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// startSession stores a new session of an account.
func (s *Service) startSession(ctx context.Context, a core.Account) (SignedIn, error) {
	token, err := randomToken(s.rand, "rss_")
	if err != nil {
		return SignedIn{}, err
	}
	csrf, err := randomToken(s.rand, "")
	if err != nil {
		return SignedIn{}, err
	}
	now := s.clock()
	sess := core.Session{
		ID: s.newID(), TokenHash: core.HashKey(token), AccountID: a.ID, CSRFToken: csrf,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: s.sessionExpiry(now, now),
	}
	var p core.Principal
	err = s.store.InTx(ctx, func(tx store.Tx) error {
		if err := tx.CreateSession(ctx, sess); err != nil {
			return err
		}
		var err error
		p, err = s.principalFor(ctx, tx, a)
		if err != nil {
			return err
		}
		if p.TeamID != "" {
			return s.audit(ctx, tx, p, p.TeamID, "session.created", "account", a.ID, nil)
		}
		return nil
	})
	if err != nil {
		return SignedIn{}, err
	}
	p.SessionID = sess.ID
	return SignedIn{Token: token, CSRFToken: csrf, Session: sess, Principal: p}, nil
}

// sessionExpiry is a session's expiry after a use at now: idle time
// later, but never after its maximum age.
func (s *Service) sessionExpiry(created, now time.Time) time.Time {
	exp := now.Add(s.sessionIdle)
	if limit := created.Add(s.sessionMaxAge); exp.After(limit) {
		exp = limit
	}
	return exp
}

// principalFor makes the principal of an account: its team and role when
// it is an active member of one.
func (s *Service) principalFor(ctx context.Context, r store.Reader, a core.Account) (core.Principal, error) {
	p := core.Principal{Kind: core.PrincipalAccount, AccountID: a.ID, Email: a.Email}
	m, err := r.MemberByAccount(ctx, a.ID)
	switch {
	case core.IsKind(err, core.KindNotFound):
		return p, nil
	case err != nil:
		return p, err
	}
	if m.Status == core.StatusActive && m.Active {
		p.TeamID, p.MemberID, p.Role, p.SCIMManaged = m.TeamID, m.ID, m.Role, m.SCIMManaged
	}
	return p, nil
}

// Session authenticates a session token (the cookie's value) and returns
// who is signed in and the session. An unknown, expired or ended session
// is KindUnauthenticated. Each use slides the expiry forward (a write at
// most once a minute), never past the session's maximum age.
func (s *Service) Session(ctx context.Context, token string) (core.Principal, core.Session, error) {
	unauth := core.Errorf(core.KindUnauthenticated, "sessionInvalid", "the session has ended or expired; sign in again")
	if token == "" || len(token) > 200 {
		return core.Principal{}, core.Session{}, unauth
	}
	sess, err := s.store.SessionByTokenHash(ctx, core.HashKey(token))
	if core.IsKind(err, core.KindNotFound) {
		return core.Principal{}, core.Session{}, unauth
	}
	if err != nil {
		return core.Principal{}, core.Session{}, err
	}
	now := s.clock()
	if !now.Before(sess.ExpiresAt) {
		return core.Principal{}, core.Session{}, unauth
	}
	a, err := s.store.Account(ctx, sess.AccountID)
	if core.IsKind(err, core.KindNotFound) {
		return core.Principal{}, core.Session{}, unauth
	}
	if err != nil {
		return core.Principal{}, core.Session{}, err
	}
	if a.Status != AccountActive {
		return core.Principal{}, core.Session{}, unauth
	}
	if now.Sub(sess.LastSeenAt) >= sessionTouchInterval {
		exp := s.sessionExpiry(sess.CreatedAt, now)
		err := s.store.InTx(ctx, func(tx store.Tx) error { return tx.TouchSession(ctx, sess.ID, now, exp) })
		if err != nil {
			s.log.WarnContext(ctx, "recording session use failed", "session", sess.ID, "err", err)
		} else {
			sess.LastSeenAt, sess.ExpiresAt = now, exp
		}
	}
	p, err := s.principalFor(ctx, s.store, a)
	if err != nil {
		return core.Principal{}, core.Session{}, err
	}
	p.SessionID = sess.ID
	return p, sess, nil
}

// CheckCSRF compares, in constant time, the CSRF token a client sent with
// a cookie-authenticated write against its session's; a mismatch is
// KindForbidden "csrf".
func CheckCSRF(sess core.Session, token string) error {
	if sess.CSRFToken == "" || subtle.ConstantTimeCompare([]byte(sess.CSRFToken), []byte(token)) != 1 {
		return core.Errorf(core.KindForbidden, "csrf", "the request's CSRF token is missing or wrong; reload the page and retry")
	}
	return nil
}

// SignOut ends the session whose token is given. An unknown token is not
// an error (signing out twice is fine).
func (s *Service) SignOut(ctx context.Context, token string) error {
	sess, err := s.store.SessionByTokenHash(ctx, core.HashKey(token))
	if core.IsKind(err, core.KindNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx store.Tx) error { return tx.DeleteSession(ctx, sess.ID) })
}

// Me returns the signed-in person's account (without its password hash),
// membership and team.
func (s *Service) Me(ctx context.Context, p core.Principal) (Me, error) {
	if p.Kind != core.PrincipalAccount {
		return Me{}, core.Errorf(core.KindForbidden, "forbidden", "only a person has a profile")
	}
	a, err := s.store.Account(ctx, p.AccountID)
	if err != nil {
		return Me{}, err
	}
	a.PasswordHash = ""
	out := Me{Account: a}
	m, err := s.store.MemberByAccount(ctx, a.ID)
	switch {
	case core.IsKind(err, core.KindNotFound):
		return out, nil
	case err != nil:
		return Me{}, err
	}
	t, err := s.store.Team(ctx, m.TeamID)
	if err != nil {
		return Me{}, err
	}
	out.Member, out.Team = &m, &t
	out.SCIMLocked = m.SCIMManaged && t.SCIMEnabled && m.Status != core.StatusInvited
	return out, nil
}

// scimLock refuses a self-service change of a SCIM-managed member while
// SCIM is on for its team (product.md, journey step 4).
func (s *Service) scimLock(ctx context.Context, r store.Reader, accountID, what string) (*core.Member, error) {
	m, err := r.MemberByAccount(ctx, accountID)
	switch {
	case core.IsKind(err, core.KindNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	}
	if m.Status == core.StatusInvited || !m.SCIMManaged {
		return &m, nil
	}
	t, err := r.Team(ctx, m.TeamID)
	if err != nil {
		return nil, err
	}
	if t.SCIMEnabled {
		return nil, core.Errorf(core.KindForbidden, "managedByIdP",
			"your identity provider manages your membership in this team through SCIM, so you cannot %s here; ask your identity provider's administrator", what)
	}
	return &m, nil
}

// ChangePassword changes the signed-in person's password after checking
// the current one. A SCIM-managed member cannot change it while SCIM is on
// (KindForbidden "managedByIdP"). Every session of the account is ended, the
// caller's own included: it signs in again with the new password.
func (s *Service) ChangePassword(ctx context.Context, p core.Principal, current, next string) error {
	if p.Kind != core.PrincipalAccount {
		return forbidden("only a person can change their password")
	}
	if err := checkPassword(next); err != nil {
		return err
	}
	m, err := s.scimLock(ctx, s.store, p.AccountID, "change your password")
	if err != nil {
		return err
	}
	a, err := s.store.Account(ctx, p.AccountID)
	if err != nil {
		return err
	}
	if !s.hasher.verifyAccount(current, &a) {
		return core.Errorf(core.KindForbidden, "badCredentials", "the current password is wrong")
	}
	h, err := s.hasher.hash(next)
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx store.Tx) error {
		a, err := tx.Account(ctx, p.AccountID)
		if err != nil {
			return err
		}
		a.PasswordHash, a.UpdatedAt = h, s.clock()
		if err := tx.UpdateAccount(ctx, a); err != nil {
			return err
		}
		if _, err := tx.DeleteAccountSessions(ctx, a.ID); err != nil {
			return err
		}
		if m != nil && m.Status != core.StatusInvited {
			return s.audit(ctx, tx, p, m.TeamID, "account.password_changed", "account", a.ID, nil)
		}
		return nil
	})
}

// ChangeEmail changes the signed-in person's email. A SCIM-managed member
// cannot while SCIM is on (KindForbidden "managedByIdP": the identity
// provider changes it through SCIM); an email in use is KindConflict.
func (s *Service) ChangeEmail(ctx context.Context, p core.Principal, email string) (core.Account, error) {
	if p.Kind != core.PrincipalAccount {
		return core.Account{}, forbidden("only a person can change their email")
	}
	email, err := normEmail(email)
	if err != nil {
		return core.Account{}, err
	}
	var out core.Account
	err = s.store.InTx(ctx, func(tx store.Tx) error {
		m, err := s.scimLock(ctx, tx, p.AccountID, "change your email")
		if err != nil {
			return err
		}
		a, err := tx.Account(ctx, p.AccountID)
		if err != nil {
			return err
		}
		if other, err := tx.AccountByEmail(ctx, email); err == nil && other.ID != a.ID {
			return conflict("emailTaken", "another account uses this email")
		} else if err != nil && !core.IsKind(err, core.KindNotFound) {
			return err
		}
		old := a.Email
		a.Email, a.UpdatedAt = email, s.clock()
		if err := tx.UpdateAccount(ctx, a); err != nil {
			if core.IsKind(err, core.KindConflict) {
				return conflict("emailTaken", "another account uses this email")
			}
			return err
		}
		out = a
		if m == nil {
			return nil
		}
		n := *m
		n.Email, n.Version, n.UpdatedAt = email, m.Version+1, a.UpdatedAt
		if !m.SCIMManaged && strings.EqualFold(m.UserName, old) {
			n.UserName = email
		}
		if err := tx.UpdateMember(ctx, n, m.Version); err != nil {
			if core.IsKind(err, core.KindConflict) {
				return conflict("emailTaken", "another member of the team uses this email as user name")
			}
			return err
		}
		if err := s.change(ctx, tx, m.TeamID, core.ChangeUserUpdated, m.ID, map[string]any{"member_id": m.ID, "changed": []any{"email"}}); err != nil {
			return err
		}
		if m.Status == core.StatusInvited {
			return nil
		}
		return s.audit(ctx, tx, p, m.TeamID, "account.email_changed", "member", m.ID, map[string]any{"old_email": old, "new_email": email})
	})
	out.PasswordHash = ""
	return out, err
}
