package scim

// newGroupSchema builds the core Group schema of RFC 7643 §4.2 (schema
// representation §8.7.1), preceded by the common attributes (§3.1).
//
// Deviations from §8.7.1, each deliberate:
//   - displayName is required, as §4.2 says ("REQUIRED"), and unique per
//     team (Roster answers 409 uniqueness on a duplicate), so uniqueness
//     is "server";
//   - members.value is caseExact, as ids are (§3.1);
//   - members has a "display" sub-attribute (Okta sends it; §2.4 lists it
//     among the default sub-attributes), immutable like its siblings.
func newGroupSchema() *Schema {
	attrs := commonAttributes("Group")
	attrs = append(attrs,
		strAttr("displayName", "A human-readable name for the Group.  REQUIRED.  Unique within the team.",
			required(), unique(UniqueServer)),
		complexAttr("members", "A list of members of the Group.", []*Attribute{
			strAttr("value", "Identifier of the member of this Group.", caseExact()),
			refAttr("$ref", "The URI corresponding to a SCIM resource that is a member of this Group.", []string{"User", "Group"}),
			strAttr("type", "A label indicating the type of resource, e.g., 'User' or 'Group'.  A member without a type is a User.", canonical("User", "Group")),
			strAttr("display", "A human-readable name for the member, primarily used for display purposes."),
		}, multiValued(), subs(immutable())), // members are added and removed; each member is immutable (§8.7.1)
	)
	return &Schema{
		ID:          GroupSchema,
		Name:        "Group",
		Description: "Group",
		Attributes:  attrs,
	}
}
