package sqlstore

import (
	"sync"

	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/scim/filter"
)

// resource maps the attributes of one SCIM resource type to SQL over its
// table. Filters must give exactly what filter.Match gives on the
// resource the SCIM layer serves, which is the stored document with the
// row's columns laid over it (internal/provision; the conformance suite's
// userResource and groupResource write the rules down). So:
//
//   - attributes the SCIM layer takes from columns (id, userName,
//     externalId, active, meta, the Roster extension) are leaves: indexed
//     columns or expressions on them;
//   - multi-valued attributes whose values are rows (a user's emails and
//     groups, a group's members) are row sets, searched with an indexed
//     IN (SELECT ...) subquery;
//   - "schemas" is computed;
//   - every other attribute is read from the stored JSON document.
type resource struct {
	rt      func() *scim.ResourceType
	table   string               // the resource's table
	alias   string               // its alias in statements
	cols    func(Dialect) string // the select list a scan reads
	counter string               // the teams column counting its rows

	leaves      map[attrKey]leaf
	leafComplex map[attrKey]bool // single complex attributes held in leaves (meta)
	rows        map[attrKey]func() *rowSet
	defaults    map[attrKey]bool // sub-attributes served as "" when absent
	objects     map[attrKey]bool // complex attributes always served as one object
	schemas     []string         // the served "schemas" values
	enterprise  bool             // "schemas" also lists the Enterprise extension when its object is non-empty
}

// attrKey names an attribute: extension URN ("" for the core schema),
// attribute and sub-attribute ("" for none), as the schema spells them.
type attrKey struct{ ext, name, sub string }

func (r *resource) leaf(ext, name, sub string) (leaf, bool) {
	l, ok := r.leaves[attrKey{ext, name, sub}]
	return l, ok
}

func (r *resource) isLeafComplex(ext, name string) bool {
	return r.leafComplex[attrKey{ext, name, ""}]
}

func (r *resource) rowSet(ext, name string) *rowSet {
	if f := r.rows[attrKey{ext, name, ""}]; f != nil {
		return f()
	}
	return nil
}

func (r *resource) hasDefault(ext, name, sub string) bool {
	return r.defaults[attrKey{ext, name, sub}]
}

func (r *resource) alwaysObject(ext, name string) bool {
	return r.objects[attrKey{ext, name, ""}]
}

// rowSet is a multi-valued complex attribute whose elements are rows of a
// child table: one row, one element.
type rowSet struct {
	// from is the FROM clause of the rows (trusted SQL).
	from string
	// teamCols are the team_id columns of the tables in from; each is
	// bound to the team.
	teamCols []string
	// parentCol is the column holding the resource's id.
	parentCol string
	// extra is a further condition on the rows, or "".
	extra string
	// subs are the sub-attributes, as leaves over the row.
	subs map[string]leaf
	// present is the condition that an element is present ("pr").
	present string
	// order is the ORDER BY that puts the element to sort by first (RFC
	// 7644 §3.4.2.3: the primary value, else the first).
	order string
}

// sub returns the leaf of a sub-attribute.
func (rs *rowSet) sub(a *scim.Attribute) (leaf, error) {
	l, ok := rs.subs[a.Name]
	if !ok || l.kind == leafUnsupported {
		return leaf{}, invalidFilter("filtering on %q is not supported", a.Name)
	}
	return l, nil
}

// Leaves shared by both resources.
func metaLeaves(alias, resourceType string, m map[attrKey]leaf) {
	m[attrKey{"", "id", ""}] = leaf{expr: alias + ".id"}
	m[attrKey{"", "externalId", ""}] = leaf{expr: alias + ".external_id", nullable: true}
	m[attrKey{"", "meta", "created"}] = leaf{expr: alias + ".created_at", precision: metaPrecision}
	m[attrKey{"", "meta", "lastModified"}] = leaf{expr: alias + ".updated_at", precision: metaPrecision}
	m[attrKey{"", "meta", "resourceType"}] = leaf{kind: leafConst, value: resourceType}
	m[attrKey{"", "meta", "version"}] = leaf{expr: `('W/"' || CAST(` + alias + `.version AS TEXT) || '"')`}
	m[attrKey{"", "meta", "location"}] = leaf{kind: leafUnsupported}
}

// usersList is the User resource over members (alias m). It is built
// once and never changed.
var usersList = sync.OnceValue(func() *resource {
	leaves := map[attrKey]leaf{
		{"", "userName", ""}:    {expr: "m.user_name_key", folded: true},
		{"", "active", ""}:      {expr: "m.active"},
		{"", "displayName", ""}: {expr: "m.display_name_key", folded: true, nullable: true},
		{scim.RosterUserSchema, "status", ""}: {
			expr: "(CASE WHEN m.status <> '' THEN m.status WHEN m.active THEN 'active' ELSE 'deactivated' END)",
		},
		{scim.RosterUserSchema, "invitationPending", ""}: {expr: "(m.status = 'invited')"},
	}
	metaLeaves("m", "User", leaves)
	return &resource{
		rt:          scim.UserType,
		table:       "members",
		alias:       "m",
		cols:        memberSelect,
		counter:     "member_count",
		leaves:      leaves,
		leafComplex: map[attrKey]bool{{"", "meta", ""}: true},
		rows: map[attrKey]func() *rowSet{
			{"", "emails", ""}: emailsRows,
			{"", "groups", ""}: userGroupsRows,
		},
		defaults: map[attrKey]bool{
			{"", "name", "givenName"}:  true,
			{"", "name", "familyName"}: true,
		},
		objects:    map[attrKey]bool{{"", "name", ""}: true},
		schemas:    []string{scim.UserSchema, scim.RosterUserSchema},
		enterprise: true,
	}
})

// groupsList is the Group resource over groups (alias g). It is built
// once and never changed.
var groupsList = sync.OnceValue(func() *resource {
	leaves := map[attrKey]leaf{
		{"", "displayName", ""}: {expr: "g.display_name_key", folded: true},
	}
	metaLeaves("g", "Group", leaves)
	return &resource{
		rt:          scim.GroupType,
		table:       "groups",
		alias:       "g",
		cols:        func(Dialect) string { return groupCols },
		counter:     "group_count",
		leaves:      leaves,
		leafComplex: map[attrKey]bool{{"", "meta", ""}: true},
		rows: map[attrKey]func() *rowSet{
			{"", "members", ""}: func() *rowSet { return groupMemberRows("gm") },
		},
		schemas: []string{scim.GroupSchema},
	}
})

// emailsRows are a user's emails: member_emails rows, derived from the
// served emails on every write (see emailRows), with value, type and
// display folded.
func emailsRows() *rowSet {
	return &rowSet{
		from:      "member_emails e",
		teamCols:  []string{"e.team_id"},
		parentCol: "e.member_id",
		subs: map[string]leaf{
			"value":   {expr: "e.value", folded: true, nullable: true},
			"display": {expr: "e.display", folded: true, nullable: true},
			"type":    {expr: "e.type", folded: true, nullable: true},
			"primary": {expr: "e.is_primary", nullable: true},
		},
		present: "(e.value <> '' OR e.display <> '' OR e.type <> '' OR e.is_primary IS NOT NULL)",
		order:   "CASE WHEN e.is_primary THEN 0 ELSE 1 END, e.ord",
	}
}

// userGroupsRows are a user's groups (RFC 7643 §4.1.2, read-only): the
// group_members rows naming the user, joined to the groups for their
// displayName; type is always "direct".
func userGroupsRows() *rowSet {
	return &rowSet{
		from:      "group_members ug JOIN groups ugg ON ugg.team_id = ug.team_id AND ugg.id = ug.group_id",
		teamCols:  []string{"ug.team_id", "ugg.team_id"},
		parentCol: "ug.member_id",
		extra:     "ug.member_type = 'User'",
		subs: map[string]leaf{
			"value":   {expr: "ug.group_id"},
			"display": {expr: "ugg.display_name_key", folded: true, emptyAbsent: true},
			"type":    {kind: leafConst, value: "direct"},
			"$ref":    {kind: leafUnsupported},
		},
		present: "TRUE",
		order:   "ug.group_id",
	}
}

// groupMemberRows are a group's members: group_members rows. alias is the
// rows' alias, or "" for unqualified columns (in RemoveGroupMembersWhere's
// DELETE).
func groupMemberRows(alias string) *rowSet {
	q := ""
	if alias != "" {
		q = alias + "."
	}
	return &rowSet{
		from:      "group_members " + alias,
		teamCols:  []string{q + "team_id"},
		parentCol: q + "group_id",
		subs: map[string]leaf{
			"value":   {expr: q + "member_id"},
			"display": {expr: q + "display", emptyAbsent: true},
			"type":    {expr: q + "member_type"},
			"$ref":    {kind: leafUnsupported},
		},
		present: "TRUE",
		order:   q + "member_id",
	}
}

// compileMemberRowFilter writes the condition of f, the filter of a
// "members[...]" value path, on unqualified group_members columns.
func compileMemberRowFilter(b *Builder, f filter.Expr) error {
	rt := scim.GroupType()
	members := rt.Schema.Attr("members")
	if err := checkFilter(rt, &filter.ValuePath{Attr: scim.AttrPath{Name: members.Name}, Filter: f}); err != nil {
		return err
	}
	c := &compiler{b: b, d: b.d, res: groupsList()}
	b.SQL("(")
	if err := c.rowElem(groupMemberRows(""), members, f); err != nil {
		return err
	}
	b.SQL(")")
	return nil
}
