package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim/filter"
)

// Fold is filter.FoldCase: the form in which the case-insensitive keys
// (team slug, account email, userName, displayName, email values and
// types) are stored and compared.
func Fold(s string) string { return filter.FoldCase(s) }

const teamCols = "id, slug, name, scim_enabled, created_at, updated_at"

func scanTeam(row interface{ Scan(...any) error }) (core.Team, error) {
	var t core.Team
	err := row.Scan(&t.ID, &t.Slug, &t.Name, &t.SCIMEnabled, scanTime(&t.CreatedAt), scanTime(&t.UpdatedAt))
	return t, err
}

// Team implements store.Reader.
func (s *base) Team(ctx context.Context, id string) (core.Team, error) {
	b := NewBuilder(s.d).SQL("SELECT " + teamCols + " FROM teams WHERE id = ").Arg(id)
	t, err := scanTeam(s.q.QueryRowContext(ctx, b.String(), b.Args()...))
	if errors.Is(err, sql.ErrNoRows) {
		return core.Team{}, notFound("team")
	}
	return t, s.wrapErr("team", err)
}

// TeamBySlug implements store.Reader.
func (s *base) TeamBySlug(ctx context.Context, slug string) (core.Team, error) {
	b := NewBuilder(s.d).SQL("SELECT " + teamCols + " FROM teams WHERE slug_key = ").Arg(Fold(slug))
	t, err := scanTeam(s.q.QueryRowContext(ctx, b.String(), b.Args()...))
	if errors.Is(err, sql.ErrNoRows) {
		return core.Team{}, notFound("team")
	}
	return t, s.wrapErr("team by slug", err)
}

// Teams implements store.Reader.
func (s *base) Teams(ctx context.Context) ([]core.Team, error) {
	rows, err := s.q.QueryContext(ctx, "SELECT "+teamCols+" FROM teams ORDER BY created_at, id")
	if err != nil {
		return nil, s.wrapErr("teams", err)
	}
	defer rows.Close()
	var out []core.Team
	for rows.Next() {
		t, err := scanTeam(rows)
		if err != nil {
			return nil, s.wrapErr("teams", err)
		}
		out = append(out, t)
	}
	return out, s.wrapErr("teams", rows.Err())
}

// CreateTeam implements store.Tx.
func (t *Tx) CreateTeam(ctx context.Context, tm core.Team) error {
	if tm.ID == "" {
		return invalid("invalidValue", "a team needs an id")
	}
	b := NewBuilder(t.d).SQL("INSERT INTO teams (id, slug, slug_key, name, scim_enabled, member_count, group_count, created_at, updated_at) VALUES (").
		Arg(tm.ID).SQL(", ").Arg(tm.Slug).SQL(", ").Arg(Fold(tm.Slug)).SQL(", ").Arg(tm.Name).SQL(", ").Arg(tm.SCIMEnabled).
		SQL(", 0, 0, ").Arg(t.timeArg(tm.CreatedAt)).SQL(", ").Arg(t.timeArg(tm.UpdatedAt)).SQL(")")
	_, err := t.exec(ctx, b)
	return t.writeErr("create team", "team", err)
}

// UpdateTeam implements store.Tx: it sets the name, the SCIM switch and
// UpdatedAt, and moves the authentication epoch.
func (t *Tx) UpdateTeam(ctx context.Context, tm core.Team) error {
	b := NewBuilder(t.d).SQL("UPDATE teams SET name = ").Arg(tm.Name).
		SQL(", scim_enabled = ").Arg(tm.SCIMEnabled).
		SQL(", updated_at = ").Arg(t.timeArg(tm.UpdatedAt)).
		SQL(" WHERE id = ").Arg(tm.ID)
	n, err := t.exec(ctx, b)
	if err != nil {
		return t.writeErr("update team", "team", err)
	}
	if n == 0 {
		return notFound("team")
	}
	return t.moveAuthEpoch(ctx)
}

// addTeamCount adds delta to one of a team's counters ("member_count" or
// "group_count"), in the transaction that changes the rows it counts.
func (t *Tx) addTeamCount(ctx context.Context, teamID, column string, delta int) error {
	b := NewBuilder(t.d).SQL("UPDATE teams SET " + column + " = " + column + " + ").Arg(delta).SQL(" WHERE id = ").Arg(teamID)
	_, err := t.exec(ctx, b)
	return t.wrapErr("count", err)
}

// teamCount reads one of a team's counters; a missing team counts 0.
func (s *base) teamCount(ctx context.Context, q Querier, teamID, column string) (int, error) {
	b := NewBuilder(s.d).SQL("SELECT " + column + " FROM teams WHERE id = ").Arg(teamID)
	var n int
	err := q.QueryRowContext(ctx, b.String(), b.Args()...).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, s.wrapErr("count", err)
}
