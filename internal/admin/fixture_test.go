package admin_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/admin"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/provision"
	"github.com/rosterhq/roster/internal/provision/provisiontest"
	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/store"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	t     *testing.T
	ctx   context.Context
	st    store.Store
	clk   *clock
	svc   *admin.Service
	prov  *provision.Service
	opts  []admin.Option
	owner admin.SignedIn
	team  core.Team
}

const password = "correct horse battery"

// run runs fn on every backend with a set-up database: one team whose
// Super Admin (f.owner) is signed in.
func run(t *testing.T, fn func(f *fixture), opts ...admin.Option) {
	t.Helper()
	for _, b := range provisiontest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			st := b.Open(t)
			clk := &clock{t: time.Now().UTC().Truncate(time.Millisecond)}
			all := append([]admin.Option{admin.WithClock(clk.Now), admin.WithPasswordCost(1, 1024),
				admin.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))}, opts...)
			f := &fixture{t: t, ctx: context.Background(), st: st, clk: clk, svc: admin.New(st, all...), opts: all}
			f.prov = provision.New(st, provision.Config{Now: clk.Now, Quirks: scim.DefaultQuirks(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			in := admin.SetupInput{SignUpInput: admin.SignUpInput{Email: "Owner@Example.com", Password: password, DisplayName: "Owner"}, TeamSlug: "acme", TeamName: "Acme"}
			si, err := f.svc.Setup(f.ctx, in)
			if err != nil {
				t.Fatalf("Setup: %v", err)
			}
			f.owner = si
			f.team, err = f.svc.Team(f.ctx, "acme")
			if err != nil {
				t.Fatal(err)
			}
			fn(f)
		})
	}
}

// must fails the test on err.
func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

// code returns "<kind>/<code>" of an error, "ok" for nil.
func code(err error) string {
	if err == nil {
		return "ok"
	}
	var e *core.Error
	if !asCore(err, &e) {
		return "untyped: " + err.Error()
	}
	return kindName(e.Kind) + "/" + e.Code
}

func kindName(k core.Kind) string {
	return map[core.Kind]string{
		core.KindInternal: "internal", core.KindInvalid: "invalid", core.KindUnauthenticated: "unauthenticated",
		core.KindForbidden: "forbidden", core.KindNotFound: "notfound", core.KindConflict: "conflict",
	}[k]
}

// person signs up, joins the fixture's team with a role (by invitation)
// and signs in.
func (f *fixture) person(local string, role core.Role) admin.SignedIn {
	f.t.Helper()
	email := local + "@example.com"
	m, err := f.svc.Invite(f.ctx, f.owner.Principal, f.team.ID, email, role)
	f.must(err)
	_, err = f.svc.SignUp(f.ctx, admin.SignUpInput{Email: email, Password: password})
	f.must(err)
	si, err := f.svc.SignIn(f.ctx, email, password)
	f.must(err)
	_, err = f.svc.AcceptInvitation(f.ctx, si.Principal, m.ID)
	f.must(err)
	si, err = f.svc.SignIn(f.ctx, email, password)
	f.must(err)
	if si.Principal.Role != role {
		f.t.Fatalf("%s: role %q, want %q", local, si.Principal.Role, role)
	}
	return si
}

// outsider makes another team with its own signed-in Super Admin.
func (f *fixture) outsider(local string) (admin.SignedIn, core.Team) {
	f.t.Helper()
	email := local + "@other.example"
	_, err := f.svc.SignUp(f.ctx, admin.SignUpInput{Email: email, Password: password})
	f.must(err)
	si, err := f.svc.SignIn(f.ctx, email, password)
	f.must(err)
	team, err := f.svc.NewTeam(f.ctx, si.Principal, "t-"+local, "Other")
	f.must(err)
	si, err = f.svc.SignIn(f.ctx, email, password)
	f.must(err)
	return si, team
}

// scimCaller enables SCIM and returns a SCIM caller with a new key.
func (f *fixture) scimCaller() provision.Caller {
	f.t.Helper()
	_, err := f.svc.SetSCIMEnabled(f.ctx, f.owner.Principal, f.team.ID, true)
	f.must(err)
	k, err := f.svc.CreateSCIMKey(f.ctx, f.owner.Principal, f.team.ID, "okta", 0)
	f.must(err)
	c, err := f.prov.Authenticate(f.ctx, "Bearer "+k.Secret)
	f.must(err)
	return c
}

// actions returns the audit actions of the team, oldest first.
func (f *fixture) actions() []string {
	f.t.Helper()
	p, err := f.svc.Audit(f.ctx, f.owner.Principal, f.team.ID, admin.AuditQuery{Limit: 1000})
	f.must(err)
	out := []string{}
	for _, e := range p.Events {
		out = append(out, e.Action)
	}
	return out
}

// changes returns the change types of the team's feed, in order.
func (f *fixture) changes() []core.Change {
	f.t.Helper()
	p, err := f.svc.Changes(f.ctx, f.owner.Principal, f.team.ID, 0, 1000)
	f.must(err)
	return p.Changes
}

func types(cs []core.Change) string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Type
	}
	return strings.Join(out, " ")
}

func splitWords(s string) []string { return strings.Fields(s) }

// joinNoSessions joins actions without the session.created events.
func joinNoSessions(as []string) string {
	out := []string{}
	for _, a := range as {
		if a != "session.created" {
			out = append(out, a)
		}
	}
	return strings.Join(out, " ")
}

type storeTx = store.Tx
