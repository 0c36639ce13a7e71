package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/store/sqlite"
)

// buildRoster builds the real binary into a temporary directory.
func buildRoster(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "roster")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// proc is one running `roster serve`.
type proc struct {
	cmd    *exec.Cmd
	stdout *syncBuffer
	stderr *syncBuffer
	done   chan struct{}
	err    error // Wait's result, after done
}

// stop sends SIGTERM and waits for the process, failing the test unless
// it exits cleanly; name is what the failure calls it.
func (p *proc) stop(t *testing.T, name string) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	<-p.done
	if p.err != nil {
		t.Errorf("%s after SIGTERM: %v", name, p.err)
	}
}

var servingAddr = regexp.MustCompile(`roster serving"? addr=(\S+)`)

// startRoster starts `roster serve` on a SQLite file and waits until
// /healthz answers; it returns the process and its address.
func startRoster(t *testing.T, bin, db, addr string, extra ...string) (*proc, string) {
	t.Helper()
	p, got, err := spawnRoster(t, bin, db, addr, extra...)
	if err != nil {
		t.Fatal(err)
	}
	return p, got
}

// spawnRoster is startRoster for any goroutine: it reports failure as an
// error instead of failing the test.
func spawnRoster(t *testing.T, bin, db, addr string, extra ...string) (*proc, string, error) {
	args := append([]string{"serve", "--db", "sqlite:" + db, "--addr", addr, "--no-rate-limit", "--shutdown-timeout", "20s"}, extra...)
	p := &proc{cmd: exec.Command(bin, args...), stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), "ROSTER_SECRET=crash-test-secret-0123456789abcdef0123")
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		return nil, "", err
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return nil, "", fmt.Errorf("roster serve exited: %w\n%s", p.err, p.stderr.String())
		default:
		}
		if m := servingAddr.FindStringSubmatch(p.stderr.String()); m != nil {
			res, err := http.Get("http://" + m[1] + "/healthz")
			if err == nil {
				res.Body.Close()
				if res.StatusCode == 200 {
					return p, m[1], nil
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil, "", fmt.Errorf("roster serve did not become healthy:\n%s", p.stderr.String())
}

var firstRunKey = regexp.MustCompile(`SCIM API key:\s+(\S+)`)

// firstKey is the SCIM key a first run of `roster serve` printed.
func (p *proc) firstKey(t *testing.T) string {
	t.Helper()
	m := firstRunKey.FindStringSubmatch(p.stdout.String())
	if m == nil {
		t.Fatalf("no first-run key in:\n%s", p.stdout.String())
	}
	return m[1]
}

// TestCrashSafety runs the real server on SQLite, imports users from 16
// Okta-style clients (filter look-up then POST, then a group PATCH adding
// the user; 2000 users, ROSTER_CRASH_USERS overrides), SIGKILLs the
// server at three random moments and restarts it, then checks: every user and membership whose request got a 2xx exists;
// nothing is half-applied (one user per userName, every group member is
// a user, the database passes integrity_check and foreign_key_check); and
// the IdP's retries of unacknowledged requests converge to the intended
// state (every user exists, every group has exactly its users).
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real server; skipped with -short")
	}
	if raceEnabled {
		t.Skip("the server under test is built without -race; the client side is not worth a race run")
	}
	users := 2000
	if v, err := strconv.Atoi(os.Getenv("ROSTER_CRASH_USERS")); err == nil && v > 0 {
		users = v
	}
	const clients, groups, kills = 16, 8, 3
	began := time.Now()
	bin := buildRoster(t)
	db := filepath.Join(t.TempDir(), "crash.db")
	p, addr := startRoster(t, bin, db, "127.0.0.1:0")
	c := newSCIMIdP(p.firstKey(t), "http://"+addr)
	groupIDs := c.createGroups(t, "group", groups)
	if t.Failed() {
		return
	}

	// What the server acknowledged, and what the IdP intends.
	acks := newIdPAcks()
	var done atomic.Int64

	var kmu sync.Mutex
	var inFlightAtKill []int64
	killAt := make([]int64, kills) // progress thresholds, at random
	for i := range killAt {
		killAt[i] = int64(float64(users) * (0.1 + 0.75*float64(i)/kills + 0.2*rand.Float64()))
	}
	// The killer: at each threshold plus a random delay, SIGKILL and
	// restart on the same address.
	killerDone := make(chan struct{})
	go func() {
		defer close(killerDone)
		for _, at := range killAt {
			for done.Load() < at {
				if t.Failed() {
					return // the clients stopped: no more progress
				}
				time.Sleep(5 * time.Millisecond)
			}
			time.Sleep(time.Duration(rand.IntN(150)) * time.Millisecond)
			kmu.Lock()
			inFlightAtKill = append(inFlightAtKill, c.inFlight.Load())
			_ = p.cmd.Process.Signal(syscall.SIGKILL)
			<-p.done
			np, _, err := spawnRoster(t, bin, db, addr)
			if err != nil {
				t.Errorf("restart after kill %d: %v", len(inFlightAtKill), err)
				kmu.Unlock()
				return
			}
			p = np
			kmu.Unlock()
		}
	}()

	intended := c.importUsers(t, users, clients, "crash.example", groupIDs, acks, &done)
	<-killerDone
	if t.Failed() {
		return
	}
	importTook := time.Since(began)

	// Verification, on the restarted server.
	lost := 0
	for userName, id := range acks.users {
		st, body := c.do(0, "GET", "/scim/v2/Users/"+id, nil)
		if st != 200 || body["userName"] != userName {
			lost++
			t.Errorf("acknowledged user %s (%s): GET %d %v", userName, id, st, body)
		}
	}
	members := c.groupMembers(t, groupIDs)
	for id, g := range acks.member {
		if !members[g][id] {
			lost++
			t.Errorf("acknowledged membership of %s in group %s is missing", id, g)
		}
	}
	// Convergence: each intended user exists exactly once and is in its
	// group; groups hold nothing else.
	dup, missing, wrongGroup := 0, 0, 0
	byID := map[string]bool{}
	for userName, g := range intended {
		q := url.QueryEscape(`userName eq "` + userName + `"`)
		st, body := c.do(0, "GET", "/scim/v2/Users?filter="+q, nil)
		if st != 200 {
			t.Fatalf("look-up %s: %d", userName, st)
		}
		res, _ := body["Resources"].([]any)
		switch {
		case len(res) == 0:
			missing++
			t.Errorf("user %s never converged: absent", userName)
			continue
		case len(res) > 1:
			dup++
			t.Errorf("user %s exists %d times", userName, len(res))
		}
		id := res[0].(map[string]any)["id"].(string)
		byID[id] = true
		if !members[g][id] {
			wrongGroup++
			t.Errorf("user %s is not in group %s after the retries", userName, g)
		}
	}
	for g := range members {
		for id := range members[g] {
			if !byID[id] {
				t.Errorf("group %s has member %s that is no intended user (half-applied?)", g, id)
			}
		}
	}
	st, body := c.do(0, "GET", "/scim/v2/Users?count=1", nil)
	if total, _ := body["totalResults"].(float64); st != 200 || int(total) < users || int(total) > users+1 {
		t.Errorf("totalResults %v after the import of %d users (status %d)", body["totalResults"], users, st)
	}

	// A clean stop, then the file itself.
	p.stop(t, "roster serve")
	if err := sqlite.Verify(context.Background(), db); err != nil {
		t.Errorf("after the crashes: %v", err)
	}
	t.Logf("crash safety: %d users, %d groups, %d clients; %d SIGKILLs with %v requests in flight; %d requests, %d retries; %d acknowledged creates, %d acknowledged memberships; lost acknowledged writes: %d; duplicates %d, unconverged %d, misplaced %d; import %v, whole test %v",
		users, groups, clients, len(inFlightAtKill), inFlightAtKill, c.requests.Load(), c.retries.Load(),
		len(acks.users), len(acks.member), lost, dup, missing, wrongGroup, importTook.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
	if len(inFlightAtKill) != kills {
		t.Errorf("%d kills, want %d", len(inFlightAtKill), kills)
	}
}

// TestGracefulShutdown: SIGTERM lets a request that is in flight (its
// body half sent) finish with 201, refuses new connections at once, and
// the process exits 0; the user the in-flight request created is there
// after a restart.
func TestGracefulShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real server; skipped with -short")
	}
	bin := buildRoster(t)
	db := filepath.Join(t.TempDir(), "shutdown.db")
	p, addr := startRoster(t, bin, db, "127.0.0.1:0")
	key := p.firstKey(t)

	body := `{"userName":"inflight@shutdown.example","name":{"givenName":"In","familyName":"Flight"}}`
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	head := "POST /scim/v2/Users HTTP/1.1\r\nHost: " + addr + "\r\nAuthorization: Bearer " + key +
		"\r\nContent-Type: application/scim+json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
	if _, err := io.WriteString(conn, head+body[:20]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the handler is now reading the body
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// New connections are refused once the listener is closed.
	refused := false
	for range 100 {
		c2, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			refused = true
			break
		}
		c2.Close()
		time.Sleep(20 * time.Millisecond)
	}
	if !refused {
		t.Error("new connections still accepted 2 s after SIGTERM")
	}
	select {
	case <-p.done:
		t.Fatalf("the server exited with a request in flight: %v", p.err)
	default:
	}
	if _, err := io.WriteString(conn, body[20:]); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("in-flight request: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Errorf("in-flight request after SIGTERM: %d, want 201", res.StatusCode)
	}
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not exit after SIGTERM")
	}
	if p.err != nil {
		t.Fatalf("exit after SIGTERM: %v, want status 0\n%s", p.err, p.stderr.String())
	}
	if !strings.Contains(p.stderr.String(), "stopped") {
		t.Errorf("no 'stopped' log line:\n%s", p.stderr.String())
	}
	p2, addr2 := startRoster(t, bin, db, "127.0.0.1:0")
	c := &idp{base: "http://" + addr2, key: key, client: &http.Client{Timeout: 10 * time.Second}}
	if id, st := c.lookup("inflight@shutdown.example"); st != 200 || id == "" {
		t.Errorf("the user created during shutdown is missing after restart (%d)", st)
	}
	_ = p2.cmd.Process.Signal(syscall.SIGTERM)
	<-p2.done
}
