package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	roster "github.com/rosterhq/roster"
)

// TestMultiInstancePostgres runs three `roster serve` processes on one
// fresh PostgreSQL schema, each on its own port, and 16 clients that
// interleave, across the three, an Okta import (look-up, POST, group push
// with Okta's lower-case op), Entra updates (PATCH with capitalised ops,
// string booleans and value-filtered paths) and Entra group pushes; 500
// users, ROSTER_MULTI_USERS overrides. Afterwards it checks in SQL and
// through the API: no duplicate userName, no lost membership, every
// acknowledged change present (the last acknowledged displayName and
// active state of every user), the change feed gapless with, per
// resource, the audit log's order; and that a SCIM key revoked through
// one instance's /api/v1 is refused (401) by the other two on their next
// request.
func TestMultiInstancePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs three real servers; skipped with -short")
	}
	if raceEnabled {
		t.Skip("the servers under test are built without -race")
	}
	e := newPGEnv(t, "multi")
	users := 500
	if v, err := strconv.Atoi(os.Getenv("ROSTER_MULTI_USERS")); err == nil && v > 0 {
		users = v
	}
	const clients, groups, instances = 16, 6, 3
	began := time.Now()
	bin := buildRoster(t)

	// Instance 0 migrates the schema and makes the first team and key; the
	// other two start together once it is up.
	procs := make([]*proc, instances)
	bases := make([]string, instances)
	var addr string
	procs[0], addr = e.start(t, bin, "127.0.0.1:0")
	bases[0] = "http://" + addr
	key := procs[0].firstKey(t)
	var swg sync.WaitGroup
	for i := 1; i < instances; i++ {
		swg.Go(func() {
			p, a, err := e.spawn(t, bin, "127.0.0.1:0")
			if err != nil {
				t.Errorf("instance %d: %v", i, err)
				return
			}
			procs[i], bases[i] = p, "http://"+a
		})
	}
	swg.Wait()
	if t.Failed() {
		return
	}
	c := newSCIMIdP(key, bases...)
	ctx := context.Background()

	// An administrator signs up through instance 0 and works through the
	// others with a personal token.
	adm0, err := roster.NewClient(bases[0])
	if err != nil {
		t.Fatal(err)
	}
	setup, err := adm0.Setup(ctx, roster.SetupRequest{Email: "admin@multi.example", Password: "Correct-Horse-Battery-9", DisplayName: "Admin"})
	if err != nil {
		t.Fatalf("setup: %v", err)
	}
	team := setup.Team.ID
	tok, err := adm0.CreateToken(ctx, roster.CreateKeyRequest{Name: "multi-test"})
	if err != nil {
		t.Fatalf("personal token: %v", err)
	}
	adm := make([]*roster.Client, instances)
	for i := range instances {
		if adm[i], err = roster.NewClient(bases[i], roster.WithToken(tok.Secret)); err != nil {
			t.Fatal(err)
		}
	}
	// A second SCIM key, made through instance 1 and used on all three
	// (so any per-process cache of it is warm) before it is revoked.
	spare, err := adm[1].CreateSCIMKey(ctx, team, roster.CreateKeyRequest{Name: "to-revoke"})
	if err != nil {
		t.Fatalf("create key: %v", err)
	}
	spareIdP := newSCIMIdP(spare.Secret, bases...)
	for i := range instances {
		if st, body := spareIdP.do(i, "GET", "/scim/v2/Users?count=1", nil); st != 200 {
			t.Fatalf("spare key on instance %d: %d %v", i, st, body)
		}
	}

	groupIDs := c.createGroups(t, "team", groups)
	if t.Failed() {
		return
	}

	type final struct {
		display string
		active  bool
	}
	acks := newIdPAcks()
	var fmu sync.Mutex
	finals := map[string]final{} // user id -> last acknowledged state
	var updates, entraPushes int
	next := indexes(users)
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			rnd := rand.New(rand.NewPCG(rand.Uint64(), 0))
			inst := func() int { return rnd.IntN(instances) }
			for i := range next {
				userName := fmt.Sprintf("User.%05d@multi.example", i)
				id := c.importUser(t, inst, acks, userName, i)
				if id == "" {
					return
				}
				state := final{display: "", active: true}
				// Group push: Okta's shape for even users, Entra's for odd.
				g := groupIDs[i%groups]
				op := "add"
				if i%2 == 1 {
					op = "Add"
				}
				if !c.pushMember(t, inst, acks, op, g, id, "") {
					return
				}
				// Entra updates: zero to three, each on a random instance.
				for u := range rnd.IntN(4) {
					display := fmt.Sprintf("User %d v%d", i, u+1)
					ops := []map[string]any{
						{"op": "Replace", "path": "displayName", "value": display},
						{"op": "Replace", "path": "name.familyName", "value": fmt.Sprintf("N%d-%d", i, u)},
						{"op": "Replace", "path": `emails[type eq "work"].value`, "value": userName},
					}
					active := state.active
					if rnd.IntN(4) == 0 {
						active = !active
						ops = append(ops, map[string]any{"op": "Replace", "path": "active", "value": map[bool]string{true: "True", false: "False"}[active]})
					}
					ok := c.until(t, "update "+userName, func(int) (bool, error) {
						st, body := c.do(inst(), "PATCH", "/scim/v2/Users/"+id, patchOp(ops...))
						switch {
						case st >= 200 && st < 300:
							state = final{display: display, active: active}
							return true, nil
						case retryable(st):
							return false, nil
						default:
							return false, fmt.Errorf("user PATCH: status %d %v", st, body)
						}
					})
					if !ok {
						return
					}
					fmu.Lock()
					updates++
					fmu.Unlock()
				}
				fmu.Lock()
				finals[id] = state
				if i%2 == 1 {
					entraPushes++
				}
				fmu.Unlock()
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	importTook := time.Since(began)

	// Every acknowledged update is what each instance serves.
	stale := 0
	for id, want := range finals {
		k := rand.IntN(instances)
		st, body := c.do(k, "GET", "/scim/v2/Users/"+id, nil)
		got, _ := body["displayName"].(string)
		active, _ := body["active"].(bool)
		if st != 200 || (want.display != "" && got != want.display) || active != want.active {
			stale++
			t.Errorf("user %s on instance %d: %d displayName %q active %v, want %q %v", id, k, st, got, active, want.display, want.active)
		}
	}
	v := checkPGState(t, e, acks)
	if v.users != users {
		t.Errorf("%d users in the database after importing %d", v.users, users)
	}
	c.checkClean5xx(t)

	// Revocation through instance 0 is seen by the other two at once.
	keys, err := adm[2].SCIMKeys(ctx, team)
	if err != nil {
		t.Fatal(err)
	}
	revoked := false
	for _, k := range keys {
		if k.ID == spare.Key.ID {
			if err := adm[0].RevokeSCIMKey(ctx, team, k.ID); err != nil {
				t.Fatalf("revoke through instance 0: %v", err)
			}
			revoked = true
		}
	}
	if !revoked {
		t.Fatalf("key %s not listed by instance 2", spare.Key.ID)
	}
	for _, i := range []int{1, 2, 0} {
		if st, body := spareIdP.do(i, "GET", "/scim/v2/Users?count=1", nil); st != 401 {
			t.Errorf("revoked key on instance %d: %d %v, want 401", i, st, body)
		}
	}
	if st, _ := c.do(1, "GET", "/scim/v2/Users?count=1", nil); st != 200 {
		t.Errorf("the other key after the revocation: %d", st)
	}

	for i, p := range procs {
		p.stop(t, fmt.Sprintf("instance %d", i))
	}
	t.Logf("multi-instance (PostgreSQL): %d instances, %d clients, %d users, %d groups; %d requests (%d retries, %d 5xx, all clean: %v; %v); %d Entra updates, %d Entra-shaped group pushes; %d acknowledged creates, %d memberships, %d audit events, %d feed entries; lost acknowledged writes %d, stale %d, duplicates %d, half-applied %d; revoked key refused by all three; run %v, whole test %v",
		instances, clients, users, groups, c.requests.Load(), c.retries.Load(), c.got5xx.Load(), len(c.dirty) == 0, c.summary5xx(),
		updates, entraPushes, len(acks.users), v.memberships, v.audits, v.feed, v.lost, stale, v.duplicates, v.halfApplied,
		importTook.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
}
