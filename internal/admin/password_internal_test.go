package admin

import (
	"crypto/rand"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/core"
)

func TestPasswordHasher(t *testing.T) {
	h := passwordHasher{time: 1, memory: 1024, threads: 1, rand: rand.Reader, dummy: &lazyDummy{}}
	enc, err := h.hash("a fine password")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Errorf("hash %q", enc)
	}
	if !h.verify("a fine password", enc) || h.verify("a fine passwore", enc) {
		t.Error("verify")
	}
	enc2, _ := h.hash("a fine password")
	if enc2 == enc {
		t.Error("salt not random")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1024,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=99999999,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=1024,t=1,p=1$!!$AAAA", "plain"} {
		if h.verify("x", bad) {
			t.Errorf("malformed hash %q matched", bad)
		}
	}
	if h.verifyAccount("x", nil) || h.verifyAccount("x", &core.Account{}) {
		t.Error("unknown account matched")
	}
	if h.dummy.hash == "" {
		t.Error("dummy hash not used for an unknown account")
	}
}
