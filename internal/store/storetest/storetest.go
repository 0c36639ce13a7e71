package storetest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/scim/filter"
	"github.com/rosterhq/roster/internal/store"
)

// Run runs the conformance suite. open must return a fresh, migrated, empty
// store on every call and register its cleanup with t; Run calls it once per
// subtest. Run does not call Close: the harness owns the store.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	t.Helper()
	for _, tc := range suite() {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, open)
			tc.fn(t, e)
		})
	}
}

type subtest struct {
	name string
	fn   func(t *testing.T, e *env)
}

// suite lists the top-level subtests in the order Run runs them.
func suite() []subtest {
	return []subtest{
		{"Migrate", testMigrate},
		{"Tx", testTx},
		{"Teams", testTeams},
		{"Accounts", testAccounts},
		{"Members", testMembers},
		{"Groups", testGroups},
		{"GroupMembers", testGroupMembers},
		{"GroupMembersStreaming", testGroupMembersStreaming},
		{"Keys", testKeys},
		{"AuthEpoch", testAuthEpoch},
		{"Domains", testDomains},
		{"Sessions", testSessions},
		{"AdminKeys", testAdminKeys},
		{"DomainState", testDomainState},
		{"Audit", testAudit},
		{"ChangeFeed", testChangeFeed},
		{"ChangeFeedConcurrent", testChangeFeedConcurrent},
		{"Activity", testActivity},
		{"DataPages", testDataPages},
		{"Paging", testPaging},
		{"Sorting", testSorting},
		{"PagingConcurrentInserts", testPagingConcurrentInserts},
		{"Isolation", testIsolation},
		{"Concurrency", testConcurrency},
		{"FilterDifferential", testFilterDifferential},
		{"HostileInput", testHostileInput},
	}
}

// env is one subtest's store plus deterministic fixture generators.
type env struct {
	s   store.Store
	ctx context.Context
	ids core.IDGen

	mu   sync.Mutex
	seq  int
	tick int
}

// epoch is the fixture epoch; fixture times have microsecond precision.
func epoch() time.Time { return time.Date(2024, time.March, 4, 9, 30, 0, 123456000, time.UTC) }

func newEnv(t *testing.T, open func(t *testing.T) store.Store) *env {
	t.Helper()
	s := open(t)
	if s == nil {
		t.Fatal("open returned a nil store")
	}
	e := &env{s: s, ctx: context.Background(), ids: core.NewIDGen(nil, nil)}
	// Registered after open, so it runs before the harness's own cleanup
	// closes the store.
	t.Cleanup(func() { checkInvariants(t, e) })
	return e
}

// now returns a new fixture time, one second (and one microsecond) after
// the previous one.
func (e *env) now() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.tick++
	return epoch().Add(time.Duration(e.tick)*time.Second + time.Duration(e.tick)*time.Microsecond)
}

// n returns a new sequence number for unique fixture names.
func (e *env) n() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.seq++
	return e.seq
}

// tx runs fn in a transaction and fails the test if it returns an error.
// It must be called from the test goroutine.
func (e *env) tx(t *testing.T, what string, fn func(tx store.Tx) error) {
	t.Helper()
	if err := e.s.InTx(e.ctx, fn); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// --- fixtures ---

const (
	typeUser  = "User"
	typeGroup = "Group"
)

// newTeam builds a team (not stored).
func (e *env) newTeam(slug string) core.Team {
	at := e.now()
	return core.Team{ID: e.ids(), Slug: slug, Name: "Team " + slug, CreatedAt: at, UpdatedAt: at}
}

// addTeam creates a team.
func (e *env) addTeam(t *testing.T, slug string) core.Team {
	t.Helper()
	tm := e.newTeam(slug)
	e.tx(t, "CreateTeam "+slug, func(tx store.Tx) error { return tx.CreateTeam(e.ctx, tm) })
	return tm
}

// newMember builds a SCIM-managed, active member with a document that
// carries its userName, and the account it belongs to (neither stored).
func (e *env) newMember(teamID, userName string) core.Member {
	at := e.now()
	return core.Member{
		ID:          e.ids(),
		TeamID:      teamID,
		AccountID:   e.ids(),
		UserName:    userName,
		Email:       fmt.Sprintf("person%d@accounts.example", e.n()),
		Active:      true,
		Status:      core.StatusActive,
		Role:        core.RoleDeveloper,
		SCIMManaged: true,
		Doc: map[string]any{
			"schemas":  []any{scim.UserSchema},
			"userName": userName,
		},
		Version:   1,
		CreatedAt: at,
		UpdatedAt: at,
	}
}

// accountOf returns the account newMember made up for m.
func accountOf(m core.Member) core.Account {
	return core.Account{
		ID:          m.AccountID,
		Email:       m.Email,
		DisplayName: m.UserName,
		Status:      "active",
		CreatedAt:   m.CreatedAt,
		UpdatedAt:   m.CreatedAt,
	}
}

// createMember stores m's account and m in tx.
func (e *env) createMember(tx store.Tx, m core.Member) error {
	if err := tx.CreateAccount(e.ctx, accountOf(m)); err != nil {
		return fmt.Errorf("CreateAccount %s: %w", m.Email, err)
	}
	if err := tx.CreateMember(e.ctx, m); err != nil {
		return fmt.Errorf("CreateMember %q: %w", m.UserName, err)
	}
	return nil
}

// createMembers stores members and their accounts in one transaction.
func (e *env) createMembers(t *testing.T, ms ...core.Member) {
	t.Helper()
	e.tx(t, "create members", func(tx store.Tx) error {
		for _, m := range ms {
			if err := e.createMember(tx, m); err != nil {
				return err
			}
		}
		return nil
	})
}

// addMember builds and stores a member.
func (e *env) addMember(t *testing.T, teamID, userName string) core.Member {
	t.Helper()
	m := e.newMember(teamID, userName)
	e.createMembers(t, m)
	return m
}

// newGroup builds a group (not stored).
func (e *env) newGroup(teamID, displayName string) core.Group {
	at := e.now()
	return core.Group{
		ID:          e.ids(),
		TeamID:      teamID,
		DisplayName: displayName,
		Doc: map[string]any{
			"schemas":     []any{scim.GroupSchema},
			"displayName": displayName,
		},
		Version:   1,
		CreatedAt: at,
		UpdatedAt: at,
	}
}

// addGroup builds and stores a group.
func (e *env) addGroup(t *testing.T, teamID, displayName string) core.Group {
	t.Helper()
	g := e.newGroup(teamID, displayName)
	e.tx(t, "CreateGroup "+displayName, func(tx store.Tx) error { return tx.CreateGroup(e.ctx, g) })
	return g
}

// addToGroup adds members to a group and requires all of them to be added.
func (e *env) addToGroup(t *testing.T, teamID, groupID string, ms ...core.GroupMember) {
	t.Helper()
	var added, missing []string
	e.tx(t, "AddGroupMembers", func(tx store.Tx) error {
		var err error
		added, missing, err = tx.AddGroupMembers(e.ctx, teamID, groupID, ms)
		return err
	})
	if len(added) != len(ms) || len(missing) != 0 {
		t.Fatalf("AddGroupMembers(%d new members) = added %d, missing %v; want added %d, none missing", len(ms), len(added), missing, len(ms))
	}
}

// userRef is m as a group member.
func userRef(m core.Member) core.GroupMember {
	return core.GroupMember{Value: m.ID, Display: m.UserName, Type: typeUser}
}

// groupRef is g as a (nested) group member.
func groupRef(g core.Group) core.GroupMember {
	return core.GroupMember{Value: g.ID, Display: g.DisplayName, Type: typeGroup}
}

// --- reading helpers ---

// allMembers returns every member of a team in default order.
func allMembers(ctx context.Context, r store.Reader, teamID string) ([]core.Member, error) {
	p, err := r.Members(ctx, teamID, store.Query{Count: 1 << 20})
	return p.Items, err
}

// allGroups returns every group of a team in default order.
func allGroups(ctx context.Context, r store.Reader, teamID string) ([]core.Group, error) {
	p, err := r.Groups(ctx, teamID, store.Query{Count: 1 << 20})
	return p.Items, err
}

// groupMembers collects a group's members.
func groupMembers(ctx context.Context, r store.Reader, teamID, groupID string) ([]core.GroupMember, error) {
	var out []core.GroupMember
	err := r.GroupMembers(ctx, teamID, groupID, func(m core.GroupMember) error {
		out = append(out, m)
		return nil
	})
	return out, err
}

// mustMember reads a member and fails the test if that fails.
func (e *env) mustMember(t *testing.T, teamID, id string) core.Member {
	t.Helper()
	m, err := e.s.Member(e.ctx, teamID, id)
	if err != nil {
		t.Fatalf("Member(%s): %v", id, err)
	}
	return m
}

// mustGroup reads a group and fails the test if that fails.
func (e *env) mustGroup(t *testing.T, teamID, id string) core.Group {
	t.Helper()
	g, err := e.s.Group(e.ctx, teamID, id)
	if err != nil {
		t.Fatalf("Group(%s): %v", id, err)
	}
	return g
}

// mustGroupMembers reads a group's members and fails the test if that fails.
func (e *env) mustGroupMembers(t *testing.T, teamID, id string) []core.GroupMember {
	t.Helper()
	ms, err := groupMembers(e.ctx, e.s, teamID, id)
	if err != nil {
		t.Fatalf("GroupMembers(%s): %v", id, err)
	}
	return ms
}

// values returns the ids of group members, sorted.
func values(ms []core.GroupMember) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, m.Value)
	}
	sort.Strings(out)
	return out
}

// memberIDs returns the ids of members in their order.
func memberIDs(ms []core.Member) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

// groupIDs returns the ids of groups in their order.
func groupIDs(gs []core.Group) []string {
	out := make([]string, 0, len(gs))
	for _, g := range gs {
		out = append(out, g.ID)
	}
	return out
}

// sorted returns a sorted copy of ids.
func sorted(ids []string) []string {
	out := append([]string(nil), ids...)
	sort.Strings(out)
	return out
}

// --- comparing ---

// diff returns a cmp diff of want and got ("-want +got"). Empty and nil
// slices and maps are equal; times are compared with their Equal method,
// so the location does not matter.
func diff(want, got any) string { return cmp.Diff(want, got, cmpopts.EquateEmpty()) }

// exactDiff is diff without EquateEmpty, for document round trips.
func exactDiff(want, got any) string { return cmp.Diff(want, got) }

// --- errors ---

func kindName(k core.Kind) string {
	switch k {
	case core.KindInternal:
		return "KindInternal"
	case core.KindInvalid:
		return "KindInvalid"
	case core.KindUnauthenticated:
		return "KindUnauthenticated"
	case core.KindForbidden:
		return "KindForbidden"
	case core.KindNotFound:
		return "KindNotFound"
	case core.KindConflict:
		return "KindConflict"
	case core.KindPrecondition:
		return "KindPrecondition"
	case core.KindTooLarge:
		return "KindTooLarge"
	case core.KindRateLimited:
		return "KindRateLimited"
	case core.KindUnavailable:
		return "KindUnavailable"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// describeErr renders an error with its Kind and Code.
func describeErr(err error) string {
	if err == nil {
		return "nil error"
	}
	var ce *core.Error
	if errors.As(err, &ce) {
		return fmt.Sprintf("%s (code %q): %v", kindName(ce.Kind), ce.Code, err)
	}
	return fmt.Sprintf("non-core error %T: %v", err, err)
}

// checkErr reports whether err is a *core.Error of the given kind and, if
// code is not "", code; it reports a test error otherwise.
func checkErr(t *testing.T, what string, err error, kind core.Kind, code string) bool {
	t.Helper()
	var ce *core.Error
	switch {
	case err == nil:
		t.Errorf("%s: got nil error, want %s", what, kindName(kind))
		return false
	case !errors.As(err, &ce) || ce.Kind != kind:
		t.Errorf("%s: got %s, want %s", what, describeErr(err), kindName(kind))
		return false
	case code != "" && ce.Code != code:
		t.Errorf("%s: got %s, want %s with code %q", what, describeErr(err), kindName(kind), code)
		return false
	}
	return true
}

// checkOK reports a test error if err is not nil.
func checkOK(t *testing.T, what string, err error) bool {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %s", what, describeErr(err))
		return false
	}
	return true
}

// errKey is an error's identity for "same outcome" comparisons: "" for
// nil, else its Kind and Code.
func errKey(err error) string {
	if err == nil {
		return ""
	}
	var ce *core.Error
	if errors.As(err, &ce) {
		return kindName(ce.Kind) + "/" + ce.Code
	}
	return "non-core error"
}

// --- filters built without the parser ---

// path parses an attribute path written in the test.
func path(s string) scim.AttrPath {
	p, err := scim.ParseAttrPath(s)
	if err != nil {
		panic(fmt.Sprintf("storetest: bad path %q: %v", s, err))
	}
	return p
}

// eqStr is `attr eq "v"`.
func eqStr(attr, v string) filter.Expr {
	return &filter.Compare{Path: path(attr), Op: filter.OpEq, Value: filter.Value{Kind: filter.KindString, Str: v}}
}

// eqBool is `attr eq true|false`.
func eqBool(attr string, v bool) filter.Expr {
	return &filter.Compare{Path: path(attr), Op: filter.OpEq, Value: filter.Value{Kind: filter.KindBool, Bool: v}}
}

// or is `l or r`.
func or(l, r filter.Expr) filter.Expr { return &filter.Or{Left: l, Right: r} }
