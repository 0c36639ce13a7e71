package admin

import (
	"context"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

// Invitation is a pending invitation as the invited person sees it.
type Invitation struct {
	Member core.Member
	// TeamName and TeamSlug name the team that invites.
	TeamName string
	TeamSlug string
}

// Invite invites a person by email into a team (Super and Team Admins;
// inviting as Super Admin needs a Super Admin). It makes a member with
// status invited and the given role ("" means developer); an email without
// an account gets a pending account that signing up with that email
// claims. A person who already belongs to a team, or is already invited,
// is KindConflict "alreadyMember" (without saying which team).
func (s *Service) Invite(ctx context.Context, p core.Principal, teamID, email string, role core.Role) (core.Member, error) {
	if err := p.Can(core.PermMemberInvite, teamID); err != nil {
		return core.Member{}, err
	}
	if role == "" {
		role = core.RoleDeveloper
	}
	if !role.Valid() {
		return core.Member{}, invalid("invalidRole", "unknown role %q: use super_admin, team_admin or developer", role)
	}
	if role == core.RoleSuperAdmin {
		if err := p.Can(core.PermSuperAdminGrant, teamID); err != nil {
			return core.Member{}, err
		}
	}
	email, err := normEmail(email)
	if err != nil {
		return core.Member{}, err
	}
	var out core.Member
	err = s.store.InTx(ctx, func(tx store.Tx) error {
		if _, err := tx.Team(ctx, teamID); err != nil {
			return err
		}
		now := s.clock()
		a, err := tx.AccountByEmail(ctx, email)
		switch {
		case core.IsKind(err, core.KindNotFound):
			a = core.Account{ID: s.newID(), Email: email, DisplayName: email[:len(email)-len(emailDomain(email))-1], Status: AccountPending, CreatedAt: now, UpdatedAt: now}
			if err := tx.CreateAccount(ctx, a); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if _, err := tx.MemberByAccount(ctx, a.ID); err == nil {
				return conflict("alreadyMember", "%s already belongs to a team or has a pending invitation", email)
			} else if !core.IsKind(err, core.KindNotFound) {
				return err
			}
		}
		m := core.Member{
			ID: s.newID(), TeamID: teamID, AccountID: a.ID, UserName: a.Email, Email: a.Email,
			Active: true, Status: core.StatusInvited, Role: role, Version: 1, CreatedAt: now, UpdatedAt: now,
		}
		if err := tx.CreateMember(ctx, m); err != nil {
			if core.IsKind(err, core.KindConflict) {
				return conflict("alreadyMember", "%s already belongs to a team or has a pending invitation", email)
			}
			return err
		}
		out = m
		if err := s.audit(ctx, tx, p, teamID, "member.invited", "member", m.ID, map[string]any{"email": email, "role": string(role)}); err != nil {
			return err
		}
		return s.change(ctx, tx, teamID, core.ChangeUserCreated, m.ID, map[string]any{"member_id": m.ID, "status": string(m.Status)})
	})
	return out, err
}

// Invitations lists a team's pending invitations (those admins made and
// those SCIM made for accounts on unverified domains), in creation order.
// It reads the team's members a page at a time.
func (s *Service) Invitations(ctx context.Context, p core.Principal, teamID string) ([]core.Member, error) {
	if err := p.Can(core.PermMemberInvite, teamID); err != nil {
		return nil, err
	}
	if _, err := s.store.Team(ctx, teamID); err != nil {
		return nil, err
	}
	// Through the status index, a page at a time: the cost follows the
	// number of invitations, not the size of the team.
	var out []core.Member
	for after := ""; ; {
		ms, err := s.store.SearchMembers(ctx, teamID, store.MemberSearch{Status: core.StatusInvited, After: after, Limit: maxMemberLimit})
		if err != nil {
			return nil, err
		}
		out = append(out, ms...)
		if len(ms) < maxMemberLimit {
			return out, nil
		}
		after = ms[len(ms)-1].ID
	}
}

// CancelInvitation withdraws a pending invitation (Super and Team Admins);
// a member that is not invited is KindConflict "notInvited".
func (s *Service) CancelInvitation(ctx context.Context, p core.Principal, teamID, memberID string) error {
	if err := p.Can(core.PermMemberInvite, teamID); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx store.Tx) error {
		m, err := tx.Member(ctx, teamID, memberID)
		if err != nil {
			return err
		}
		if m.Status != core.StatusInvited {
			return conflict("notInvited", "this member is not invited (it is %s); remove the member instead", m.Status)
		}
		return s.dropInvitation(ctx, tx, p, m, "invitation.cancelled")
	})
}

func (s *Service) dropInvitation(ctx context.Context, tx store.Tx, p core.Principal, m core.Member, action string) error {
	if err := tx.DeleteMember(ctx, m.TeamID, m.ID); err != nil {
		return err
	}
	if err := s.audit(ctx, tx, p, m.TeamID, action, "member", m.ID, map[string]any{"email": m.Email}); err != nil {
		return err
	}
	return s.change(ctx, tx, m.TeamID, core.ChangeUserDeleted, m.ID, map[string]any{"member_id": m.ID})
}

// MyInvitation returns the signed-in person's pending invitation, or
// KindNotFound when there is none.
func (s *Service) MyInvitation(ctx context.Context, p core.Principal) (Invitation, error) {
	m, err := s.myInvitation(ctx, s.store, p, "")
	if err != nil {
		return Invitation{}, err
	}
	t, err := s.store.Team(ctx, m.TeamID)
	if err != nil {
		return Invitation{}, err
	}
	return Invitation{Member: m, TeamName: t.Name, TeamSlug: t.Slug}, nil
}

func (s *Service) myInvitation(ctx context.Context, r store.Reader, p core.Principal, memberID string) (core.Member, error) {
	none := core.NotFound("invitation not found")
	if p.Kind != core.PrincipalAccount {
		return core.Member{}, none
	}
	m, err := r.MemberByAccount(ctx, p.AccountID)
	if core.IsKind(err, core.KindNotFound) {
		return core.Member{}, none
	}
	if err != nil {
		return core.Member{}, err
	}
	if m.Status != core.StatusInvited || (memberID != "" && m.ID != memberID) {
		return core.Member{}, none
	}
	return m, nil
}

// AcceptInvitation makes the signed-in person an active member of the
// team that invited them (memberID is the invitation's id). Someone
// else's invitation is KindNotFound.
func (s *Service) AcceptInvitation(ctx context.Context, p core.Principal, memberID string) (core.Member, error) {
	var out core.Member
	err := s.store.InTx(ctx, func(tx store.Tx) error {
		m, err := s.myInvitation(ctx, tx, p, memberID)
		if err != nil {
			return err
		}
		n := m
		// An invitation the identity provider deactivated meanwhile is
		// accepted into a deactivated membership.
		n.Status, n.Version, n.UpdatedAt = core.StatusActive, m.Version+1, s.clock()
		if !m.Active {
			n.Status = core.StatusDeactivated
		}
		if err := tx.UpdateMember(ctx, n, m.Version); err != nil {
			return err
		}
		out = n
		if err := s.audit(ctx, tx, p, m.TeamID, "invitation.accepted", "member", m.ID, map[string]any{"email": m.Email}); err != nil {
			return err
		}
		return s.change(ctx, tx, m.TeamID, core.ChangeUserUpdated, m.ID, map[string]any{"member_id": m.ID, "status": string(n.Status), "changed": []any{"status"}})
	})
	return out, err
}

// DeclineInvitation refuses the signed-in person's invitation: the
// invited membership is removed. Someone else's invitation is
// KindNotFound.
func (s *Service) DeclineInvitation(ctx context.Context, p core.Principal, memberID string) error {
	return s.store.InTx(ctx, func(tx store.Tx) error {
		m, err := s.myInvitation(ctx, tx, p, memberID)
		if err != nil {
			return err
		}
		return s.dropInvitation(ctx, tx, p, m, "invitation.declined")
	})
}
