package admin

import (
	"context"
	"regexp"
	"strings"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

var slugRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)

// newTeam validates a slug and name and returns the team to create.
func (s *Service) newTeam(slug, name string) (core.Team, error) {
	slug = strings.ToLower(strings.TrimSpace(slug))
	if !slugRE.MatchString(slug) {
		return core.Team{}, invalid("invalidSlug", "team slug %q must be 1-63 lower-case letters, digits or inner hyphens", clipS(slug))
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = slug
	}
	if len(name) > 200 {
		return core.Team{}, invalid("invalidName", "a team name has at most 200 characters")
	}
	now := s.clock()
	return core.Team{ID: s.newID(), Slug: slug, Name: name, CreatedAt: now, UpdatedAt: now}, nil
}

// createTeamTx stores a team and audits it.
func (s *Service) createTeamTx(ctx context.Context, tx store.Tx, p core.Principal, t core.Team) error {
	if err := tx.CreateTeam(ctx, t); err != nil {
		if core.IsKind(err, core.KindConflict) {
			return conflict("slugTaken", "the team slug %q is taken", t.Slug)
		}
		return err
	}
	return s.audit(ctx, tx, p, t.ID, "team.created", "team", t.ID, map[string]any{"slug": t.Slug, "name": t.Name})
}

// CreateTeam creates a team as the CLI, with the given slug (lower-case
// letters, digits and inner hyphens, at most 63 characters) and display
// name; it has no members yet. SCIM starts switched off.
func (s *Service) CreateTeam(ctx context.Context, slug, name string) (core.Team, error) {
	return s.NewTeam(ctx, core.CLIPrincipal(), slug, name)
}

// NewTeam creates a team. A person who creates one becomes its Super
// Admin, which needs them to belong to no team yet (KindConflict
// "alreadyMember" otherwise: an account is a member of at most one team).
// The CLI creates teams without members. SCIM starts switched off.
func (s *Service) NewTeam(ctx context.Context, p core.Principal, slug, name string) (core.Team, error) {
	if p.Kind != core.PrincipalCLI && p.Kind != core.PrincipalAccount {
		return core.Team{}, forbidden("only a person or the CLI can create a team")
	}
	t, err := s.newTeam(slug, name)
	if err != nil {
		return core.Team{}, err
	}
	err = s.store.InTx(ctx, func(tx store.Tx) error {
		if p.Kind == core.PrincipalCLI {
			return s.createTeamTx(ctx, tx, p, t)
		}
		a, err := tx.Account(ctx, p.AccountID)
		if err != nil {
			return err
		}
		if _, err := tx.MemberByAccount(ctx, a.ID); err == nil {
			return conflict("alreadyMember", "you already belong to a team; an account is a member of at most one team")
		} else if !core.IsKind(err, core.KindNotFound) {
			return err
		}
		if err := s.createTeamTx(ctx, tx, p, t); err != nil {
			return err
		}
		return s.addOwner(ctx, tx, p, t, a)
	})
	if err != nil {
		return core.Team{}, err
	}
	return t, nil
}

// Team returns a team by id or slug (for the CLI).
func (s *Service) Team(ctx context.Context, idOrSlug string) (core.Team, error) {
	t, err := s.store.TeamBySlug(ctx, idOrSlug)
	if core.IsKind(err, core.KindNotFound) {
		return s.store.Team(ctx, idOrSlug)
	}
	return t, err
}

// Teams lists every team (for the CLI).
func (s *Service) Teams(ctx context.Context) ([]core.Team, error) { return s.store.Teams(ctx) }

// TeamFor returns a team by id or slug as p sees it: a person sees only
// their own team (any other is KindNotFound).
func (s *Service) TeamFor(ctx context.Context, p core.Principal, idOrSlug string) (core.Team, error) {
	t, err := s.Team(ctx, idOrSlug)
	if core.IsKind(err, core.KindNotFound) {
		return core.Team{}, core.NotFound("team not found")
	}
	if err != nil {
		return core.Team{}, err
	}
	if err := p.Can(core.PermTeamRead, t.ID); err != nil {
		return core.Team{}, err
	}
	return t, nil
}

// RenameTeam changes a team's display name (Super and Team Admins).
func (s *Service) RenameTeam(ctx context.Context, p core.Principal, teamID, name string) (core.Team, error) {
	if err := p.Can(core.PermTeamUpdate, teamID); err != nil {
		return core.Team{}, err
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 200 {
		return core.Team{}, invalid("invalidName", "a team name needs 1-200 characters")
	}
	var out core.Team
	err := s.store.InTx(ctx, func(tx store.Tx) error {
		t, err := tx.Team(ctx, teamID)
		if err != nil {
			return err
		}
		if t.Name == name {
			out = t
			return nil
		}
		old := t.Name
		t.Name, t.UpdatedAt = name, s.clock()
		out = t
		if err := tx.UpdateTeam(ctx, t); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, t.ID, "team.renamed", "team", t.ID, map[string]any{"old_name": old, "new_name": name})
	})
	return out, err
}
