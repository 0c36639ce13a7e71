package provision

import (
	"context"
	"maps"
	"strings"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/scim/patch"
	"github.com/rosterhq/roster/internal/store"
)

// CreateGroup creates a Group (POST /Groups, RFC 7644 §3.3). displayName
// is unique per team in any letter case (409 uniqueness). Members in the
// body are added through the store, which checks that each is a user or
// group of the team; if any is not, nothing is created and the answer is
// 400 invalidValue naming the ids.
func (s *Service) CreateGroup(ctx context.Context, c Caller, body []byte, opt Options) (*Resource, error) {
	rt := scim.GroupType()
	proj, err := scim.NewProjection(rt, opt.Attributes, opt.ExcludedAttributes)
	if err != nil {
		return nil, err
	}
	doc, displayName, members, err := s.decodeGroup(body)
	if err != nil {
		return nil, err
	}
	now := s.now()
	g := core.Group{
		ID:          s.cfg.NewID(),
		TeamID:      c.TeamID,
		DisplayName: displayName,
		Version:     1,
		CreatedAt:   now,
		UpdatedAt:   now,
	}
	g.ExternalID, _ = doc[keyExternalID].(string)
	g.Doc = storedGroupDoc(doc, g)
	err = s.st.InTx(ctx, func(tx store.Tx) error {
		if err := tx.CreateGroup(ctx, g); err != nil {
			if isConflict(err) {
				return displayNameTaken(displayName)
			}
			return err
		}
		sum := map[string]any{"displayName": g.DisplayName}
		if len(members) > 0 {
			added, missing, err := tx.AddGroupMembers(ctx, c.TeamID, g.ID, members)
			if err != nil {
				return err
			}
			if len(missing) > 0 {
				return unknownMembers(missing, false)
			}
			sum["members_added"] = len(added)
		}
		if err := s.audit(ctx, tx, c, core.ChangeGroupCreated, "group", g.ID, sum); err != nil {
			return err
		}
		if err := s.emit(ctx, tx, c.TeamID, core.ChangeGroupCreated, g.ID, map[string]any{"group_id": g.ID, "displayName": g.DisplayName}); err != nil {
			return err
		}
		if len(members) == 0 {
			return nil
		}
		ids := make([]string, len(members))
		for i, m := range members {
			ids[i] = m.Value
		}
		return s.emit(ctx, tx, c.TeamID, core.ChangeGroupMemberAdded, g.ID, map[string]any{"group_id": g.ID, "member_ids": anyList(ids)})
	})
	if err != nil {
		return nil, err
	}
	return s.groupResource(g, proj), nil
}

// GetGroup returns a team's Group by id (GET /Groups/{id}). Its members
// are streamed from the store when the response is written, and not read
// at all when the projection excludes them (excludedAttributes=members,
// Entra ID).
func (s *Service) GetGroup(ctx context.Context, c Caller, id string, opt Options) (*Resource, error) {
	rt := scim.GroupType()
	proj, err := scim.NewProjection(rt, opt.Attributes, opt.ExcludedAttributes)
	if err != nil {
		return nil, err
	}
	g, err := lookup(ctx, rt, c, id, s.st.Group)
	if err != nil {
		return nil, err
	}
	return s.groupResource(g, proj), nil
}

// ReplaceGroup replaces a Group's displayName, externalId and member set
// (PUT /Groups/{id}, RFC 7644 §3.5.1). The member set is changed by the
// difference between the old and the new set; unknown or foreign member
// ids fail the whole request with 400 invalidValue. A PUT that changes
// nothing keeps the version.
func (s *Service) ReplaceGroup(ctx context.Context, c Caller, id string, body []byte, opt Options) (*Resource, error) {
	rt := scim.GroupType()
	proj, err := scim.NewProjection(rt, opt.Attributes, opt.ExcludedAttributes)
	if err != nil {
		return nil, err
	}
	doc, displayName, members, err := s.decodeGroup(body)
	if err != nil {
		return nil, err
	}
	var next core.Group
	var changed bool
	err = s.write(ctx, rt, id, opt.Conditions, func(tx store.Tx) error {
		cur, err := s.currentGroup(ctx, tx, c, id, opt.Conditions)
		if err != nil {
			return err
		}
		n := cur
		n.DisplayName = displayName
		n.ExternalID, _ = doc[keyExternalID].(string)
		n.Doc = storedGroupDoc(doc, n)
		var d memberDelta
		memChanged, missing, err := s.setMembers(ctx, tx, c.TeamID, id, members, &d)
		if err != nil {
			return err
		}
		if len(missing) > 0 {
			return unknownMembers(missing, false)
		}
		next, changed, err = s.saveGroup(ctx, tx, cur, n, memChanged)
		if err != nil || !changed {
			return err
		}
		return s.groupEvents(ctx, tx, c, cur, next, d)
	})
	if err != nil {
		return nil, err
	}
	if changed {
		s.pages.bumpUpdate(c.TeamID, rt.ID)
	}
	return s.groupResource(next, proj), nil
}

// PatchGroup applies a PatchOp body to a Group (PATCH /Groups/{id}, RFC
// 7644 §3.5.2). Member operations are split off with patch.SplitMembers
// and applied as store deltas in the same transaction as the rest, so the
// cost is the size of the change. Okta's rename that renames nothing and
// a re-add of present members change nothing and keep the version.
//
// Member ids that are not users or groups of the team are not added; the
// rest of the request is applied and committed, and then the call fails
// with 400 invalidValue naming those ids (see the package documentation
// for why this departs from PATCH atomicity). The returned resource is
// the group after the change.
func (s *Service) PatchGroup(ctx context.Context, c Caller, id string, body []byte, opt Options) (*Resource, error) {
	rt := scim.GroupType()
	proj, err := scim.NewProjection(rt, opt.Attributes, opt.ExcludedAttributes)
	if err != nil {
		return nil, err
	}
	req, err := scim.DecodePatchRequest(body, s.cfg.MaxPatchOperations)
	if err != nil {
		return nil, err
	}
	rest, steps, err := patch.SplitMembers(rt, req.Operations, s.cfg.Quirks, s.cfg.MaxMembersPerPatch)
	if err != nil {
		return nil, err
	}
	var next core.Group
	var changed bool
	var missing []string
	err = s.write(ctx, rt, id, opt.Conditions, func(tx store.Tx) error {
		cur, err := s.currentGroup(ctx, tx, c, id, opt.Conditions)
		if err != nil {
			return err
		}
		n := cur
		if len(rest) > 0 {
			after, err := patch.Apply(rt, groupPatchDoc(cur), rest, s.cfg.Quirks)
			if err != nil {
				return err
			}
			if n.DisplayName, err = docDisplayName(after); err != nil {
				return err
			}
			n.ExternalID, _ = after[keyExternalID].(string)
			n.Doc = storedGroupDoc(after, n)
		}
		var d memberDelta
		memChanged, miss, err := s.applySteps(ctx, tx, c.TeamID, id, steps, &d)
		if err != nil {
			return err
		}
		missing = miss
		next, changed, err = s.saveGroup(ctx, tx, cur, n, memChanged)
		if err != nil || !changed {
			return err
		}
		return s.groupEvents(ctx, tx, c, cur, next, d)
	})
	if err != nil {
		return nil, err
	}
	if changed {
		s.pages.bumpUpdate(c.TeamID, rt.ID)
	}
	if len(missing) > 0 {
		return nil, unknownMembers(missing, true)
	}
	return s.groupResource(next, proj), nil
}

// DeleteGroup deletes a Group and its membership rows (DELETE
// /Groups/{id}); it never deletes users.
func (s *Service) DeleteGroup(ctx context.Context, c Caller, id string, cond Conditions) error {
	return s.deleteResource(ctx, c, scim.GroupType(), id, cond, core.ChangeGroupDeleted, "group", "group_id", func(tx store.Tx) (map[string]any, error) {
		g, err := s.currentGroup(ctx, tx, c, id, cond)
		if err != nil {
			return nil, err
		}
		if err := tx.DeleteGroup(ctx, c.TeamID, id); err != nil {
			return nil, err
		}
		return map[string]any{"displayName": g.DisplayName}, nil
	})
}

// currentGroup reads a group in a write transaction and checks the
// preconditions against its version.
func (s *Service) currentGroup(ctx context.Context, tx store.Tx, c Caller, id string, cond Conditions) (core.Group, error) {
	rt := scim.GroupType()
	cur, err := lookup(ctx, rt, c, id, tx.Group)
	if err != nil {
		return core.Group{}, err
	}
	return cur, cond.check(rt, id, cur.Version)
}

// saveGroup stores next with the next version when it or its membership
// (memChanged) differs from cur. It returns the group as stored and
// whether it changed.
func (s *Service) saveGroup(ctx context.Context, tx store.Tx, cur, next core.Group, memChanged bool) (core.Group, bool, error) {
	docChanged := cur.DisplayName != next.DisplayName || cur.ExternalID != next.ExternalID || !docsEqual(cur.Doc, next.Doc)
	if !docChanged && !memChanged {
		return cur, false, nil
	}
	next.Version = cur.Version + 1
	next.UpdatedAt = s.now()
	if err := tx.UpdateGroup(ctx, next, cur.Version); err != nil {
		if isConflict(err) {
			return cur, false, displayNameTaken(next.DisplayName)
		}
		return cur, false, err
	}
	return next, true, nil
}

// applySteps applies membership steps in order. A clear followed by an
// add (a replace of the whole list) is applied as the difference between
// the old and new sets, so Okta's full sync that changes nothing writes
// nothing. It returns whether membership changed and the ids that were
// not added because they are not users or groups of the team.
func (s *Service) applySteps(ctx context.Context, tx store.Tx, teamID, groupID string, steps []patch.MemberStep, d *memberDelta) (bool, []string, error) {
	changed := false
	var missing []string
	for i := 0; i < len(steps); i++ {
		st := steps[i]
		var n int
		var err error
		switch st.Kind {
		case patch.StepClear:
			if i+1 < len(steps) && steps[i+1].Kind == patch.StepAdd {
				i++
				var ch bool
				var miss []string
				ch, miss, err = s.setMembers(ctx, tx, teamID, groupID, groupMembers(steps[i].Members), d)
				changed = changed || ch
				missing = append(missing, miss...)
			} else {
				var ids []string
				if ids, err = memberIDs(ctx, tx, teamID, groupID); err == nil {
					n, err = tx.ClearGroupMembers(ctx, teamID, groupID)
					d.remove(ids...)
				}
			}
		case patch.StepAdd:
			var added, miss []string
			ms, self := dropSelf(groupMembers(st.Members), groupID)
			added, miss, err = tx.AddGroupMembers(ctx, teamID, groupID, ms)
			missing = append(missing, miss...)
			missing = append(missing, self...)
			n = len(added)
			d.add(added...)
		case patch.StepRemove:
			var removed []string
			removed, err = tx.RemoveGroupMembers(ctx, teamID, groupID, st.IDs)
			n = len(removed)
			d.remove(removed...)
		case patch.StepRemoveWhere:
			var removed []string
			removed, err = tx.RemoveGroupMembersWhere(ctx, teamID, groupID, st.Filter)
			n = len(removed)
			d.remove(removed...)
		}
		if err != nil {
			return false, nil, err
		}
		changed = changed || n > 0
	}
	return changed, missing, nil
}

// setMembers makes the group's member set equal to ms by removing the
// members not in ms and adding those not yet in the group. It reads the
// current ids once (a replace of the whole list costs the group's size).
func (s *Service) setMembers(ctx context.Context, tx store.Tx, teamID, groupID string, ms []core.GroupMember, d *memberDelta) (bool, []string, error) {
	ms, self := dropSelf(ms, groupID)
	want := make(map[string]bool, len(ms))
	for _, m := range ms {
		want[m.Value] = true
	}
	var remove []string
	have := map[string]bool{}
	err := tx.GroupMembers(ctx, teamID, groupID, func(m core.GroupMember) error {
		have[m.Value] = true
		if !want[m.Value] {
			remove = append(remove, m.Value)
		}
		return nil
	})
	if err != nil {
		return false, nil, err
	}
	add := make([]core.GroupMember, 0, len(ms))
	for _, m := range ms {
		if !have[m.Value] {
			add = append(add, m)
		}
	}
	changed := false
	if len(remove) > 0 {
		removed, err := tx.RemoveGroupMembers(ctx, teamID, groupID, remove)
		if err != nil {
			return false, nil, err
		}
		changed = len(removed) > 0
		d.remove(removed...)
	}
	missing := self
	if len(add) > 0 {
		added, miss, err := tx.AddGroupMembers(ctx, teamID, groupID, add)
		if err != nil {
			return false, nil, err
		}
		changed = changed || len(added) > 0
		missing = append(missing, miss...)
		d.add(added...)
	}
	return changed, missing, nil
}

// memberIDs reads the ids of a group's members (the cost of the group's
// size: used only before a clear, whose change-feed entry lists the ids
// removed).
func memberIDs(ctx context.Context, tx store.Tx, teamID, groupID string) ([]string, error) {
	var ids []string
	err := tx.GroupMembers(ctx, teamID, groupID, func(m core.GroupMember) error {
		ids = append(ids, m.Value)
		return nil
	})
	return ids, err
}

// dropSelf removes members naming the group itself (a group cannot
// contain itself) and returns their ids as missing.
func dropSelf(ms []core.GroupMember, groupID string) ([]core.GroupMember, []string) {
	var self []string
	out := ms[:0:0]
	for _, m := range ms {
		if m.Value == groupID {
			self = append(self, m.Value)
			continue
		}
		out = append(out, m)
	}
	return out, self
}

// groupMembers converts the PATCH engine's members to the store's; a
// member without a type is a User (Okta sends none).
func groupMembers(ms []patch.Member) []core.GroupMember {
	out := make([]core.GroupMember, 0, len(ms))
	for _, m := range ms {
		out = append(out, core.GroupMember{Value: m.Value, Display: m.Display, Type: memberType(m.Type)})
	}
	return out
}

// memberType canonicalises a member type: "Group" in any case, else
// "User".
func memberType(t string) string {
	if strings.EqualFold(strings.TrimSpace(t), "Group") {
		return "Group"
	}
	return "User"
}

// decodeGroup decodes the body of a Group create or replace and takes
// out its displayName, which must not be blank, and its members (see
// docMembers), which it removes from doc.
func (s *Service) decodeGroup(body []byte) (doc map[string]any, displayName string, members []core.GroupMember, err error) {
	if doc, err = scim.Decode(scim.GroupType(), body, s.cfg.Quirks); err != nil {
		return nil, "", nil, err
	}
	if displayName, err = docDisplayName(doc); err != nil {
		return nil, "", nil, err
	}
	if members, err = s.docMembers(doc); err != nil {
		return nil, "", nil, err
	}
	return doc, displayName, members, nil
}

// docMembers takes the members out of a decoded Group document, without
// duplicates, checking the per-request bound.
func (s *Service) docMembers(doc map[string]any) ([]core.GroupMember, error) {
	list, _ := doc[keyMembers].([]any)
	delete(doc, keyMembers)
	seen := make(map[string]bool, len(list))
	out := make([]core.GroupMember, 0, len(list))
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		v, _ := m["value"].(string)
		if strings.TrimSpace(v) == "" {
			return nil, invalid("every member needs a non-empty \"value\" (the id of a user or group of this team)")
		}
		if seen[v] {
			continue
		}
		seen[v] = true
		display, _ := m["display"].(string)
		typ, _ := m["type"].(string)
		out = append(out, core.GroupMember{Value: v, Display: display, Type: memberType(typ)})
	}
	if len(out) > s.cfg.MaxMembersPerPatch {
		return nil, scim.BadRequest(scim.ErrTooMany,
			"the request carries %d members; at most %d are accepted in one request: create or replace the group with fewer and add the rest with PATCH requests", len(out), s.cfg.MaxMembersPerPatch)
	}
	return out, nil
}

// docDisplayName returns the document's displayName, which must not be
// blank.
func docDisplayName(doc map[string]any) (string, error) {
	d, _ := doc[keyDisplayName].(string)
	if strings.TrimSpace(d) == "" {
		return "", invalid("attribute \"displayName\" is required and must not be blank")
	}
	return d, nil
}

// storedGroupDoc is the document kept in Group.Doc: the client's
// canonical document without id, meta, members and schemas, with
// displayName and externalId from the columns.
func storedGroupDoc(doc map[string]any, g core.Group) map[string]any {
	return withGroupColumns(maps.Clone(doc), g)
}

// groupBaseDoc is a group's document without id, meta and members.
func groupBaseDoc(g core.Group) map[string]any {
	return withGroupColumns(scim.Clone(g.Doc), g)
}

// withGroupColumns makes doc, a copy the caller owns (nil for none), a
// group's base document: without id, meta, members and schemas, with
// displayName and externalId from g's columns.
func withGroupColumns(doc map[string]any, g core.Group) map[string]any {
	if doc == nil {
		doc = map[string]any{}
	}
	for _, k := range []string{keyID, keyMeta, keyMembers, keySchemas} {
		delete(doc, k)
	}
	doc[keyDisplayName] = g.DisplayName
	if g.ExternalID != "" {
		doc[keyExternalID] = g.ExternalID
	} else {
		delete(doc, keyExternalID)
	}
	return doc
}

// groupPatchDoc is the document the PATCH engine works on (members are
// handled by SplitMembers and never loaded).
func groupPatchDoc(g core.Group) map[string]any {
	doc := groupBaseDoc(g)
	doc[keySchemas] = []any{scim.GroupSchema}
	return doc
}

// groupResource makes the response resource of a group; its members are
// streamed from the store when it is written, if the projection returns
// them.
func (s *Service) groupResource(g core.Group, proj scim.Projection) *Resource {
	body := groupBaseDoc(g)
	body[keyID] = g.ID
	body[keySchemas] = []any{scim.GroupSchema}
	r := &Resource{
		rt:       scim.GroupType(),
		id:       g.ID,
		version:  g.Version,
		created:  g.CreatedAt,
		modified: g.UpdatedAt,
		body:     body,
		proj:     proj,
	}
	if proj.Includes(keyMembers) {
		teamID, id := g.TeamID, g.ID
		r.members = func(ctx context.Context, fn func(core.GroupMember) error) error {
			return s.st.GroupMembers(ctx, teamID, id, fn)
		}
	}
	return r
}

// displayNameTaken is the 409 of a duplicate group name.
func displayNameTaken(name string) error {
	return conflict("a group with displayName %q already exists in this team (displayName is unique, compared case-insensitively)", clip(name))
}

// unknownMembers is the 400 of member ids that are not users or groups of
// the team; applied says whether the rest of the request was applied.
func unknownMembers(ids []string, applied bool) error {
	rest := "nothing was changed"
	if applied {
		rest = "the rest of the request was applied"
	}
	return invalid("these member ids are not users or groups of this team and were not added: %s; %s", listIDs(ids), rest)
}
