package core

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"hash/crc32"
	"io"
	"strings"
	"time"
)

// KeyKind distinguishes the two families of bearer secrets.
type KeyKind string

// Key kinds and their wire prefixes. A recognisable prefix lets secret
// scanners find leaked keys; the trailing checksum lets Roster reject a
// mistyped key without a database lookup.
const (
	// KeySCIM is a team's SCIM API key, "rsk_...".
	KeySCIM KeyKind = "rsk"
	// KeyPersonal is a person's API token for the admin API, "rpt_...".
	KeyPersonal KeyKind = "rpt"
)

const (
	keyLookupLen   = 10 // base62 characters that identify a key (its stored prefix)
	keySecretLen   = 32 // further base62 characters of secret
	keyChecksumLen = 6  // base62 CRC-32 of everything before it
	base62         = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)

// KeyStatus is the lifecycle state of an API key.
type KeyStatus string

// The key states an admin sees.
const (
	KeyActive  KeyStatus = "ACTIVE"
	KeyRevoked KeyStatus = "REVOKED"
	KeyExpired KeyStatus = "EXPIRED"
)

// APIKey is a stored key: only its lookup prefix and SHA-256 hash are kept;
// the secret is shown once, when it is created.
type APIKey struct {
	ID     string
	TeamID string
	// AccountID is the person a personal token (KeyPersonal) acts for; ""
	// for SCIM keys.
	AccountID string
	Kind      KeyKind
	Name      string
	// Prefix is the public part ("rsk_" plus the lookup id) shown to admins
	// and used to find the key; it is unique across all teams.
	Prefix    string
	Hash      []byte
	CreatedAt time.Time
	CreatedBy string
	ExpiresAt *time.Time
	RevokedAt *time.Time
	LastUsed  *time.Time
}

// Status returns the key's state at time now.
func (k APIKey) Status(now time.Time) KeyStatus {
	switch {
	case k.RevokedAt != nil && !k.RevokedAt.After(now):
		return KeyRevoked
	case k.ExpiresAt != nil && !k.ExpiresAt.After(now):
		return KeyExpired
	default:
		return KeyActive
	}
}

// NewKeySecret returns a new random key of the given kind, its public
// prefix and its hash. The secret has 190 bits of entropy from r (use
// crypto/rand.Reader).
func NewKeySecret(kind KeyKind, r io.Reader) (secret, prefix string, hash []byte, err error) {
	buf := make([]byte, keyLookupLen+keySecretLen)
	if _, err := io.ReadFull(r, buf); err != nil {
		return "", "", nil, err
	}
	var b strings.Builder
	b.WriteString(string(kind))
	b.WriteByte('_')
	for _, c := range buf {
		// 248 = 4*62: rejection-free mapping would bias; re-draw instead.
		for c >= 248 {
			var one [1]byte
			if _, err := io.ReadFull(r, one[:]); err != nil {
				return "", "", nil, err
			}
			c = one[0]
		}
		b.WriteByte(base62[int(c)%62])
	}
	body := b.String()
	secret = body + checksum(body)
	prefix, _ = KeyPrefix(secret)
	return secret, prefix, HashKey(secret), nil
}

// NewKey is NewKeySecret with crypto/rand.
func NewKey(kind KeyKind) (secret, prefix string, hash []byte, err error) {
	return NewKeySecret(kind, rand.Reader)
}

func checksum(body string) string {
	n := crc32.ChecksumIEEE([]byte(body))
	out := make([]byte, keyChecksumLen)
	for i := keyChecksumLen - 1; i >= 0; i-- {
		out[i] = base62[n%62]
		n /= 62
	}
	return string(out)
}

// KeyPrefix checks a presented key's shape and checksum and returns its
// public prefix, the value to look the key up by. ok is false for anything
// that is not a well-formed Roster key; no lookup is needed then.
func KeyPrefix(secret string) (prefix string, ok bool) {
	want := 4 + keyLookupLen + keySecretLen + keyChecksumLen
	if len(secret) != want || secret[3] != '_' {
		return "", false
	}
	kind := KeyKind(secret[:3])
	if kind != KeySCIM && kind != KeyPersonal {
		return "", false
	}
	for i := 4; i < len(secret); i++ {
		if strings.IndexByte(base62, secret[i]) < 0 {
			return "", false
		}
	}
	body := secret[:len(secret)-keyChecksumLen]
	if subtle.ConstantTimeCompare([]byte(checksum(body)), []byte(secret[len(body):])) != 1 {
		return "", false
	}
	return secret[:4+keyLookupLen], true
}

// HashKey returns the SHA-256 of a key. Keys carry 190 random bits, so a
// fast hash is safe; a slow password hash would only cost latency.
func HashKey(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// VerifyKey reports, in constant time, whether secret hashes to hash.
func VerifyKey(secret string, hash []byte) bool {
	return subtle.ConstantTimeCompare(HashKey(secret), hash) == 1
}
