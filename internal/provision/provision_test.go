package provision_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/provision"
	"github.com/rosterhq/roster/internal/provision/provisiontest"
	"github.com/rosterhq/roster/internal/scim"
)

const base = "https://roster.test/scim/v2"

// fixture is one test's service, environment and caller.
type fixture struct {
	t   *testing.T
	e   *provisiontest.Env
	svc *provision.Service
	c   provision.Caller
	ctx context.Context
}

// run runs fn on every backend with a fresh team.
func run(t *testing.T, fn func(f *fixture)) {
	t.Helper()
	for _, b := range provisiontest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			st := b.Open(t)
			e := provisiontest.New(t, st)
			svc := provision.New(st, provision.Config{
				Quirks:             scim.DefaultQuirks(),
				Logger:             slog.New(slog.NewTextHandler(io.Discard, nil)),
				MaxMembersPerPatch: 50,
			})
			f := &fixture{t: t, e: e, svc: svc, ctx: context.Background()}
			f.c = f.caller(e.Key)
			fn(f)
		})
	}
}

func (f *fixture) caller(key string) provision.Caller {
	f.t.Helper()
	c, err := f.svc.Authenticate(f.ctx, "Bearer "+key)
	if err != nil {
		f.t.Fatalf("Authenticate: %v", err)
	}
	return c
}

// doc renders a resource as a JSON map.
func (f *fixture) doc(r *provision.Resource) map[string]any {
	f.t.Helper()
	var buf bytes.Buffer
	if err := r.WriteJSON(f.ctx, &buf, base); err != nil {
		f.t.Fatalf("WriteJSON: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		f.t.Fatalf("WriteJSON wrote invalid JSON %s: %v", buf.String(), err)
	}
	return m
}

// user creates a user and returns its resource.
func (f *fixture) user(userName string, extra string) *provision.Resource {
	f.t.Helper()
	body := fmt.Sprintf(`{"schemas":[%q],"userName":%q,"name":{"givenName":"G","familyName":"F"}%s}`, scim.UserSchema, userName, extra)
	r, err := f.svc.CreateUser(f.ctx, f.c, []byte(body), provision.Options{})
	if err != nil {
		f.t.Fatalf("CreateUser(%s): %v", userName, err)
	}
	return r
}

func (f *fixture) group(name string, memberIDs ...string) *provision.Resource {
	f.t.Helper()
	ms := make([]string, 0, len(memberIDs))
	for _, id := range memberIDs {
		ms = append(ms, fmt.Sprintf(`{"value":%q}`, id))
	}
	body := fmt.Sprintf(`{"schemas":[%q],"displayName":%q,"members":[%s]}`, scim.GroupSchema, name, strings.Join(ms, ","))
	r, err := f.svc.CreateGroup(f.ctx, f.c, []byte(body), provision.Options{})
	if err != nil {
		f.t.Fatalf("CreateGroup(%s): %v", name, err)
	}
	return r
}

func patchBody(ops ...string) []byte {
	return []byte(fmt.Sprintf(`{"schemas":[%q],"Operations":[%s]}`, scim.PatchOpSchema, strings.Join(ops, ",")))
}

// memberIDs returns the member values of a rendered group.
func memberIDs(doc map[string]any) []string {
	ms, _ := doc["members"].([]any)
	out := []string{}
	for _, m := range ms {
		out = append(out, m.(map[string]any)["value"].(string))
	}
	return out
}

func kindOf(err error) string {
	if e, ok := scim.AsError(err); ok {
		return fmt.Sprintf("%d %s", e.Status, e.Type)
	}
	var ce *core.Error
	if errors.As(err, &ce) {
		return fmt.Sprintf("kind%d %s", ce.Kind, ce.Code)
	}
	return fmt.Sprint(err)
}

func TestAuthenticate(t *testing.T) {
	run(t, func(f *fixture) {
		t := f.t
		off, offKey := f.e.NewTeam(false)
		revoked := f.e.RevokedKey(f.e.Team.ID)
		expired := f.e.ExpiredKey(f.e.Team.ID)
		unknown, _, _, err := core.NewKey(core.KeySCIM)
		if err != nil {
			t.Fatal(err)
		}
		typo := []byte(f.e.Key)
		typo[10] ^= 1
		cases := []struct {
			name, header string
			want         core.Kind
			detail       string
		}{
			{"bearer", "Bearer " + f.e.Key, -1, ""},
			{"scheme any case", "bEaReR   " + f.e.Key + "  ", -1, ""},
			{"bare key", "  " + f.e.Key, -1, ""},
			{"missing", "", core.KindUnauthenticated, "no API key"},
			{"malformed", "Bearer not-a-key", core.KindUnauthenticated, "malformed"},
			{"typo", "Bearer " + string(typo), core.KindUnauthenticated, "malformed"},
			{"other scheme", "Basic " + f.e.Key, core.KindUnauthenticated, "scheme"},
			{"unknown", unknown, core.KindUnauthenticated, "not recognised"},
			{"revoked", revoked, core.KindUnauthenticated, "revoked"},
			{"expired", expired, core.KindUnauthenticated, "expired"},
			{"scim off", offKey, core.KindForbidden, "SCIM provisioning is disabled for this team"},
		}
		for _, c := range cases {
			caller, err := f.svc.Authenticate(f.ctx, c.header)
			if c.want == -1 {
				if err != nil || caller.TeamID != f.e.Team.ID {
					t.Errorf("%s: Authenticate = %+v, %v; want team %s", c.name, caller, err, f.e.Team.ID)
				}
				continue
			}
			if !core.IsKind(err, c.want) || !strings.Contains(err.Error(), c.detail) {
				t.Errorf("%s: error %v, want kind %d containing %q", c.name, err, c.want, c.detail)
			}
			if err != nil && (strings.Contains(err.Error(), f.e.Key) || strings.Contains(err.Error(), revoked) || strings.Contains(err.Error(), offKey)) {
				t.Errorf("%s: error echoes the key", c.name)
			}
		}
		_ = off
		// The key's last use is recorded (once).
		used := f.e.KeyLastUsed(f.e.Team.ID)
		n := 0
		for _, u := range used {
			if u != nil {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d keys have a last use, want exactly the one that authenticated", n)
		}
	})
}

func TestCreateUser(t *testing.T) {
	run(t, func(f *fixture) {
		t := f.t
		email := f.e.Email("alice")
		r := f.user("Alice@"+f.e.Domain, fmt.Sprintf(`,"password":"Hunter2-secret","emails":[{"value":%q,"type":"work","primary":true}],"externalId":"00u1","groups":[{"value":"x"}]`, email))
		d := f.doc(r)
		if d["userName"] != "Alice@"+f.e.Domain || d["id"] != r.ID() || d["externalId"] != "00u1" || d["active"] != true {
			t.Errorf("created user = %v", d)
		}
		meta := d["meta"].(map[string]any)
		if meta["version"] != `W/"1"` || meta["resourceType"] != "User" || meta["location"] != base+"/Users/"+r.ID() {
			t.Errorf("meta = %v", meta)
		}
		if _, ok := d["groups"]; ok {
			t.Errorf("groups echoed from the request: %v", d["groups"])
		}
		ext := d[scim.RosterUserSchema].(map[string]any)
		if ext["status"] != "active" {
			t.Errorf("roster extension = %v", ext)
		}
		var buf bytes.Buffer
		_ = r.WriteJSON(f.ctx, &buf, base)
		if strings.Contains(buf.String(), "Hunter2") || strings.Contains(strings.ToLower(buf.String()), "password") {
			t.Errorf("response contains the password: %s", buf.String())
		}
		m, err := f.e.Store.Member(f.ctx, f.e.Team.ID, r.ID())
		if err != nil {
			t.Fatal(err)
		}
		if js, _ := json.Marshal(m.Doc); bytes.Contains(js, []byte("Hunter2")) {
			t.Errorf("stored document contains the password: %s", js)
		}
		if m.Role != core.RoleDeveloper || !m.SCIMManaged || m.Email != email {
			t.Errorf("member = %+v", m)
		}

		// Duplicates, in any letter case.
		_, err = f.svc.CreateUser(f.ctx, f.c, []byte(`{"userName":"ALICE@`+strings.ToUpper(f.e.Domain)+`"}`), provision.Options{})
		if !core.IsKind(err, core.KindConflict) || kindOf(err) != fmt.Sprintf("kind%d uniqueness", core.KindConflict) {
			t.Errorf("duplicate userName: %v (%s)", err, kindOf(err))
		}
		// The same email under another userName, in this team.
		_, err = f.svc.CreateUser(f.ctx, f.c, []byte(fmt.Sprintf(`{"userName":"alice2","emails":[{"value":%q}]}`, strings.ToUpper(email))), provision.Options{})
		if !core.IsKind(err, core.KindConflict) {
			t.Errorf("same email, other userName: %v", err)
		}
		// An account of another team: 409 that does not name the team.
		other, otherKey := f.e.NewTeam(true)
		oc := f.caller(otherKey)
		_, err = f.svc.CreateUser(f.ctx, oc, []byte(fmt.Sprintf(`{"userName":%q}`, email)), provision.Options{})
		if !core.IsKind(err, core.KindConflict) || strings.Contains(err.Error(), f.e.Team.Slug) || strings.Contains(err.Error(), f.e.Team.ID) {
			t.Errorf("account of another team: %v", err)
		}
		_ = other
	})
}

func TestUserLifecycle(t *testing.T) {
	run(t, func(f *fixture) {
		t := f.t
		r := f.user("bob", "")
		id := r.ID()
		// A user without an address gets a placeholder email.
		m, _ := f.e.Store.Member(f.ctx, f.e.Team.ID, id)
		if !strings.HasSuffix(m.Email, ".invalid") {
			t.Errorf("email of a user without an address = %q", m.Email)
		}
		// Path-less deactivate (Okta), then Entra's string boolean.
		got, err := f.svc.PatchUser(f.ctx, f.c, id, patchBody(`{"op":"replace","value":{"active":false}}`), provision.Options{})
		if err != nil {
			t.Fatal(err)
		}
		d := f.doc(got)
		if d["active"] != false || d[scim.RosterUserSchema].(map[string]any)["status"] != "deactivated" || got.ETag() != `W/"2"` {
			t.Errorf("deactivated = %v %s", d, got.ETag())
		}
		// Repeating it changes nothing and keeps the version.
		got, err = f.svc.PatchUser(f.ctx, f.c, id, patchBody(`{"op":"Replace","path":"active","value":"False"}`), provision.Options{})
		if err != nil || got.ETag() != `W/"2"` {
			t.Errorf("no-op PATCH: %v, version %s", err, got.ETag())
		}
		got, err = f.svc.PatchUser(f.ctx, f.c, id, patchBody(`{"op":"Replace","path":"active","value":"True"}`), provision.Options{})
		if err != nil || f.doc(got)["active"] != true || got.ETag() != `W/"3"` {
			t.Errorf("reactivate: %v", err)
		}
		m, _ = f.e.Store.Member(f.ctx, f.e.Team.ID, id)
		if m.Role != core.RoleDeveloper || m.Status != core.StatusActive {
			t.Errorf("reactivated member = %+v", m)
		}
		// PUT without active leaves it; a no-op PUT keeps the version.
		put := `{"userName":"bob","name":{"givenName":"G","familyName":"F"}}`
		got, err = f.svc.ReplaceUser(f.ctx, f.c, id, []byte(put), provision.Options{})
		if err != nil || got.ETag() != `W/"3"` || f.doc(got)["active"] != true {
			t.Errorf("no-op PUT: %v %s", err, got.ETag())
		}
		// PUT renames and clears what it omits.
		got, err = f.svc.ReplaceUser(f.ctx, f.c, id, []byte(`{"userName":"Robert","active":false}`), provision.Options{})
		if err != nil {
			t.Fatal(err)
		}
		d = f.doc(got)
		if d["userName"] != "Robert" || d["active"] != false || d["name"].(map[string]any)["familyName"] != "" {
			t.Errorf("PUT = %v", d)
		}
		// An email change needs a verified domain.
		newMail := f.e.Email("robert")
		body := fmt.Sprintf(`{"userName":"Robert","emails":[{"value":%q,"primary":true}]}`, newMail)
		_, err = f.svc.ReplaceUser(f.ctx, f.c, id, []byte(body), provision.Options{})
		if kindOf(err) != "400 invalidValue" || !strings.Contains(err.Error(), "verified") {
			t.Errorf("email change to an unverified domain: %v", err)
		}
		f.e.VerifyDomain(f.e.Team.ID, f.e.Domain)
		if _, err = f.svc.ReplaceUser(f.ctx, f.c, id, []byte(body), provision.Options{}); err != nil {
			t.Errorf("email change to a verified domain: %v", err)
		}
		m, _ = f.e.Store.Member(f.ctx, f.e.Team.ID, id)
		acct, _ := f.e.Store.Account(f.ctx, m.AccountID)
		if m.Email != newMail || acct.Email != newMail {
			t.Errorf("email after change: member %q account %q", m.Email, acct.Email)
		}
		// DELETE: 404 afterwards, the account kept, a create re-attaches.
		if err := f.svc.DeleteUser(f.ctx, f.c, id, provision.Conditions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.GetUser(f.ctx, f.c, id, provision.Options{}); !core.IsKind(err, core.KindNotFound) {
			t.Errorf("GET after DELETE: %v", err)
		}
		if _, err := f.e.Store.Account(f.ctx, m.AccountID); err != nil {
			t.Errorf("account gone after DELETE: %v", err)
		}
		again := f.user("robert2", fmt.Sprintf(`,"emails":[{"value":%q}]`, newMail))
		m2, _ := f.e.Store.Member(f.ctx, f.e.Team.ID, again.ID())
		if m2.AccountID != m.AccountID || again.ID() == id {
			t.Errorf("re-create: account %s (want %s), id %s", m2.AccountID, m.AccountID, again.ID())
		}
	})
}

func TestTenantIsolation(t *testing.T) {
	run(t, func(f *fixture) {
		t := f.t
		u := f.user("iso", "")
		g := f.group("iso-group", u.ID())
		_, otherKey := f.e.NewTeam(true)
		oc := f.caller(otherKey)
		checks := map[string]error{}
		_, checks["GetUser"] = f.svc.GetUser(f.ctx, oc, u.ID(), provision.Options{})
		_, checks["ReplaceUser"] = f.svc.ReplaceUser(f.ctx, oc, u.ID(), []byte(`{"userName":"x"}`), provision.Options{})
		_, checks["PatchUser"] = f.svc.PatchUser(f.ctx, oc, u.ID(), patchBody(`{"op":"replace","path":"active","value":false}`), provision.Options{})
		checks["DeleteUser"] = f.svc.DeleteUser(f.ctx, oc, u.ID(), provision.Conditions{})
		_, checks["GetGroup"] = f.svc.GetGroup(f.ctx, oc, g.ID(), provision.Options{})
		_, checks["ReplaceGroup"] = f.svc.ReplaceGroup(f.ctx, oc, g.ID(), []byte(`{"displayName":"x"}`), provision.Options{})
		_, checks["PatchGroup"] = f.svc.PatchGroup(f.ctx, oc, g.ID(), patchBody(`{"op":"replace","path":"displayName","value":"x"}`), provision.Options{})
		checks["DeleteGroup"] = f.svc.DeleteGroup(f.ctx, oc, g.ID(), provision.Conditions{})
		for name, err := range checks {
			if !core.IsKind(err, core.KindNotFound) {
				t.Errorf("%s with another team's key: %v, want not found", name, err)
			}
		}
		// The other team cannot add this team's user to its group.
		og, err := f.svc.CreateGroup(f.ctx, oc, []byte(`{"displayName":"theirs"}`), provision.Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.PatchGroup(f.ctx, oc, og.ID(), patchBody(fmt.Sprintf(`{"op":"add","path":"members","value":[{"value":%q}]}`, u.ID())), provision.Options{})
		if kindOf(err) != "400 invalidValue" || !strings.Contains(err.Error(), u.ID()) {
			t.Errorf("adding another team's user: %v", err)
		}
		l, err := f.svc.ListUsers(f.ctx, oc, scim.SearchRequest{})
		if err != nil || l.Total != 0 {
			t.Errorf("other team lists %d users (%v)", l.Total, err)
		}
		// Still intact for the owner.
		if _, err := f.svc.GetUser(f.ctx, f.c, u.ID(), provision.Options{}); err != nil {
			t.Error(err)
		}
		if d := f.doc(mustGroup(f, g.ID())); len(memberIDs(d)) != 1 {
			t.Errorf("group changed by another team: %v", d)
		}
	})
}

func mustGroup(f *fixture, id string) *provision.Resource {
	f.t.Helper()
	r, err := f.svc.GetGroup(f.ctx, f.c, id, provision.Options{})
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

func TestConcurrentCreates(t *testing.T) {
	run(t, func(f *fixture) {
		t := f.t
		const n = 6
		var wg sync.WaitGroup
		errs := make([]error, 2*n)
		for i := range n {
			wg.Add(2)
			go func() { // the same userName in different letter cases
				defer wg.Done()
				body := fmt.Sprintf(`{"userName":%q}`, []string{"dup", "DUP", "Dup"}[i%3])
				_, errs[i] = f.svc.CreateUser(f.ctx, f.c, []byte(body), provision.Options{})
			}()
			go func() { // different userNames, one email
				defer wg.Done()
				body := fmt.Sprintf(`{"userName":"mail%d","emails":[{"value":%q}]}`, i, f.e.Email("shared"))
				_, errs[n+i] = f.svc.CreateUser(f.ctx, f.c, []byte(body), provision.Options{})
			}()
		}
		wg.Wait()
		for half, errs := range [][]error{errs[:n], errs[n:]} {
			ok := 0
			for _, err := range errs {
				switch {
				case err == nil:
					ok++
				case !core.IsKind(err, core.KindConflict):
					t.Errorf("group %d: unexpected error %v", half, err)
				}
			}
			if ok != 1 {
				t.Errorf("group %d: %d creates succeeded, want exactly 1", half, ok)
			}
		}
	})
}

func TestListPaging(t *testing.T) {
	run(t, func(f *fixture) {
		t := f.t
		var ids []string
		for i := range 23 {
			ids = append(ids, f.user(fmt.Sprintf("user%02d", i), "").ID())
		}
		// Index walk (startIndex += count), while inserting: no duplicates.
		seen := map[string]bool{}
		for start := 1; ; start += 5 {
			count := 5
			l, err := f.svc.ListUsers(f.ctx, f.c, scim.SearchRequest{StartIndex: &start, Count: &count})
			if err != nil {
				t.Fatal(err)
			}
			if l.StartIndex != start {
				t.Errorf("startIndex %d, want %d", l.StartIndex, start)
			}
			for _, r := range l.Items {
				if seen[r.ID()] {
					t.Errorf("user %s seen twice", r.ID())
				}
				seen[r.ID()] = true
			}
			if start == 6 {
				f.user("late-arrival", "")
			}
			if start+count > l.Total {
				break
			}
		}
		if len(seen) != 24 {
			t.Errorf("walk saw %d users, want 24", len(seen))
		}
		// count=0: total only; startIndex<1 is 1; count is capped.
		zero, neg, huge := 0, -4, 1_000_000
		l, _ := f.svc.ListUsers(f.ctx, f.c, scim.SearchRequest{Count: &zero})
		if l.Total != 24 || len(l.Items) != 0 {
			t.Errorf("count=0: total %d items %d", l.Total, len(l.Items))
		}
		l, _ = f.svc.ListUsers(f.ctx, f.c, scim.SearchRequest{StartIndex: &neg, Count: &huge})
		if l.StartIndex != 1 || len(l.Items) != 24 {
			t.Errorf("startIndex<1: start %d items %d", l.StartIndex, len(l.Items))
		}
		// Filters: case-insensitive userName eq; no match is an empty page.
		l, err := f.svc.ListUsers(f.ctx, f.c, scim.SearchRequest{Filter: `userName eq "USER07"`})
		if err != nil || l.Total != 1 || l.Items[0].ID() != ids[7] {
			t.Errorf("userName eq: %v %+v", err, l)
		}
		l, err = f.svc.ListUsers(f.ctx, f.c, scim.SearchRequest{Filter: `userName eq "nobody"`})
		if err != nil || l.Total != 0 {
			t.Errorf("no match: %v", err)
		}
		if _, err := f.svc.ListUsers(f.ctx, f.c, scim.SearchRequest{Filter: `userName eq`}); kindOf(err) != "400 invalidFilter" {
			t.Errorf("bad filter: %v", err)
		}
		// Sorting.
		l, err = f.svc.ListUsers(f.ctx, f.c, scim.SearchRequest{SortBy: "userName", SortOrder: scim.SortDescending, Count: ptr(2)})
		if err != nil || f.doc(l.Items[0])["userName"] != "user22" {
			t.Errorf("sort: %v", err)
		}
		// Cursor paging.
		var cursor = ""
		seen = map[string]bool{}
		pages := 0
		for {
			l, err := f.svc.ListUsers(f.ctx, f.c, scim.SearchRequest{Cursor: &cursor, Count: ptr(10)})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, r := range l.Items {
				if seen[r.ID()] {
					t.Errorf("cursor paging repeated %s", r.ID())
				}
				seen[r.ID()] = true
			}
			if l.NextCursor == "" {
				break
			}
			cursor = l.NextCursor
		}
		if len(seen) != 24 || pages != 3 {
			t.Errorf("cursor walk: %d users in %d pages", len(seen), pages)
		}
		bad := cursor + "x"
		if _, err := f.svc.ListUsers(f.ctx, f.c, scim.SearchRequest{Cursor: &bad}); kindOf(err) != "400 invalidCursor" {
			t.Errorf("bad cursor: %v", err)
		}
		if _, err := f.svc.ListUsers(f.ctx, f.c, scim.SearchRequest{Cursor: &cursor, Filter: `active eq true`}); kindOf(err) != "400 invalidCursor" {
			t.Errorf("cursor of another query: %v", err)
		}
		// Root search spans both types.
		f.group("g1")
		l, err = f.svc.Search(f.ctx, f.c, scim.SearchRequest{StartIndex: ptr(24), Count: ptr(5)})
		if err != nil || l.Total != 25 || len(l.Items) != 2 || l.Items[1].ResourceType() != "Group" {
			t.Errorf("root search: %v %+v", err, l)
		}
		l, err = f.svc.Search(f.ctx, f.c, scim.SearchRequest{Filter: `displayName eq "g1"`})
		if err != nil || l.Total != 1 {
			t.Errorf("root search by displayName: %v %+v", err, l)
		}
	})
}

func ptr[T any](v T) *T { return &v }
