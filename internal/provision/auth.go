package provision

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

// Caller is an authenticated SCIM client: the team whose API key it
// presented. Every use case is scoped to Caller.TeamID.
type Caller struct {
	// TeamID is the tenant, decided by the key and nothing else.
	TeamID string
	// KeyID is the id of the API key used.
	KeyID string
	// KeyPrefix is the key's public prefix (safe to log).
	KeyPrefix string
	// KeyName is the key's name, the actor's name in the audit log.
	KeyName string
	// IP and UserAgent describe the request, for the audit log; the
	// transport sets them.
	IP        string
	UserAgent string
}

// Authenticate checks the value of an Authorization header and returns the
// caller. It accepts "Bearer <key>" (scheme in any letter case) and the
// bare key (Okta's header-auth apps send what the admin typed), with
// surrounding whitespace trimmed (docs/idp-behaviour.md row 8).
//
// A missing, malformed (wrong shape or checksum: rejected without a
// database lookup), unknown, revoked or expired key, or a key that is not
// a SCIM key, is a *core.Error of KindUnauthenticated whose message says
// which, and never contains the key. A valid key of a team whose SCIM
// switch is off is KindForbidden. The key's last use is recorded at most
// once a minute per key and process, so authentication does not write on
// every request; a key already checked costs one read of the
// authentication epoch (keycache.go).
func (s *Service) Authenticate(ctx context.Context, authorization string) (Caller, error) {
	secret, err := parseAuthorization(authorization)
	if err != nil {
		return Caller{}, err
	}
	prefix, ok := core.KeyPrefix(secret)
	if !ok {
		return Caller{}, unauthenticated("the API key is malformed: it is not a Roster SCIM key, or it was mistyped or truncated")
	}
	// The key and its team, from the key cache while the authentication
	// epoch stays put (keycache.go), else one indexed read: a key revoked
	// or a SCIM switch turned off, through any process, is refused on the
	// next request.
	now := s.cfg.Now().UTC()
	key, team, err := s.keyWithTeam(ctx, prefix, now)
	if core.IsKind(err, core.KindNotFound) {
		return Caller{}, unauthenticated("the API key is not recognised: it may have been deleted, or belong to another Roster installation")
	}
	if err != nil {
		return Caller{}, err
	}
	if !core.VerifyKey(secret, key.Hash) {
		return Caller{}, unauthenticated("the API key is not recognised: it may have been deleted, or belong to another Roster installation")
	}
	if key.Kind != core.KeySCIM {
		return Caller{}, unauthenticated("the API key is not a SCIM API key; create one in the team's SCIM settings")
	}
	switch key.Status(now) {
	case core.KeyRevoked:
		return Caller{}, refused(key, unauthenticated("the API key has been revoked; generate a new key in the team's SCIM settings"))
	case core.KeyExpired:
		return Caller{}, refused(key, unauthenticated("the API key has expired; generate a new key in the team's SCIM settings"))
	}
	if team.ID == "" {
		return Caller{}, unauthenticated("the API key is not recognised: its team no longer exists")
	}
	if !team.SCIMEnabled {
		return Caller{}, refused(key, core.Errorf(core.KindForbidden, "", "SCIM provisioning is disabled for this team; a team administrator can turn it on in the team's authentication settings"))
	}
	s.touchKey(ctx, key, now)
	return Caller{TeamID: key.TeamID, KeyID: key.ID, KeyPrefix: key.Prefix, KeyName: key.Name}, nil
}

// parseAuthorization extracts the key from an Authorization header value.
func parseAuthorization(h string) (string, error) {
	h = strings.TrimSpace(h)
	if h == "" {
		return "", unauthenticated("the request has no API key: send the team's SCIM API key as \"Authorization: Bearer <key>\"")
	}
	scheme, rest, found := strings.Cut(h, " ")
	if !found {
		scheme, rest, found = strings.Cut(h, "\t")
	}
	if found {
		if !strings.EqualFold(scheme, "Bearer") {
			return "", unauthenticated("the Authorization scheme is not supported: send the team's SCIM API key as \"Authorization: Bearer <key>\"")
		}
		h = strings.TrimSpace(rest)
		if h == "" {
			return "", unauthenticated("the request has no API key after \"Bearer\"")
		}
	} else if strings.EqualFold(h, "Bearer") {
		return "", unauthenticated("the request has no API key after \"Bearer\"")
	}
	return h, nil
}

func unauthenticated(msg string) *core.Error {
	return &core.Error{Kind: core.KindUnauthenticated, Message: msg}
}

// touchKey records the key's use when its stored last use, and this
// process's last write, are more than keyTouchInterval old. A failure is
// logged and does not fail the request.
func (s *Service) touchKey(ctx context.Context, key core.APIKey, now time.Time) {
	if key.LastUsed != nil && now.Sub(*key.LastUsed) < keyTouchInterval {
		return
	}
	if !s.touched.claim(key.ID, now) {
		return
	}
	err := s.st.InTx(ctx, func(tx store.Tx) error { return tx.TouchKey(ctx, key.ID, now) })
	if err != nil {
		s.log.WarnContext(ctx, "recording API key use failed", "key_prefix", key.Prefix, "err", err)
	}
}

// touchMemo remembers when this process last recorded each key's use, so
// that concurrent requests with one key write at most once a minute.
type touchMemo struct {
	mu   sync.Mutex
	last map[string]time.Time
}

func newTouchMemo() *touchMemo { return &touchMemo{last: map[string]time.Time{}} }

// claim reports whether the caller should write the key's last use now,
// and if so records that it does.
func (m *touchMemo) claim(keyID string, now time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t, ok := m.last[keyID]; ok && now.Sub(t) < keyTouchInterval {
		return false
	}
	if len(m.last) > 10_000 { // bound memory: forget old entries
		for id, t := range m.last {
			if now.Sub(t) >= keyTouchInterval {
				delete(m.last, id)
			}
		}
	}
	m.last[keyID] = now
	return true
}
