package provision

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"strings"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim"
)

// placeholderDomain is the domain of the synthetic email of a member whose
// document has no usable address. RFC 2606 reserves ".invalid", so no mail
// is ever sent to it and no verified domain can match it.
const placeholderDomain = "scim.roster.invalid"

// Keys of the User document that the member's columns own; they are
// written into the stored document from the columns so both agree.
const (
	keyUserName    = "userName"
	keyExternalID  = "externalId"
	keyActive      = "active"
	keyDisplayName = "displayName"
	keySchemas     = "schemas"
	keyID          = "id"
	keyMeta        = "meta"
	keyGroups      = "groups"
	keyMembers     = "members"
	keyName        = "name"
	keyEmails      = "emails"
)

// deriveEmail picks the account email of a User document: the primary
// email, else the first email of type "work", else the first email, else
// userName — the first of these that has the shape local@domain. real is
// false when none does; the caller then uses a placeholder (create) or
// keeps the current address (update).
func deriveEmail(doc map[string]any) (email string, real bool) {
	emails, _ := doc[keyEmails].([]any)
	var primary, work, first string
	for _, e := range emails {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		v, _ := m["value"].(string)
		v = strings.TrimSpace(v)
		if !looksLikeEmail(v) {
			continue
		}
		if p, _ := m["primary"].(bool); p && primary == "" {
			primary = v
		}
		if t, _ := m["type"].(string); strings.EqualFold(t, "work") && work == "" {
			work = v
		}
		if first == "" {
			first = v
		}
	}
	for _, c := range []string{primary, work, first} {
		if c != "" {
			return c, true
		}
	}
	if u, _ := doc[keyUserName].(string); looksLikeEmail(strings.TrimSpace(u)) {
		return strings.TrimSpace(u), true
	}
	return "", false
}

// looksLikeEmail reports whether s has the shape local@domain with a dot
// in the domain and no spaces; it is a shape check, not validation.
func looksLikeEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.ContainsAny(s, " \t\r\n<>,;") {
		return false
	}
	domain := s[at+1:]
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// emailDomain returns the lower-cased domain of an address.
func emailDomain(email string) string {
	return strings.ToLower(email[strings.LastIndexByte(email, '@')+1:])
}

// placeholderEmail is the synthetic account email of a member of team
// whose documents carry no usable address: the same for the same team and
// userName (any letter case), so a create after DELETE re-attaches the
// account.
func placeholderEmail(teamID, userName string) string {
	h := sha256.Sum256([]byte(teamID + "\x00" + strings.ToLower(userName)))
	return "u-" + hex.EncodeToString(h[:12]) + "@" + placeholderDomain
}

// isPlaceholder reports whether an email is a synthetic placeholder.
func isPlaceholder(email string) bool {
	return strings.HasSuffix(strings.ToLower(email), "@"+placeholderDomain)
}

// accountDisplayName is the display name an account created by SCIM
// gets: displayName, else name.formatted, else given and family names.
func accountDisplayName(doc map[string]any) string {
	if s, _ := doc[keyDisplayName].(string); strings.TrimSpace(s) != "" {
		return strings.TrimSpace(s)
	}
	name, _ := doc[keyName].(map[string]any)
	if s, _ := name["formatted"].(string); strings.TrimSpace(s) != "" {
		return strings.TrimSpace(s)
	}
	given, _ := name["givenName"].(string)
	family, _ := name["familyName"].(string)
	return strings.TrimSpace(strings.TrimSpace(given) + " " + strings.TrimSpace(family))
}

// storedUserDoc is the document kept in Member.Doc: the client's
// canonical document without id, meta, groups, schemas or password (which
// scim.Decode and the PATCH engine never keep), with userName, externalId
// and active taken from the member's columns.
func storedUserDoc(doc map[string]any, m core.Member) map[string]any {
	out := maps.Clone(doc)
	if out == nil {
		out = map[string]any{}
	}
	for _, k := range []string{keyID, keyMeta, keyGroups, keySchemas, scim.RosterUserSchema} {
		delete(out, k)
	}
	out[keyUserName] = m.UserName
	if m.ExternalID != "" {
		out[keyExternalID] = m.ExternalID
	} else {
		delete(out, keyExternalID)
	}
	out[keyActive] = m.Active
	return out
}

// userBaseDoc is a member's canonical User document as GET shows it,
// without id, meta, groups and the Roster extension: the stored document
// with the columns on top. A member that SCIM never wrote (an admin, say)
// has no stored document; it shows its email as its one work email.
func userBaseDoc(m core.Member) map[string]any {
	doc := scim.Clone(m.Doc)
	if doc == nil {
		doc = map[string]any{}
	}
	for _, k := range []string{keyID, keyMeta, keyGroups, keySchemas, scim.RosterUserSchema} {
		delete(doc, k)
	}
	userName := m.UserName
	if userName == "" {
		userName = m.Email
	}
	doc[keyUserName] = userName
	if m.ExternalID != "" {
		doc[keyExternalID] = m.ExternalID
	} else {
		delete(doc, keyExternalID)
	}
	doc[keyActive] = m.Active
	if _, has := doc[keyEmails]; !has && !m.SCIMManaged && m.Email != "" && !isPlaceholder(m.Email) {
		doc[keyEmails] = []any{map[string]any{"value": m.Email, "type": "work", "primary": true}}
	}
	return doc
}

// userBody is the full User document of a member (RFC 7643 §4.1) without
// meta and groups, which Resource adds when it is written: schemas, id,
// the base document, name with givenName and familyName always present
// ("" when unknown: Okta requires familyName, docs/idp-behaviour.md row
// 15) and the Roster extension with the membership status.
func userBody(m core.Member) map[string]any {
	doc := userBaseDoc(m)
	doc[keyID] = m.ID
	name, _ := doc[keyName].(map[string]any)
	name = maps.Clone(name)
	if name == nil {
		name = map[string]any{}
	}
	for _, k := range []string{"givenName", "familyName"} {
		if _, ok := name[k].(string); !ok {
			name[k] = ""
		}
	}
	doc[keyName] = name
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
	schemas = append(schemas, scim.RosterUserSchema)
	doc[keySchemas] = schemas
	return doc
}

// userPatchDoc is the document the PATCH engine works on: the base
// document with "schemas", so the engine keeps the extension list right.
func userPatchDoc(m core.Member) map[string]any {
	doc := userBaseDoc(m)
	schemas := []any{scim.UserSchema}
	if ent, ok := doc[scim.EnterpriseUserSchema].(map[string]any); ok && len(ent) > 0 {
		schemas = append(schemas, scim.EnterpriseUserSchema)
	}
	doc[keySchemas] = schemas
	return doc
}

// statusFor returns the membership status that follows from active, given
// the current one: deactivation and reactivation switch between active
// and deactivated; an invited member stays invited (active or not) until
// the person accepts, so deactivating and reactivating an invitation
// never lets someone in who did not accept.
func statusFor(cur core.MemberStatus, active bool) core.MemberStatus {
	switch {
	case cur == core.StatusInvited:
		return core.StatusInvited
	case !active:
		return core.StatusDeactivated
	default:
		return core.StatusActive
	}
}

// memberChanged reports whether next differs from cur in anything a SCIM
// write can change.
func memberChanged(cur, next core.Member) bool {
	return cur.UserName != next.UserName ||
		cur.ExternalID != next.ExternalID ||
		cur.Email != next.Email ||
		cur.Active != next.Active ||
		cur.Status != next.Status ||
		cur.SCIMManaged != next.SCIMManaged ||
		!docsEqual(cur.Doc, next.Doc)
}
