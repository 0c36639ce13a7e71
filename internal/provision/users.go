package provision

import (
	"context"
	"errors"
	"strings"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/scim/filter"
	"github.com/rosterhq/roster/internal/scim/patch"
	"github.com/rosterhq/roster/internal/store"
)

// Options are the request parameters of a single-resource operation: the
// attribute selection of the response (RFC 7644 §3.9) and the ETag
// preconditions (RFC 7644 §3.14).
type Options struct {
	Attributes         []string
	ExcludedAttributes []string
	Conditions
}

// accountStatusActive is the status of an account SCIM creates.
const accountStatusActive = "active"

// CreateUser provisions a User (POST /Users, RFC 7644 §3.3) from a request
// body, with the product semantics of docs/idp-behaviour.md (see the
// package documentation): a new email creates the account and joins it to
// the team as a developer; an account in no team joins when its domain is
// verified by the team, and is invited otherwise (status invited); an
// account that is a member of this or another team, or a userName taken
// in the team in any letter case, is 409 uniqueness. The audit event and
// the user.created entry are written in the same transaction. The result
// has id, meta and version 1.
func (s *Service) CreateUser(ctx context.Context, c Caller, body []byte, opt Options) (*Resource, error) {
	rt := scim.UserType()
	proj, err := scim.NewProjection(rt, opt.Attributes, opt.ExcludedAttributes)
	if err != nil {
		return nil, err
	}
	doc, err := scim.Decode(rt, body, s.cfg.Quirks)
	if err != nil {
		return nil, err
	}
	m, err := s.newMember(c, doc)
	if err != nil {
		return nil, err
	}
	accountID := s.cfg.NewID()
	// The common case of an import is a new userName and a new email: the
	// checks that show it read the reader pool, before the transaction,
	// and the transaction only inserts (the unique indexes are the
	// arbiters). Anything else — an existing account, or an insert that
	// lost a race to one — takes the full path, which decides inside the
	// transaction.
	fresh, err := s.freshAccount(ctx, c, m)
	if err != nil {
		return nil, err
	}
	create := func(tx store.Tx, fresh bool) error {
		var id string
		var invite bool
		if fresh {
			err := tx.CreateAccount(ctx, newAccount(m, doc, accountID))
			if isConflict(err) {
				return errNotFresh
			}
			if err != nil {
				return err
			}
			id = accountID
		} else {
			var err error
			if id, invite, err = s.attachAccount(ctx, tx, c, m, doc, accountID); err != nil {
				return err
			}
		}
		mm := m
		mm.AccountID = id
		if invite {
			mm.Status = core.StatusInvited
		}
		// The audit row goes first: CreateMember ends by moving the team's
		// member count and emit moves its change counter, two rows every
		// create of the team locks until the COMMIT (on PostgreSQL), so
		// the fewer statements after them the sooner the next create runs.
		// A failed insert rolls the audit row back with the rest.
		sum := map[string]any{"userName": mm.UserName, "status": string(mm.Status)}
		if !isPlaceholder(mm.Email) {
			sum["email"] = mm.Email
		}
		if err := s.audit(ctx, tx, c, core.ChangeUserCreated, "user", mm.ID, sum); err != nil {
			return err
		}
		if err := tx.CreateMember(ctx, mm); err != nil {
			if isConflict(err) {
				return conflict("userName %q or its email address is already in use", clip(m.UserName))
			}
			return err
		}
		if err := s.emit(ctx, tx, c.TeamID, core.ChangeUserCreated, mm.ID, map[string]any{"member_id": mm.ID, "status": string(mm.Status)}); err != nil {
			return err
		}
		m = mm
		return nil
	}
	err = s.st.InTx(ctx, func(tx store.Tx) error { return create(tx, fresh) })
	if errors.Is(err, errNotFresh) {
		err = s.st.InTx(ctx, func(tx store.Tx) error { return create(tx, false) })
	}
	if err != nil {
		return nil, err
	}
	return s.userResource(m, proj, false), nil
}

// newMember builds the member a create makes from a decoded document.
func (s *Service) newMember(c Caller, doc map[string]any) (core.Member, error) {
	userName, err := docUserName(doc)
	if err != nil {
		return core.Member{}, err
	}
	now := s.now()
	m := core.Member{
		ID:          s.cfg.NewID(),
		TeamID:      c.TeamID,
		UserName:    userName,
		Active:      true,
		Role:        core.RoleDeveloper,
		SCIMManaged: true,
		Version:     1,
		CreatedAt:   now,
		UpdatedAt:   now,
	}
	m.ExternalID, _ = doc[keyExternalID].(string)
	if a, ok := doc[keyActive].(bool); ok {
		m.Active = a
	}
	m.Status = statusFor(core.StatusActive, m.Active)
	email, real := deriveEmail(doc)
	if !real {
		email = placeholderEmail(c.TeamID, userName)
	}
	m.Email = email
	m.Doc = storedUserDoc(doc, m)
	return m, nil
}

// attachAccount finds or creates the account of a new member and returns
// its id; it refuses a userName taken in the team and an account that is
// already a member of a team (without saying which). invite is true when
// the account existed, belongs to no team and its email is on a domain
// the team has not verified: the member is then an invitation the account
// accepts (docs/idp-behaviour.md, "product semantics").
func (s *Service) attachAccount(ctx context.Context, tx store.Tx, c Caller, m core.Member, doc map[string]any, newAccountID string) (id string, invite bool, err error) {
	id, err = s.findAccount(ctx, tx, c, m, doc, newAccountID)
	if err != nil || id == newAccountID || isPlaceholder(m.Email) {
		return id, false, err
	}
	ok, err := tx.DomainVerified(ctx, c.TeamID, emailDomain(m.Email))
	if err != nil {
		return "", false, err
	}
	return id, !ok, nil
}

// errNotFresh ends a create's fast attempt whose new account lost a race
// to another with the same email; the create runs again on the full path.
var errNotFresh = errors.New("provision: the email's account appeared during the create")

// freshAccount reports whether a new member needs a new account, from
// committed data on the reader pool: its userName is free in the team
// (else the create's 409) and no account has its email. A false answer
// sends the create through attachAccount in the transaction, which decides
// again; a true one is re-checked there by the unique indexes.
func (s *Service) freshAccount(ctx context.Context, c Caller, m core.Member) (bool, error) {
	taken, err := userNameTaken(ctx, s.st, c.TeamID, m.UserName, "")
	if err != nil {
		return false, err
	}
	if taken {
		return false, conflict("a user with userName %q already exists in this team (userName is unique, compared case-insensitively)", clip(m.UserName))
	}
	_, err = s.st.AccountByEmail(ctx, m.Email)
	switch {
	case core.IsKind(err, core.KindNotFound):
		return true, nil
	case err != nil:
		return false, err
	}
	return false, nil
}

// newAccount is the account a new member with no account gets.
func newAccount(m core.Member, doc map[string]any, id string) core.Account {
	return core.Account{
		ID:          id,
		Email:       m.Email,
		DisplayName: accountDisplayName(doc),
		Status:      accountStatusActive,
		CreatedAt:   m.CreatedAt,
		UpdatedAt:   m.CreatedAt,
	}
}

// findAccount finds or creates the account of a new member (see
// attachAccount).
func (s *Service) findAccount(ctx context.Context, tx store.Tx, c Caller, m core.Member, doc map[string]any, newAccountID string) (string, error) {
	taken, err := userNameTaken(ctx, tx, c.TeamID, m.UserName, "")
	if err != nil {
		return "", err
	}
	if taken {
		return "", conflict("a user with userName %q already exists in this team (userName is unique, compared case-insensitively)", clip(m.UserName))
	}
	acct, err := tx.AccountByEmail(ctx, m.Email)
	switch {
	case core.IsKind(err, core.KindNotFound):
		acct = newAccount(m, doc, newAccountID)
		if err := tx.CreateAccount(ctx, acct); err != nil {
			if isConflict(err) {
				return "", conflict("the email address %q is already in use", clip(m.Email))
			}
			return "", err
		}
		return acct.ID, nil
	case err != nil:
		return "", err
	}
	other, err := tx.MemberByAccount(ctx, acct.ID)
	switch {
	case err == nil && other.TeamID == c.TeamID:
		return "", conflict("a user with the email address %q already exists in this team (id %q)", clip(m.Email), other.ID)
	case err == nil:
		return "", conflict("the email address %q belongs to an account that is a member of another team, so it cannot be provisioned to this team", clip(m.Email))
	case !core.IsKind(err, core.KindNotFound):
		return "", err
	}
	return acct.ID, nil
}

// userNameTaken reports whether another member of the team (not except)
// has userName in any letter case; it is an indexed lookup.
func userNameTaken(ctx context.Context, r store.Reader, teamID, userName, except string) (bool, error) {
	f := &filter.Compare{Path: scim.AttrPath{Name: keyUserName}, Op: filter.OpEq, Value: filter.Value{Kind: filter.KindString, Str: userName}}
	page, err := r.Members(ctx, teamID, store.Query{Filter: f, Count: 2, SkipTotal: true})
	if err != nil {
		return false, err
	}
	for _, m := range page.Items {
		if m.ID != except {
			return true, nil
		}
	}
	return false, nil
}

// docUserName returns the document's userName, which must not be blank.
func docUserName(doc map[string]any) (string, error) {
	u, _ := doc[keyUserName].(string)
	if strings.TrimSpace(u) == "" {
		return "", invalid("attribute \"userName\" is required and must not be blank")
	}
	return u, nil
}

// GetUser returns a team's User by id (GET /Users/{id}, RFC 7644 §3.4.1).
// Another team's id is 404, like an unknown one.
func (s *Service) GetUser(ctx context.Context, c Caller, id string, opt Options) (*Resource, error) {
	rt := scim.UserType()
	proj, err := scim.NewProjection(rt, opt.Attributes, opt.ExcludedAttributes)
	if err != nil {
		return nil, err
	}
	m, err := lookup(ctx, rt, c, id, s.st.Member)
	if err != nil {
		return nil, err
	}
	return s.userResource(m, proj, true), nil
}

// ReplaceUser replaces a User's mutable attributes with a request body
// (PUT /Users/{id}, RFC 7644 §3.5.1): id and meta come from the server,
// attributes absent from the body are cleared — except "active", whose
// absence leaves it unchanged (docs/idp-behaviour.md row 5). A PUT that
// changes nothing keeps the version.
func (s *Service) ReplaceUser(ctx context.Context, c Caller, id string, body []byte, opt Options) (*Resource, error) {
	rt := scim.UserType()
	proj, err := scim.NewProjection(rt, opt.Attributes, opt.ExcludedAttributes)
	if err != nil {
		return nil, err
	}
	doc, err := scim.Decode(rt, body, s.cfg.Quirks)
	if err != nil {
		return nil, err
	}
	if _, err := docUserName(doc); err != nil {
		return nil, err
	}
	if _, ok := doc[keyActive]; !ok {
		s.log.DebugContext(ctx, "PUT /Users without active: active left unchanged", "team", c.TeamID, "id", id)
	}
	return s.updateUser(ctx, c, id, opt.Conditions, proj, func(core.Member) (map[string]any, error) {
		return doc, nil
	})
}

// PatchUser applies a PatchOp body to a User (PATCH /Users/{id}, RFC 7644
// §3.5.2) and returns the result; a PATCH that changes nothing keeps the
// version. Okta's path-less {"op":"replace","value":{"active":false}}
// and Entra ID's capitalised ops, string booleans and dotted keys work
// as scim.Quirks allow.
func (s *Service) PatchUser(ctx context.Context, c Caller, id string, body []byte, opt Options) (*Resource, error) {
	rt := scim.UserType()
	proj, err := scim.NewProjection(rt, opt.Attributes, opt.ExcludedAttributes)
	if err != nil {
		return nil, err
	}
	req, err := scim.DecodePatchRequest(body, s.cfg.MaxPatchOperations)
	if err != nil {
		return nil, err
	}
	return s.updateUser(ctx, c, id, opt.Conditions, proj, func(cur core.Member) (map[string]any, error) {
		return patch.Apply(rt, userPatchDoc(cur), req.Operations, s.cfg.Quirks)
	})
}

// updateUser writes a User from a document (PUT and PATCH /Users/{id}).
// It is optimistic, so that the single writer's critical section holds
// only the writes: outside any transaction it reads the current member
// (committed data, on the reader pool), checks cond, makes the written
// document with edit, takes userName, externalId and active (when
// present) from it and prepares the member (see prepareMember). The write
// transaction then stores it only if the member's version is still the
// one read (UpdateMember's prevVersion), so a concurrent change is never
// lost: it makes the attempt KindPrecondition, and the whole update runs
// again on the new version (see retryWrite). It returns the resource of
// the member as stored.
func (s *Service) updateUser(ctx context.Context, c Caller, id string, cond Conditions, proj scim.Projection, edit func(cur core.Member) (map[string]any, error)) (*Resource, error) {
	rt := scim.UserType()
	var next core.Member
	var changed bool
	err := s.retryWrite(ctx, rt, id, cond, func() error {
		cur, err := lookup(ctx, rt, c, id, s.st.Member)
		if err != nil {
			return err
		}
		if err := cond.check(rt, id, cur.Version); err != nil {
			return err
		}
		doc, err := edit(cur)
		if err != nil {
			return err
		}
		n := cur
		if n.UserName, err = docUserName(doc); err != nil {
			return err
		}
		n.ExternalID, _ = doc[keyExternalID].(string)
		if a, ok := doc[keyActive].(bool); ok {
			n.Active = a
		}
		next, changed, err = s.saveMember(ctx, c, cur, n, doc)
		return err
	})
	if err != nil {
		return nil, err
	}
	if changed {
		s.pages.bumpUpdate(c.TeamID, rt.ID)
	}
	return s.userResource(next, proj, true), nil
}

// DeleteUser removes a User (DELETE /Users/{id}, RFC 7644 §3.6): the
// member leaves the team and its groups, the account and its data are
// kept, and the id is 404 afterwards; a later create with the same email
// or userName re-attaches the account as a new member.
func (s *Service) DeleteUser(ctx context.Context, c Caller, id string, cond Conditions) error {
	return s.deleteResource(ctx, c, scim.UserType(), id, cond, core.ChangeUserDeleted, "user", "member_id", func(tx store.Tx) (map[string]any, error) {
		m, err := s.currentMember(ctx, tx, c, id, cond)
		if err != nil {
			return nil, err
		}
		if err := tx.DeleteMember(ctx, c.TeamID, id); err != nil {
			return nil, err
		}
		if _, err := tx.RevokeAccountKeys(ctx, c.TeamID, m.AccountID, s.now()); err != nil {
			return nil, err
		}
		return map[string]any{"userName": m.UserName}, nil
	})
}

// deleteResource runs a DELETE (RFC 7644 §3.6) of the resource id of rt
// in a write transaction (see write): del reads it, checking the
// preconditions, removes it and returns the summary of the audit event;
// then the audit event action on target and the change-feed entry action
// with {feedKey: id} are written in the same transaction. After the
// commit the page cache's delete generation of rt advances.
func (s *Service) deleteResource(ctx context.Context, c Caller, rt *scim.ResourceType, id string, cond Conditions, action, target, feedKey string, del func(store.Tx) (map[string]any, error)) error {
	err := s.write(ctx, rt, id, cond, func(tx store.Tx) error {
		sum, err := del(tx)
		if err != nil {
			return err
		}
		if err := s.audit(ctx, tx, c, action, target, id, sum); err != nil {
			return err
		}
		return s.emit(ctx, tx, c.TeamID, action, id, map[string]any{feedKey: id})
	})
	if err != nil {
		return err
	}
	s.pages.bumpDelete(c.TeamID, rt.ID)
	return nil
}

// currentMember reads a member in a write transaction and checks the
// preconditions against its version.
func (s *Service) currentMember(ctx context.Context, tx store.Tx, c Caller, id string, cond Conditions) (core.Member, error) {
	rt := scim.UserType()
	cur, err := lookup(ctx, rt, c, id, tx.Member)
	if err != nil {
		return core.Member{}, err
	}
	return cur, cond.check(rt, id, cur.Version)
}

// lookup reads the resource id of type rt in the caller's team with read
// (a store method such as Member or Group); a missing one is the SCIM 404
// of rt.
func lookup[T any](ctx context.Context, rt *scim.ResourceType, c Caller, id string, read func(ctx context.Context, teamID, id string) (T, error)) (T, error) {
	v, err := read(ctx, c.TeamID, id)
	if core.IsKind(err, core.KindNotFound) {
		var zero T
		return zero, notFound(rt, id)
	}
	if err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}

// saveMember completes next (status, email, stored document) from the
// written document and stores it when it differs from cur, with the next
// version. It returns the member as stored and whether it changed. cur
// was read outside the transaction: the store refuses the write
// (KindPrecondition) unless cur's version is still the stored one.
//
// The validation, the userName pre-check (on the reader pool; the unique
// index is the arbiter in the transaction), the stored document and the
// audit and change-feed entries are made before the write transaction, so
// that the writer runs only the statements. An email change is decided
// inside it, since it reads and rewrites the account.
//
// It writes the audit event and change-feed entries of the change, and a
// deactivation ends the account's sessions and revokes its personal tokens
// for the team (its data and role are kept, so a reactivation restores
// them).
func (s *Service) saveMember(ctx context.Context, c Caller, cur, next core.Member, doc map[string]any) (core.Member, bool, error) {
	if strings.TrimSpace(next.UserName) == "" {
		return cur, false, invalid("attribute \"userName\" is required and must not be blank")
	}
	if !strings.EqualFold(next.UserName, cur.UserName) {
		taken, err := userNameTaken(ctx, s.st, cur.TeamID, next.UserName, cur.ID)
		if err != nil {
			return cur, false, err
		}
		if taken {
			return cur, false, conflict("a user with userName %q already exists in this team (userName is unique, compared case-insensitively)", clip(next.UserName))
		}
	}
	next.Status = statusFor(cur.Status, next.Active)
	next.SCIMManaged = true
	email, real := deriveEmail(doc)
	emailChange := real && !strings.EqualFold(email, cur.Email)
	var ev memberEventPlan
	if !emailChange {
		next.Doc = storedUserDoc(doc, next)
		if !memberChanged(cur, next) {
			return cur, false, nil
		}
		ev = s.planMemberEvents(cur, next)
	}
	stored, changed := cur, false
	err := s.st.InTx(ctx, func(tx store.Tx) error {
		n := next
		evt := ev
		if emailChange {
			if err := s.changeEmail(ctx, tx, cur, &n, doc); err != nil {
				return err
			}
			n.Doc = storedUserDoc(doc, n)
			if !memberChanged(cur, n) {
				stored, changed = cur, false
				return nil
			}
			evt = s.planMemberEvents(cur, n)
		}
		n.Version = cur.Version + 1
		n.UpdatedAt = s.now()
		if err := tx.UpdateMember(ctx, n, cur.Version); err != nil {
			switch {
			case isConflict(err):
				return conflict("userName %q is already in use in this team", clip(n.UserName))
			case core.IsKind(err, core.KindNotFound):
				return notFound(scim.UserType(), cur.ID)
			}
			return err
		}
		if cur.Active && !n.Active {
			if _, err := tx.DeleteAccountSessions(ctx, n.AccountID); err != nil {
				return err
			}
			if _, err := tx.RevokeAccountKeys(ctx, n.TeamID, n.AccountID, n.UpdatedAt); err != nil {
				return err
			}
		}
		if err := s.writeMemberEvents(ctx, tx, c, n, evt); err != nil {
			return err
		}
		stored, changed = n, true
		return nil
	})
	if err != nil {
		return cur, false, err
	}
	return stored, changed, nil
}

// changeEmail moves the account to the email the written document
// derives, when it is a real address that differs from the current one.
// Only SCIM changes an email, and only to an address on a domain the team
// has verified (docs/idp-behaviour.md, "Email change").
func (s *Service) changeEmail(ctx context.Context, tx store.Tx, cur core.Member, next *core.Member, doc map[string]any) error {
	email, real := deriveEmail(doc)
	if !real || strings.EqualFold(email, cur.Email) {
		return nil
	}
	domain := emailDomain(email)
	ok, err := tx.DomainVerified(ctx, cur.TeamID, domain)
	if err != nil {
		return err
	}
	if !ok {
		return invalid("the user's email can change only to an address on a domain this team has verified, and %q is not verified; verify the domain in Roster, or keep the current email", clip(domain))
	}
	acct, err := tx.Account(ctx, cur.AccountID)
	if err != nil {
		return err
	}
	other, err := tx.AccountByEmail(ctx, email)
	switch {
	case err == nil && other.ID != acct.ID:
		return conflict("the email address %q is already used by another account", clip(email))
	case err != nil && !core.IsKind(err, core.KindNotFound):
		return err
	}
	acct.Email = email
	acct.UpdatedAt = s.now()
	if err := tx.UpdateAccount(ctx, acct); err != nil {
		if isConflict(err) {
			return conflict("the email address %q is already used by another account", clip(email))
		}
		return err
	}
	next.Email = email
	return nil
}

// userResource makes the response resource of a member; withGroups shows
// its groups (which the store read with the member) when the projection
// returns them (a new member has none).
func (s *Service) userResource(m core.Member, proj scim.Projection, withGroups bool) *Resource {
	r := &Resource{
		rt:       scim.UserType(),
		id:       m.ID,
		version:  m.Version,
		created:  m.CreatedAt,
		modified: m.UpdatedAt,
		body:     userBody(m),
		proj:     proj,
	}
	if withGroups && proj.Includes(keyGroups) {
		r.groups = m.Groups
	}
	return r
}

// write runs fn in a write transaction. A store version conflict
// (KindPrecondition from UpdateMember or UpdateGroup) means a concurrent
// write won: with preconditions it is a 412, without it fn runs again on
// the new state (at most a few times).
func (s *Service) write(ctx context.Context, rt *scim.ResourceType, id string, cond Conditions, fn func(store.Tx) error) error {
	return s.retryWrite(ctx, rt, id, cond, func() error { return s.st.InTx(ctx, fn) })
}

// retryWrite runs attempt, a write that fails with KindPrecondition when
// it lost a race, the way write runs its transaction: again while the
// write is not pinned to a version, up to 8 attempts.
func (s *Service) retryWrite(ctx context.Context, rt *scim.ResourceType, id string, cond Conditions, attempt func() error) error {
	const attempts = 8
	for i := 1; ; i++ {
		err := attempt()
		if !core.IsKind(err, core.KindPrecondition) {
			return err
		}
		if cond.pinned() {
			return preconditionFailed(rt, id)
		}
		if i == attempts {
			return core.Errorf(core.KindUnavailable, "", "%s %q is being changed by concurrent requests; retry", rt.Name, clip(id))
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}
