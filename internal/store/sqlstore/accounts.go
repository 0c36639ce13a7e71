package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/rosterhq/roster/internal/core"
)

const accountCols = "id, email, display_name, password_hash, status, created_at, updated_at"

func scanAccount(row interface{ Scan(...any) error }) (core.Account, error) {
	var a core.Account
	err := row.Scan(&a.ID, &a.Email, &a.DisplayName, &a.PasswordHash, &a.Status, scanTime(&a.CreatedAt), scanTime(&a.UpdatedAt))
	return a, err
}

// Account implements store.Reader.
func (s *base) Account(ctx context.Context, id string) (core.Account, error) {
	b := NewBuilder(s.d).SQL("SELECT " + accountCols + " FROM accounts WHERE id = ").Arg(id)
	a, err := scanAccount(s.q.QueryRowContext(ctx, b.String(), b.Args()...))
	if errors.Is(err, sql.ErrNoRows) {
		return core.Account{}, notFound("account")
	}
	return a, s.wrapErr("account", err)
}

// AccountByEmail implements store.Reader.
func (s *base) AccountByEmail(ctx context.Context, email string) (core.Account, error) {
	b := NewBuilder(s.d).SQL("SELECT " + accountCols + " FROM accounts WHERE email_key = ").Arg(Fold(email))
	a, err := scanAccount(s.q.QueryRowContext(ctx, b.String(), b.Args()...))
	if errors.Is(err, sql.ErrNoRows) {
		return core.Account{}, notFound("account")
	}
	return a, s.wrapErr("account by email", err)
}

// CreateAccount implements store.Tx.
func (t *Tx) CreateAccount(ctx context.Context, a core.Account) error {
	if a.ID == "" {
		return invalid("invalidValue", "an account needs an id")
	}
	b := NewBuilder(t.d).SQL("INSERT INTO accounts (id, email, email_key, display_name, password_hash, status, created_at, updated_at) VALUES (").
		Arg(a.ID).SQL(", ").Arg(a.Email).SQL(", ").Arg(Fold(a.Email)).SQL(", ").Arg(a.DisplayName).SQL(", ").
		Arg(a.PasswordHash).SQL(", ").Arg(a.Status).SQL(", ").Arg(t.timeArg(a.CreatedAt)).SQL(", ").Arg(t.timeArg(a.UpdatedAt)).SQL(")")
	_, err := t.exec(ctx, b)
	return t.writeErr("create account", "account", err)
}

// UpdateAccount implements store.Tx: it sets every field but ID and
// CreatedAt.
func (t *Tx) UpdateAccount(ctx context.Context, a core.Account) error {
	b := NewBuilder(t.d).SQL("UPDATE accounts SET email = ").Arg(a.Email).
		SQL(", email_key = ").Arg(Fold(a.Email)).
		SQL(", display_name = ").Arg(a.DisplayName).
		SQL(", password_hash = ").Arg(a.PasswordHash).
		SQL(", status = ").Arg(a.Status).
		SQL(", updated_at = ").Arg(t.timeArg(a.UpdatedAt)).
		SQL(" WHERE id = ").Arg(a.ID)
	n, err := t.exec(ctx, b)
	if err != nil {
		return t.writeErr("update account", "account", err)
	}
	if n == 0 {
		return notFound("account")
	}
	return nil
}
