package admin

import (
	"context"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

// GroupPage is one page of a team's groups.
type GroupPage struct {
	Groups []core.Group
	// Next is the cursor of the next page, "" on the last page.
	Next string
	// Total is the number of groups of the team.
	Total int
}

// Groups lists a team's groups (as SCIM provisioned them) in creation
// order with keyset paging: after is the previous page's Next, limit the
// page size (default 100, at most 1000). Any member may read them.
func (s *Service) Groups(ctx context.Context, p core.Principal, teamID, after string, limit int) (GroupPage, error) {
	if err := p.Can(core.PermTeamRead, teamID); err != nil {
		return GroupPage{}, err
	}
	limit, err := pageLimit(limit)
	if err != nil {
		return GroupPage{}, err
	}
	page, err := s.store.Groups(ctx, teamID, store.Query{After: after, Count: limit + 1})
	if err != nil {
		return GroupPage{}, err
	}
	out := GroupPage{Groups: page.Items, Total: page.Total}
	if len(out.Groups) > limit {
		out.Groups = out.Groups[:limit]
		out.Next = out.Groups[limit-1].ID
	}
	return out, nil
}

// Group returns one of a team's groups; another team's id is
// KindNotFound.
func (s *Service) Group(ctx context.Context, p core.Principal, teamID, groupID string) (core.Group, error) {
	if err := p.Can(core.PermTeamRead, teamID); err != nil {
		return core.Group{}, err
	}
	return s.store.Group(ctx, teamID, groupID)
}

// GroupMembers streams a group's members, in member-id order, to fn
// (which may write them straight to a response); it stops at fn's first
// error and returns it.
func (s *Service) GroupMembers(ctx context.Context, p core.Principal, teamID, groupID string, fn func(core.GroupMember) error) error {
	if err := p.Can(core.PermTeamRead, teamID); err != nil {
		return err
	}
	if _, err := s.store.Group(ctx, teamID, groupID); err != nil {
		return err
	}
	return s.store.GroupMembers(ctx, teamID, groupID, fn)
}
