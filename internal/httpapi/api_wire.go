package httpapi

import (
	"time"

	roster "github.com/rosterhq/roster"
	"github.com/rosterhq/roster/internal/admin"
	"github.com/rosterhq/roster/internal/core"
)

// This file turns domain values into the wire types of package roster.
// Nothing secret (hashes, session tokens) has a field to go to.

func wireTeam(t core.Team) roster.Team {
	return roster.Team{ID: t.ID, Slug: t.Slug, Name: t.Name, SCIMEnabled: t.SCIMEnabled, CreatedAt: t.CreatedAt}
}

func wireAccount(a core.Account) roster.Account {
	return roster.Account{ID: a.ID, Email: a.Email, DisplayName: a.DisplayName, CreatedAt: a.CreatedAt}
}

func wireMember(m core.Member) roster.Member {
	out := roster.Member{
		ID: m.ID, AccountID: m.AccountID, Email: m.Email, UserName: m.UserName,
		Role: string(m.Role), Status: string(m.Status), Active: m.Active, SCIMManaged: m.SCIMManaged,
		CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt,
	}
	if dn, ok := m.Doc["displayName"].(string); ok {
		out.DisplayName = dn
	}
	return out
}

func wireMembers(ms []core.Member) []roster.Member {
	out := make([]roster.Member, 0, len(ms))
	for _, m := range ms {
		out = append(out, wireMember(m))
	}
	return out
}

// wireKey returns a key as listed; status is its state now.
func wireKey(k core.APIKey, status core.KeyStatus) roster.Key {
	return roster.Key{
		ID: k.ID, Name: k.Name, Prefix: k.Prefix, Status: string(status),
		CreatedAt: k.CreatedAt, CreatedBy: k.CreatedBy,
		LastUsedAt: k.LastUsed, ExpiresAt: k.ExpiresAt, RevokedAt: k.RevokedAt,
	}
}

func wireKeyViews(ks []admin.KeyView) []roster.Key {
	out := make([]roster.Key, 0, len(ks))
	for _, k := range ks {
		out = append(out, wireKey(k.APIKey, k.Status))
	}
	return out
}

func wireNewKey(k admin.NewKey, now time.Time) roster.NewKey {
	return roster.NewKey{Key: wireKey(k.Key, k.Key.Status(now)), Secret: k.Secret}
}

func wireMe(m admin.Me, c *caller) roster.Me {
	out := roster.Me{Account: wireAccount(m.Account), SCIMManaged: m.SCIMLocked, AuthMethod: c.method()}
	if m.Team != nil {
		t := wireTeam(*m.Team)
		out.Team = &t
	}
	if m.Member != nil {
		mm := wireMember(*m.Member)
		out.Member = &mm
	}
	return out
}
