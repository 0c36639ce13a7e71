package provision_test

import (
	"bytes"
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/admin"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/provision"
	"github.com/rosterhq/roster/internal/provision/provisiontest"
	"github.com/rosterhq/roster/internal/store"
	"github.com/rosterhq/roster/internal/store/sqlite"
)

// countingStore counts the key reads Authenticate makes.
type countingStore struct {
	store.Store
	keyReads, epochReads atomic.Int64
}

func (c *countingStore) KeyWithTeam(ctx context.Context, prefix string) (core.APIKey, core.Team, error) {
	c.keyReads.Add(1)
	return c.Store.KeyWithTeam(ctx, prefix)
}

func (c *countingStore) AuthEpoch(ctx context.Context) (int64, error) {
	c.epochReads.Add(1)
	return c.Store.AuthEpoch(ctx)
}

// accepted is wantAuth's "no error".
const accepted = core.Kind(-1)

// wantAuth checks Authenticate's outcome: accepted, or the error kind.
func wantAuth(t *testing.T, svc *provision.Service, key, what string, kind core.Kind) {
	t.Helper()
	_, err := svc.Authenticate(context.Background(), "Bearer "+key)
	switch {
	case kind == accepted && err != nil:
		t.Errorf("%s: Authenticate = %v, want success", what, err)
	case kind != accepted && !core.IsKind(err, kind):
		t.Errorf("%s: Authenticate = %v, want error kind %d", what, err, kind)
	}
}

// TestKeyCacheUsesEpoch: a key already checked costs one epoch read, not
// a key read; a change of any key check moves the epoch and the next
// request reads the key again.
func TestKeyCacheUsesEpoch(t *testing.T) {
	for _, be := range provisiontest.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			st := &countingStore{Store: be.Open(t)}
			env := provisiontest.New(t, st.Store)
			svc := provision.New(st, provision.Config{})
			for range 5 {
				wantAuth(t, svc, env.Key, "a known key", accepted)
			}
			if n := st.keyReads.Load(); n != 1 {
				t.Errorf("5 requests with one key read the key %d times, want 1 (the cache is not used)", n)
			}
			if n := st.epochReads.Load(); n != 5 {
				t.Errorf("5 requests read the epoch %d times, want 5 (one per request)", n)
			}
			// A second key of the team moves the epoch: the next request
			// reads its key again, and is still accepted.
			other := env.NewKey(env.Team.ID)
			wantAuth(t, svc, env.Key, "after another key was created", accepted)
			if n := st.keyReads.Load(); n != 2 {
				t.Errorf("after the epoch moved, key reads = %d, want 2", n)
			}
			wantAuth(t, svc, other, "the new key", accepted)
		})
	}
}

// TestKeyCacheSeesOtherProcesses: with the cache warm, a key revoked and
// a SCIM switch turned off by another process on the same database (the
// CLI, another instance) are refused on the next request.
func TestKeyCacheSeesOtherProcesses(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "roster.db")
	open := func() store.Store {
		st, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		return st
	}
	server, cli := open(), open()
	env := provisiontest.New(t, cli) // the team and key, made by the "CLI"
	svc := provision.New(server, provision.Config{})
	wantAuth(t, svc, env.Key, "before any change", accepted)
	wantAuth(t, svc, env.Key, "warm", accepted)

	env.SetSCIM(env.Team.ID, false)
	wantAuth(t, svc, env.Key, "SCIM switched off by another process", core.KindForbidden)
	env.SetSCIM(env.Team.ID, true)
	wantAuth(t, svc, env.Key, "SCIM switched on again", accepted)

	keys, err := cli.Keys(ctx, env.Team.ID, core.KeySCIM)
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys: %v %v", keys, err)
	}
	if err := admin.New(cli).RevokeKey(ctx, env.Team.ID, keys[0].ID); err != nil {
		t.Fatal(err)
	}
	wantAuth(t, svc, env.Key, "revoked by another process", core.KindUnauthenticated)
}

// TestKeyCacheChecksEachRequest: what the cache holds is the key row, not
// the decision: a wrong secret with a cached key's prefix is refused, and
// a cached key that expires is refused once it has.
func TestKeyCacheChecksEachRequest(t *testing.T) {
	ctx := context.Background()
	st := provisiontest.OpenSQLite(t)
	env := provisiontest.New(t, st)
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }

	// Two well-formed keys with one lookup prefix: the same first 10 random
	// bytes, different secret bytes. Only the first is stored.
	lookup := bytes.Repeat([]byte{7}, 10)
	real, prefix, hash, err := core.NewKeySecret(core.KeySCIM, bytes.NewReader(append(lookup, bytes.Repeat([]byte{1}, 32)...)))
	if err != nil {
		t.Fatal(err)
	}
	forged, forgedPrefix, _, err := core.NewKeySecret(core.KeySCIM, bytes.NewReader(append(lookup, bytes.Repeat([]byte{2}, 32)...)))
	if err != nil || forgedPrefix != prefix || forged == real {
		t.Fatalf("forging a key with the same prefix: %v %q %q", err, forgedPrefix, prefix)
	}
	expires := clock().Add(time.Minute)
	key := core.APIKey{ID: core.NewIDGen(nil, nil)(), TeamID: env.Team.ID, Kind: core.KeySCIM, Name: "short", Prefix: prefix, Hash: hash,
		CreatedAt: clock().UTC(), ExpiresAt: &expires}
	if err := st.InTx(ctx, func(tx store.Tx) error { return tx.CreateKey(ctx, key) }); err != nil {
		t.Fatal(err)
	}

	svc := provision.New(st, provision.Config{Now: clock})
	wantAuth(t, svc, real, "a fresh key", accepted)
	wantAuth(t, svc, forged, "a wrong secret with a cached key's prefix", core.KindUnauthenticated)
	wantAuth(t, svc, real, "the right secret after a wrong one", accepted)
	now.Add(int64(2 * time.Minute))
	wantAuth(t, svc, real, "the cached key after it expired", core.KindUnauthenticated)
}
