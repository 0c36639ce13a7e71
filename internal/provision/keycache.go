package provision

import (
	"context"
	"sync"
	"time"

	"github.com/rosterhq/roster/internal/core"
)

// keyCache keeps the key checks Authenticate made (the key row and its
// team, as store.Reader.KeyWithTeam returned them), so that a request
// with a known key costs one read of the authentication epoch instead of
// the key and team join. An entry is used only while the epoch is the one
// read before the entry was: every write that can change a key check
// (a key created, revoked or deleted, a team's SCIM switch changed; by
// any process or instance) moves the epoch in its own transaction, so the
// next request after such a write reads the key again. The secret is
// never kept: each request's secret is verified against the cached hash.
// Expiry is decided per request from the cached expiry time.
//
// maxAge bounds how long an entry lives regardless, as a backstop for a
// key changed by hand in the database, or by a Roster version older than
// the epoch during a rolling upgrade.
type keyCache struct {
	mu      sync.Mutex
	entries map[string]keyEntry // by key prefix
	maxAge  time.Duration
	max     int
}

// keyEntry is one cached key check.
type keyEntry struct {
	key   core.APIKey
	team  core.Team
	epoch int64
	read  time.Time
}

const (
	// keyCacheSize bounds the cached keys (the cache is emptied when
	// full).
	keyCacheSize = 10_000
	// keyCacheMaxAge is the backstop lifetime of an entry.
	keyCacheMaxAge = 10 * time.Second
)

func newKeyCache() *keyCache {
	return &keyCache{entries: map[string]keyEntry{}, maxAge: keyCacheMaxAge, max: keyCacheSize}
}

// keyWithTeam returns what s.st.KeyWithTeam returns for prefix, from the
// cache when the authentication epoch has not moved since the entry was
// read.
func (s *Service) keyWithTeam(ctx context.Context, prefix string, now time.Time) (core.APIKey, core.Team, error) {
	epoch, err := s.st.AuthEpoch(ctx)
	if err != nil {
		return core.APIKey{}, core.Team{}, err
	}
	c := s.keys
	c.mu.Lock()
	e, ok := c.entries[prefix]
	c.mu.Unlock()
	if ok && e.epoch == epoch && now.Sub(e.read) < c.maxAge && !now.Before(e.read) {
		return e.key, e.team, nil
	}
	// The epoch was read first: a change after it moves the epoch, and
	// the next request then finds this entry stale.
	key, team, err := s.st.KeyWithTeam(ctx, prefix)
	if err != nil {
		c.mu.Lock()
		delete(c.entries, prefix)
		c.mu.Unlock()
		return key, team, err
	}
	c.mu.Lock()
	if len(c.entries) >= c.max {
		clear(c.entries)
	}
	c.entries[prefix] = keyEntry{key: key, team: team, epoch: epoch, read: now}
	c.mu.Unlock()
	return key, team, nil
}
