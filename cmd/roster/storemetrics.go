package main

import (
	"context"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/httpapi"
	"github.com/rosterhq/roster/internal/store"
)

// timedStore is a store.Store that reports the latency of transactions,
// pings and the per-request authentication reads to the /metrics
// registry (httpapi must not import the store, so the decorator lives
// here, where the wiring is). Every other method passes through.
type timedStore struct {
	store.Store
	m *httpapi.Metrics
}

// InTx times a whole read-write transaction, retries included.
func (s timedStore) InTx(ctx context.Context, fn func(store.Tx) error) error {
	t := time.Now()
	err := s.Store.InTx(ctx, fn)
	s.m.ObserveStore("tx", time.Since(t))
	return err
}

// Ping times a readiness ping.
func (s timedStore) Ping(ctx context.Context) error {
	t := time.Now()
	err := s.Store.Ping(ctx)
	s.m.ObserveStore("ping", time.Since(t))
	return err
}

// KeyByPrefix times the API key look-up every SCIM request makes.
func (s timedStore) KeyByPrefix(ctx context.Context, prefix string) (core.APIKey, error) {
	t := time.Now()
	k, err := s.Store.KeyByPrefix(ctx, prefix)
	s.m.ObserveStore("key_by_prefix", time.Since(t))
	return k, err
}

// KeyWithTeam times the one read (key and team) that authenticates every
// SCIM request.
func (s timedStore) KeyWithTeam(ctx context.Context, prefix string) (core.APIKey, core.Team, error) {
	t := time.Now()
	k, team, err := s.Store.KeyWithTeam(ctx, prefix)
	s.m.ObserveStore("key_with_team", time.Since(t))
	return k, team, err
}

// Team times a team look-up.
func (s timedStore) Team(ctx context.Context, id string) (core.Team, error) {
	t := time.Now()
	team, err := s.Store.Team(ctx, id)
	s.m.ObserveStore("team", time.Since(t))
	return team, err
}
