package core

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestNewKeyRoundTrip(t *testing.T) {
	for _, kind := range []KeyKind{KeySCIM, KeyPersonal} {
		secret, prefix, hash, err := NewKey(kind)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, string(kind)+"_") {
			t.Errorf("secret %q lacks prefix %q", secret, kind)
		}
		if !strings.HasPrefix(secret, prefix) || len(prefix) != 4+keyLookupLen {
			t.Errorf("prefix %q is not the start of %q", prefix, secret)
		}
		got, ok := KeyPrefix(secret)
		if !ok || got != prefix {
			t.Errorf("KeyPrefix(%q) = %q, %v; want %q, true", secret, got, ok, prefix)
		}
		if !VerifyKey(secret, hash) {
			t.Error("VerifyKey rejected the key it was made from")
		}
		if bytes.Contains(hash, []byte(secret)) {
			t.Error("hash contains the secret")
		}
	}
}

func TestKeyPrefixRejectsTyposAndForeignShapes(t *testing.T) {
	secret, _, hash, err := NewKey(KeySCIM)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) string {
		b := []byte(secret)
		if b[i] == 'a' {
			b[i] = 'b'
		} else {
			b[i] = 'a'
		}
		return string(b)
	}
	bad := []string{
		"",
		"Bearer " + secret,
		secret + "x",
		secret[:len(secret)-1],
		"xyz" + secret[3:],
		flip(5),               // typo in the lookup part
		flip(len(secret) - 1), // typo in the checksum
		flip(20),              // typo in the secret part
		strings.Replace(secret, secret[6:7], "!", 1),
	}
	for _, s := range bad {
		if _, ok := KeyPrefix(s); ok {
			t.Errorf("KeyPrefix(%q) accepted a malformed key", s)
		}
		if s != secret && VerifyKey(s, hash) {
			t.Errorf("VerifyKey(%q) accepted a different key", s)
		}
	}
}

func TestKeysAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		s, p, _, err := NewKey(KeySCIM)
		if err != nil {
			t.Fatal(err)
		}
		if seen[s] || seen[p] {
			t.Fatalf("duplicate key or prefix after %d keys", len(seen))
		}
		seen[s], seen[p] = true, true
	}
}

func TestKeyStatus(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	past, future := now.Add(-time.Minute), now.Add(time.Minute)
	cases := []struct {
		name string
		key  APIKey
		want KeyStatus
	}{
		{"fresh", APIKey{}, KeyActive},
		{"expires later", APIKey{ExpiresAt: &future}, KeyActive},
		{"expired", APIKey{ExpiresAt: &past}, KeyExpired},
		{"expires now", APIKey{ExpiresAt: &now}, KeyExpired},
		{"revoked", APIKey{RevokedAt: &past}, KeyRevoked},
		{"revoked and expired", APIKey{RevokedAt: &past, ExpiresAt: &past}, KeyRevoked},
		{"revocation scheduled", APIKey{RevokedAt: &future}, KeyActive},
	}
	for _, c := range cases {
		if got := c.key.Status(now); got != c.want {
			t.Errorf("%s: Status = %s, want %s", c.name, got, c.want)
		}
	}
}

func BenchmarkVerifyKey(b *testing.B) {
	secret, _, hash, err := NewKey(KeySCIM)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := KeyPrefix(secret); !ok || !VerifyKey(secret, hash) {
			b.Fatal("rejected")
		}
	}
}
