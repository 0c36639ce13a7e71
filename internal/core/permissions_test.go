package core

import "testing"

func TestPermissionTable(t *testing.T) {
	team := "t1"
	person := func(r Role) Principal {
		return Principal{Kind: PrincipalAccount, AccountID: "a", TeamID: team, Role: r}
	}
	cases := []struct {
		p    Principal
		perm Permission
		team string
		want Kind // KindInternal means allowed
	}{
		{person(RoleSuperAdmin), PermSuperAdminGrant, team, KindInternal},
		{person(RoleTeamAdmin), PermSuperAdminGrant, team, KindForbidden},
		{person(RoleTeamAdmin), PermSCIMManage, team, KindInternal},
		{person(RoleDeveloper), PermSCIMManage, team, KindForbidden},
		{person(RoleDeveloper), PermMemberRemove, team, KindForbidden},
		{person(RoleDeveloper), PermAuditRead, team, KindForbidden},
		{person(RoleDeveloper), PermTeamRead, team, KindInternal},
		{person(RoleDeveloper), PermEventsRead, team, KindInternal},
		{person(RoleSuperAdmin), PermTeamRead, "other", KindNotFound},
		{Principal{Kind: PrincipalAccount, AccountID: "a", TeamID: team}, PermTeamRead, team, KindNotFound},
		{Principal{Kind: PrincipalSCIMKey, TeamID: team}, PermTeamRead, team, KindForbidden},
		{CLIPrincipal(), PermSuperAdminGrant, "any", KindInternal},
		{Principal{}, PermTeamRead, team, KindUnauthenticated},
	}
	for i, c := range cases {
		err := c.p.Can(c.perm, c.team)
		got := KindInternal
		if err != nil {
			got = KindOf(err)
		}
		if got != c.want || (err != nil && c.want == KindInternal) {
			t.Errorf("%d: %s %s in %s: %v, want kind %d", i, c.p.Role, c.perm, c.team, err, c.want)
		}
	}
	// Every permission is in the table, and Super Admin may do everything.
	for p := range Permissions() {
		if !RoleSuperAdmin.Allows(p) {
			t.Errorf("super admin lacks %s", p)
		}
	}
}

func TestParseRole(t *testing.T) {
	for in, want := range map[string]Role{"Super-Admin": RoleSuperAdmin, "team admin": RoleTeamAdmin, "developer": RoleDeveloper} {
		if r, err := ParseRole(in); err != nil || r != want {
			t.Errorf("ParseRole(%q) = %q, %v", in, r, err)
		}
	}
	if _, err := ParseRole("root"); !IsKind(err, KindInvalid) {
		t.Errorf("ParseRole(root): %v", err)
	}
}

func TestPrincipalActor(t *testing.T) {
	a := Principal{Kind: PrincipalSCIMKey, KeyID: "k1", KeyName: "okta"}.Actor()
	if a.Kind != ActorSCIMKey || a.ID != "k1" || a.Name != "okta" {
		t.Errorf("SCIM actor %+v", a)
	}
	if CLIPrincipal().Actor().Kind != ActorCLI {
		t.Error("CLI actor")
	}
}
