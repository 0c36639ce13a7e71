package core

import "slices"

// Permission is an admin action that the permission table authorises by
// role.
type Permission string

// The admin actions.
const (
	// PermTeamRead is reading the team, its members, groups and domains.
	PermTeamRead Permission = "team.read"
	// PermTeamUpdate is renaming the team.
	PermTeamUpdate Permission = "team.update"
	// PermSCIMManage is the SCIM switch and the SCIM key lifecycle.
	PermSCIMManage Permission = "scim.manage"
	// PermDomainManage is adding, verifying and removing domains.
	PermDomainManage Permission = "domain.manage"
	// PermMemberInvite is inviting people and cancelling invitations.
	PermMemberInvite Permission = "member.invite"
	// PermMemberRemove is removing another member from the team.
	PermMemberRemove Permission = "member.remove"
	// PermMemberRole is changing a member's role (granting or taking away
	// Super Admin further needs PermSuperAdminGrant).
	PermMemberRole Permission = "member.role"
	// PermSuperAdminGrant is making someone Super Admin, or changing or
	// removing a Super Admin.
	PermSuperAdminGrant Permission = "member.super_admin"
	// PermAuditRead is reading and exporting the audit log and the SCIM
	// activity log.
	PermAuditRead Permission = "audit.read"
	// PermEventsRead is reading the change feed.
	PermEventsRead Permission = "events.read"
)

// permissions is the permission table: the roles allowed each action.
var permissions = map[Permission][]Role{
	PermTeamRead:        {RoleSuperAdmin, RoleTeamAdmin, RoleDeveloper},
	PermTeamUpdate:      {RoleSuperAdmin, RoleTeamAdmin},
	PermSCIMManage:      {RoleSuperAdmin, RoleTeamAdmin},
	PermDomainManage:    {RoleSuperAdmin, RoleTeamAdmin},
	PermMemberInvite:    {RoleSuperAdmin, RoleTeamAdmin},
	PermMemberRemove:    {RoleSuperAdmin, RoleTeamAdmin},
	PermMemberRole:      {RoleSuperAdmin, RoleTeamAdmin},
	PermSuperAdminGrant: {RoleSuperAdmin},
	PermAuditRead:       {RoleSuperAdmin, RoleTeamAdmin},
	PermEventsRead:      {RoleSuperAdmin, RoleTeamAdmin, RoleDeveloper},
}

// Permissions returns the permission table: for each action, the roles
// that may perform it (a copy).
func Permissions() map[Permission][]Role {
	out := make(map[Permission][]Role, len(permissions))
	for p, rs := range permissions {
		out[p] = slices.Clone(rs)
	}
	return out
}

// Allows reports whether role may perform the action.
func (r Role) Allows(p Permission) bool { return slices.Contains(permissions[p], r) }

// Valid reports whether r is one of the three roles.
func (r Role) Valid() bool {
	return r == RoleSuperAdmin || r == RoleTeamAdmin || r == RoleDeveloper
}

// ParseRole reads a role name: "super_admin", "team_admin" or "developer"
// (also with hyphens or spaces, any letter case).
func ParseRole(s string) (Role, error) {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c == '-' || c == ' ':
			b[i] = '_'
		case 'A' <= c && c <= 'Z':
			b[i] = c + 'a' - 'A'
		}
	}
	r := Role(b)
	if !r.Valid() {
		return "", Errorf(KindInvalid, "invalidRole", "unknown role %q: use super_admin, team_admin or developer", s)
	}
	return r, nil
}

// Can decides whether the principal may perform the action in a team. The
// CLI may do everything. A SCIM key may do nothing here (it only speaks
// SCIM). A person acting on a team that is not theirs gets KindNotFound
// (as if the team did not exist: nothing reveals another team), and a
// role without the permission gets KindForbidden with Code "forbidden".
func (p Principal) Can(perm Permission, teamID string) error {
	switch p.Kind {
	case PrincipalCLI:
		return nil
	case PrincipalSCIMKey:
		return Errorf(KindForbidden, "forbidden", "a SCIM API key can only be used with the SCIM API (/scim/v2); sign in or use a personal API token")
	case PrincipalAccount:
	default:
		return Errorf(KindUnauthenticated, "unauthenticated", "sign in or send a personal API token")
	}
	if teamID == "" || p.TeamID != teamID || p.Role == "" {
		return NotFound("team not found")
	}
	if !p.Role.Allows(perm) {
		return Errorf(KindForbidden, "forbidden", "your role (%s) does not allow %s; ask a Team Admin or Super Admin", p.Role, perm)
	}
	return nil
}
