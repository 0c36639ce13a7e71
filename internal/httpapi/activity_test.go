package httpapi_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	roster "github.com/rosterhq/roster"
	"github.com/rosterhq/roster/internal/admin"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/httpapi"
	"github.com/rosterhq/roster/internal/provision"
	"github.com/rosterhq/roster/internal/provision/provisiontest"
	"github.com/rosterhq/roster/internal/scim"
)

// waitActivity polls the admin API until the team's activity log holds at
// least n records matching q (the recorder writes every 250 ms).
func waitActivity(t *testing.T, c *roster.Client, team string, q roster.ActivityQuery, n int) []roster.Activity {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		pg, err := c.Activity(context.Background(), team, q)
		must(t, err, "activity")
		if len(pg.Activity) >= n {
			return pg.Activity
		}
		if time.Now().After(deadline) {
			t.Fatalf("activity of %s: %d records, want at least %d: %+v", team, len(pg.Activity), n, pg.Activity)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Real SCIM requests, read back through GET /api/v1/teams/{team}/scim/activity:
// failures carry status, scimType and detail; ?failures=true keeps only
// them; no password or key is stored; a team sees only its own requests.
func TestActivityRecordedAndReadable(t *testing.T) {
	eachAPIBackend(t, func(e *apiEnv) {
		t := e.t
		ctx := context.Background()
		boss, _ := setup(t, e)
		_, err := boss.SetSCIM(ctx, "acme", true)
		must(t, err, "SCIM on")
		key, err := boss.CreateSCIMKey(ctx, "acme", roster.CreateKeyRequest{Name: "Okta"})
		must(t, err, "key")

		// A create with a password, then the same userName again (409).
		if r := e.scimCreate(key.Secret, "ann@acme.test"); r.status != 201 {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
		var created struct{ ID string }
		if r := e.scimCreate(key.Secret, "ann@acme.test"); r.status != 409 {
			t.Fatalf("duplicate create: %d %s", r.status, r.body)
		}
		// An invalid filter (400 invalidFilter), with the key in the query
		// string for good measure.
		bad := "/scim/v2/Users?filter=" + url.QueryEscape(`userName eq`) + "&note=" + key.Secret
		if r := e.raw("GET", bad, "", map[string]string{"Authorization": "Bearer " + key.Secret}); r.status != 400 {
			t.Fatalf("bad filter: %d %s", r.status, r.body)
		}
		// A PATCH that sets the password through a path.
		lookup := e.raw("GET", "/scim/v2/Users?filter="+url.QueryEscape(`userName eq "ann@acme.test"`), "",
			map[string]string{"Authorization": "Bearer " + key.Secret})
		var list struct{ Resources []struct{ ID string } }
		if err := json.Unmarshal(lookup.body, &list); err != nil || len(list.Resources) != 1 {
			t.Fatalf("lookup: %d %s", lookup.status, lookup.body)
		}
		created.ID = list.Resources[0].ID
		patch := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` +
			`{"op":"replace","path":"password","value":"Patch3dSecret!"},` +
			`{"op":"replace","value":{"PassWord":{"nested":"ObjSecret!"},"displayName":"Ann"}}]}`
		r := e.raw("PATCH", "/scim/v2/Users/"+created.ID, patch, map[string]string{
			"Authorization": "Bearer " + key.Secret, "Content-Type": "application/scim+json"})
		if r.status != 200 {
			t.Fatalf("patch: %d %s", r.status, r.body)
		}
		// Not recorded: no key (401, no team).
		if r := e.raw("GET", "/scim/v2/Users", "", nil); r.status != 401 {
			t.Fatalf("no key: %d", r.status)
		}

		// Another team with its own key and a request of its own.
		adm := e.open()
		other, err := adm.CreateTeam(ctx, "other", "Other")
		must(t, err, "other team")
		_, err = adm.SetSCIM(ctx, other.ID, true)
		must(t, err, "other SCIM on")
		okey, err := adm.CreateKey(ctx, other.ID, "Entra", "test", 0)
		must(t, err, "other key")
		if r := e.scimGet(okey.Secret); r.status != 200 {
			t.Fatalf("other get: %d %s", r.status, r.body)
		}

		all := waitActivity(t, boss, "acme", roster.ActivityQuery{}, 5)
		if len(all) != 5 {
			t.Fatalf("acme activity: %d records, want 5: %+v", len(all), all)
		}
		// Newest first: PATCH, lookup, bad filter, duplicate, create.
		wantMethods := []string{"PATCH", "GET", "GET", "POST", "POST"}
		for i, a := range all {
			if a.Method != wantMethods[i] || a.KeyID != key.Key.ID || a.At.IsZero() || a.ID == "" {
				t.Errorf("record %d = %+v, want method %s and key %s", i, a, wantMethods[i], key.Key.ID)
			}
		}
		created201, dup, badFilter, patched := all[4], all[3], all[2], all[0]
		if created201.Status != 201 || created201.Path != "/scim/v2/Users" || created201.SCIMType != "" ||
			!strings.Contains(created201.RequestBody, `"userName":"ann@acme.test"`) || !strings.Contains(created201.ResponseBody, created.ID) {
			t.Errorf("create record = %+v", created201)
		}
		if dup.Status != 409 || dup.SCIMType != "uniqueness" || dup.Detail == "" {
			t.Errorf("duplicate record = %+v", dup)
		}
		if badFilter.Status != 400 || badFilter.SCIMType != "invalidFilter" || badFilter.Detail == "" ||
			!strings.HasPrefix(badFilter.Path, "/scim/v2/Users?filter=userName+eq") {
			t.Errorf("bad filter record = %+v", badFilter)
		}
		if patched.Status != 200 || !strings.Contains(patched.RequestBody, `"displayName":"Ann"`) {
			t.Errorf("patch record = %+v", patched)
		}
		for _, a := range all {
			raw, _ := json.Marshal(a)
			for _, secret := range []string{"Plac3holder!pw", "Patch3dSecret!", "ObjSecret!", key.Secret, key.Secret[:20], okey.Secret} {
				if strings.Contains(string(raw), secret) {
					t.Errorf("record %s holds the secret %q: %s", a.ID, secret, raw)
				}
			}
		}
		if !strings.Contains(created201.RequestBody, `"password":"[redacted]"`) {
			t.Errorf("create request body = %s", created201.RequestBody)
		}

		// Failures only.
		fails := waitActivity(t, boss, "acme", roster.ActivityQuery{FailuresOnly: true}, 2)
		if len(fails) != 2 || fails[0].Status != 400 || fails[1].Status != 409 {
			t.Errorf("failures = %+v", fails)
		}

		// The other team has its one request, and acme's admin cannot read it.
		deadline := time.Now().Add(10 * time.Second)
		var others []core.Activity
		for len(others) == 0 && time.Now().Before(deadline) {
			others, err = adm.Activity(ctx, core.CLIPrincipal(), other.ID, admin.ActivityQuery{})
			must(t, err, "other activity")
			time.Sleep(50 * time.Millisecond)
		}
		if len(others) != 1 || others[0].KeyID != okey.Key.ID || others[0].Status != 200 {
			t.Errorf("other team's activity = %+v", others)
		}
		_, err = boss.Activity(ctx, "other", roster.ActivityQuery{})
		if err == nil {
			t.Errorf("acme's admin read the other team's activity")
		}
	})
}

// The 429 of the rate limiter is recorded for the key's team; Close
// writes what is queued.
func TestActivityRateLimitedAndClose(t *testing.T) {
	st := provisiontest.OpenSQLite(t)
	e := provisiontest.New(t, st)
	prov := provision.New(st, provision.Config{Quirks: scim.DefaultQuirks(), Logger: slog.New(slog.DiscardHandler)})
	ts := httptest.NewServer(httpapi.New(prov, httpapi.Config{
		Logger: slog.New(slog.DiscardHandler), RateLimit: httpapi.RateLimit{PerKey: 0.001, Burst: 1}}))
	defer ts.Close()
	get := func() int {
		req, _ := http.NewRequest("GET", ts.URL+"/scim/v2/Users?count=1", nil)
		req.Header.Set("Authorization", "Bearer "+e.Key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	if s := get(); s != 200 {
		t.Fatalf("first: %d", s)
	}
	if s := get(); s != 429 {
		t.Fatalf("second: %d", s)
	}
	ts.Close()
	ctx := context.Background()
	if err := prov.Close(ctx); err != nil {
		t.Fatal(err)
	}
	// Close wrote both without waiting for the writer's tick.
	as, err := e.Admin.Activity(ctx, core.CLIPrincipal(), e.Team.ID, admin.ActivityQuery{})
	must(t, err, "activity")
	if len(as) != 2 || as[0].Status != 429 || as[0].SCIMType != "" && as[0].SCIMType != "tooMany" ||
		!strings.Contains(as[0].Detail, "too many requests") || as[1].Status != 200 {
		t.Fatalf("activity = %+v", as)
	}
	prov.RecordActivity(core.Activity{TeamID: e.Team.ID, Method: "GET", Path: "/x", Status: 200})
	if prov.ActivityDropped() != 1 {
		t.Errorf("a record after Close: dropped = %d, want 1", prov.ActivityDropped())
	}
}

// Successful reads beyond the per-key sample are counted in the team's
// traffic but not recorded in detail; writes and failures always are.
func TestActivitySamplesReads(t *testing.T) {
	st := provisiontest.OpenSQLite(t)
	e := provisiontest.New(t, st)
	prov := provision.New(st, provision.Config{Quirks: scim.DefaultQuirks(), Logger: slog.New(slog.DiscardHandler), ActivityReadSample: 1})
	ts := httptest.NewServer(httpapi.New(prov, httpapi.Config{Logger: slog.New(slog.DiscardHandler), RateLimit: httpapi.RateLimit{Disabled: true}}))
	defer ts.Close()
	call := func(method, path, body string) int {
		req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+e.Key)
		req.Header.Set("Content-Type", "application/scim+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	start := time.Now()
	const reads = 30
	for range reads {
		if s := call("GET", "/scim/v2/Users?count=1", ""); s != 200 {
			t.Fatalf("GET: %d", s)
		}
	}
	if s := call("POST", "/scim/v2/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"count":1}`); s != 200 {
		t.Fatalf(".search: %d", s)
	}
	if s := call("GET", "/scim/v2/Users/no-such-id", ""); s != 404 {
		t.Fatalf("GET unknown: %d", s)
	}
	if s := call("POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"sampled@acme.test"}`); s != 201 {
		t.Fatalf("POST: %d", s)
	}
	elapsed := time.Since(start)
	ts.Close()
	ctx := context.Background()
	if err := prov.Close(ctx); err != nil {
		t.Fatal(err)
	}
	as, err := e.Admin.Activity(ctx, core.CLIPrincipal(), e.Team.ID, admin.ActivityQuery{Limit: 1000})
	must(t, err, "activity")
	var gets, posts, failures int
	for _, a := range as {
		switch {
		case a.Status >= 400:
			failures++
		case a.Method == "POST" && !strings.HasSuffix(a.Path, ".search"):
			posts++
		default:
			gets++
		}
	}
	// At 1/s in bursts of 4: the burst, plus at most one a second since.
	maxSampled := 4 + int(elapsed.Seconds()) + 1
	if failures != 1 || posts != 1 || gets < 4 || gets > maxSampled {
		t.Errorf("recorded %d reads, %d creates, %d failures of %d reads, 1 create, 1 failure; want every create and failure and 4 to %d reads",
			gets, posts, failures, reads+1, maxSampled)
	}
	minute := start.UTC().Truncate(time.Minute)
	bs, err := st.ActivityCounts(ctx, e.Team.ID, []time.Time{minute, minute.Add(2 * time.Minute)})
	must(t, err, "counts")
	if bs[0].Requests != reads+3 || bs[0].Failures != 1 {
		t.Errorf("traffic = %+v, want all %d requests and 1 failure counted", bs[0], reads+3)
	}
}
