package admin

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

// MaxSearchLen is the longest member search prefix, in bytes.
const MaxSearchLen = 256

// MemberSearch selects one page of a team's members for the admin pages.
// Empty fields do not filter.
type MemberSearch struct {
	// Q keeps members whose userName, display name or one of whose emails
	// starts with it, ignoring case.
	Q string
	// Status is active, deactivated or invited; Role is super_admin,
	// team_admin or developer.
	Status core.MemberStatus
	Role   core.Role
	// After is the cursor of the next page (the id of the last member of
	// the previous page); Before, the cursor of the previous page (the id
	// of the first member of the following page). At most one is set.
	After  string
	Before string
	// Limit is the page size (default 100, at most 1000).
	Limit int
}

// SearchPage is one page of a member search, in creation order.
type SearchPage struct {
	Members []core.Member
	// Next and Prev are the cursors of the following and preceding pages
	// ("" when there is none).
	Next string
	Prev string
	// Total is the number of members of the team (not of the matches:
	// counting every match would cost as much as reading them).
	Total int
}

// check validates a search.
func (q MemberSearch) check() error {
	switch {
	case len(q.Q) > MaxSearchLen:
		return invalid("invalidValue", "the search is at most %d characters", MaxSearchLen)
	case !utf8.ValidString(q.Q):
		return invalid("invalidValue", "the search is not valid UTF-8")
	case q.Status != "" && q.Status != core.StatusActive && q.Status != core.StatusDeactivated && q.Status != core.StatusInvited:
		return invalid("invalidValue", "unknown status %q: use active, deactivated or invited", q.Status)
	case q.Role != "" && !q.Role.Valid():
		return invalid("invalidRole", "unknown role %q: use super_admin, team_admin or developer", q.Role)
	case q.After != "" && q.Before != "":
		return invalid("invalidValue", "give cursor or before, not both")
	case q.Limit < 0 || q.Limit > maxMemberLimit:
		return invalid("invalidLimit", "limit must be between 1 and %d", maxMemberLimit)
	}
	return nil
}

// SearchMembers lists a team's members (any role and status, invited
// included) matching q, in creation order, with keyset paging both ways.
// Every read is an index range (see store.AdminReader.SearchMembers), so a
// page costs the same at 100 members and at 100,000.
func (s *Service) SearchMembers(ctx context.Context, p core.Principal, teamID string, q MemberSearch) (SearchPage, error) {
	if err := p.Can(core.PermTeamRead, teamID); err != nil {
		return SearchPage{}, err
	}
	if err := q.check(); err != nil {
		return SearchPage{}, err
	}
	if _, err := s.store.Team(ctx, teamID); err != nil {
		return SearchPage{}, err
	}
	limit := q.Limit
	if limit == 0 {
		limit = defaultMemberLimit
	}
	sq := store.MemberSearch{Prefix: q.Q, Status: q.Status, Role: q.Role, After: q.After, Before: q.Before, Limit: limit + 1}
	ms, err := s.store.SearchMembers(ctx, teamID, sq)
	if err != nil {
		return SearchPage{}, err
	}
	var out SearchPage
	if q.Before != "" {
		// The page that precedes Before: a member beyond the limit means
		// there is another page before it; Before itself follows.
		if len(ms) > limit {
			ms = ms[len(ms)-limit:]
			out.Prev = ms[0].ID
		}
		if len(ms) > 0 {
			out.Next = ms[len(ms)-1].ID
		}
	} else {
		if len(ms) > limit {
			ms = ms[:limit]
			out.Next = ms[limit-1].ID
		}
		if q.After != "" && len(ms) > 0 {
			before := sq
			before.After, before.Before, before.Limit = "", ms[0].ID, 1
			prev, err := s.store.SearchMembers(ctx, teamID, before)
			if err != nil {
				return SearchPage{}, err
			}
			if len(prev) > 0 {
				out.Prev = ms[0].ID
			}
		}
	}
	out.Members = ms
	total, err := s.store.Members(ctx, teamID, store.Query{})
	if err != nil {
		return SearchPage{}, err
	}
	out.Total = total.Total
	return out, nil
}

// Bucket is the SCIM traffic of one time bucket [Start, End).
type Bucket struct {
	Start, End time.Time
	// Requests counts every request; Failures those with status >= 400.
	Requests, Failures int
}

// KeySync is a SCIM key with its last successful (2xx) request.
type KeySync struct {
	Key core.APIKey
	// Status is the key's status now.
	Status core.KeyStatus
	// LastSuccess is nil when the activity log holds no successful request
	// of the key.
	LastSuccess *core.Activity
}

// ProvisioningStats is the dashboard's SCIM traffic.
type ProvisioningStats struct {
	// Hourly is the last 24 hours in hours (UTC), oldest first; the last
	// bucket is the current hour. Daily is the last 30 days (UTC), oldest
	// first; the last bucket is today.
	Hourly []Bucket
	Daily  []Bucket
	// Keys are the team's SCIM keys, newest first.
	Keys []KeySync
}

// Stats is the team dashboard.
type Stats struct {
	// Members counts the team's members by status; Invited is the pending
	// invitations.
	Active, Deactivated, Invited int
	// Provisioning is nil for a caller who may not read the activity log
	// (a Developer).
	Provisioning *ProvisioningStats
}

// Stats returns a team's dashboard figures. The member counts read one
// index; the traffic is two aggregates over the activity log's time index
// (which the activity writer bounds by age and count); the last success of
// each key is one index lookup per key.
func (s *Service) Stats(ctx context.Context, p core.Principal, teamID string) (Stats, error) {
	if err := p.Can(core.PermTeamRead, teamID); err != nil {
		return Stats{}, err
	}
	if _, err := s.store.Team(ctx, teamID); err != nil {
		return Stats{}, err
	}
	counts, err := s.store.MemberCounts(ctx, teamID)
	if err != nil {
		return Stats{}, err
	}
	out := Stats{Active: counts[core.StatusActive], Deactivated: counts[core.StatusDeactivated], Invited: counts[core.StatusInvited]}
	if p.Can(core.PermAuditRead, teamID) != nil {
		return out, nil
	}
	now := s.clock().UTC()
	hour := now.Truncate(time.Hour)
	hourly := make([]time.Time, 25)
	for i := range hourly {
		hourly[i] = hour.Add(time.Duration(i-23) * time.Hour)
	}
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	daily := make([]time.Time, 31)
	for i := range daily {
		daily[i] = day.AddDate(0, 0, i-29)
	}
	var ps ProvisioningStats
	for _, w := range []struct {
		bounds []time.Time
		dst    *[]Bucket
	}{{hourly, &ps.Hourly}, {daily, &ps.Daily}} {
		bs, err := s.store.ActivityCounts(ctx, teamID, w.bounds)
		if err != nil {
			return Stats{}, err
		}
		for _, b := range bs {
			*w.dst = append(*w.dst, Bucket{Start: b.Start, End: b.End, Requests: b.Requests, Failures: b.Failures})
		}
	}
	keys, err := s.store.Keys(ctx, teamID, core.KeySCIM)
	if err != nil {
		return Stats{}, err
	}
	ids := make([]string, 0, len(keys))
	for _, k := range keys {
		ids = append(ids, k.ID)
	}
	last, err := s.store.LastSuccess(ctx, teamID, ids)
	if err != nil {
		return Stats{}, err
	}
	for _, k := range keys {
		ks := KeySync{Key: k, Status: k.Status(now)}
		if a, ok := last[k.ID]; ok {
			ks.LastSuccess = &a
		}
		ps.Keys = append(ps.Keys, ks)
	}
	out.Provisioning = &ps
	return out, nil
}

// refuseSCIMRemove refuses removing a SCIM-managed member (not a pending
// invitation) while SCIM is on for the team (KindForbidden
// "managedByIdP"): the identity provider decides who is in the team, and
// would not learn of the removal.
func refuseSCIMRemove(ctx context.Context, r store.Reader, m core.Member) error {
	if !m.SCIMManaged || m.Status == core.StatusInvited {
		return nil
	}
	t, err := r.Team(ctx, m.TeamID)
	if err != nil {
		return err
	}
	if t.SCIMEnabled {
		return core.Errorf(core.KindForbidden, "managedByIdP",
			"%s is managed by your identity provider through SCIM: unassign them from the Roster app in the identity provider, which then deactivates or removes them here (or turn SCIM off first)", m.Email)
	}
	return nil
}
