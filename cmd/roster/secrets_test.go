package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	roster "github.com/rosterhq/roster"
)

// TestNoSecretsAtRest runs a session of SCIM and admin API traffic through
// the real `roster serve` on SQLite, stops it, and greps the whole
// database directory (the file, its WAL and shared memory) and the
// server's stdout and stderr for every secret the session used: SCIM keys
// (first-run, created, regenerated, revoked, a wrong one), personal
// tokens, session cookies, CSRF tokens, the --secret, every password sent
// (SCIM users' passwords in POST, PUT, PATCH and Bulk bodies; account
// passwords at setup, sign-up, sign-in, change, and a wrong one) and the
// raw Authorization header values. None may appear, except the first-run
// key in the first-run banner on stdout, which is its one showing, and
// CSRF tokens in the database (see grepSecrets). The logs must not hold an email address in clear
// either (redaction is the default).
func TestNoSecretsAtRest(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real server; skipped with -short")
	}
	bin := buildRoster(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "secrets.db")
	secret := "srv-" + rand.Text() + rand.Text()
	p, addr := startRoster(t, bin, db, "127.0.0.1:0", "--secret", secret)
	secrets, emails := secretSession(t, p, addr, secret)
	var files, csrfInDB int
	var dbBytes int64
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range entries {
		raw, err := os.ReadFile(filepath.Join(dir, en.Name()))
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			t.Fatal(err)
		}
		files++
		dbBytes += int64(len(raw))
		csrfInDB += grepSecrets(t, en.Name(), raw, secrets)
	}
	grepLogs(t, p, secrets, emails)
	t.Logf("secrets grep: %d secret values (with their Authorization forms), %d emails; %d database files (%d bytes), %d bytes of stderr: none found (CSRF tokens of ended sessions left in SQLite's free pages: %d)",
		len(secrets), len(emails), files, dbBytes, len(p.stderr.String()), csrfInDB)
}

// TestNoSecretsAtRestPostgres is TestNoSecretsAtRest on a fresh
// PostgreSQL schema: after the session it dumps every row of every table
// of the schema as text (what pg_dump would write) and greps it, and the
// logs, for every secret.
func TestNoSecretsAtRestPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real server; skipped with -short")
	}
	e := newPGEnv(t, "secrets")
	bin := buildRoster(t)
	secret := "srv-" + rand.Text() + rand.Text()
	p, addr := e.start(t, bin, "127.0.0.1:0", "--secret", secret)
	secrets, emails := secretSession(t, p, addr, secret)
	ctx := context.Background()
	rows, err := e.db.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1`, e.schema)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	var dump bytes.Buffer
	nrows := 0
	for _, tbl := range tables {
		rs, err := e.db.Query(ctx, `SELECT t::text FROM `+pgx.Identifier{e.schema, tbl}.Sanitize()+` AS t`)
		if err != nil {
			t.Fatalf("dump %s: %v", tbl, err)
		}
		for rs.Next() {
			var line string
			if err := rs.Scan(&line); err != nil {
				t.Fatal(err)
			}
			dump.WriteString(tbl + " " + line + "\n")
			nrows++
		}
		rs.Close()
	}
	if nrows == 0 || !bytes.Contains(dump.Bytes(), []byte("secrets-grep.example")) {
		t.Fatalf("the dump of %d tables has %d rows and none of the session's data", len(tables), nrows)
	}
	csrf := grepSecrets(t, "the PostgreSQL dump", dump.Bytes(), secrets)
	grepLogs(t, p, secrets, emails)
	t.Logf("secrets grep (PostgreSQL): %d secret values, %d emails; %d tables, %d rows, %d bytes of dump; %d bytes of stderr: none found (CSRF tokens found: %d)",
		len(secrets), len(emails), len(tables), nrows, dump.Len(), len(p.stderr.String()), csrf)
}

// secretSession runs the session of TestNoSecretsAtRest against a running
// server, stops it with SIGTERM, and returns every secret used (with its
// "Bearer" form) and every email.
func secretSession(t *testing.T, p *proc, addr, secret string) (map[string]string, map[string]bool) {
	t.Helper()
	base := "http://" + addr
	m := firstRunKey.FindStringSubmatch(p.stdout.String())
	if m == nil {
		t.Fatalf("no first-run key:\n%s", p.stdout.String())
	}
	secrets := map[string]string{"--secret": secret, "first-run SCIM key": m[1]}
	emails := map[string]bool{}
	pw := func(what string) string {
		v := "Pw-" + rand.Text()
		secrets[what] = v
		return v
	}
	ctx := context.Background()

	// Admin API: setup, sign-in, tokens, keys.
	jar, _ := cookiejar.New(nil)
	adm, err := roster.NewClient(base, roster.WithHTTPClient(&http.Client{Timeout: 10 * time.Second, Jar: jar}))
	if err != nil {
		t.Fatal(err)
	}
	adminEmail := "the.admin@secrets-grep.example"
	emails[adminEmail] = true
	setupPw := pw("setup password")
	su, err := adm.Setup(ctx, roster.SetupRequest{Email: adminEmail, Password: setupPw, DisplayName: "Admin"})
	if err != nil {
		t.Fatalf("setup: %v", err)
	}
	team := su.Team.ID
	secrets["CSRF token (setup)"] = su.Session.CSRFToken
	cookie := func(what string) {
		u, _ := url.Parse(base)
		for _, ck := range jar.Cookies(u) {
			if ck.Name == roster.SessionCookie {
				secrets[what] = ck.Value
				return
			}
		}
		t.Errorf("%s: no session cookie", what)
	}
	cookie("session cookie (setup)")
	// SCIM traffic with passwords in every kind of write.
	c := &idp{base: base, key: m[1], client: &http.Client{Timeout: 10 * time.Second}}
	var ids []string
	for i := range 3 {
		email := fmt.Sprintf("person.%d@secrets-grep.example", i)
		emails[email] = true
		body := oktaUser(email, i)
		body["password"] = pw(fmt.Sprintf("SCIM POST password %d", i))
		st, res := c.do("POST", "/scim/v2/Users", body)
		if st != 201 {
			t.Fatalf("POST user: %d %v", st, res)
		}
		ids = append(ids, res["id"].(string))
	}
	put := oktaUser("person.0@secrets-grep.example", 0)
	put["password"] = pw("SCIM PUT password")
	if st, res := c.do("PUT", "/scim/v2/Users/"+ids[0], put); st != 200 {
		t.Fatalf("PUT: %d %v", st, res)
	}
	if st, res := c.do("PATCH", "/scim/v2/Users/"+ids[1], patchOp(map[string]any{"op": "replace", "path": "password", "value": pw("SCIM PATCH password")})); st != 200 && st != 204 {
		t.Fatalf("PATCH password: %d %v", st, res)
	}
	if st, res := c.do("PATCH", "/scim/v2/Users/"+ids[2], patchOp(map[string]any{"op": "Replace", "value": map[string]any{"password": pw("SCIM path-less PATCH password")}})); st != 200 && st != 204 {
		t.Fatalf("PATCH value password: %d %v", st, res)
	}
	bulkUser := oktaUser("person.bulk@secrets-grep.example", 9)
	emails["person.bulk@secrets-grep.example"] = true
	bulkUser["password"] = pw("SCIM Bulk password")
	if st, res := c.do("POST", "/scim/v2/Bulk", map[string]any{
		"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:BulkRequest"},
		"Operations": []any{map[string]any{"method": "POST", "path": "/Users", "bulkId": "b1", "data": bulkUser}},
	}); st != 200 {
		t.Fatalf("Bulk: %d %v", st, res)
	}
	// A failing create with a password, and a wrong key.
	dup := oktaUser("person.0@secrets-grep.example", 0)
	dup["password"] = pw("SCIM password of a refused create")
	if st, _ := c.do("POST", "/scim/v2/Users", dup); st != 409 {
		t.Errorf("duplicate create: %d, want 409", st)
	}
	wrong := &idp{base: base, key: "scim_" + rand.Text() + rand.Text(), client: c.client}
	secrets["wrong SCIM key"] = wrong.key
	if st, _ := wrong.do("GET", "/scim/v2/Users", nil); st != 401 {
		t.Errorf("wrong key: %d, want 401", st)
	}

	tok, err := adm.CreateToken(ctx, roster.CreateKeyRequest{Name: "grep"})
	if err != nil {
		t.Fatalf("token: %v", err)
	}
	secrets["personal token"] = tok.Secret
	newPw := pw("changed password")
	if err := adm.ChangePassword(ctx, setupPw, newPw); err != nil {
		t.Fatalf("change password: %v", err)
	}
	jar2, _ := cookiejar.New(nil)
	adm2, _ := roster.NewClient(base, roster.WithHTTPClient(&http.Client{Timeout: 10 * time.Second, Jar: jar2}))
	if _, err := adm2.SignIn(ctx, adminEmail, pw("wrong password")); err == nil {
		t.Error("sign-in with a wrong password succeeded")
	}
	sess, err := adm2.SignIn(ctx, adminEmail, newPw)
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	secrets["CSRF token (sign-in)"] = sess.CSRFToken
	jar = jar2
	cookie("session cookie (sign-in)")
	other := "someone.else@secrets-grep.example"
	emails[other] = true
	if _, err := adm2.SignUp(ctx, roster.SignUpRequest{Email: other, Password: pw("sign-up password")}); err != nil {
		t.Fatalf("sign up: %v", err)
	}
	tc, _ := roster.NewClient(base, roster.WithToken(tok.Secret))
	k1, err := tc.CreateSCIMKey(ctx, team, roster.CreateKeyRequest{Name: "okta"})
	if err != nil {
		t.Fatalf("create key: %v", err)
	}
	secrets["created SCIM key"] = k1.Secret
	k2, err := adm2.RegenerateSCIMKey(ctx, team, k1.Key.ID, roster.RegenerateKeyRequest{OverlapSeconds: 60})
	if err != nil {
		t.Fatalf("regenerate: %v", err)
	}
	secrets["regenerated SCIM key"] = k2.Secret
	for _, k := range []string{k1.Secret, k2.Secret} {
		kc := &idp{base: base, key: k, client: c.client}
		if st, _ := kc.do("GET", "/scim/v2/Users?count=1", nil); st != 200 {
			t.Errorf("a fresh key: %d", st)
		}
	}
	if err := tc.RevokeSCIMKey(ctx, team, k2.Key.ID); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	rc := &idp{base: base, key: k2.Secret, client: c.client}
	if st, _ := rc.do("GET", "/scim/v2/Users?count=1", nil); st != 401 {
		t.Errorf("revoked key: %d", st)
	}
	// The activity and audit logs are read once, so their paths run.
	if _, err := tc.Activity(ctx, team, roster.ActivityQuery{}); err != nil {
		t.Errorf("activity: %v", err)
	}
	if _, err := tc.Audit(ctx, team, roster.AuditQuery{}); err != nil {
		t.Errorf("audit: %v", err)
	}
	if err := adm2.SignOut(ctx); err != nil {
		t.Errorf("sign out: %v", err)
	}
	if err := tc.RevokeToken(ctx, tok.Key.ID); err != nil {
		t.Errorf("revoke token: %v", err)
	}

	// Stop cleanly (the activity queue is written).
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	<-p.done
	if p.err != nil {
		t.Fatalf("serve: %v", p.err)
	}
	bearer := map[string]string{}
	for what, v := range secrets {
		if len(v) < 12 {
			t.Fatalf("%s is too short to grep for: %q", what, v)
		}
		bearer["Authorization: Bearer "+what] = "Bearer " + v
	}
	for what, v := range bearer {
		secrets[what] = v
	}
	return secrets, emails
}

// grepSecrets reports every secret found in raw (a database file or
// dump) and returns how many CSRF tokens it found: those are kept in
// clear in the session row, because the web UI renders them into its
// forms, and on SQLite a signed-out session's row stays in the file's
// free pages until they are reused (no secure_delete). A per-session
// nonce grants nothing without the session cookie, which is stored only
// as a hash, and the session is gone; it must still never reach a log.
func grepSecrets(t *testing.T, name string, raw []byte, secrets map[string]string) int {
	t.Helper()
	csrf := 0
	for what, v := range secrets {
		if !bytes.Contains(raw, []byte(v)) {
			continue
		}
		if strings.HasPrefix(what, "CSRF token") {
			csrf++
			continue
		}
		t.Errorf("%s appears in %s", what, name)
	}
	return csrf
}

// grepLogs checks the server's stdout (but for the first-run banner's
// key) and stderr for every secret and for emails in clear.
func grepLogs(t *testing.T, p *proc, secrets map[string]string, emails map[string]bool) {
	t.Helper()
	banner := p.stdout.String()
	stdout := strings.Replace(banner, "SCIM API key:   "+secrets["first-run SCIM key"], "SCIM API key:   <first-run>", 1)
	logs := map[string]string{"stdout": stdout, "stderr": p.stderr.String()}
	for name, text := range logs {
		for what, v := range secrets {
			if strings.Contains(text, v) {
				t.Errorf("%s appears in %s", what, name)
			}
		}
		for e := range emails {
			if strings.Contains(strings.ToLower(text), e) {
				t.Errorf("email %s appears in clear in %s", e, name)
			}
		}
	}
	if !strings.Contains(p.stderr.String(), `msg="http request"`) {
		t.Error("no access-log lines: the grep of the logs proves nothing")
	}
}
