package admin

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/rosterhq/roster/internal/core"
)

// Password rules.
const (
	minPasswordLen = 10
	maxPasswordLen = 256
)

// passwordHasher hashes passwords with argon2id in the PHC string format
// "$argon2id$v=19$m=<KiB>,t=<time>,p=<threads>$<salt>$<hash>" (RFC 9106).
type passwordHasher struct {
	time    uint32
	memory  uint32
	threads uint8
	rand    io.Reader
	// dummy is a hash of a random password, verified against when an
	// email is unknown so that sign-in takes the same time either way;
	// it is made on first use.
	dummy *lazyDummy
}

// lazyDummy holds the dummy hash, made once.
type lazyDummy struct {
	once sync.Once
	hash string
}

func defaultHasher() passwordHasher {
	return passwordHasher{time: 2, memory: 19 * 1024, threads: 1}
}

// checkPassword enforces the password rules.
func checkPassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	if n < minPasswordLen || len(pw) > maxPasswordLen {
		return invalid("weakPassword", "a password needs at least %d characters (and at most %d bytes)", minPasswordLen, maxPasswordLen)
	}
	return nil
}

// hash returns the PHC string of pw with a fresh 16-byte salt.
func (h passwordHasher) hash(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := io.ReadFull(h.rand, salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, h.time, h.memory, h.threads, 32)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, h.memory, h.time, h.threads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// verify reports whether pw matches the PHC string encoded, comparing in
// constant time. A malformed hash never matches.
func (h passwordHasher) verify(pw, encoded string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	var mem, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &t, &p); err != nil || p == 0 || t == 0 || mem == 0 || mem > 1<<22 || t > 64 {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := enc.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 128 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, mem, p, uint32(len(want))) //nolint:gosec // len(want) <= 128
	return subtle.ConstantTimeCompare(got, want) == 1
}

// mustDummy hashes a random password for verifyOrDummy.
func (h passwordHasher) mustDummy() string {
	pw := make([]byte, 24)
	if _, err := io.ReadFull(h.rand, pw); err != nil {
		// Fall back to a fixed string: the dummy only costs time, it
		// never matches anything a caller can know.
		pw = []byte("roster-dummy-password-never-matches")
	}
	d, err := h.hash(base64.RawStdEncoding.EncodeToString(pw))
	if err != nil {
		d, _ = passwordHasher{time: h.time, memory: h.memory, threads: h.threads, rand: zeroReader{}}.hash(string(pw))
	}
	return d
}

// verifyAccount checks pw against an account's hash, or against the dummy
// hash when the account is unknown or has no password, so the time taken
// does not tell whether an email is registered.
func (h passwordHasher) verifyAccount(pw string, a *core.Account) bool {
	if a == nil || a.PasswordHash == "" {
		h.dummy.once.Do(func() { h.dummy.hash = h.mustDummy() })
		h.verify(pw, h.dummy.hash)
		return false
	}
	return h.verify(pw, a.PasswordHash)
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
