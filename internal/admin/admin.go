package admin

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

// Defaults of a Service.
const (
	// DefaultSessionIdle is how long a session lives without use; every
	// use slides its expiry forward (at most once a minute).
	DefaultSessionIdle = 24 * time.Hour
	// DefaultSessionMaxAge is the longest a session lives, used or not.
	DefaultSessionMaxAge = 30 * 24 * time.Hour
	// DefaultDNSTimeout bounds one domain verification lookup.
	DefaultDNSTimeout = 5 * time.Second
	// sessionTouchInterval is the least time between two last-seen writes
	// of one session.
	sessionTouchInterval = time.Minute
)

// Service runs the admin use cases against one store. Every use case
// takes the core.Principal who acts, authorises it with the permission
// table (core.Principal.Can) and writes its audit event in the same
// transaction as the change. It is safe for concurrent use.
type Service struct {
	store         store.Store
	now           core.Clock
	newID         core.IDGen
	rand          io.Reader
	resolverAddr  string
	dnsTimeout    time.Duration
	sessionIdle   time.Duration
	sessionMaxAge time.Duration
	hasher        passwordHasher
	log           *slog.Logger
}

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock (default time.Now).
func WithClock(c core.Clock) Option { return func(s *Service) { s.now = c } }

// WithIDGen sets the id generator (default core.NewIDGen).
func WithIDGen(g core.IDGen) Option { return func(s *Service) { s.newID = g } }

// WithRand sets the random source for key, session and domain secrets
// (default crypto/rand).
func WithRand(r io.Reader) Option { return func(s *Service) { s.rand = r } }

// WithResolver sets the DNS server ("host:port", UDP and TCP) that domain
// verification asks for TXT records; "" (the default) uses the system
// resolver.
func WithResolver(addr string) Option { return func(s *Service) { s.resolverAddr = addr } }

// WithDNSTimeout bounds one verification lookup (default
// DefaultDNSTimeout).
func WithDNSTimeout(d time.Duration) Option { return func(s *Service) { s.dnsTimeout = d } }

// WithSessionLifetime sets how long a session lives without use (idle)
// and at most (maxAge); zero keeps a default.
func WithSessionLifetime(idle, maxAge time.Duration) Option {
	return func(s *Service) {
		if idle > 0 {
			s.sessionIdle = idle
		}
		if maxAge > 0 {
			s.sessionMaxAge = maxAge
		}
	}
}

// WithPasswordCost sets the argon2id cost: time passes and memory in KiB
// (defaults 2 and 19456, the OWASP minimum). Tests lower it.
func WithPasswordCost(time uint32, memoryKiB uint32) Option {
	return func(s *Service) {
		if time > 0 {
			s.hasher.time = time
		}
		if memoryKiB > 0 {
			s.hasher.memory = memoryKiB
		}
	}
}

// WithLogger sets the logger (default slog.Default()). Nothing secret is
// ever logged.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// New returns a Service on st.
func New(st store.Store, opts ...Option) *Service {
	s := &Service{
		store:         st,
		now:           time.Now,
		rand:          rand.Reader,
		dnsTimeout:    DefaultDNSTimeout,
		sessionIdle:   DefaultSessionIdle,
		sessionMaxAge: DefaultSessionMaxAge,
		hasher:        defaultHasher(),
	}
	for _, o := range opts {
		o(s)
	}
	if s.newID == nil {
		s.newID = core.NewIDGen(s.now, nil)
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.hasher.rand = s.rand
	s.hasher.dummy = &lazyDummy{}
	return s
}

// clock returns the current time in UTC truncated to milliseconds, so
// what a use case returns is what a later read shows.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// audit appends an audit event of p in tx.
func (s *Service) audit(ctx context.Context, tx store.Tx, p core.Principal, teamID, action, targetType, targetID string, summary map[string]any) error {
	e := p.Audit(teamID, action, targetType, targetID, summary)
	e.ID = s.newID()
	e.At = s.clock()
	return tx.AppendAudit(ctx, e)
}

// change appends a change-feed entry in tx.
func (s *Service) change(ctx context.Context, tx store.Tx, teamID, typ, resourceID string, data map[string]any) error {
	c := core.Change{TeamID: teamID, At: s.clock(), Type: typ, ResourceID: resourceID, Data: data}
	return tx.AppendChange(ctx, &c)
}

// invalid is a KindInvalid error with a code.
func invalid(code, format string, args ...any) error {
	return core.Errorf(core.KindInvalid, code, format, args...)
}

// forbidden is a KindForbidden error with code "forbidden".
func forbidden(format string, args ...any) error {
	return core.Errorf(core.KindForbidden, "forbidden", format, args...)
}

// conflict is a KindConflict error with a code.
func conflict(code, format string, args ...any) error {
	return core.Errorf(core.KindConflict, code, format, args...)
}
