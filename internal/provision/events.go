package provision

import (
	"context"
	"slices"
	"sort"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

// Every SCIM change writes, in the transaction of the change itself, an
// audit event whose actor is the SCIM key (id and name) and, for changes a
// host application follows, a change-feed entry. A write that changes
// nothing (Okta's rename that renames nothing, a re-add of present
// members) writes neither. Summaries name attributes and non-secret
// values; a password never reaches them (the decoder drops it).

// actor is the audit actor of a SCIM caller.
func (c Caller) actor() core.Actor {
	return core.Actor{Kind: core.ActorSCIMKey, ID: c.KeyID, Name: c.KeyName}
}

// audit appends the audit event of a SCIM change.
func (s *Service) audit(ctx context.Context, tx store.Tx, c Caller, action, targetType, targetID string, summary map[string]any) error {
	return tx.AppendAudit(ctx, core.AuditEvent{
		ID:         s.cfg.NewID(),
		TeamID:     c.TeamID,
		At:         s.now(),
		Actor:      c.actor(),
		IP:         c.IP,
		UserAgent:  c.UserAgent,
		Action:     action,
		TargetType: targetType,
		TargetID:   targetID,
		Summary:    summary,
	})
}

// emit appends a change-feed entry.
func (s *Service) emit(ctx context.Context, tx store.Tx, teamID, typ, resourceID string, data map[string]any) error {
	return tx.AppendChange(ctx, &core.Change{TeamID: teamID, At: s.now(), Type: typ, ResourceID: resourceID, Data: data})
}

// changedKeys lists the top-level attributes that differ between two
// documents, sorted.
func changedKeys(a, b map[string]any) []string {
	keys := map[string]bool{}
	for k, v := range a {
		if w, ok := b[k]; !ok || !docsEqual(map[string]any{k: v}, map[string]any{k: w}) {
			keys[k] = true
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys[k] = true
		}
	}
	out := make([]string, 0, len(keys))
	for k := range keys {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// anyList converts strings to a JSON-able list.
func anyList(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// memberEventPlan is how a user change is recorded: the audit event and
// the feed entries (user.deactivated / user.reactivated for an active
// switch, user.updated for other attributes). It is computed before the
// write transaction (comparing the documents is the costly part) and
// written in it by writeMemberEvents.
type memberEventPlan struct {
	action string
	sum    map[string]any
	other  []string // changed attributes other than active
}

// planMemberEvents computes the events of the change from cur to next.
func (s *Service) planMemberEvents(cur, next core.Member) memberEventPlan {
	changed := changedKeys(userBaseDoc(cur), userBaseDoc(next))
	if cur.Email != next.Email && !slices.Contains(changed, "email") {
		changed = append(changed, "email")
	}
	other := slices.DeleteFunc(slices.Clone(changed), func(k string) bool { return k == keyActive })
	action := core.ChangeUserUpdated
	switch {
	case cur.Active && !next.Active:
		action = core.ChangeUserDeactivated
	case !cur.Active && next.Active:
		action = core.ChangeUserReactivated
	}
	sum := map[string]any{"userName": next.UserName, "changed": anyList(changed)}
	if cur.Email != next.Email {
		sum["old_email"], sum["new_email"] = cur.Email, next.Email
	}
	return memberEventPlan{action: action, sum: sum, other: other}
}

// writeMemberEvents writes the planned events of next's change.
func (s *Service) writeMemberEvents(ctx context.Context, tx store.Tx, c Caller, next core.Member, p memberEventPlan) error {
	if err := s.audit(ctx, tx, c, p.action, "user", next.ID, p.sum); err != nil {
		return err
	}
	if p.action != core.ChangeUserUpdated {
		if err := s.emit(ctx, tx, c.TeamID, p.action, next.ID, map[string]any{"member_id": next.ID, "status": string(next.Status)}); err != nil {
			return err
		}
	}
	if len(p.other) > 0 {
		return s.emit(ctx, tx, c.TeamID, core.ChangeUserUpdated, next.ID, map[string]any{"member_id": next.ID, "changed": anyList(p.other)})
	}
	return nil
}

// memberDelta is the membership change of one group write.
type memberDelta struct {
	added, removed []string
}

func (d *memberDelta) add(ids ...string)    { d.added = append(d.added, ids...) }
func (d *memberDelta) remove(ids ...string) { d.removed = append(d.removed, ids...) }

// settle removes ids that were both added and removed by the same write
// (net change only) and duplicates.
func (d *memberDelta) settle() {
	in := map[string]int{}
	for _, id := range d.added {
		in[id]++
	}
	for _, id := range d.removed {
		in[id]--
	}
	var add, rem []string
	seen := map[string]bool{}
	for _, id := range d.added {
		if in[id] > 0 && !seen[id] {
			add = append(add, id)
			seen[id] = true
		}
	}
	for _, id := range d.removed {
		if in[id] < 0 && !seen[id] {
			rem = append(rem, id)
			seen[id] = true
		}
	}
	d.added, d.removed = add, rem
}

// groupEvents records a group change: the audit event and the feed
// entries (group.updated for its attributes, one group.member_added and
// one group.member_removed entry with the member ids).
func (s *Service) groupEvents(ctx context.Context, tx store.Tx, c Caller, cur, next core.Group, d memberDelta) error {
	d.settle()
	changed := changedKeys(groupBaseDoc(cur), groupBaseDoc(next))
	if len(changed) == 0 && len(d.added) == 0 && len(d.removed) == 0 {
		return nil
	}
	sum := map[string]any{"displayName": next.DisplayName}
	if len(changed) > 0 {
		sum["changed"] = anyList(changed)
	}
	if cur.DisplayName != next.DisplayName {
		sum["old_displayName"] = cur.DisplayName
	}
	if len(d.added) > 0 {
		sum["members_added"] = len(d.added)
	}
	if len(d.removed) > 0 {
		sum["members_removed"] = len(d.removed)
	}
	if err := s.audit(ctx, tx, c, core.ChangeGroupUpdated, "group", next.ID, sum); err != nil {
		return err
	}
	if len(changed) > 0 {
		if err := s.emit(ctx, tx, c.TeamID, core.ChangeGroupUpdated, next.ID, map[string]any{"group_id": next.ID, "changed": anyList(changed)}); err != nil {
			return err
		}
	}
	if len(d.added) > 0 {
		if err := s.emit(ctx, tx, c.TeamID, core.ChangeGroupMemberAdded, next.ID, map[string]any{"group_id": next.ID, "member_ids": anyList(d.added)}); err != nil {
			return err
		}
	}
	if len(d.removed) > 0 {
		return s.emit(ctx, tx, c.TeamID, core.ChangeGroupMemberRemove, next.ID, map[string]any{"group_id": next.ID, "member_ids": anyList(d.removed)})
	}
	return nil
}
