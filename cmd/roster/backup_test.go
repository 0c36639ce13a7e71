package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/admin"
	"github.com/rosterhq/roster/internal/provision"
	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/store/sqlite"
)

// TestBackupWhileWriting takes `roster backup` of a SQLite database while
// eight clients create users and add them to a group, restores it with
// `roster restore`, and checks that the restored database is consistent
// (integrity_check ok, no foreign-key violation) and complete as of the
// backup: every user and membership acknowledged before the backup
// started is in it, and every membership in it belongs to a user in it.
// It also checks that restore refuses a database a process has open.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	st, err := openStore(ctx, "sqlite:"+live)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	adm := admin.New(st)
	team, err := adm.CreateTeam(ctx, "backup", "Backup")
	if err != nil {
		t.Fatal(err)
	}
	caller := provision.Caller{TeamID: team.ID}
	prov := provision.New(st, provision.Config{Quirks: scim.DefaultQuirks()})
	g, err := prov.CreateGroup(ctx, caller, []byte(`{"displayName":"everyone","members":[]}`), provision.Options{})
	if err != nil {
		t.Fatal(err)
	}

	type ack struct {
		user   string
		member bool // the group PATCH adding it was acknowledged
		at     time.Time
	}
	var mu sync.Mutex
	var acks []ack
	stop := make(chan struct{})
	var stopOnce sync.Once
	var wg sync.WaitGroup
	halt := func() { stopOnce.Do(func() { close(stop) }); wg.Wait() }
	defer halt()
	for w := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				body := fmt.Sprintf(`{"userName":"u%d-%d@backup.example","name":{"givenName":"U","familyName":"%d"}}`, w, i, i)
				u, err := prov.CreateUser(ctx, caller, []byte(body), provision.Options{})
				if err != nil {
					t.Errorf("create: %v", err)
					return
				}
				mu.Lock()
				acks = append(acks, ack{user: u.ID(), at: time.Now()})
				mu.Unlock()
				p := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":%q}]}]}`, u.ID())
				if _, err := prov.PatchGroup(ctx, caller, g.ID(), []byte(p), provision.Options{}); err != nil {
					t.Errorf("patch: %v", err)
					return
				}
				mu.Lock()
				acks = append(acks, ack{user: u.ID(), member: true, at: time.Now()})
				mu.Unlock()
			}
		})
	}
	// Start the backup once writes are being acknowledged (a fixed sleep
	// is too short under the race detector on a loaded machine).
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		n := len(acks)
		mu.Unlock()
		if n >= 20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d writes acknowledged in 30 s", n)
		}
	}

	mu.Lock()
	before := append([]ack(nil), acks...) // acknowledged before the backup started
	mu.Unlock()
	snap := filepath.Join(dir, "snap.db")
	var out bytes.Buffer
	t0 := time.Now()
	if err := runBackup(ctx, []string{"--db", "sqlite:" + live, "--out", snap}, noEnv, &out, &out); err != nil {
		t.Fatalf("backup: %v\n%s", err, out.String())
	}
	took := time.Since(t0)
	// Writes go on after the backup.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		n := len(acks)
		mu.Unlock()
		if n > len(before)+20 || time.Now().After(deadline) {
			break
		}
	}
	halt()
	mu.Lock()
	total := len(acks)
	mu.Unlock()

	// Restore refuses the live database while a process has it open.
	err = runRestore(ctx, []string{"--from", snap, "--db", "sqlite:" + live}, noEnv, &out, &out)
	if !errors.Is(err, sqlite.ErrInUse) {
		t.Fatalf("restore over the open live database: %v; want ErrInUse", err)
	}
	if err := sqlite.Verify(ctx, live); err != nil {
		t.Fatalf("the refused restore touched the live database: %v", err)
	}

	restored := filepath.Join(dir, "restored.db")
	if err := runRestore(ctx, []string{"--from", snap, "--db", "sqlite:" + restored}, noEnv, &out, &out); err != nil {
		t.Fatalf("restore: %v\n%s", err, out.String())
	}
	if err := sqlite.Verify(ctx, restored); err != nil {
		t.Fatal(err)
	}
	rst, err := openStore(ctx, "sqlite:"+restored)
	if err != nil {
		t.Fatal(err)
	}
	defer rst.Close()
	rprov := provision.New(rst, provision.Config{Quirks: scim.DefaultQuirks()})
	users := map[string]bool{}
	for start := 1; ; start += 1000 {
		list, err := rprov.ListUsers(ctx, caller, scim.SearchRequest{StartIndex: intp(start), Count: intp(1000)})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range list.Items {
			users[u.ID()] = true
		}
		if len(list.Items) < 1000 {
			break
		}
	}
	grp, err := rprov.GetGroup(ctx, caller, g.ID(), provision.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var gbuf bytes.Buffer
	if err := grp.WriteJSON(ctx, &gbuf, "http://x/scim/v2"); err != nil {
		t.Fatal(err)
	}
	lost := 0
	for _, a := range before {
		switch {
		case !a.member && !users[a.user]:
			lost++
			t.Errorf("user %s acknowledged before the backup is not in it", a.user)
		case a.member && !strings.Contains(gbuf.String(), a.user):
			lost++
			t.Errorf("membership of %s acknowledged before the backup is not in it", a.user)
		}
	}
	members := strings.Count(gbuf.String(), `"value":`)
	if members > len(users) {
		t.Errorf("the group has %d members but only %d users exist", members, len(users))
	}
	t.Logf("backup took %v while 8 clients wrote; %d writes acknowledged before it, %d in all; snapshot has %d users, %d memberships; lost acknowledged writes: %d",
		took.Round(time.Millisecond), len(before), total, len(users), members, lost)
	if len(before) == 0 || total == len(before) {
		t.Fatalf("writes did not run around the backup (%d before, %d total)", len(before), total)
	}
}

func intp(n int) *int { return &n }
