package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim/filter"
	"github.com/rosterhq/roster/internal/store"
)

// The member types of group_members.member_type.
const (
	typeUser  = "User"
	typeGroup = "Group"
)

// batchSize bounds the rows of one multi-row statement, well inside both
// databases' limits on bound parameters.
const batchSize = 500

// groupCols are the columns scanGroup reads, qualified by alias g.
const groupCols = "g.team_id, g.id, g.display_name, g.external_id, g.doc, g.member_count, g.version, g.created_at, g.updated_at"

func scanGroup(row interface{ Scan(...any) error }) (core.Group, error) {
	var g core.Group
	var external sql.NullString
	var doc []byte
	err := row.Scan(&g.TeamID, &g.ID, &g.DisplayName, &external, &doc, &g.MemberCount, &g.Version,
		scanTime(&g.CreatedAt), scanTime(&g.UpdatedAt))
	if err != nil {
		return core.Group{}, err
	}
	g.ExternalID = external.String
	if g.Doc, err = DecodeDoc(doc); err != nil {
		return core.Group{}, err
	}
	return g, nil
}

// Group implements store.Reader.
func (s *base) Group(ctx context.Context, teamID, id string) (core.Group, error) {
	b := NewBuilder(s.d).SQL("SELECT " + groupCols + " FROM groups g WHERE g.team_id = ").Arg(teamID).SQL(" AND g.id = ").Arg(id)
	g, err := scanGroup(s.q.QueryRowContext(ctx, b.String(), b.Args()...))
	if errors.Is(err, sql.ErrNoRows) {
		return core.Group{}, notFound("group")
	}
	return g, s.wrapErr("group", err)
}

// Groups implements store.Reader.
func (s *base) Groups(ctx context.Context, teamID string, q store.Query) (store.Page[core.Group], error) {
	var page store.Page[core.Group]
	total, err := s.list(ctx, groupsList(), teamID, q, func(rows Rows) error {
		g, err := scanGroup(rows)
		if err != nil {
			return err
		}
		page.Items = append(page.Items, g)
		return nil
	}, func() { page.Items = page.Items[:0] })
	page.Total = total
	if err != nil {
		return store.Page[core.Group]{}, err
	}
	return page, nil
}

// GroupMembers implements store.Reader. It reads the group's rows in
// keyset batches of streamBatch on the primary key (member_id > the last
// one seen), closing each batch's cursor before it calls fn, so that
// memory stays bounded by the batch and fn may use the store — or, inside
// a Tx, the Tx itself (PostgreSQL runs one statement at a time on a
// connection) — while the stream goes on. Outside a Tx all batches read
// one snapshot. A group without members is told apart from a missing one
// by a primary-key lookup.
func (s *base) GroupMembers(ctx context.Context, teamID, groupID string, fn func(core.GroupMember) error) error {
	return s.snapshot(ctx, func(q Querier) error {
		after, started := "", false
		for {
			batch, err := s.groupMemberBatch(ctx, q, teamID, groupID, after, started)
			if err != nil {
				return err
			}
			for _, m := range batch {
				if err := fn(m); err != nil {
					return err
				}
			}
			if len(batch) < streamBatch {
				if !started && len(batch) == 0 {
					return s.groupExists(ctx, q, teamID, groupID, false)
				}
				return nil
			}
			after, started = batch[len(batch)-1].Value, true
		}
	})
}

// streamBatch is the number of rows GroupMembers reads per statement.
const streamBatch = 500

// groupMemberBatch reads the next batch of a group's rows after member id
// after (from the start unless started).
func (s *base) groupMemberBatch(ctx context.Context, q Querier, teamID, groupID, after string, started bool) ([]core.GroupMember, error) {
	b := NewBuilder(s.d).SQL("SELECT member_id, display, member_type FROM group_members WHERE team_id = ").Arg(teamID).
		SQL(" AND group_id = ").Arg(groupID)
	if started {
		b.SQL(" AND member_id > ").Arg(after)
	}
	b.SQL(" ORDER BY member_id LIMIT " + strconv.Itoa(streamBatch))
	rows, err := q.QueryContext(ctx, b.String(), b.Args()...)
	if err != nil {
		return nil, s.wrapErr("group members", err)
	}
	defer rows.Close()
	batch := make([]core.GroupMember, 0, streamBatch)
	for rows.Next() {
		var m core.GroupMember
		if err := rows.Scan(&m.Value, &m.Display, &m.Type); err != nil {
			return nil, s.wrapErr("group members", err)
		}
		batch = append(batch, m)
	}
	return batch, s.wrapErr("group members", rows.Err())
}

// groupExists returns nil when the team has the group and KindNotFound
// otherwise; with lock it also locks the group's row until the end of the
// transaction, which serialises membership changes of one group.
func (s *base) groupExists(ctx context.Context, q Querier, teamID, groupID string, lock bool) error {
	b := NewBuilder(s.d).SQL("SELECT 1 FROM groups WHERE team_id = ").Arg(teamID).SQL(" AND id = ").Arg(groupID)
	if lock {
		b.SQL(s.d.RowLock(true))
	}
	var one int
	err := q.QueryRowContext(ctx, b.String(), b.Args()...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("group")
	}
	return s.wrapErr("group", err)
}

// CreateGroup implements store.Tx.
func (t *Tx) CreateGroup(ctx context.Context, g core.Group) error {
	if g.ID == "" || g.TeamID == "" {
		return invalid("invalidValue", "a group needs an id and a team")
	}
	doc, err := EncodeDoc(g.Doc)
	if err != nil {
		return err
	}
	b := NewBuilder(t.d).SQL("INSERT INTO groups (team_id, id, display_name, display_name_key, external_id, doc, member_count, version, created_at, updated_at) VALUES (").
		Arg(g.TeamID).SQL(", ").Arg(g.ID).SQL(", ").Arg(g.DisplayName).SQL(", ").Arg(Fold(g.DisplayName)).SQL(", ").
		Arg(nullString(g.ExternalID)).SQL(", ").JSONArg(doc).SQL(", 0, ").Arg(g.Version).SQL(", ").
		Arg(t.timeArg(g.CreatedAt)).SQL(", ").Arg(t.timeArg(g.UpdatedAt)).SQL(")")
	if _, err := t.exec(ctx, b); err != nil {
		return t.writeErr("create group", "team", err)
	}
	return t.addTeamCount(ctx, g.TeamID, "group_count", 1)
}

// UpdateGroup implements store.Tx.
func (t *Tx) UpdateGroup(ctx context.Context, g core.Group, prevVersion int64) error {
	doc, err := EncodeDoc(g.Doc)
	if err != nil {
		return err
	}
	b := NewBuilder(t.d).SQL("UPDATE groups SET display_name = ").Arg(g.DisplayName).
		SQL(", display_name_key = ").Arg(Fold(g.DisplayName)).
		SQL(", external_id = ").Arg(nullString(g.ExternalID)).
		SQL(", doc = ").JSONArg(doc).
		SQL(", version = ").Arg(g.Version).
		SQL(", updated_at = ").Arg(t.timeArg(g.UpdatedAt)).
		SQL(" WHERE team_id = ").Arg(g.TeamID).SQL(" AND id = ").Arg(g.ID).SQL(" AND version = ").Arg(prevVersion)
	n, err := t.exec(ctx, b)
	if err != nil {
		return t.writeErr("update group", "team", err)
	}
	if n == 0 {
		return t.missingOrStale(ctx, "groups", "group", g.TeamID, g.ID)
	}
	return nil
}

// DeleteGroup implements store.Tx: it removes the group, its membership
// rows, and the rows that make it a member of other groups (adjusting
// their counts); members are never deleted.
func (t *Tx) DeleteGroup(ctx context.Context, teamID, id string) error {
	if err := t.groupExists(ctx, t.q, teamID, id, true); err != nil {
		return err
	}
	if err := t.leaveAllGroups(ctx, teamID, id, typeGroup); err != nil {
		return err
	}
	b := NewBuilder(t.d).SQL("DELETE FROM group_members WHERE team_id = ").Arg(teamID).SQL(" AND group_id = ").Arg(id)
	if _, err := t.exec(ctx, b); err != nil {
		return t.wrapErr("delete group", err)
	}
	b = NewBuilder(t.d).SQL("DELETE FROM groups WHERE team_id = ").Arg(teamID).SQL(" AND id = ").Arg(id)
	if _, err := t.exec(ctx, b); err != nil {
		return t.wrapErr("delete group", err)
	}
	return t.addTeamCount(ctx, teamID, "group_count", -1)
}

// memberType returns the stored type of a group member ("" is a User, as
// Okta sends it) and whether the type is one Roster knows.
func memberType(typ string) (string, bool) {
	switch {
	case typ == "" || strings.EqualFold(typ, typeUser):
		return typeUser, true
	case strings.EqualFold(typ, typeGroup):
		return typeGroup, true
	}
	return "", false
}

// AddGroupMembers implements store.Tx in time proportional to len(ms):
// it locks the group's row, checks the listed ids against the team's
// members and groups (and locks those rows against a concurrent delete)
// with batched IN lists, and inserts the rows in batched multi-row
// INSERT ... ON CONFLICT DO NOTHING RETURNING statements, which name the
// rows they inserted (so the change feed lists only members that were
// not in the group). It never reads the group's existing membership.
func (t *Tx) AddGroupMembers(ctx context.Context, teamID, groupID string, ms []core.GroupMember) ([]string, []string, error) {
	if err := t.groupExists(ctx, t.q, teamID, groupID, true); err != nil {
		return nil, nil, err
	}
	var missing []string
	byType := map[string][]string{}
	want := map[string]core.GroupMember{}
	for _, m := range ms {
		if _, dup := want[m.Value]; dup {
			continue
		}
		typ, ok := memberType(m.Type)
		if !ok || m.Value == "" {
			missing = append(missing, m.Value)
			continue
		}
		m.Type = typ
		want[m.Value] = m
		byType[typ] = append(byType[typ], m.Value)
	}
	// The rows to insert, in id order so that concurrent adds lock index
	// entries in one order.
	var found []core.GroupMember
	for _, typ := range []string{typeUser, typeGroup} {
		ids := byType[typ]
		slices.Sort(ids)
		table := "members"
		if typ == typeGroup {
			table = "groups"
		}
		exists, err := t.existing(ctx, table, teamID, ids)
		if err != nil {
			return nil, nil, err
		}
		for _, id := range ids {
			if exists[id] {
				found = append(found, want[id])
			} else {
				missing = append(missing, id)
			}
		}
	}
	slices.SortFunc(found, func(a, b core.GroupMember) int { return strings.Compare(a.Value, b.Value) })
	var added []string
	for chunk := range slices.Chunk(found, batchSize) {
		b := NewBuilder(t.d).SQL("INSERT INTO group_members (team_id, group_id, member_id, member_type, display) VALUES ")
		for i, m := range chunk {
			if i > 0 {
				b.SQL(", ")
			}
			b.SQL("(").Arg(teamID).SQL(", ").Arg(groupID).SQL(", ").Arg(m.Value).SQL(", ").Arg(m.Type).SQL(", ").Arg(m.Display).SQL(")")
		}
		b.SQL(" ON CONFLICT (team_id, group_id, member_id) DO NOTHING RETURNING member_id")
		var err error
		if added, err = t.queryIDs(ctx, b, added); err != nil {
			return nil, nil, t.writeErr("add group members", "group", err)
		}
	}
	if err := t.addGroupCount(ctx, teamID, groupID, len(added)); err != nil {
		return nil, nil, err
	}
	slices.Sort(added)
	slices.Sort(missing)
	return added, missing, nil
}

// existing returns which of ids are rows of table ("members" or
// "groups") in the team, locking them (shared) until the end of the
// transaction so that they cannot be deleted before it commits.
func (t *Tx) existing(ctx context.Context, table, teamID string, ids []string) (map[string]bool, error) {
	out := make(map[string]bool, len(ids))
	for chunk := range slices.Chunk(ids, batchSize) {
		b := NewBuilder(t.d).SQL("SELECT id FROM " + table + " WHERE team_id = ").Arg(teamID).SQL(" AND id IN ").List(chunk).
			SQL(" ORDER BY id").SQL(t.d.RowLock(false))
		got, err := t.queryIDs(ctx, b, nil)
		if err != nil {
			return nil, t.wrapErr("check members", err)
		}
		for _, id := range got {
			out[id] = true
		}
	}
	return out, nil
}

// queryIDs runs b, whose rows are one text column, and appends the values
// to ids. Errors are the driver's, for the caller to wrap.
func (t *Tx) queryIDs(ctx context.Context, b *Builder, ids []string) ([]string, error) {
	rows, err := t.q.QueryContext(ctx, b.String(), b.Args()...)
	if err != nil {
		return ids, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return ids, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// addGroupCount adds delta to a group's member count.
func (t *Tx) addGroupCount(ctx context.Context, teamID, groupID string, delta int) error {
	if delta == 0 {
		return nil
	}
	b := NewBuilder(t.d).SQL("UPDATE groups SET member_count = member_count + ").Arg(delta).
		SQL(" WHERE team_id = ").Arg(teamID).SQL(" AND id = ").Arg(groupID)
	_, err := t.exec(ctx, b)
	return t.wrapErr("group count", err)
}

// RemoveGroupMembers implements store.Tx with batched DELETE ... IN ...
// RETURNING statements on the primary key, in time proportional to
// len(ids).
func (t *Tx) RemoveGroupMembers(ctx context.Context, teamID, groupID string, ids []string) ([]string, error) {
	if err := t.groupExists(ctx, t.q, teamID, groupID, true); err != nil {
		return nil, err
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var removed []string
	for chunk := range slices.Chunk(ids, batchSize) {
		b := NewBuilder(t.d).SQL("DELETE FROM group_members WHERE team_id = ").Arg(teamID).
			SQL(" AND group_id = ").Arg(groupID).SQL(" AND member_id IN ").List(chunk).SQL(" RETURNING member_id")
		var err error
		if removed, err = t.queryIDs(ctx, b, removed); err != nil {
			return nil, t.wrapErr("remove group members", err)
		}
	}
	return t.removed(ctx, teamID, groupID, removed)
}

// RemoveGroupMembersWhere implements store.Tx: f, a filter over a group
// member's value, display and type (the filter of "members[...]"), is
// compiled to SQL over the group's rows. "value eq" terms use the primary
// key, so Okta's members[value eq "id"] costs one index lookup.
func (t *Tx) RemoveGroupMembersWhere(ctx context.Context, teamID, groupID string, f filter.Expr) ([]string, error) {
	if err := t.groupExists(ctx, t.q, teamID, groupID, true); err != nil {
		return nil, err
	}
	b := NewBuilder(t.d).SQL("DELETE FROM group_members WHERE team_id = ").Arg(teamID).
		SQL(" AND group_id = ").Arg(groupID).SQL(" AND ")
	if err := compileMemberRowFilter(b, f); err != nil {
		return nil, err
	}
	b.SQL(" RETURNING member_id")
	removed, err := t.queryIDs(ctx, b, nil)
	if err != nil {
		return nil, t.wrapErr("remove group members", err)
	}
	return t.removed(ctx, teamID, groupID, removed)
}

// removed finishes a removal: it moves the group's member count and
// returns the removed ids in order.
func (t *Tx) removed(ctx context.Context, teamID, groupID string, ids []string) ([]string, error) {
	if err := t.addGroupCount(ctx, teamID, groupID, -len(ids)); err != nil {
		return nil, err
	}
	slices.Sort(ids)
	return ids, nil
}

// ClearGroupMembers implements store.Tx.
func (t *Tx) ClearGroupMembers(ctx context.Context, teamID, groupID string) (int, error) {
	if err := t.groupExists(ctx, t.q, teamID, groupID, true); err != nil {
		return 0, err
	}
	b := NewBuilder(t.d).SQL("DELETE FROM group_members WHERE team_id = ").Arg(teamID).SQL(" AND group_id = ").Arg(groupID)
	n, err := t.exec(ctx, b)
	if err != nil {
		return 0, t.wrapErr("clear group members", err)
	}
	return int(n), t.addGroupCount(ctx, teamID, groupID, -int(n))
}
