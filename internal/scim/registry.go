package scim

import (
	"strings"
	"sync"
)

// registry holds the schemas and resource types. It is built once, on
// first use, and never changed afterwards: every *Schema, *Attribute and
// *ResourceType it hands out is shared and MUST NOT be modified.
type registry struct {
	user, group, enterprise, roster *Schema
	userType, groupType             *ResourceType
}

// theRegistry builds the registry on first use (sync.OnceValue); it is
// the package's only package-level variable and holds no mutable state.
var theRegistry = sync.OnceValue(func() *registry {
	r := &registry{
		user:       newUserSchema(),
		group:      newGroupSchema(),
		enterprise: newEnterpriseUserSchema(),
		roster:     newRosterUserSchema(),
	}
	r.userType = &ResourceType{
		ID:          "User",
		Name:        "User",
		Endpoint:    "/Users",
		Description: "User Account",
		Schema:      r.user,
		Extensions: []SchemaExtension{
			{Schema: r.enterprise, Required: false},
			{Schema: r.roster, Required: false},
		},
	}
	r.groupType = &ResourceType{
		ID:          "Group",
		Name:        "Group",
		Endpoint:    "/Groups",
		Description: "Group",
		Schema:      r.group,
	}
	return r
})

// UserType returns the User resource type (RFC 7643 §6 and §8.7.2): core
// schema UserSchema (RFC 7643 §4.1, with the common attributes of §3.1),
// extensions EnterpriseUserSchema (§4.3) and RosterUserSchema, neither
// required. The value is shared and MUST NOT be modified.
func UserType() *ResourceType { return theRegistry().userType }

// GroupType returns the Group resource type (RFC 7643 §6 and §8.7.2): core
// schema GroupSchema (RFC 7643 §4.2, with the common attributes of §3.1)
// and no extensions. The value is shared and MUST NOT be modified.
func GroupType() *ResourceType { return theRegistry().groupType }

// ResourceTypes returns the resource types Roster serves, User then Group,
// as listed by GET /ResourceTypes (RFC 7644 §4). The slice is new on each
// call; its elements are shared.
func ResourceTypes() []*ResourceType {
	r := theRegistry()
	return []*ResourceType{r.userType, r.groupType}
}

// Schemas returns every schema Roster serves — User, Group, Enterprise
// User and Roster User — as listed by GET /Schemas (RFC 7644 §4). The slice
// is new on each call; its elements are shared.
func Schemas() []*Schema {
	r := theRegistry()
	return []*Schema{r.user, r.group, r.enterprise, r.roster}
}

// SchemaByID returns the schema with the given URN, compared
// case-insensitively (GET /Schemas/{id}, RFC 7644 §4), or nil.
func SchemaByID(urn string) *Schema {
	for _, s := range Schemas() {
		if strings.EqualFold(s.ID, urn) {
			return s
		}
	}
	return nil
}

// ResourceTypeByID returns the resource type with the given id ("User",
// "Group"), compared case-insensitively (GET /ResourceTypes/{id}, RFC 7644
// §4), or nil.
func ResourceTypeByID(id string) *ResourceType {
	for _, rt := range ResourceTypes() {
		if strings.EqualFold(rt.ID, id) {
			return rt
		}
	}
	return nil
}
