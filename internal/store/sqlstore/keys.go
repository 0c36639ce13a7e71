package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/rosterhq/roster/internal/core"
)

const keyCols = "id, team_id, kind, name, prefix, hash, created_at, created_by, expires_at, revoked_at, last_used_at"

func scanKey(row interface{ Scan(...any) error }) (core.APIKey, error) {
	var k core.APIKey
	var kind string
	err := row.Scan(&k.ID, &k.TeamID, &kind, &k.Name, &k.Prefix, &k.Hash, scanTime(&k.CreatedAt), &k.CreatedBy,
		scanNullTime(&k.ExpiresAt), scanNullTime(&k.RevokedAt), scanNullTime(&k.LastUsed))
	k.Kind = core.KeyKind(kind)
	return k, err
}

// KeyByPrefix implements store.Reader. It is the one lookup of team-owned
// data not scoped by team (api_keys.prefix is globally unique): the key
// decides the team.
func (s *base) KeyByPrefix(ctx context.Context, prefix string) (core.APIKey, error) {
	b := NewBuilder(s.d).SQL("SELECT " + keyCols + " FROM api_keys WHERE prefix = ").Arg(prefix)
	k, err := scanKey(s.q.QueryRowContext(ctx, b.String(), b.Args()...))
	if errors.Is(err, sql.ErrNoRows) {
		return core.APIKey{}, notFound("key")
	}
	return k, s.wrapErr("key by prefix", err)
}

// Keys implements store.Reader.
func (s *base) Keys(ctx context.Context, teamID string, kind core.KeyKind) ([]core.APIKey, error) {
	b := NewBuilder(s.d).SQL("SELECT " + keyCols + " FROM api_keys WHERE team_id = ").Arg(teamID).
		SQL(" AND kind = ").Arg(string(kind)).SQL(" ORDER BY created_at DESC, id DESC")
	rows, err := s.q.QueryContext(ctx, b.String(), b.Args()...)
	if err != nil {
		return nil, s.wrapErr("keys", err)
	}
	defer rows.Close()
	var out []core.APIKey
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, s.wrapErr("keys", err)
		}
		out = append(out, k)
	}
	return out, s.wrapErr("keys", rows.Err())
}

// CreateKey implements store.Tx. A prefix in use by any team is
// KindConflict.
func (t *Tx) CreateKey(ctx context.Context, k core.APIKey) error {
	if k.ID == "" || k.TeamID == "" || k.Prefix == "" {
		return invalid("invalidValue", "a key needs an id, a team and a prefix")
	}
	b := NewBuilder(t.d).SQL("INSERT INTO api_keys (" + keyCols + ") VALUES (").
		Arg(k.ID).SQL(", ").Arg(k.TeamID).SQL(", ").Arg(string(k.Kind)).SQL(", ").Arg(k.Name).SQL(", ").
		Arg(k.Prefix).SQL(", ").Arg(k.Hash).SQL(", ").Arg(t.timeArg(k.CreatedAt)).SQL(", ").Arg(k.CreatedBy).SQL(", ").
		Arg(t.nullTimeArg(k.ExpiresAt)).SQL(", ").Arg(t.nullTimeArg(k.RevokedAt)).SQL(", ").Arg(t.nullTimeArg(k.LastUsed)).SQL(")")
	_, err := t.exec(ctx, b)
	return t.writeErr("create key", "team", err)
}

// RevokeKey implements store.Tx. Revoking a revoked key keeps the first
// revocation time.
func (t *Tx) RevokeKey(ctx context.Context, teamID, id string, at time.Time) error {
	b := NewBuilder(t.d).SQL("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ").Arg(t.timeArg(at)).
		SQL(") WHERE team_id = ").Arg(teamID).SQL(" AND id = ").Arg(id)
	n, err := t.exec(ctx, b)
	if err != nil {
		return t.wrapErr("revoke key", err)
	}
	if n == 0 {
		return notFound("key")
	}
	return nil
}

// TouchKey implements store.Tx. Like KeyByPrefix, whose result it
// follows, it is keyed by the key alone (ids are unique across teams):
// the key is what decides the team. It never moves LastUsed backwards.
func (t *Tx) TouchKey(ctx context.Context, id string, at time.Time) error {
	v := t.timeArg(at)
	b := NewBuilder(t.d).SQL("UPDATE api_keys SET last_used_at = ").Arg(v).
		SQL(" WHERE id = ").Arg(id).SQL(" AND (last_used_at IS NULL OR last_used_at < ").Arg(v).SQL(")")
	if _, err := t.exec(ctx, b); err != nil {
		return t.wrapErr("touch key", err)
	}
	return nil
}
