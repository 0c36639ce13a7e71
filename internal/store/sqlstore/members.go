package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/scim/filter"
	"github.com/rosterhq/roster/internal/store"
)

// memberCols are the member columns scanMember reads, qualified by alias
// m; memberSelect adds the member's groups.
const memberCols = "m.team_id, m.id, m.account_id, m.user_name, m.external_id, m.email, m.active, m.status, m.role, m.scim_managed, m.doc, m.version, m.created_at, m.updated_at"

// memberSelect is the select list of every member read: memberCols and
// the member's groups (Dialect.MemberGroups), so that a user and its
// groups are one statement, and a page of users one statement too.
func memberSelect(d Dialect) string { return memberCols + ", " + d.MemberGroups() }

func scanMember(row interface{ Scan(...any) error }) (core.Member, error) {
	var m core.Member
	var account, external sql.NullString
	var doc, groups []byte
	var status, role string
	err := row.Scan(&m.TeamID, &m.ID, &account, &m.UserName, &external, &m.Email, &m.Active, &status, &role,
		&m.SCIMManaged, &doc, &m.Version, scanTime(&m.CreatedAt), scanTime(&m.UpdatedAt), &groups)
	if err != nil {
		return core.Member{}, err
	}
	m.AccountID, m.ExternalID = account.String, external.String
	m.Status, m.Role = core.MemberStatus(status), core.Role(role)
	if m.Doc, err = DecodeDoc(doc); err != nil {
		return core.Member{}, err
	}
	if m.Groups, err = decodeGroupRefs(groups); err != nil {
		return core.Member{}, err
	}
	return m, nil
}

// decodeGroupRefs reads Dialect.MemberGroups' JSON pairs.
func decodeGroupRefs(text []byte) ([]core.GroupRef, error) {
	if len(text) == 0 || string(text) == "[]" {
		return nil, nil
	}
	v, ok := scim.ParseJSON(text)
	pairs, isList := v.([]any)
	if !ok || !isList {
		return nil, errors.New("member groups: not a JSON array")
	}
	out := make([]core.GroupRef, 0, len(pairs))
	for _, p := range pairs {
		pair, ok := p.([]any)
		if !ok || len(pair) != 2 {
			return nil, errors.New("member groups: not an [id, displayName] pair")
		}
		id, ok1 := pair[0].(string)
		name, ok2 := pair[1].(string)
		if !ok1 || !ok2 {
			return nil, errors.New("member groups: not an [id, displayName] pair")
		}
		out = append(out, core.GroupRef{ID: id, DisplayName: name})
	}
	return out, nil
}

// nullString binds "" as NULL.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// docString returns doc[key] when it is a string.
func docString(doc map[string]any, key string) (string, bool) {
	s, ok := doc[key].(string)
	return s, ok
}

// Member implements store.Reader.
func (s *base) Member(ctx context.Context, teamID, id string) (core.Member, error) {
	b := NewBuilder(s.d).SQL("SELECT " + memberSelect(s.d) + " FROM members m WHERE m.team_id = ").Arg(teamID).SQL(" AND m.id = ").Arg(id)
	m, err := scanMember(s.q.QueryRowContext(ctx, b.String(), b.Args()...))
	if errors.Is(err, sql.ErrNoRows) {
		return core.Member{}, notFound("user")
	}
	return m, s.wrapErr("member", err)
}

// MemberByAccount implements store.Reader. It is the one statement on
// members not scoped by team: an account is a member of at most one team
// (the global unique index members_account), and this finds that team.
func (s *base) MemberByAccount(ctx context.Context, accountID string) (core.Member, error) {
	if accountID == "" {
		return core.Member{}, notFound("membership")
	}
	b := NewBuilder(s.d).SQL("SELECT " + memberSelect(s.d) + " FROM members m WHERE m.account_id = ").Arg(accountID)
	m, err := scanMember(s.q.QueryRowContext(ctx, b.String(), b.Args()...))
	if errors.Is(err, sql.ErrNoRows) {
		return core.Member{}, notFound("membership")
	}
	return m, s.wrapErr("member by account", err)
}

// Members implements store.Reader.
func (s *base) Members(ctx context.Context, teamID string, q store.Query) (store.Page[core.Member], error) {
	var page store.Page[core.Member]
	total, err := s.list(ctx, usersList(), teamID, q, func(rows Rows) error {
		m, err := scanMember(rows)
		if err != nil {
			return err
		}
		page.Items = append(page.Items, m)
		return nil
	}, func() { page.Items = page.Items[:0] })
	page.Total = total
	if err != nil {
		return store.Page[core.Member]{}, err
	}
	return page, nil
}

// MemberGroups implements store.Reader: the groups column of a member
// read (Dialect.MemberGroups) alone.
func (s *base) MemberGroups(ctx context.Context, teamID, memberID string) ([]core.GroupRef, error) {
	b := NewBuilder(s.d).SQL("SELECT " + s.d.MemberGroups() + " FROM members m WHERE m.team_id = ").Arg(teamID).
		SQL(" AND m.id = ").Arg(memberID)
	var text []byte
	err := s.q.QueryRowContext(ctx, b.String(), b.Args()...).Scan(&text)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, s.wrapErr("member groups", err)
	}
	gs, err := decodeGroupRefs(text)
	return gs, s.wrapErr("member groups", err)
}

// memberValues binds the columns a member's row derives from it.
func (t *Tx) memberValues(m core.Member) (doc string, displayName, displayKey any, err error) {
	if doc, err = EncodeDoc(m.Doc); err != nil {
		return "", nil, nil, err
	}
	if dn, ok := docString(m.Doc, "displayName"); ok {
		displayName, displayKey = dn, Fold(dn)
	}
	return doc, displayName, displayKey, nil
}

// CreateMember implements store.Tx.
func (t *Tx) CreateMember(ctx context.Context, m core.Member) error {
	if m.ID == "" || m.TeamID == "" {
		return invalid("invalidValue", "a member needs an id and a team")
	}
	doc, displayName, displayKey, err := t.memberValues(m)
	if err != nil {
		return err
	}
	b := NewBuilder(t.d).SQL("INSERT INTO members (team_id, id, account_id, user_name, user_name_key, external_id, display_name, display_name_key, email, active, status, role, scim_managed, doc, version, created_at, updated_at) VALUES (").
		Arg(m.TeamID).SQL(", ").Arg(m.ID).SQL(", ").Arg(nullString(m.AccountID)).SQL(", ").
		Arg(m.UserName).SQL(", ").Arg(Fold(servedUserName(m))).SQL(", ").Arg(nullString(m.ExternalID)).SQL(", ").
		Arg(displayName).SQL(", ").Arg(displayKey).SQL(", ").Arg(m.Email).SQL(", ").Arg(m.Active).SQL(", ").
		Arg(string(m.Status)).SQL(", ").Arg(string(m.Role)).SQL(", ").Arg(m.SCIMManaged).SQL(", ").
		JSONArg(doc).SQL(", ").Arg(m.Version).SQL(", ").Arg(t.timeArg(m.CreatedAt)).SQL(", ").Arg(t.timeArg(m.UpdatedAt)).SQL(")")
	if _, err := t.exec(ctx, b); err != nil {
		return t.writeErr("create member", "team or account", err)
	}
	if err := t.insertEmails(ctx, m); err != nil {
		return err
	}
	return t.addTeamCount(ctx, m.TeamID, "member_count", 1)
}

// UpdateMember implements store.Tx.
func (t *Tx) UpdateMember(ctx context.Context, m core.Member, prevVersion int64) error {
	doc, displayName, displayKey, err := t.memberValues(m)
	if err != nil {
		return err
	}
	if !t.sparse {
		return t.updateMemberFull(ctx, m, prevVersion, doc, displayName, displayKey)
	}
	// The UPDATE sets only the columns whose value changes: SQLite
	// rewrites the entry of every index on a column in the SET list, even
	// to the same value, and members has five such indexes. Reading the
	// row first is one primary-key lookup of a page the UPDATE needs
	// anyway; it also answers a stale version without a second query.
	var cur struct {
		userName, userNameKey, email, status, role, doc string
		externalID, displayName, displayKey             sql.NullString
		active, scimManaged                             bool
		version                                         int64
	}
	sel := NewBuilder(t.d).SQL("SELECT user_name, user_name_key, external_id, display_name, display_name_key, email, active, status, role, scim_managed, doc, version FROM members WHERE team_id = ").
		Arg(m.TeamID).SQL(" AND id = ").Arg(m.ID)
	err = t.q.QueryRowContext(ctx, sel.String(), sel.Args()...).Scan(&cur.userName, &cur.userNameKey, &cur.externalID, &cur.displayName,
		&cur.displayKey, &cur.email, &cur.active, &cur.status, &cur.role, &cur.scimManaged, &cur.doc, &cur.version)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("user")
	}
	if err != nil {
		return t.wrapErr("update member", err)
	}
	if cur.version != prevVersion {
		return core.Errorf(core.KindPrecondition, "preconditionFailed", "the user was changed by someone else (version mismatch)")
	}
	nullEq := func(v any, c sql.NullString) bool {
		s, ok := v.(string)
		return ok == c.Valid && s == c.String
	}
	userNameKey := Fold(servedUserName(m))
	b := NewBuilder(t.d).SQL("UPDATE members SET version = ").Arg(m.Version).
		SQL(", updated_at = ").Arg(t.timeArg(m.UpdatedAt))
	set := func(col string, changed bool, v any) {
		if changed {
			b.SQL(", " + col + " = ").Arg(v)
		}
	}
	set("user_name", m.UserName != cur.userName, m.UserName)
	set("user_name_key", userNameKey != cur.userNameKey, userNameKey)
	set("external_id", !nullEq(nullString(m.ExternalID), cur.externalID), nullString(m.ExternalID))
	set("display_name", !nullEq(displayName, cur.displayName), displayName)
	set("display_name_key", !nullEq(displayKey, cur.displayKey), displayKey)
	set("email", m.Email != cur.email, m.Email)
	set("active", m.Active != cur.active, m.Active)
	set("status", string(m.Status) != cur.status, string(m.Status))
	set("role", string(m.Role) != cur.role, string(m.Role))
	set("scim_managed", m.SCIMManaged != cur.scimManaged, m.SCIMManaged)
	if doc != cur.doc {
		b.SQL(", doc = ").JSONArg(doc)
	}
	b.SQL(" WHERE team_id = ").Arg(m.TeamID).SQL(" AND id = ").Arg(m.ID).SQL(" AND version = ").Arg(prevVersion)
	return t.finishMemberUpdate(ctx, m, b)
}

// updateMemberFull is UpdateMember setting every column (see
// Config.SparseUpdates).
func (t *Tx) updateMemberFull(ctx context.Context, m core.Member, prevVersion int64, doc string, displayName, displayKey any) error {
	b := NewBuilder(t.d).SQL("UPDATE members SET user_name = ").Arg(m.UserName).
		SQL(", user_name_key = ").Arg(Fold(servedUserName(m))).
		SQL(", external_id = ").Arg(nullString(m.ExternalID)).
		SQL(", display_name = ").Arg(displayName).
		SQL(", display_name_key = ").Arg(displayKey).
		SQL(", email = ").Arg(m.Email).
		SQL(", active = ").Arg(m.Active).
		SQL(", status = ").Arg(string(m.Status)).
		SQL(", role = ").Arg(string(m.Role)).
		SQL(", scim_managed = ").Arg(m.SCIMManaged).
		SQL(", doc = ").JSONArg(doc).
		SQL(", version = ").Arg(m.Version).
		SQL(", updated_at = ").Arg(t.timeArg(m.UpdatedAt)).
		SQL(" WHERE team_id = ").Arg(m.TeamID).SQL(" AND id = ").Arg(m.ID).SQL(" AND version = ").Arg(prevVersion)
	return t.finishMemberUpdate(ctx, m, b)
}

// finishMemberUpdate runs a member's UPDATE (b, conditioned on the
// previous version) and brings its email rows up to date.
func (t *Tx) finishMemberUpdate(ctx context.Context, m core.Member, b *Builder) error {
	n, err := t.exec(ctx, b)
	if err != nil {
		return t.writeErr("update member", "team", err)
	}
	if n == 0 {
		return t.missingOrStale(ctx, "members", "user", m.TeamID, m.ID)
	}
	// Most updates (a name, a deactivation) leave the emails as they are:
	// comparing the stored rows is a read of one primary-key range, where
	// rewriting them dirties the table's and its index's pages, which the
	// single writer must then write to the WAL.
	rows := emailRows(m)
	same, err := t.emailsStored(ctx, m.TeamID, m.ID, rows)
	if err != nil || same {
		return err
	}
	if err := t.deleteEmails(ctx, m.TeamID, m.ID); err != nil {
		return err
	}
	return t.insertEmailRows(ctx, m, rows)
}

// emailsStored reports whether a member's stored member_emails rows are
// exactly rows, in order.
func (t *Tx) emailsStored(ctx context.Context, teamID, memberID string, rows []emailRow) (bool, error) {
	b := NewBuilder(t.d).SQL("SELECT value, type, display, is_primary FROM member_emails WHERE team_id = ").Arg(teamID).
		SQL(" AND member_id = ").Arg(memberID).SQL(" ORDER BY ord")
	rs, err := t.q.QueryContext(ctx, b.String(), b.Args()...)
	if err != nil {
		return false, t.wrapErr("member emails", err)
	}
	defer rs.Close()
	str := func(v any, s sql.NullString) bool {
		w, ok := v.(string)
		return ok == s.Valid && w == s.String
	}
	i := 0
	same := true
	for rs.Next() {
		var value, typ, display sql.NullString
		var primary sql.NullBool
		if err := rs.Scan(&value, &typ, &display, &primary); err != nil {
			return false, t.wrapErr("member emails", err)
		}
		if i >= len(rows) {
			same = false
			break
		}
		r := rows[i]
		p, isBool := r.primary.(bool)
		if !str(r.value, value) || !str(r.typ, typ) || !str(r.display, display) || isBool != primary.Valid || p != primary.Bool {
			same = false
			break
		}
		i++
	}
	if err := rs.Err(); err != nil {
		return false, t.wrapErr("member emails", err)
	}
	return same && i == len(rows), nil
}

// missingOrStale explains an UPDATE ... AND version = ? that matched no
// row: KindNotFound when the row does not exist in the team, otherwise
// KindPrecondition.
func (t *Tx) missingOrStale(ctx context.Context, table, what, teamID, id string) error {
	b := NewBuilder(t.d).SQL("SELECT 1 FROM " + table + " WHERE team_id = ").Arg(teamID).SQL(" AND id = ").Arg(id)
	var one int
	err := t.q.QueryRowContext(ctx, b.String(), b.Args()...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound(what)
	}
	if err != nil {
		return t.wrapErr("version check", err)
	}
	return core.Errorf(core.KindPrecondition, "preconditionFailed", "the %s was changed by someone else (version mismatch)", what)
}

// DeleteMember implements store.Tx. It removes the member's rows in every
// group of the team and adjusts those groups' counts. It does not change
// the groups' versions: the caller owns versions.
func (t *Tx) DeleteMember(ctx context.Context, teamID, id string) error {
	if err := t.deleteEmails(ctx, teamID, id); err != nil {
		return err
	}
	b := NewBuilder(t.d).SQL("DELETE FROM members WHERE team_id = ").Arg(teamID).SQL(" AND id = ").Arg(id)
	n, err := t.exec(ctx, b)
	if err != nil {
		return t.wrapErr("delete member", err)
	}
	if n == 0 {
		return notFound("user")
	}
	if err := t.leaveAllGroups(ctx, teamID, id, typeUser); err != nil {
		return err
	}
	return t.addTeamCount(ctx, teamID, "member_count", -1)
}

// leaveAllGroups removes the rows that make id (of type typ) a member of
// any group of the team, decrementing those groups' member counts.
func (t *Tx) leaveAllGroups(ctx context.Context, teamID, id, typ string) error {
	b := NewBuilder(t.d).SQL("UPDATE groups SET member_count = member_count - 1 WHERE team_id = ").Arg(teamID).
		SQL(" AND id IN (SELECT group_id FROM group_members WHERE team_id = ").Arg(teamID).
		SQL(" AND member_id = ").Arg(id).SQL(" AND member_type = ").Arg(typ).SQL(")")
	if _, err := t.exec(ctx, b); err != nil {
		return t.wrapErr("leave groups", err)
	}
	b = NewBuilder(t.d).SQL("DELETE FROM group_members WHERE team_id = ").Arg(teamID).
		SQL(" AND member_id = ").Arg(id).SQL(" AND member_type = ").Arg(typ)
	_, err := t.exec(ctx, b)
	return t.wrapErr("leave groups", err)
}

// emailRow is one element of a member's "emails" as the member_emails
// table holds it, folded as filter.Match compares it.
type emailRow struct {
	value, typ, display any
	primary             any
}

// PlaceholderEmailDomain is the domain of the synthetic account email
// that the SCIM layer gives a member created without any address; the
// SCIM layer never serves it as an email.
const PlaceholderEmailDomain = "scim.roster.invalid"

// servedEmails returns the "emails" value the SCIM layer serves for m: the
// document's, or — for a member that is not SCIM-managed and whose
// document has no "emails" — its account email as the one work email
// (unless it is a placeholder).
func servedEmails(m core.Member) any {
	if v, has := m.Doc["emails"]; has {
		return v
	}
	if m.SCIMManaged || m.Email == "" || strings.HasSuffix(strings.ToLower(m.Email), "@"+PlaceholderEmailDomain) {
		return nil
	}
	return []any{map[string]any{"value": m.Email, "type": "work", "primary": true}}
}

// servedUserName returns the userName the SCIM layer serves for m: its
// userName, or its email when it has none.
func servedUserName(m core.Member) string {
	if m.UserName != "" {
		return m.UserName
	}
	return m.Email
}

// emailRows derives the member_emails rows of a member: one per object
// element of its served "emails" (a single object counts as one element,
// as in filter.Match), with string sub-attributes folded unless the schema
// says they are caseExact, and primary when it is a boolean.
func emailRows(m core.Member) []emailRow {
	attr := scim.UserType().Schema.Attr("emails")
	var elems []map[string]any
	switch v := servedEmails(m).(type) {
	case map[string]any:
		elems = append(elems, v)
	case []any:
		for _, el := range v {
			if m, ok := el.(map[string]any); ok {
				elems = append(elems, m)
			}
		}
	}
	str := func(el map[string]any, name string) any {
		s, ok := el[name].(string)
		if !ok {
			return nil
		}
		if sub := attr.Sub(name); sub != nil && sub.CaseExact {
			return s
		}
		return filter.FoldCase(s)
	}
	rows := make([]emailRow, 0, len(elems))
	for _, el := range elems {
		r := emailRow{value: str(el, "value"), typ: str(el, "type"), display: str(el, "display")}
		if p, ok := el["primary"].(bool); ok {
			r.primary = p
		}
		rows = append(rows, r)
	}
	return rows
}

// insertEmails writes a member's email rows in one statement.
func (t *Tx) insertEmails(ctx context.Context, m core.Member) error {
	return t.insertEmailRows(ctx, m, emailRows(m))
}

// insertEmailRows writes rows, the member's email rows, in one statement.
func (t *Tx) insertEmailRows(ctx context.Context, m core.Member, rows []emailRow) error {
	if len(rows) == 0 {
		return nil
	}
	b := NewBuilder(t.d).SQL("INSERT INTO member_emails (team_id, member_id, ord, value, type, display, is_primary) VALUES ")
	for i, r := range rows {
		if i > 0 {
			b.SQL(", ")
		}
		b.SQL("(").Arg(m.TeamID).SQL(", ").Arg(m.ID).SQL(", ").Arg(i).SQL(", ").Arg(r.value).SQL(", ").
			Arg(r.typ).SQL(", ").Arg(r.display).SQL(", ").Arg(r.primary).SQL(")")
	}
	_, err := t.exec(ctx, b)
	return t.writeErr("member emails", "user", err)
}

// deleteEmails removes a member's email rows.
func (t *Tx) deleteEmails(ctx context.Context, teamID, memberID string) error {
	b := NewBuilder(t.d).SQL("DELETE FROM member_emails WHERE team_id = ").Arg(teamID).SQL(" AND member_id = ").Arg(memberID)
	_, err := t.exec(ctx, b)
	return t.wrapErr("member emails", err)
}
