package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/rosterhq/roster/internal/core"
)

// Sessions belong to accounts, not teams: the statements on them are keyed
// by the session id, the token hash or the account id.

const sessionCols = "id, token_hash, account_id, csrf_token, created_at, expires_at, last_seen_at"

// SessionByTokenHash implements store.AdminReader.
func (s *base) SessionByTokenHash(ctx context.Context, hash []byte) (core.Session, error) {
	b := NewBuilder(s.d).SQL("SELECT " + sessionCols + " FROM sessions WHERE token_hash = ").Arg(hash)
	var ss core.Session
	err := s.q.QueryRowContext(ctx, b.String(), b.Args()...).Scan(&ss.ID, &ss.TokenHash, &ss.AccountID, &ss.CSRFToken,
		scanTime(&ss.CreatedAt), scanTime(&ss.ExpiresAt), scanTime(&ss.LastSeenAt))
	if errors.Is(err, sql.ErrNoRows) {
		return core.Session{}, notFound("session")
	}
	return ss, s.wrapErr("session", err)
}

// CreateSession implements store.AdminTx. A session id or token hash in
// use is KindConflict; an unknown account is KindNotFound.
func (t *Tx) CreateSession(ctx context.Context, ss core.Session) error {
	if ss.ID == "" || ss.AccountID == "" || len(ss.TokenHash) == 0 {
		return invalid("invalidValue", "a session needs an id, an account and a token hash")
	}
	b := NewBuilder(t.d).SQL("INSERT INTO sessions (" + sessionCols + ") VALUES (").
		Arg(ss.ID).SQL(", ").Arg(ss.TokenHash).SQL(", ").Arg(ss.AccountID).SQL(", ").Arg(ss.CSRFToken).SQL(", ").
		Arg(t.timeArg(ss.CreatedAt)).SQL(", ").Arg(t.timeArg(ss.ExpiresAt)).SQL(", ").Arg(t.timeArg(ss.LastSeenAt)).SQL(")")
	_, err := t.exec(ctx, b)
	return t.writeErr("create session", "account", err)
}

// TouchSession implements store.AdminTx; an unknown session is
// KindNotFound.
func (t *Tx) TouchSession(ctx context.Context, id string, lastSeen, expires time.Time) error {
	b := NewBuilder(t.d).SQL("UPDATE sessions SET last_seen_at = ").Arg(t.timeArg(lastSeen)).
		SQL(", expires_at = ").Arg(t.timeArg(expires)).SQL(" WHERE id = ").Arg(id)
	n, err := t.exec(ctx, b)
	if err != nil {
		return t.wrapErr("touch session", err)
	}
	if n == 0 {
		return notFound("session")
	}
	return nil
}

// DeleteSession implements store.AdminTx. Deleting a session that does
// not exist (already signed out, or pruned) is not an error.
func (t *Tx) DeleteSession(ctx context.Context, id string) error {
	_, err := t.exec(ctx, NewBuilder(t.d).SQL("DELETE FROM sessions WHERE id = ").Arg(id))
	return t.wrapErr("delete session", err)
}

// DeleteAccountSessions implements store.AdminTx.
func (t *Tx) DeleteAccountSessions(ctx context.Context, accountID string) (int, error) {
	n, err := t.exec(ctx, NewBuilder(t.d).SQL("DELETE FROM sessions WHERE account_id = ").Arg(accountID))
	return int(n), t.wrapErr("delete account sessions", err)
}
