package admin

import (
	"context"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

// Paging limits of member lists.
const (
	defaultMemberLimit = 100
	maxMemberLimit     = 1000
)

// MemberQuery selects one page of a team's members in creation order.
type MemberQuery struct {
	// After is the cursor: the id of the last member of the previous page
	// ("" for the first page).
	After string
	// Limit is the page size (default 100, at most 1000).
	Limit int
}

// MemberPage is one page of members.
type MemberPage struct {
	Members []core.Member
	// Next is the cursor of the next page, "" on the last page.
	Next string
	// Total is the number of members of the team.
	Total int
}

// Members lists a team's members (every role; active, deactivated and
// invited) in creation order with keyset paging.
func (s *Service) Members(ctx context.Context, p core.Principal, teamID string, q MemberQuery) (MemberPage, error) {
	if err := p.Can(core.PermTeamRead, teamID); err != nil {
		return MemberPage{}, err
	}
	if _, err := s.store.Team(ctx, teamID); err != nil {
		return MemberPage{}, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = defaultMemberLimit
	}
	if limit > maxMemberLimit {
		return MemberPage{}, invalid("invalidLimit", "limit is at most %d", maxMemberLimit)
	}
	page, err := s.store.Members(ctx, teamID, store.Query{After: q.After, Count: limit + 1})
	if err != nil {
		return MemberPage{}, err
	}
	out := MemberPage{Members: page.Items, Total: page.Total}
	if len(out.Members) > limit {
		out.Members = out.Members[:limit]
		out.Next = out.Members[limit-1].ID
	}
	return out, nil
}

// Member returns one member of a team; another team's id is KindNotFound.
func (s *Service) Member(ctx context.Context, p core.Principal, teamID, memberID string) (core.Member, error) {
	if err := p.Can(core.PermTeamRead, teamID); err != nil {
		return core.Member{}, err
	}
	return s.store.Member(ctx, teamID, memberID)
}

// eachMember calls fn for every member of a team, a page at a time.
func eachMember(ctx context.Context, r store.Reader, teamID string, fn func(core.Member) bool) error {
	after := ""
	for {
		page, err := r.Members(ctx, teamID, store.Query{After: after, Count: 500, SkipTotal: true})
		if err != nil {
			return err
		}
		for _, m := range page.Items {
			if !fn(m) {
				return nil
			}
		}
		if len(page.Items) < 500 {
			return nil
		}
		after = page.Items[len(page.Items)-1].ID
	}
}

// otherSuperAdmin reports whether the team has an active Super Admin
// other than except.
func otherSuperAdmin(ctx context.Context, r store.Reader, teamID, except string) (bool, error) {
	found := false
	err := eachMember(ctx, r, teamID, func(m core.Member) bool {
		if m.ID != except && m.Role == core.RoleSuperAdmin && m.Status == core.StatusActive && m.Active {
			found = true
		}
		return !found
	})
	return found, err
}

// lastSuperAdmin is the error of removing or demoting the last Super
// Admin.
func lastSuperAdmin() error {
	return core.Errorf(core.KindForbidden, "lastSuperAdmin", "the team's last Super Admin cannot be removed or demoted; make someone else Super Admin first")
}

// SetRole changes a member's role (Super and Team Admins; making someone
// Super Admin, or changing a Super Admin, needs a Super Admin). The last
// active Super Admin cannot be demoted (KindForbidden "lastSuperAdmin").
// The change is audited and appears in the change feed as
// member.role_changed; setting the current role changes nothing.
func (s *Service) SetRole(ctx context.Context, p core.Principal, teamID, memberID string, role core.Role) (core.Member, error) {
	if err := p.Can(core.PermMemberRole, teamID); err != nil {
		return core.Member{}, err
	}
	if !role.Valid() {
		return core.Member{}, invalid("invalidRole", "unknown role %q: use super_admin, team_admin or developer", role)
	}
	var out core.Member
	err := s.store.InTx(ctx, func(tx store.Tx) error {
		m, err := tx.Member(ctx, teamID, memberID)
		if err != nil {
			return err
		}
		out = m
		if m.Role == role {
			return nil
		}
		if m.Role == core.RoleSuperAdmin || role == core.RoleSuperAdmin {
			if err := p.Can(core.PermSuperAdminGrant, teamID); err != nil {
				return err
			}
		}
		if m.Role == core.RoleSuperAdmin {
			ok, err := otherSuperAdmin(ctx, tx, teamID, m.ID)
			if err != nil {
				return err
			}
			if !ok {
				return lastSuperAdmin()
			}
		}
		n := m
		n.Role, n.Version, n.UpdatedAt = role, m.Version+1, s.clock()
		if err := tx.UpdateMember(ctx, n, m.Version); err != nil {
			return err
		}
		out = n
		sum := map[string]any{"old_role": string(m.Role), "new_role": string(role)}
		if err := s.audit(ctx, tx, p, teamID, core.ChangeMemberRoleChanged, "member", m.ID, sum); err != nil {
			return err
		}
		return s.change(ctx, tx, teamID, core.ChangeMemberRoleChanged, m.ID, map[string]any{"member_id": m.ID, "old_role": string(m.Role), "new_role": string(role)})
	})
	return out, err
}

// RemoveMember removes a member from a team (only Super and Team Admins;
// removing a Super Admin needs a Super Admin; anyone else gets
// KindForbidden). The last active Super Admin cannot be removed. The
// account and its data are kept; its personal tokens for the team are
// revoked.
func (s *Service) RemoveMember(ctx context.Context, p core.Principal, teamID, memberID string) error {
	if err := p.Can(core.PermMemberRemove, teamID); err != nil {
		if core.IsKind(err, core.KindForbidden) && p.MemberID == memberID && p.MemberID != "" {
			return s.LeaveTeam(ctx, p)
		}
		return err
	}
	return s.store.InTx(ctx, func(tx store.Tx) error {
		m, err := tx.Member(ctx, teamID, memberID)
		if err != nil {
			return err
		}
		if m.Role == core.RoleSuperAdmin {
			if err := p.Can(core.PermSuperAdminGrant, teamID); err != nil {
				return err
			}
		}
		if err := refuseSCIMRemove(ctx, tx, m); err != nil {
			return err
		}
		return s.removeTx(ctx, tx, p, m, "member.removed")
	})
}

// removeTx deletes a membership, refusing the last Super Admin, and
// records it.
func (s *Service) removeTx(ctx context.Context, tx store.Tx, p core.Principal, m core.Member, action string) error {
	if m.Role == core.RoleSuperAdmin && m.Status == core.StatusActive {
		ok, err := otherSuperAdmin(ctx, tx, m.TeamID, m.ID)
		if err != nil {
			return err
		}
		if !ok {
			return lastSuperAdmin()
		}
	}
	if err := tx.DeleteMember(ctx, m.TeamID, m.ID); err != nil {
		return err
	}
	if _, err := tx.RevokeAccountKeys(ctx, m.TeamID, m.AccountID, s.clock()); err != nil {
		return err
	}
	sum := map[string]any{"email": m.Email, "role": string(m.Role), "status": string(m.Status)}
	if err := s.audit(ctx, tx, p, m.TeamID, action, "member", m.ID, sum); err != nil {
		return err
	}
	return s.change(ctx, tx, m.TeamID, core.ChangeUserDeleted, m.ID, map[string]any{"member_id": m.ID})
}

// LeaveTeam makes the signed-in person leave their team. A SCIM-managed
// member cannot while SCIM is on (KindForbidden "managedByIdP"), and the
// last Super Admin cannot (KindForbidden "lastSuperAdmin").
func (s *Service) LeaveTeam(ctx context.Context, p core.Principal) error {
	if p.Kind != core.PrincipalAccount {
		return forbidden("only a person can leave a team")
	}
	return s.store.InTx(ctx, func(tx store.Tx) error {
		m, err := s.scimLock(ctx, tx, p.AccountID, "leave the team")
		if err != nil {
			return err
		}
		if m == nil || m.Status == core.StatusInvited {
			return core.NotFound("you are not a member of a team")
		}
		return s.removeTx(ctx, tx, p, *m, "member.left")
	})
}
