package admin

import (
	"context"
	"crypto/rand"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

// Service runs the admin use cases against one store.
type Service struct {
	store store.Store
	now   core.Clock
	newID core.IDGen
	rand  io.Reader
}

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock (default time.Now).
func WithClock(c core.Clock) Option { return func(s *Service) { s.now = c } }

// WithIDGen sets the id generator (default core.NewIDGen).
func WithIDGen(g core.IDGen) Option { return func(s *Service) { s.newID = g } }

// WithRand sets the random source for key secrets (default crypto/rand).
func WithRand(r io.Reader) Option { return func(s *Service) { s.rand = r } }

// New returns a Service on st.
func New(st store.Store, opts ...Option) *Service {
	s := &Service{store: st, now: time.Now, rand: rand.Reader}
	for _, o := range opts {
		o(s)
	}
	if s.newID == nil {
		s.newID = core.NewIDGen(s.now, nil)
	}
	return s
}

var slugRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)

// CreateTeam creates a team with the given slug (lower-case letters,
// digits and inner hyphens, at most 63 characters) and display name. SCIM
// starts switched off.
func (s *Service) CreateTeam(ctx context.Context, slug, name string) (core.Team, error) {
	slug = strings.ToLower(strings.TrimSpace(slug))
	if !slugRE.MatchString(slug) {
		return core.Team{}, core.Errorf(core.KindInvalid, "invalidSlug",
			"team slug %q must be 1-63 lower-case letters, digits or inner hyphens", slug)
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = slug
	}
	now := s.now().UTC()
	t := core.Team{ID: s.newID(), Slug: slug, Name: name, CreatedAt: now, UpdatedAt: now}
	err := s.store.InTx(ctx, func(tx store.Tx) error { return tx.CreateTeam(ctx, t) })
	if err != nil {
		return core.Team{}, err
	}
	return t, nil
}

// Team returns a team by id or slug.
func (s *Service) Team(ctx context.Context, idOrSlug string) (core.Team, error) {
	t, err := s.store.TeamBySlug(ctx, idOrSlug)
	if core.IsKind(err, core.KindNotFound) {
		return s.store.Team(ctx, idOrSlug)
	}
	return t, err
}

// Teams lists every team.
func (s *Service) Teams(ctx context.Context) ([]core.Team, error) { return s.store.Teams(ctx) }

// SetSCIM switches SCIM provisioning on or off for a team. While it is off,
// every valid key of the team is refused with 403.
func (s *Service) SetSCIM(ctx context.Context, teamID string, enabled bool) (core.Team, error) {
	var out core.Team
	err := s.store.InTx(ctx, func(tx store.Tx) error {
		t, err := tx.Team(ctx, teamID)
		if err != nil {
			return err
		}
		t.SCIMEnabled = enabled
		t.UpdatedAt = s.now().UTC()
		out = t
		return tx.UpdateTeam(ctx, t)
	})
	return out, err
}

// NewKey is a freshly created key: Secret is shown once and never stored.
type NewKey struct {
	Key    core.APIKey
	Secret string
}

// CreateKey makes a SCIM API key for a team. expiresIn of zero means the
// key does not expire. createdBy names the actor (an account id, or "cli").
func (s *Service) CreateKey(ctx context.Context, teamID, name, createdBy string, expiresIn time.Duration) (NewKey, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return NewKey{}, core.Errorf(core.KindInvalid, "invalidName", "a key needs a name of 1-100 characters")
	}
	if expiresIn < 0 {
		return NewKey{}, core.Errorf(core.KindInvalid, "invalidExpiry", "a key's expiry must be in the future")
	}
	secret, prefix, hash, err := core.NewKeySecret(core.KeySCIM, s.rand)
	if err != nil {
		return NewKey{}, err
	}
	now := s.now().UTC()
	k := core.APIKey{
		ID: s.newID(), TeamID: teamID, Kind: core.KeySCIM, Name: name,
		Prefix: prefix, Hash: hash, CreatedAt: now, CreatedBy: createdBy,
	}
	if expiresIn > 0 {
		exp := now.Add(expiresIn)
		k.ExpiresAt = &exp
	}
	err = s.store.InTx(ctx, func(tx store.Tx) error {
		if _, err := tx.Team(ctx, teamID); err != nil {
			return err
		}
		return tx.CreateKey(ctx, k)
	})
	if err != nil {
		return NewKey{}, err
	}
	return NewKey{Key: k, Secret: secret}, nil
}

// Keys lists a team's SCIM keys, newest first.
func (s *Service) Keys(ctx context.Context, teamID string) ([]core.APIKey, error) {
	return s.store.Keys(ctx, teamID, core.KeySCIM)
}

// RevokeKey revokes a team's key now; the next request with it is refused
// on every instance, since each request reads the key from the database.
func (s *Service) RevokeKey(ctx context.Context, teamID, keyID string) error {
	at := s.now().UTC()
	return s.store.InTx(ctx, func(tx store.Tx) error { return tx.RevokeKey(ctx, teamID, keyID, at) })
}
