package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// DomainVerified implements store.Reader.
func (s *base) DomainVerified(ctx context.Context, teamID, domain string) (bool, error) {
	b := NewBuilder(s.d).SQL("SELECT verified FROM domains WHERE team_id = ").Arg(teamID).SQL(" AND domain = ").Arg(Fold(domain))
	var ok bool
	err := s.q.QueryRowContext(ctx, b.String(), b.Args()...).Scan(&ok)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return ok, s.wrapErr("domain", err)
}

// AddDomain implements store.Tx: it records the team's domain (folded)
// with its token and state, replacing the token and state of a domain the
// team already has.
func (t *Tx) AddDomain(ctx context.Context, teamID, domain, token string, verified bool, at time.Time) error {
	d := Fold(domain)
	if d == "" {
		return invalid("invalidValue", "a domain is required")
	}
	v := t.timeArg(at)
	var verifiedAt any
	if verified {
		verifiedAt = v
	}
	b := NewBuilder(t.d).SQL("INSERT INTO domains (team_id, domain, token, verified, created_at, updated_at, verified_at) VALUES (").
		Arg(teamID).SQL(", ").Arg(d).SQL(", ").Arg(token).SQL(", ").Arg(verified).SQL(", ").Arg(v).SQL(", ").Arg(v).SQL(", ").Arg(verifiedAt).
		SQL(") ON CONFLICT (team_id, domain) DO UPDATE SET token = excluded.token, verified = excluded.verified, updated_at = excluded.updated_at, verified_at = excluded.verified_at")
	_, err := t.exec(ctx, b)
	return t.writeErr("add domain", "team", err)
}
