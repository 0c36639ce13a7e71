package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for one writer goroutine and a reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func noEnv(string) string { return "" }

func runCLI(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, noEnv, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestUsageErrors(t *testing.T) {
	cases := [][]string{
		{},
		{"nonsense"},
		{"team"},
		{"team", "explode"},
		{"team", "create", "--db", "sqlite:" + filepath.Join(t.TempDir(), "x.db")},
		{"key", "create", "--team", "x", "--bogus"},
		{"scim", "enable", "--db", "sqlite:" + filepath.Join(t.TempDir(), "y.db")},
		{"migrate", "--db", "mysql://nope"},
		{"team", "list", "stray"},
	}
	for _, args := range cases {
		_, _, err := runCLI(t, args...)
		var u usageError
		if !errors.As(err, &u) || exitCode(err) != 2 {
			t.Errorf("roster %v: err = %v, want a usage error (exit 2)", args, err)
		}
	}
}

func TestAdminCommands(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "roster.db")
	out, _, err := runCLI(t, "team", "create", "--db", db, "--slug", "acme", "--name", "Acme Inc")
	if err != nil {
		t.Fatalf("team create: %v", err)
	}
	teamID := strings.TrimSpace(out)
	if !regexp.MustCompile(`^[0-9a-f-]{36}$`).MatchString(teamID) {
		t.Fatalf("team create printed %q, want the team id alone", out)
	}
	if _, _, err := runCLI(t, "team", "create", "--db", db, "--slug", "ACME"); err == nil {
		t.Fatal("duplicate slug accepted")
	}
	out, _, err = runCLI(t, "team", "list", "--db", db)
	if err != nil || !strings.Contains(out, teamID) || !strings.Contains(out, "Acme Inc") {
		t.Fatalf("team list = %q, %v", out, err)
	}
	if out, _, err = runCLI(t, "scim", "enable", "--db", db, "--team", "acme"); err != nil || !strings.Contains(out, "on") {
		t.Fatalf("scim enable = %q, %v", out, err)
	}
	out, stderr, err := runCLI(t, "key", "create", "--db", db, "--team", "acme", "--name", "okta")
	if err != nil {
		t.Fatalf("key create: %v", err)
	}
	secret := strings.TrimSpace(out)
	if !regexp.MustCompile(`^rsk_[0-9A-Za-z]{48}$`).MatchString(secret) || strings.Count(out, "\n") != 1 {
		t.Fatalf("key create stdout = %q, want the key alone on one line", out)
	}
	if strings.Contains(stderr, secret) {
		t.Fatal("key create repeated the secret on stderr")
	}
	out, _, err = runCLI(t, "key", "list", "--db", db, "--team", "acme")
	if err != nil || !strings.Contains(out, "okta") || !strings.Contains(out, "ACTIVE") || strings.Contains(out, secret) {
		t.Fatalf("key list = %q, %v (must show the key without its secret)", out, err)
	}
	keyID := regexp.MustCompile(`[0-9a-f-]{36}`).FindString(strings.SplitN(out, "\n", 3)[1])
	if _, _, err := runCLI(t, "key", "revoke", "--db", db, "--team", "acme", "--id", keyID); err != nil {
		t.Fatalf("key revoke: %v", err)
	}
	out, _, _ = runCLI(t, "key", "list", "--db", db, "--team", "acme")
	if !strings.Contains(out, "REVOKED") {
		t.Fatalf("after revoke, key list = %q", out)
	}
	// "roster activity" is "roster scim activity".
	a1, _, err1 := runCLI(t, "activity", "--db", db, "--team", "acme")
	a2, _, err2 := runCLI(t, "scim", "activity", "--db", db, "--team", "acme")
	if err1 != nil || err2 != nil || a1 != a2 {
		t.Fatalf("activity = %q, %v; scim activity = %q, %v", a1, err1, a2, err2)
	}
	if _, _, err := runCLI(t, "activity", "--db", db, "--team", "nosuchteam"); err == nil {
		t.Fatal("activity for an unknown team succeeded")
	}
}

func TestServeFirstRunGivesWorkingKey(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "roster.db")
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", db}, noEnv, &stdout, &stderr)
	}()

	re := regexp.MustCompile(`SCIM base URL:\s+(\S+)\s+SCIM API key:\s+(\S+)`)
	var m []string
	for deadline := time.Now().Add(10 * time.Second); m == nil; {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no first-run output; stdout=%q stderr=%q", stdout.String(), stderr.String())
		}
		select {
		case err := <-done:
			t.Fatalf("serve exited early: %v; stderr=%q", err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		m = re.FindStringSubmatch(stdout.String())
	}
	base, key := m[1], m[2]

	get := func(auth string) (int, string) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/Users?startIndex=1&count=2", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := get("Bearer " + key); code != http.StatusOK || !strings.Contains(body, `"totalResults"`) {
		t.Fatalf("Okta connection test with the first-run key: %d %s", code, body)
	}
	if code, _ := get(""); code != http.StatusUnauthorized {
		t.Fatalf("no key: status %d, want 401", code)
	}

	// A second start on the same database must not create another team.
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve after SIGTERM-like cancel: %v", err)
	}
	out, _, err := runCLI(t, "team", "list", "--db", db)
	if err != nil || strings.Count(out, "default") != 1 {
		t.Fatalf("team list after first run = %q, %v", out, err)
	}
}
