package main

import (
	"context"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestCrashSafetyPostgres runs the real server on a fresh schema of the
// PostgreSQL test database while 16 Okta-style clients import users (a
// userName look-up, a POST when absent, a group PATCH adding the user;
// 800 users, ROSTER_CRASH_PG_USERS overrides) and, at random moments:
//
//   - SIGKILLs the server three times and restarts it;
//   - three times, terminates every database connection of the server
//     (pg_terminate_backend on the test's own application_name) without
//     restarting Roster.
//
// It checks that no write got a 2xx without committing (every
// acknowledged user, membership, audit event and feed entry is there),
// that nothing is half-applied, that the IdP's retries converge, that
// every 5xx was a clean SCIM error, and that after each connection kill
// requests succeed again within a few seconds with the same process.
func TestCrashSafetyPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real server; skipped with -short")
	}
	if raceEnabled {
		t.Skip("the server under test is built without -race")
	}
	e := newPGEnv(t, "crash")
	users := 800
	if v, err := strconv.Atoi(os.Getenv("ROSTER_CRASH_PG_USERS")); err == nil && v > 0 {
		users = v
	}
	const clients, groups, sigkills, dbkills = 16, 8, 3, 3
	began := time.Now()
	bin := buildRoster(t)
	p, addr := e.start(t, bin, "127.0.0.1:0")
	c := newSCIMIdP(p.firstKey(t), "http://"+addr)

	groupIDs := c.createGroups(t, "group", groups)
	if t.Failed() {
		return
	}

	acks := newIdPAcks()
	var done atomic.Int64

	// The fault schedule: kinds at random progress thresholds.
	type fault struct {
		at   int64
		kill bool // SIGKILL of the server; otherwise the database connections
	}
	var faults []fault
	for i := range sigkills + dbkills {
		faults = append(faults, fault{at: int64(float64(users) * (0.08 + 0.8*rand.Float64())), kill: i < sigkills})
	}
	sort.Slice(faults, func(i, j int) bool { return faults[i].at < faults[j].at })
	var (
		fmu            sync.Mutex
		inFlightAtKill []int64
		inFlightAtCut  []int64
		backendsCut    []int
		recovery       []time.Duration
	)
	pid := func() int { fmu.Lock(); defer fmu.Unlock(); return p.cmd.Process.Pid }
	faultsDone := make(chan struct{})
	go func() {
		defer close(faultsDone)
		for _, f := range faults {
			for done.Load() < f.at {
				if t.Failed() {
					return
				}
				time.Sleep(5 * time.Millisecond)
			}
			time.Sleep(time.Duration(rand.IntN(100)) * time.Millisecond)
			if f.kill {
				fmu.Lock()
				inFlightAtKill = append(inFlightAtKill, c.inFlight.Load())
				_ = p.cmd.Process.Signal(syscall.SIGKILL)
				<-p.done
				np, _, err := e.spawn(t, bin, addr)
				if err != nil {
					t.Errorf("restart after kill %d: %v", len(inFlightAtKill), err)
					fmu.Unlock()
					return
				}
				p = np
				fmu.Unlock()
				continue
			}
			before := pid()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			inFlight := c.inFlight.Load()
			n, err := e.terminate(ctx)
			cancel()
			if err != nil {
				t.Errorf("pg_terminate_backend: %v", err)
				return
			}
			cut := time.Now()
			// Recovery: the same process answers a database read and a
			// write again.
			recovered := false
			for time.Since(cut) < 15*time.Second {
				st, _ := c.do(0, "GET", "/scim/v2/Users?count=1", nil)
				st2, _ := c.do(0, "GET", "/scim/v2/Groups/"+groupIDs[0]+"?excludedAttributes=members", nil)
				if st == 200 && st2 == 200 {
					recovered = true
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			took := time.Since(cut)
			fmu.Lock()
			inFlightAtCut = append(inFlightAtCut, inFlight)
			backendsCut = append(backendsCut, n)
			recovery = append(recovery, took)
			fmu.Unlock()
			if !recovered {
				t.Errorf("no recovery %v after terminating %d database connections", took, n)
			}
			if pid() != before {
				t.Errorf("the server restarted across a database connection kill")
			}
		}
	}()

	intended := c.importUsers(t, users, clients, "crashpg.example", groupIDs, acks, &done)
	<-faultsDone
	if t.Failed() {
		return
	}
	importTook := time.Since(began)

	// Convergence through the API: each intended user exists once, in its
	// group.
	unconverged := 0
	byGroup := c.groupMembers(t, groupIDs)
	for userName, g := range intended {
		id, st := c.lookup(0, userName)
		if st != 200 || id == "" || !byGroup[g][id] {
			unconverged++
			t.Errorf("user %s did not converge (look-up %d, id %q)", userName, st, id)
		}
	}
	v := checkPGState(t, e, acks)
	if v.users != users {
		t.Errorf("%d users in the database after importing %d", v.users, users)
	}
	c.checkClean5xx(t)

	fmu.Lock()
	p.stop(t, "roster serve")
	fmu.Unlock()
	if len(inFlightAtKill) != sigkills || len(inFlightAtCut) != dbkills {
		t.Errorf("%d SIGKILLs and %d connection kills, want %d and %d", len(inFlightAtKill), len(inFlightAtCut), sigkills, dbkills)
	}
	for i, n := range backendsCut {
		if n == 0 {
			t.Errorf("connection kill %d ended no backend of the server", i+1)
		}
	}
	t.Logf("crash safety (PostgreSQL): %d users, %d groups, %d clients; %d SIGKILLs with %v requests in flight; %d connection kills ending %v backends with %v requests in flight, recovered in %v; %d requests, %d retries, %d 5xx (all clean SCIM errors: %v; %v); %d acknowledged creates, %d acknowledged memberships, %d audit events, %d feed entries; lost acknowledged writes: %d; half-applied %d, duplicates %d, unconverged %d; import %v, whole test %v",
		users, groups, clients, len(inFlightAtKill), inFlightAtKill, len(inFlightAtCut), backendsCut, inFlightAtCut, recovery,
		c.requests.Load(), c.retries.Load(), c.got5xx.Load(), len(c.dirty) == 0, c.summary5xx(),
		len(acks.users), v.memberships, v.audits, v.feed, v.lost, v.halfApplied, v.duplicates, unconverged,
		importTook.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
}
