package storetest

import (
	"strconv"
	"strings"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim"
)

// metaTimeLayout is how the SCIM layer writes meta.created and
// meta.lastModified: RFC 3339 in UTC with milliseconds (RFC 7643 §2.3.5).
// The differential's fixture times have millisecond precision, so the
// served strings denote exactly the stored instants.
const metaTimeLayout = "2006-01-02T15:04:05.000Z"

// placeholderDomain is the domain of the synthetic account email the SCIM
// layer gives a member whose documents carry no address; it is never shown
// as an email.
const placeholderDomain = "scim.roster.invalid"

// userResource builds the User resource that the SCIM layer serves for m
// (internal/provision: userBody plus the meta and groups that
// Resource.WriteJSON adds), which is the document filter.Match must be run
// on to know what a client filtering /Users expects. Exactly:
//
//   - start from a deep copy of m.Doc (or {} when nil) without the keys
//     id, meta, groups, schemas and the Roster extension URN;
//   - userName = m.UserName (m.Email when empty); externalId =
//     m.ExternalID (absent when ""); active = m.Active;
//   - a member that is not SCIM-managed and whose document has no emails
//     shows m.Email as its one email {value, type "work", primary true},
//     unless m.Email is a placeholder (domain scim.roster.invalid);
//   - id = m.ID;
//   - name always has givenName and familyName ("" when unknown);
//   - the Roster extension {status, invitationPending} from m.Status
//     (status "active"/"deactivated" from m.Active when m.Status is "");
//   - schemas = [core User, Enterprise User if its object is non-empty,
//     Roster User];
//   - meta = {resourceType "User", created, lastModified (metaTimeLayout),
//     version W/"<m.Version>"}; meta.location is left out (it depends on
//     the base URL), so the differential never filters on it;
//   - groups = one {value, display, type "direct"} per direct group, when
//     there are any ($ref is left out, as meta.location).
func userResource(m core.Member, groups []core.GroupRef) map[string]any {
	doc := scim.Clone(m.Doc)
	if doc == nil {
		doc = map[string]any{}
	}
	for _, k := range []string{"id", "meta", "groups", "schemas", scim.RosterUserSchema} {
		delete(doc, k)
	}
	userName := m.UserName
	if userName == "" {
		userName = m.Email
	}
	doc["userName"] = userName
	if m.ExternalID != "" {
		doc["externalId"] = m.ExternalID
	} else {
		delete(doc, "externalId")
	}
	doc["active"] = m.Active
	if _, has := doc["emails"]; !has && !m.SCIMManaged && m.Email != "" && !strings.HasSuffix(strings.ToLower(m.Email), "@"+placeholderDomain) {
		doc["emails"] = []any{map[string]any{"value": m.Email, "type": "work", "primary": true}}
	}
	doc["id"] = m.ID
	name, _ := doc["name"].(map[string]any)
	if name == nil {
		name = map[string]any{}
	}
	for _, k := range []string{"givenName", "familyName"} {
		if _, ok := name[k].(string); !ok {
			name[k] = ""
		}
	}
	doc["name"] = name
	status := string(m.Status)
	if status == "" {
		status = scim.StatusActive
		if !m.Active {
			status = scim.StatusDeactivated
		}
	}
	doc[scim.RosterUserSchema] = map[string]any{
		"status":            status,
		"invitationPending": m.Status == core.StatusInvited,
	}
	schemas := []any{scim.UserSchema}
	if ent, ok := doc[scim.EnterpriseUserSchema].(map[string]any); ok && len(ent) > 0 {
		schemas = append(schemas, scim.EnterpriseUserSchema)
	}
	doc["schemas"] = append(schemas, scim.RosterUserSchema)
	doc["meta"] = meta("User", m.CreatedAt, m.UpdatedAt, m.Version)
	if len(groups) > 0 {
		gs := make([]any, 0, len(groups))
		for _, g := range groups {
			v := map[string]any{"value": g.ID, "type": "direct"}
			if g.DisplayName != "" {
				v["display"] = g.DisplayName
			}
			gs = append(gs, v)
		}
		doc["groups"] = gs
	}
	return doc
}

// groupResource builds the Group resource the SCIM layer serves for g
// (internal/provision: groupResource plus meta and the streamed members):
// a deep copy of g.Doc without id, meta, members and schemas;
// displayName = g.DisplayName; externalId = g.ExternalID (absent when
// ""); id; schemas = [core Group]; meta as for users; and, when the group
// has members, members = one {value, display (when not ""), type ("User"
// when "")} per member ($ref left out).
func groupResource(g core.Group, members []core.GroupMember) map[string]any {
	doc := scim.Clone(g.Doc)
	if doc == nil {
		doc = map[string]any{}
	}
	for _, k := range []string{"id", "meta", "members", "schemas"} {
		delete(doc, k)
	}
	doc["displayName"] = g.DisplayName
	if g.ExternalID != "" {
		doc["externalId"] = g.ExternalID
	} else {
		delete(doc, "externalId")
	}
	doc["id"] = g.ID
	doc["schemas"] = []any{scim.GroupSchema}
	doc["meta"] = meta("Group", g.CreatedAt, g.UpdatedAt, g.Version)
	if len(members) > 0 {
		ms := make([]any, 0, len(members))
		for _, gm := range members {
			typ := gm.Type
			if typ == "" {
				typ = typeUser
			}
			v := map[string]any{"value": gm.Value, "type": typ}
			if gm.Display != "" {
				v["display"] = gm.Display
			}
			ms = append(ms, v)
		}
		doc["members"] = ms
	}
	return doc
}

// meta is a resource's meta attribute without location.
func meta(resourceType string, created, modified time.Time, version int64) map[string]any {
	return map[string]any{
		"resourceType": resourceType,
		"created":      created.UTC().Format(metaTimeLayout),
		"lastModified": modified.UTC().Format(metaTimeLayout),
		"version":      `W/"` + strconv.FormatInt(version, 10) + `"`,
	}
}
