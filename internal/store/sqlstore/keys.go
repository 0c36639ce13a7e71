package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/rosterhq/roster/internal/core"
)

const keyCols = "id, team_id, kind, name, prefix, hash, created_at, created_by, expires_at, revoked_at, last_used_at"

// keySelect selects a key with its account (key_accounts, personal tokens
// only); callers add conditions on k and ka.
const keySelect = "SELECT k.id, k.team_id, k.kind, k.name, k.prefix, k.hash, k.created_at, k.created_by, k.expires_at, k.revoked_at, k.last_used_at, ka.account_id" +
	" FROM api_keys k LEFT JOIN key_accounts ka ON ka.team_id = k.team_id AND ka.key_id = k.id"

func scanKey(row interface{ Scan(...any) error }) (core.APIKey, error) {
	var k core.APIKey
	var kind string
	var account sql.NullString
	err := row.Scan(&k.ID, &k.TeamID, &kind, &k.Name, &k.Prefix, &k.Hash, scanTime(&k.CreatedAt), &k.CreatedBy,
		scanNullTime(&k.ExpiresAt), scanNullTime(&k.RevokedAt), scanNullTime(&k.LastUsed), &account)
	k.Kind = core.KeyKind(kind)
	k.AccountID = account.String
	return k, err
}

// KeyByPrefix implements store.Reader. It is the one lookup of team-owned
// data not scoped by team (api_keys.prefix is globally unique): the key
// decides the team.
func (s *base) KeyByPrefix(ctx context.Context, prefix string) (core.APIKey, error) {
	b := NewBuilder(s.d).SQL(keySelect + " WHERE k.prefix = ").Arg(prefix)
	k, err := scanKey(s.q.QueryRowContext(ctx, b.String(), b.Args()...))
	if errors.Is(err, sql.ErrNoRows) {
		return core.APIKey{}, notFound("key")
	}
	return k, s.wrapErr("key by prefix", err)
}

// keyWithTeamSelect is keySelect joined with the key's team (teams.id is
// the primary key, api_keys.prefix a unique index): one indexed read per
// SCIM request. Its text is constant, so it stays prepared.
const keyWithTeamSelect = "SELECT k.id, k.team_id, k.kind, k.name, k.prefix, k.hash, k.created_at, k.created_by, k.expires_at, k.revoked_at, k.last_used_at, ka.account_id," +
	" t.id, t.slug, t.name, t.scim_enabled, t.created_at, t.updated_at" +
	" FROM api_keys k LEFT JOIN teams t ON t.id = k.team_id" +
	" LEFT JOIN key_accounts ka ON ka.team_id = k.team_id AND ka.key_id = k.id" +
	" WHERE k.prefix = "

// KeyWithTeam implements store.Reader: KeyByPrefix and Team in one
// statement. A key whose team row is missing (which the foreign key
// forbids) comes back with a zero Team.
func (s *base) KeyWithTeam(ctx context.Context, prefix string) (core.APIKey, core.Team, error) {
	b := NewBuilder(s.d).SQL(keyWithTeamSelect).Arg(prefix)
	var k core.APIKey
	var kind string
	var account, teamID, slug, name sql.NullString
	var scim sql.NullBool
	var created, updated any
	err := s.q.QueryRowContext(ctx, b.String(), b.Args()...).Scan(
		&k.ID, &k.TeamID, &kind, &k.Name, &k.Prefix, &k.Hash, scanTime(&k.CreatedAt), &k.CreatedBy,
		scanNullTime(&k.ExpiresAt), scanNullTime(&k.RevokedAt), scanNullTime(&k.LastUsed), &account,
		&teamID, &slug, &name, &scim, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return core.APIKey{}, core.Team{}, notFound("key")
	}
	if err != nil {
		return core.APIKey{}, core.Team{}, s.wrapErr("key with team", err)
	}
	k.Kind = core.KeyKind(kind)
	k.AccountID = account.String
	if !teamID.Valid {
		return k, core.Team{}, nil
	}
	t := core.Team{ID: teamID.String, Slug: slug.String, Name: name.String, SCIMEnabled: scim.Bool}
	if err := scanTime(&t.CreatedAt).Scan(created); err != nil {
		return core.APIKey{}, core.Team{}, s.wrapErr("key with team", err)
	}
	if err := scanTime(&t.UpdatedAt).Scan(updated); err != nil {
		return core.APIKey{}, core.Team{}, s.wrapErr("key with team", err)
	}
	return k, t, nil
}

// authEpochSelect reads the epoch; no row is 0.
const authEpochSelect = "SELECT COALESCE((SELECT n FROM auth_epoch WHERE id = 1), 0)"

// AuthEpoch implements store.Reader.
func (s *base) AuthEpoch(ctx context.Context) (int64, error) {
	var n int64
	if err := s.q.QueryRowContext(ctx, authEpochSelect).Scan(&n); err != nil {
		return 0, s.wrapErr("auth epoch", err)
	}
	return n, nil
}

// moveAuthEpoch moves the authentication epoch in the transaction of a
// write that can change a key check (see store.Reader.AuthEpoch).
func (t *Tx) moveAuthEpoch(ctx context.Context) error {
	_, err := t.q.ExecContext(ctx, "INSERT INTO auth_epoch (id, n) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET n = auth_epoch.n + 1")
	return t.wrapErr("auth epoch", err)
}

// Keys implements store.Reader.
func (s *base) Keys(ctx context.Context, teamID string, kind core.KeyKind) ([]core.APIKey, error) {
	b := NewBuilder(s.d).SQL(keySelect + " WHERE k.team_id = ").Arg(teamID).
		SQL(" AND k.kind = ").Arg(string(kind)).SQL(" ORDER BY k.created_at DESC, k.id DESC")
	return s.queryKeys(ctx, "keys", b)
}

// queryKeys runs a SELECT of keyCols and collects the keys.
func (s *base) queryKeys(ctx context.Context, op string, b *Builder) ([]core.APIKey, error) {
	rows, err := s.q.QueryContext(ctx, b.String(), b.Args()...)
	if err != nil {
		return nil, s.wrapErr(op, err)
	}
	defer rows.Close()
	var out []core.APIKey
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, s.wrapErr(op, err)
		}
		out = append(out, k)
	}
	return out, s.wrapErr(op, rows.Err())
}

// AccountKeys implements store.AdminReader: the personal tokens (kind
// rpt) an account holds in a team, newest first.
func (s *base) AccountKeys(ctx context.Context, teamID, accountID string) ([]core.APIKey, error) {
	b := NewBuilder(s.d).SQL(keySelect + " WHERE k.team_id = ").Arg(teamID).
		SQL(" AND ka.account_id = ").Arg(accountID).SQL(" AND k.kind = ").Arg(string(core.KeyPersonal)).
		SQL(" ORDER BY k.created_at DESC, k.id DESC")
	return s.queryKeys(ctx, "account keys", b)
}

// RevokeAccountKeys implements store.AdminTx: it revokes the account's
// personal tokens in the team that are not revoked yet (SCIM keys and
// other teams' tokens are untouched) and returns how many.
func (t *Tx) RevokeAccountKeys(ctx context.Context, teamID, accountID string, at time.Time) (int, error) {
	b := NewBuilder(t.d).SQL("UPDATE api_keys SET revoked_at = ").Arg(t.timeArg(at)).
		SQL(" WHERE team_id = ").Arg(teamID).SQL(" AND kind = ").Arg(string(core.KeyPersonal)).SQL(" AND revoked_at IS NULL").
		SQL(" AND id IN (SELECT key_id FROM key_accounts WHERE team_id = ").Arg(teamID).SQL(" AND account_id = ").Arg(accountID).SQL(")")
	n, err := t.exec(ctx, b)
	if err != nil {
		return 0, t.wrapErr("revoke account keys", err)
	}
	if n > 0 {
		if err := t.moveAuthEpoch(ctx); err != nil {
			return 0, err
		}
	}
	return int(n), nil
}

// DeleteKey implements store.AdminTx; a key of another team, or none, is
// KindNotFound.
func (t *Tx) DeleteKey(ctx context.Context, teamID, id string) error {
	if _, err := t.exec(ctx, NewBuilder(t.d).SQL("DELETE FROM key_accounts WHERE team_id = ").Arg(teamID).SQL(" AND key_id = ").Arg(id)); err != nil {
		return t.wrapErr("delete key", err)
	}
	n, err := t.exec(ctx, NewBuilder(t.d).SQL("DELETE FROM api_keys WHERE team_id = ").Arg(teamID).SQL(" AND id = ").Arg(id))
	if err != nil {
		return t.wrapErr("delete key", err)
	}
	if n == 0 {
		return notFound("key")
	}
	return t.moveAuthEpoch(ctx)
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
	if _, err := t.exec(ctx, b); err != nil {
		return t.writeErr("create key", "team", err)
	}
	if err := t.moveAuthEpoch(ctx); err != nil {
		return err
	}
	if k.AccountID == "" {
		return nil
	}
	b = NewBuilder(t.d).SQL("INSERT INTO key_accounts (team_id, key_id, account_id) VALUES (").
		Arg(k.TeamID).SQL(", ").Arg(k.ID).SQL(", ").Arg(k.AccountID).SQL(")")
	_, err := t.exec(ctx, b)
	return t.writeErr("create key", "key", err)
}

// RevokeKey implements store.Tx: the key's revocation time becomes the
// earlier of the stored one and at, so revoking a revoked key keeps its
// time and revoking a key whose revocation is scheduled (a regeneration
// overlap) brings it forward.
func (t *Tx) RevokeKey(ctx context.Context, teamID, id string, at time.Time) error {
	b := NewBuilder(t.d).SQL("UPDATE api_keys SET revoked_at = CASE WHEN revoked_at IS NULL OR revoked_at > ").Arg(t.timeArg(at)).
		SQL(" THEN ").Arg(t.timeArg(at)).SQL(" ELSE revoked_at END WHERE team_id = ").Arg(teamID).SQL(" AND id = ").Arg(id)
	n, err := t.exec(ctx, b)
	if err != nil {
		return t.wrapErr("revoke key", err)
	}
	if n == 0 {
		return notFound("key")
	}
	return t.moveAuthEpoch(ctx)
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
