package scim

// newEnterpriseUserSchema builds the Enterprise User extension of RFC 7643
// §4.3 (schema representation §8.7.1).
func newEnterpriseUserSchema() *Schema {
	return &Schema{
		ID:          EnterpriseUserSchema,
		Name:        "EnterpriseUser",
		Description: "Enterprise User",
		Attributes: []*Attribute{
			strAttr("employeeNumber", "Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or association with an organization."),
			strAttr("costCenter", "Identifies the name of a cost center."),
			strAttr("organization", "Identifies the name of an organization."),
			strAttr("division", "Identifies the name of a division."),
			strAttr("department", "Identifies the name of a department."),
			complexAttr("manager", "The User's manager.  A complex type that optionally allows service providers to represent organizational hierarchy by referencing the 'id' attribute of another User.", []*Attribute{
				strAttr("value", "The id of the SCIM resource representing the User's manager."),
				refAttr("$ref", "The URI of the SCIM resource representing the User's manager.", []string{"User"}),
				strAttr("displayName", "The displayName of the User's manager.  OPTIONAL and READ-ONLY.", readOnly()),
			}),
		},
	}
}

// Values of the Roster extension's "status" attribute.
const (
	// StatusActive is a member with access to the team.
	StatusActive = "active"
	// StatusDeactivated is a member whose access was removed (active=false)
	// and whose account and data are kept.
	StatusDeactivated = "deactivated"
	// StatusInvited is an account on a domain the team has not verified that
	// has been invited and has not yet accepted.
	StatusInvited = "invited"
)

// newRosterUserSchema builds Roster's User extension: read-only attributes
// that show the state of the team membership behind a SCIM User. Clients
// cannot set them; Decode drops them (RFC 7643 §7, readOnly).
func newRosterUserSchema() *Schema {
	return &Schema{
		ID:          RosterUserSchema,
		Name:        "RosterUser",
		Description: "Roster team membership state",
		Attributes: []*Attribute{
			strAttr("status", "The state of the member in the team: 'active', 'deactivated' (active=false; data kept) or 'invited' (an existing account on an unverified domain that has not accepted its invitation).",
				readOnly(), caseExact(), canonical(StatusActive, StatusDeactivated, StatusInvited)),
			boolAttr("invitationPending", "True while the account has been invited to the team and has not accepted.",
				readOnly()),
		},
	}
}
