package admin

import (
	"context"
	"strings"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

// CreateToken makes a personal API token ("rpt_...") for the signed-in
// person, acting with their permissions in their team; expiresIn of zero
// means it does not expire. The secret is returned once; only its SHA-256
// is stored. A person must be an active member of a team to hold one.
func (s *Service) CreateToken(ctx context.Context, p core.Principal, name string, expiresIn time.Duration) (NewKey, error) {
	if p.Kind != core.PrincipalAccount {
		return NewKey{}, forbidden("only a person can create a personal API token")
	}
	if p.TeamID == "" {
		return NewKey{}, forbidden("you need to be an active member of a team to create a personal API token")
	}
	var out NewKey
	err := s.store.InTx(ctx, func(tx store.Tx) error {
		nk, err := s.insertKey(ctx, tx, p, p.TeamID, core.KeyPersonal, p.AccountID, name, expiresIn)
		if err != nil {
			return err
		}
		out = nk
		return s.audit(ctx, tx, p, p.TeamID, "token.created", "key", nk.Key.ID, keySummary(nk.Key))
	})
	return out, err
}

// Tokens lists the signed-in person's personal tokens in their team,
// newest first, without hashes.
func (s *Service) Tokens(ctx context.Context, p core.Principal) ([]KeyView, error) {
	if p.Kind != core.PrincipalAccount || p.TeamID == "" {
		return nil, nil
	}
	ks, err := s.store.AccountKeys(ctx, p.TeamID, p.AccountID)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	out := make([]KeyView, 0, len(ks))
	for _, k := range ks {
		out = append(out, view(k, now))
	}
	return out, nil
}

// RevokeToken revokes one of the signed-in person's personal tokens; a
// token of someone else is KindNotFound.
func (s *Service) RevokeToken(ctx context.Context, p core.Principal, keyID string) error {
	if p.Kind != core.PrincipalAccount || p.TeamID == "" {
		return core.NotFound("token %q not found", clipS(keyID))
	}
	at := s.clock()
	return s.store.InTx(ctx, func(tx store.Tx) error {
		ks, err := tx.AccountKeys(ctx, p.TeamID, p.AccountID)
		if err != nil {
			return err
		}
		for _, k := range ks {
			if k.ID != keyID {
				continue
			}
			if k.Status(at) == core.KeyRevoked {
				return nil
			}
			if err := tx.RevokeKey(ctx, p.TeamID, k.ID, at); err != nil {
				return err
			}
			return s.audit(ctx, tx, p, p.TeamID, "token.revoked", "key", k.ID, keySummary(k))
		}
		return core.NotFound("token %q not found", clipS(keyID))
	})
}

// AuthenticateToken checks a personal API token (the bearer value, with or
// without "Bearer ") and returns the principal it acts as: its person,
// with their current role in the token's team. A malformed, unknown,
// revoked or expired token, a SCIM key, or a token whose person is no
// longer an active member of the team is KindUnauthenticated; the message
// never contains the token. The last use is recorded at most once a
// minute.
func (s *Service) AuthenticateToken(ctx context.Context, token string) (core.Principal, error) {
	token = strings.TrimSpace(token)
	if scheme, rest, ok := strings.Cut(token, " "); ok && strings.EqualFold(scheme, "Bearer") {
		token = strings.TrimSpace(rest)
	}
	unauth := func(msg string) error { return core.Errorf(core.KindUnauthenticated, "invalidToken", "%s", msg) }
	prefix, ok := core.KeyPrefix(token)
	if !ok {
		return core.Principal{}, unauth("the token is malformed: it is not a Roster personal API token, or it was mistyped")
	}
	k, err := s.store.KeyByPrefix(ctx, prefix)
	if core.IsKind(err, core.KindNotFound) || (err == nil && !core.VerifyKey(token, k.Hash)) {
		return core.Principal{}, unauth("the token is not recognised")
	}
	if err != nil {
		return core.Principal{}, err
	}
	if k.Kind != core.KeyPersonal || k.AccountID == "" {
		return core.Principal{}, unauth("a SCIM API key cannot call the admin API; use a personal API token")
	}
	now := s.clock()
	switch k.Status(now) {
	case core.KeyRevoked:
		return core.Principal{}, unauth("the token has been revoked")
	case core.KeyExpired:
		return core.Principal{}, unauth("the token has expired")
	}
	a, err := s.store.Account(ctx, k.AccountID)
	if core.IsKind(err, core.KindNotFound) {
		return core.Principal{}, unauth("the token is not recognised")
	}
	if err != nil {
		return core.Principal{}, err
	}
	p, err := s.principalFor(ctx, s.store, a)
	if err != nil {
		return core.Principal{}, err
	}
	if p.TeamID != k.TeamID || a.Status != AccountActive {
		return core.Principal{}, unauth("the token's owner is no longer an active member of its team")
	}
	p.KeyID, p.KeyName = k.ID, k.Name
	if k.LastUsed == nil || now.Sub(*k.LastUsed) >= time.Minute {
		if err := s.store.InTx(ctx, func(tx store.Tx) error { return tx.TouchKey(ctx, k.ID, now) }); err != nil {
			s.log.WarnContext(ctx, "recording token use failed", "key_prefix", k.Prefix, "err", err)
		}
	}
	return p, nil
}
