package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/rosterhq/roster/internal/core"
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
	if _, err := t.exec(ctx, b); err != nil {
		return t.writeErr("add domain", "team", err)
	}
	// A new token starts over: the last check was of the old one.
	_, err := t.exec(ctx, NewBuilder(t.d).SQL("DELETE FROM domain_checks WHERE team_id = ").Arg(teamID).SQL(" AND domain = ").Arg(d))
	return t.wrapErr("add domain", err)
}

// domainSelect selects a domain with its last check (domain_checks);
// callers add conditions on d.
const domainSelect = "SELECT d.team_id, d.domain, d.token, d.verified, d.created_at, d.verified_at, c.last_check_at, COALESCE(c.last_check_result, '')" +
	" FROM domains d LEFT JOIN domain_checks c ON c.team_id = d.team_id AND c.domain = d.domain"

func scanDomain(row interface{ Scan(...any) error }) (core.Domain, error) {
	var d core.Domain
	err := row.Scan(&d.TeamID, &d.Domain, &d.Token, &d.Verified, scanTime(&d.CreatedAt),
		scanNullTime(&d.VerifiedAt), scanNullTime(&d.LastCheckAt), &d.LastCheckResult)
	return d, err
}

// Domains implements store.AdminReader.
func (s *base) Domains(ctx context.Context, teamID string) ([]core.Domain, error) {
	b := NewBuilder(s.d).SQL(domainSelect + " WHERE d.team_id = ").Arg(teamID).SQL(" ORDER BY d.domain")
	rows, err := s.q.QueryContext(ctx, b.String(), b.Args()...)
	if err != nil {
		return nil, s.wrapErr("domains", err)
	}
	defer rows.Close()
	var out []core.Domain
	for rows.Next() {
		d, err := scanDomain(rows)
		if err != nil {
			return nil, s.wrapErr("domains", err)
		}
		out = append(out, d)
	}
	return out, s.wrapErr("domains", rows.Err())
}

// Domain implements store.AdminReader.
func (s *base) Domain(ctx context.Context, teamID, domain string) (core.Domain, error) {
	b := NewBuilder(s.d).SQL(domainSelect + " WHERE d.team_id = ").Arg(teamID).SQL(" AND d.domain = ").Arg(Fold(domain))
	d, err := scanDomain(s.q.QueryRowContext(ctx, b.String(), b.Args()...))
	if errors.Is(err, sql.ErrNoRows) {
		return core.Domain{}, notFound("domain")
	}
	return d, s.wrapErr("domain", err)
}

// UpdateDomain implements store.AdminTx: it sets the token and the
// verification state of d.TeamID's domain d.Domain (KindNotFound when the
// team has no such domain). CreatedAt is kept.
func (t *Tx) UpdateDomain(ctx context.Context, d core.Domain) error {
	name := Fold(d.Domain)
	var touched *time.Time
	switch {
	case d.LastCheckAt != nil:
		touched = d.LastCheckAt
	case d.VerifiedAt != nil:
		touched = d.VerifiedAt
	}
	b := NewBuilder(t.d).SQL("UPDATE domains SET token = ").Arg(d.Token).
		SQL(", verified = ").Arg(d.Verified).
		SQL(", verified_at = ").Arg(t.nullTimeArg(d.VerifiedAt)).
		SQL(", updated_at = COALESCE(").Arg(t.nullTimeArg(touched)).SQL(", updated_at)").
		SQL(" WHERE team_id = ").Arg(d.TeamID).SQL(" AND domain = ").Arg(name)
	n, err := t.exec(ctx, b)
	if err != nil {
		return t.wrapErr("update domain", err)
	}
	if n == 0 {
		return notFound("domain")
	}
	if d.LastCheckAt == nil && d.LastCheckResult == "" {
		_, err := t.exec(ctx, NewBuilder(t.d).SQL("DELETE FROM domain_checks WHERE team_id = ").Arg(d.TeamID).SQL(" AND domain = ").Arg(name))
		return t.wrapErr("update domain", err)
	}
	b = NewBuilder(t.d).SQL("INSERT INTO domain_checks (team_id, domain, last_check_at, last_check_result) VALUES (").
		Arg(d.TeamID).SQL(", ").Arg(name).SQL(", ").Arg(t.nullTimeArg(d.LastCheckAt)).SQL(", ").Arg(d.LastCheckResult).
		SQL(") ON CONFLICT (team_id, domain) DO UPDATE SET last_check_at = excluded.last_check_at, last_check_result = excluded.last_check_result")
	_, err = t.exec(ctx, b)
	return t.writeErr("update domain", "domain", err)
}

// RemoveDomain implements store.AdminTx; a domain the team does not have
// is KindNotFound.
func (t *Tx) RemoveDomain(ctx context.Context, teamID, domain string) error {
	b := NewBuilder(t.d).SQL("DELETE FROM domains WHERE team_id = ").Arg(teamID).SQL(" AND domain = ").Arg(Fold(domain))
	n, err := t.exec(ctx, b)
	if err != nil {
		return t.wrapErr("remove domain", err)
	}
	if n == 0 {
		return notFound("domain")
	}
	return nil
}
