package admin

import (
	"context"
	"strings"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

// NewKey is a freshly created key: Secret is shown once and never stored.
type NewKey struct {
	Key    core.APIKey
	Secret string
}

// KeyView is a key as an admin sees it: everything but its hash, and its
// status at the time it was read.
type KeyView struct {
	core.APIKey
	Status core.KeyStatus
}

// view makes the KeyView of a key at now, dropping the hash.
func view(k core.APIKey, now time.Time) KeyView {
	k.Hash = nil
	return KeyView{APIKey: k, Status: k.Status(now)}
}

// SetSCIM switches SCIM provisioning on or off for a team, as the CLI.
func (s *Service) SetSCIM(ctx context.Context, teamID string, enabled bool) (core.Team, error) {
	return s.SetSCIMEnabled(ctx, core.CLIPrincipal(), teamID, enabled)
}

// SetSCIMEnabled switches SCIM provisioning on or off for a team (Super
// and Team Admins). While it is off, every key of the team is refused
// with 403 and SCIM-managed members may manage themselves again. Setting
// the current state again changes and audits nothing.
func (s *Service) SetSCIMEnabled(ctx context.Context, p core.Principal, teamID string, enabled bool) (core.Team, error) {
	if err := p.Can(core.PermSCIMManage, teamID); err != nil {
		return core.Team{}, err
	}
	var out core.Team
	err := s.store.InTx(ctx, func(tx store.Tx) error {
		t, err := tx.Team(ctx, teamID)
		if err != nil {
			return err
		}
		out = t
		if t.SCIMEnabled == enabled {
			return nil
		}
		t.SCIMEnabled = enabled
		t.UpdatedAt = s.clock()
		out = t
		if err := tx.UpdateTeam(ctx, t); err != nil {
			return err
		}
		action := "scim.disabled"
		if enabled {
			action = "scim.enabled"
		}
		return s.audit(ctx, tx, p, t.ID, action, "team", t.ID, nil)
	})
	return out, err
}

// CreateKey makes a SCIM API key for a team as the CLI. expiresIn of zero
// means the key does not expire. createdBy is ignored beyond the audit
// (the CLI is the actor); it is kept for older callers.
func (s *Service) CreateKey(ctx context.Context, teamID, name, createdBy string, expiresIn time.Duration) (NewKey, error) {
	_ = createdBy
	return s.CreateSCIMKey(ctx, core.CLIPrincipal(), teamID, name, expiresIn)
}

// CreateSCIMKey makes a named SCIM API key for a team (Super and Team
// Admins), valid for expiresIn (zero: no expiry). The secret is returned
// once and only its SHA-256 is stored.
func (s *Service) CreateSCIMKey(ctx context.Context, p core.Principal, teamID, name string, expiresIn time.Duration) (NewKey, error) {
	if err := p.Can(core.PermSCIMManage, teamID); err != nil {
		return NewKey{}, err
	}
	var out NewKey
	err := s.store.InTx(ctx, func(tx store.Tx) error {
		if _, err := tx.Team(ctx, teamID); err != nil {
			return err
		}
		nk, err := s.insertKey(ctx, tx, p, teamID, core.KeySCIM, "", name, expiresIn)
		if err != nil {
			return err
		}
		out = nk
		return s.audit(ctx, tx, p, teamID, "key.created", "key", nk.Key.ID, keySummary(nk.Key))
	})
	return out, err
}

// keySummary is what the audit log says about a key: never its secret or
// hash.
func keySummary(k core.APIKey) map[string]any {
	m := map[string]any{"name": k.Name, "prefix": k.Prefix, "kind": string(k.Kind)}
	if k.ExpiresAt != nil {
		m["expires_at"] = k.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return m
}

// insertKey makes and stores a key.
func (s *Service) insertKey(ctx context.Context, tx store.Tx, p core.Principal, teamID string, kind core.KeyKind, accountID, name string, expiresIn time.Duration) (NewKey, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return NewKey{}, invalid("invalidName", "a key needs a name of 1-100 characters")
	}
	if expiresIn < 0 {
		return NewKey{}, invalid("invalidExpiry", "a key's expiry must be in the future")
	}
	secret, prefix, hash, err := core.NewKeySecret(kind, s.rand)
	if err != nil {
		return NewKey{}, err
	}
	now := s.clock()
	k := core.APIKey{
		ID: s.newID(), TeamID: teamID, AccountID: accountID, Kind: kind, Name: name,
		Prefix: prefix, Hash: hash, CreatedAt: now, CreatedBy: p.Actor().ID,
	}
	if expiresIn > 0 {
		exp := now.Add(expiresIn)
		k.ExpiresAt = &exp
	}
	if err := tx.CreateKey(ctx, k); err != nil {
		return NewKey{}, err
	}
	k.Hash = nil
	return NewKey{Key: k, Secret: secret}, nil
}

// Keys lists a team's SCIM keys, newest first, as the CLI (hashes
// removed).
func (s *Service) Keys(ctx context.Context, teamID string) ([]core.APIKey, error) {
	vs, err := s.SCIMKeys(ctx, core.CLIPrincipal(), teamID)
	if err != nil {
		return nil, err
	}
	out := make([]core.APIKey, len(vs))
	for i, v := range vs {
		out[i] = v.APIKey
	}
	return out, nil
}

// SCIMKeys lists a team's SCIM keys, newest first, with their status
// (Super and Team Admins).
func (s *Service) SCIMKeys(ctx context.Context, p core.Principal, teamID string) ([]KeyView, error) {
	if err := p.Can(core.PermSCIMManage, teamID); err != nil {
		return nil, err
	}
	if _, err := s.store.Team(ctx, teamID); err != nil {
		return nil, err
	}
	ks, err := s.store.Keys(ctx, teamID, core.KeySCIM)
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

// RevokeKey revokes a team's SCIM key now, as the CLI.
func (s *Service) RevokeKey(ctx context.Context, teamID, keyID string) error {
	return s.RevokeSCIMKey(ctx, core.CLIPrincipal(), teamID, keyID)
}

// teamKey reads a key of a team and kind; any other key is KindNotFound.
func teamKey(ctx context.Context, r store.Reader, teamID, keyID string, kind core.KeyKind) (core.APIKey, error) {
	ks, err := r.Keys(ctx, teamID, kind)
	if err != nil {
		return core.APIKey{}, err
	}
	for _, k := range ks {
		if k.ID == keyID {
			return k, nil
		}
	}
	return core.APIKey{}, core.NotFound("key %q not found", clipS(keyID))
}

// RevokeSCIMKey revokes a team's SCIM key now (Super and Team Admins);
// the next request with it is refused on every instance, since each
// request reads the key from the database. Revoking a revoked key changes
// nothing.
func (s *Service) RevokeSCIMKey(ctx context.Context, p core.Principal, teamID, keyID string) error {
	if err := p.Can(core.PermSCIMManage, teamID); err != nil {
		return err
	}
	at := s.clock()
	return s.store.InTx(ctx, func(tx store.Tx) error {
		k, err := teamKey(ctx, tx, teamID, keyID, core.KeySCIM)
		if err != nil {
			return err
		}
		if k.Status(at) == core.KeyRevoked {
			return nil
		}
		// A key in its regeneration overlap has a revocation time in the
		// future; the store brings it forward to now.
		if err := tx.RevokeKey(ctx, teamID, keyID, at); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, teamID, "key.revoked", "key", k.ID, keySummary(k))
	})
}

// RegenerateSCIMKey replaces a team's SCIM key (Super and Team Admins):
// a new key with the same name and the same lifetime is created, and the
// old one stays ACTIVE for overlap (so the identity provider can be
// updated) and is revoked then; an overlap of zero revokes it now. Only an
// ACTIVE key can be regenerated.
func (s *Service) RegenerateSCIMKey(ctx context.Context, p core.Principal, teamID, keyID string, overlap time.Duration) (NewKey, error) {
	if err := p.Can(core.PermSCIMManage, teamID); err != nil {
		return NewKey{}, err
	}
	if overlap < 0 {
		return NewKey{}, invalid("invalidOverlap", "the overlap cannot be negative")
	}
	now := s.clock()
	var out NewKey
	err := s.store.InTx(ctx, func(tx store.Tx) error {
		old, err := teamKey(ctx, tx, teamID, keyID, core.KeySCIM)
		if err != nil {
			return err
		}
		if st := old.Status(now); st != core.KeyActive {
			return conflict("keyNotActive", "the key is %s; create a new key instead", st)
		}
		var life time.Duration
		if old.ExpiresAt != nil {
			life = old.ExpiresAt.Sub(old.CreatedAt)
		}
		nk, err := s.insertKey(ctx, tx, p, teamID, core.KeySCIM, "", old.Name, life)
		if err != nil {
			return err
		}
		out = nk
		end := now.Add(overlap)
		if err := tx.RevokeKey(ctx, teamID, old.ID, end); err != nil {
			return err
		}
		sum := keySummary(nk.Key)
		sum["replaces"] = old.ID
		sum["old_prefix"] = old.Prefix
		sum["old_revoked_at"] = end.Format(time.RFC3339)
		return s.audit(ctx, tx, p, teamID, "key.regenerated", "key", nk.Key.ID, sum)
	})
	return out, err
}

// DeleteSCIMKey removes a revoked or expired SCIM key for good (Super and
// Team Admins); an ACTIVE key is KindConflict "keyActive" (revoke it
// first).
func (s *Service) DeleteSCIMKey(ctx context.Context, p core.Principal, teamID, keyID string) error {
	if err := p.Can(core.PermSCIMManage, teamID); err != nil {
		return err
	}
	now := s.clock()
	return s.store.InTx(ctx, func(tx store.Tx) error {
		k, err := teamKey(ctx, tx, teamID, keyID, core.KeySCIM)
		if err != nil {
			return err
		}
		if k.Status(now) == core.KeyActive {
			return conflict("keyActive", "only a revoked or expired key can be deleted; revoke it first")
		}
		if err := tx.DeleteKey(ctx, teamID, keyID); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, teamID, "key.deleted", "key", k.ID, keySummary(k))
	})
}
