package main

import (
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/testdns"
)

// Every admin action has a subcommand working on --db, audited with the
// CLI as the actor.
func TestAdminParityCommands(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "roster.db")
	cli := func(args ...string) string {
		t.Helper()
		out, errOut, err := runCLI(t, append(args, "--db", db)...)
		if err != nil {
			t.Fatalf("roster %s: %v\n%s", strings.Join(args, " "), err, errOut)
		}
		return out
	}
	fails := func(want string, args ...string) {
		t.Helper()
		_, _, err := runCLI(t, append(args, "--db", db)...)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("roster %s: err = %v, want %q", strings.Join(args, " "), err, want)
		}
	}
	cli("team", "create", "--slug", "acme", "--name", "Acme")
	cli("team", "rename", "--team", "acme", "--name", "Acme Corp")
	if out := cli("team", "show", "--team", "acme"); !strings.Contains(out, "Acme Corp") || !strings.Contains(out, "off") {
		t.Fatalf("team show = %q", out)
	}
	cli("scim", "enable", "--team", "acme")
	if out := cli("scim", "status", "--team", "acme"); !strings.Contains(out, "SCIM is on") {
		t.Fatalf("scim status = %q", out)
	}
	cli("scim", "activity", "--team", "acme", "--failures")

	// Keys: create, regenerate with overlap, revoke, delete.
	secret := strings.TrimSpace(cli("key", "create", "--team", "acme", "--name", "Okta"))
	if !strings.HasPrefix(secret, "rsk_") {
		t.Fatalf("key create printed %q", secret)
	}
	keyID := regexp.MustCompile(`[0-9a-f-]{36}`).FindString(cli("key", "list", "--team", "acme"))
	newSecret := strings.TrimSpace(cli("key", "regenerate", "--team", "acme", "--id", keyID, "--overlap", "1h"))
	if !strings.HasPrefix(newSecret, "rsk_") || newSecret == secret {
		t.Fatalf("key regenerate printed %q", newSecret)
	}
	fails("", "key", "regenerate", "--team", "acme", "--overlap", "1h")
	ids := regexp.MustCompile(`(?m)^([0-9a-f-]{36})\s+Okta\s+\S+\s+ACTIVE`).FindAllStringSubmatch(cli("key", "list", "--team", "acme"), -1)
	if len(ids) != 2 {
		t.Fatalf("after regenerate, %d active keys", len(ids))
	}
	newID := ids[0][1]
	fails("revoke it first", "key", "delete", "--team", "acme", "--id", newID)
	cli("key", "revoke", "--team", "acme", "--id", newID)
	cli("key", "delete", "--team", "acme", "--id", newID)
	if out := cli("key", "list", "--team", "acme"); strings.Contains(out, newID) {
		t.Fatalf("deleted key still listed: %q", out)
	}

	// Invitations and members.
	invID := strings.TrimSpace(cli("invite", "create", "--team", "acme", "--email", "bob@acme.test", "--role", "team_admin"))
	if out := cli("invite", "list", "--team", "acme"); !strings.Contains(out, "bob@acme.test") || !strings.Contains(out, invID) {
		t.Fatalf("invite list = %q", out)
	}
	if out := cli("member", "list", "--team", "acme"); !strings.Contains(out, "bob@acme.test") || !strings.Contains(out, "invited") {
		t.Fatalf("member list = %q", out)
	}
	if out := cli("member", "show", "--team", "acme", "--id", invID); !strings.Contains(out, "team_admin") {
		t.Fatalf("member show = %q", out)
	}
	cli("invite", "cancel", "--team", "acme", "--id", invID)
	if out := cli("invite", "list", "--team", "acme"); strings.Contains(out, "bob@acme.test") {
		t.Fatalf("cancelled invitation listed: %q", out)
	}
	carol := strings.TrimSpace(cli("invite", "create", "--team", "acme", "--email", "carol@acme.test"))
	cli("member", "role", "--team", "acme", "--id", carol, "--role", "team_admin")
	fails("", "member", "role", "--team", "acme", "--id", carol, "--role", "emperor")
	cli("member", "remove", "--team", "acme", "--id", carol)
	fails("not found", "member", "show", "--team", "acme", "--id", carol)

	// Domains, verified against a DNS server on 127.0.0.1.
	out := cli("domain", "add", "--team", "acme", "--domain", "acme.test")
	rec := regexp.MustCompile(`(\S+)\s+TXT\s+"([^"]+)"`).FindStringSubmatch(out)
	if rec == nil {
		t.Fatalf("domain add printed %q", out)
	}
	resolver := testdns.Start(t)
	fails("not verified", "domain", "verify", "--team", "acme", "--domain", "acme.test", "--resolver", resolver.Addr)
	resolver.Set(rec[1], rec[2])
	cli("domain", "verify", "--team", "acme", "--domain", "acme.test", "--resolver", resolver.Addr)
	if out := cli("domain", "list", "--team", "acme"); !regexp.MustCompile(`acme\.test\s+yes`).MatchString(out) {
		t.Fatalf("domain list = %q", out)
	}
	cli("domain", "add", "--team", "acme", "--domain", "old.test")
	cli("domain", "remove", "--team", "acme", "--domain", "old.test")

	// The audit log names the CLI as the actor of all of it.
	out = cli("audit", "list", "--team", "acme", "--json", "--limit", "1000")
	actions := map[string]bool{}
	for line := range strings.SplitSeq(strings.TrimSpace(out), "\n") {
		var ev struct {
			ActorKind string `json:"actor_kind"`
			Action    string `json:"action"`
		}
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		if ev.ActorKind != "cli" {
			t.Errorf("audit event %s by %q, want cli", ev.Action, ev.ActorKind)
		}
		actions[ev.Action] = true
	}
	for _, a := range []string{"key.created", "key.revoked", "key.deleted", "domain.verified", "scim.enabled"} {
		if !actions[a] {
			t.Errorf("no %s in the audit log (have %v)", a, actions)
		}
	}
	if out := cli("audit", "list", "--team", "acme", "--actor", "cli", "--json", "--limit", "1000"); strings.Count(out, "\n") != len(actionsLines(t, cli("audit", "list", "--team", "acme", "--json", "--limit", "1000"))) {
		t.Fatalf("--actor cli does not select every CLI event: %q", out)
	}
	if out := cli("audit", "list", "--team", "acme", "--actor", "someone-else"); strings.Contains(out, "key.created") {
		t.Fatalf("--actor filter ignored: %q", out)
	}
	if out := cli("audit", "list", "--team", "acme", "--action", "domain.verified"); !strings.Contains(out, "domain.verified") || strings.Contains(out, "key.created") {
		t.Fatalf("filtered audit list = %q", out)
	}
	rows, err := csv.NewReader(strings.NewReader(cli("audit", "export", "--team", "acme", "--since", "1h"))).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("csv export: %d rows, %v", len(rows), err)
	}
	if out := cli("audit", "export", "--team", "acme", "--format", "jsonl"); strings.Contains(out, secret) || strings.Contains(out, newSecret) {
		t.Fatal("a key is in the audit export")
	}
	fails("want csv or jsonl", "audit", "export", "--team", "acme", "--format", "xml")
	fails("RFC 3339", "audit", "list", "--team", "acme", "--since", "yesterday")

	// The change feed: a role change of a member appears; reading after
	// the last cursor prints nothing.
	out = cli("events", "list", "--team", "acme")
	var last string
	for line := range strings.SplitSeq(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var ev struct{ Cursor, Type string }
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("event line %q: %v", line, err)
		}
		last = ev.Cursor
	}
	if last != "" {
		if out := cli("events", "list", "--team", "acme", "--after", last); strings.TrimSpace(out) != "" {
			t.Fatalf("events after the last cursor = %q", out)
		}
	}
	fails("", "member", "list")
	fails("not found", "member", "list", "--team", "nope")
}

// actionsLines returns the non-empty lines of out.
func actionsLines(t *testing.T, out string) []string {
	t.Helper()
	var lines []string
	for l := range strings.SplitSeq(out, "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	return lines
}
