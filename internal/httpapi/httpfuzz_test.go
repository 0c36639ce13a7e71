package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/httpapi"
	"github.com/rosterhq/roster/internal/provision"
	"github.com/rosterhq/roster/internal/provision/provisiontest"
	"github.com/rosterhq/roster/internal/scim"
)

// fuzzEnv is one fuzz worker's server: a SQLite store with a team, a few
// users and groups, and the handler, reused by every iteration.
type fuzzEnv struct {
	h        http.Handler
	key      string
	uid, gid string
	// fp is the last fingerprint of the users and groups.
	fp string
}

func newFuzzEnv(f *testing.F) *fuzzEnv {
	st := provisiontest.OpenSQLite(f)
	e := provisiontest.New(f, st)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := provision.New(st, provision.Config{Quirks: scim.DefaultQuirks(), Logger: logger, MaxBulkOperations: 20})
	f.Cleanup(func() { _ = svc.Close(context.Background()) })
	fe := &fuzzEnv{
		h:   httpapi.New(svc, httpapi.Config{BaseURL: baseURL, Logger: logger, RateLimit: httpapi.RateLimit{Disabled: true}, MaxBodyBytes: 64 << 10}),
		key: e.Key,
	}
	var ids []string
	for _, un := range []string{"ada@example.com", "bob@example.com", "cy@example.com"} {
		code, body := fe.send("POST", "/scim/v2/Users", "application/scim+json", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"`+un+`","externalId":"x-`+un+`","name":{"givenName":"A","familyName":"B"},"emails":[{"value":"`+un+`","type":"work","primary":true}],"active":true}`, true)
		if code != 201 {
			f.Fatalf("seed user: %d %s", code, body)
		}
		var m struct{ ID string }
		_ = json.Unmarshal(body, &m)
		ids = append(ids, m.ID)
	}
	code, body := fe.send("POST", "/scim/v2/Groups", "application/scim+json", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Engineering","members":[{"value":"`+ids[0]+`"},{"value":"`+ids[1]+`"}]}`, true)
	if code != 201 {
		f.Fatalf("seed group: %d %s", code, body)
	}
	var g struct{ ID string }
	_ = json.Unmarshal(body, &g)
	fe.uid, fe.gid = ids[0], g.ID
	fe.fp = fe.fingerprint(f)
	return fe
}

// send serves one request in process.
func (fe *fuzzEnv) send(method, target, contentType, body string, auth bool) (int, []byte) {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	if auth {
		r.Header.Set("Authorization", "Bearer "+fe.key)
	}
	w := httptest.NewRecorder()
	fe.h.ServeHTTP(w, r)
	return w.Code, w.Body.Bytes()
}

// fingerprint is the ids and versions of every user and group, read
// through the API.
func (fe *fuzzEnv) fingerprint(t testing.TB) string {
	t.Helper()
	var parts []string
	for _, p := range []string{"/scim/v2/Users?count=1000&attributes=id,meta", "/scim/v2/Groups?count=1000&attributes=id,meta,members"} {
		code, body := fe.send("GET", p, "", "", true)
		if code != 200 {
			t.Fatalf("fingerprint %s: %d %s", p, code, body)
		}
		var l struct {
			Total     int `json:"totalResults"`
			Resources []struct {
				ID   string `json:"id"`
				Meta struct {
					Version string `json:"version"`
				} `json:"meta"`
				Members []struct {
					Value string `json:"value"`
				} `json:"members"`
			} `json:"Resources"`
		}
		if err := json.Unmarshal(body, &l); err != nil {
			t.Fatalf("fingerprint %s: %v", p, err)
		}
		parts = append(parts, p+" "+strconv.Itoa(l.Total))
		for _, r := range l.Resources {
			parts = append(parts, r.ID+" "+r.Meta.Version+" "+strconv.Itoa(len(r.Members)))
		}
	}
	slices.Sort(parts)
	return strings.Join(parts, "\n")
}

// fuzzMethods are the methods a fuzzed method byte picks from.
var fuzzMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "PROPFIND", "get"}

// Requests built from the real shapes (Okta, Entra, PATCH ops, Bulk,
// search) with fuzzed method, path, query, content type and body: never a
// 5xx or a panic, every error a SCIM error body, and a rejected request
// changes nothing.
func FuzzSCIMHTTP(f *testing.F) {
	const (
		user       = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"okta.user@example.com","name":{"givenName":"Okta","familyName":"User"},"emails":[{"primary":true,"value":"okta.user@example.com","type":"work"}],"displayName":"Okta User","locale":"en-US","externalId":"00u1","groups":[],"password":"Secr3t!!","active":true}`
		entra      = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"externalId":"entra-1","userName":"entra.user@example.com","active":true,"displayName":"Entra User","emails":[{"primary":true,"type":"work","value":"entra.user@example.com"}],"meta":{"resourceType":"User"},"name":{"formatted":"Entra User","familyName":"User","givenName":"Entra"},"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"R&D","manager":{"value":"m1"}}}`
		group      = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Fuzzers","members":[{"value":"{uid}","display":"ada"}]}`
		patch      = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`
		entraPatch = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"},{"op":"Add","path":"emails[type eq \"work\"].value","value":"new@example.com"}]}`
		memberAdd  = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"{uid}"}]}]}`
		memberRm   = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"{uid}\"]"}]}`
		search     = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName eq \"ada@example.com\"","startIndex":1,"count":10,"attributes":["userName"]}`
		bulk       = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"failOnErrors":1,"Operations":[{"method":"POST","path":"/Users","bulkId":"q1","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bulk@example.com"}},{"method":"PATCH","path":"/Groups/{gid}","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"bulkId:q1"}]}]}}]}`
	)
	scimCT := "application/scim+json"
	for _, s := range []struct {
		m                     byte
		path, query, ct, body string
		auth                  bool
	}{
		{0, "Users", "filter=userName%20eq%20%22ada%40example.com%22&startIndex=1&count=100", "", "", true},
		{0, "Users", "filter=externalId eq \"x\"&attributes=userName,emails&sortBy=userName&sortOrder=descending", "", "", true},
		{0, "Users", "count=1000&cursor=", "", "", true},
		{0, "Groups", "filter=displayName eq \"Engineering\"&excludedAttributes=members", "", "", true},
		{0, "Groups", "filter=members[value eq \"{uid}\"]", "", "", true},
		{0, "Users/{uid}", "", "", "", true},
		{0, "Groups/{gid}", "attributes=members", "", "", true},
		{0, "ServiceProviderConfig", "", "", "", true},
		{0, "ResourceTypes/User", "", "", "", true},
		{0, "Schemas/urn:ietf:params:scim:schemas:core:2.0:User", "", "", "", true},
		{0, "Me", "", "", "", true},
		{0, "Users", "", "", "", false},
		{1, "Users", "", scimCT, user, true},
		{1, "Users", "aadOptscim062020", "application/json", entra, true},
		{1, "Groups", "", scimCT, group, true},
		{1, "Users/.search", "", scimCT, search, true},
		{1, ".search", "", scimCT, search, true},
		{1, "Bulk", "", scimCT, bulk, true},
		{1, "Users", "", "text/plain", user, true},
		{1, "Users", "", scimCT, `{"schemas":[],"userName":`, true},
		{2, "Users/{uid}", "", scimCT, strings.Replace(user, "okta.user", "ada", 2), true},
		{2, "Groups/{gid}", "", scimCT, group, true},
		{3, "Users/{uid}", "", scimCT, patch, true},
		{3, "Users/{uid}", "", scimCT, entraPatch, true},
		{3, "Groups/{gid}", "", scimCT, memberAdd, true},
		{3, "Groups/{gid}", "", scimCT, memberRm, true},
		{4, "Users/{uid}", "", "", "", true},
		{4, "Groups/nope", "", "", "", true},
		{5, "Users", "", "", "", true},
		{6, "Groups", "", "", "", true},
		{8, "Users/{uid}", "", scimCT, "", true},
	} {
		f.Add(s.m, s.path, s.query, s.ct, []byte(s.body), s.auth)
	}
	fe := newFuzzEnv(f)
	f.Fuzz(func(t *testing.T, m byte, pathSuffix, query, ct string, body []byte, auth bool) {
		method := fuzzMethods[int(m)%len(fuzzMethods)]
		fill := strings.NewReplacer("{uid}", fe.uid, "{gid}", fe.gid)
		target := "/scim/v2/" + fill.Replace(pathSuffix)
		if query != "" {
			target += "?" + fill.Replace(query)
		}
		r, err := http.NewRequest(method, target, strings.NewReader(fill.Replace(string(body))))
		if err != nil || r.URL.Path == "" || !strings.HasPrefix(r.URL.Path, "/") {
			return // not a request a client can send
		}
		r.RequestURI = r.URL.RequestURI()
		r.RemoteAddr = "192.0.2.1:1234"
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		if auth {
			r.Header.Set("Authorization", "Bearer "+fe.key)
		}
		w := httptest.NewRecorder()
		fe.h.ServeHTTP(w, r)
		code, rb := w.Code, w.Body.Bytes()
		what := method + " " + target + " " + ct + " " + string(body)
		// /Me is 501 by design (README): no user-bound tokens on SCIM.
		meNotImplemented := code == http.StatusNotImplemented && (r.URL.Path == "/scim/v2/Me" || strings.HasPrefix(r.URL.Path, "/scim/v2/Me/"))
		if code >= 500 && !meNotImplemented {
			t.Fatalf("%s: status %d %s", what, code, rb)
		}
		if code >= 300 && code != http.StatusNotModified {
			if got := w.Header().Get("Content-Type"); !strings.HasPrefix(got, "application/scim+json") {
				t.Fatalf("%s: status %d with Content-Type %q", what, code, got)
			}
			if method != "HEAD" {
				var e struct {
					Schemas []string `json:"schemas"`
					Status  string   `json:"status"`
				}
				if err := json.Unmarshal(rb, &e); err != nil || !slices.Contains(e.Schemas, scim.ErrorSchema) || e.Status != strconv.Itoa(code) {
					t.Fatalf("%s: status %d, not a SCIM error body: %s", what, code, rb)
				}
			}
		}
		if method == "GET" || method == "HEAD" || method == "get" {
			return
		}
		fp := fe.fingerprint(t)
		if code >= 400 && fp != fe.fp {
			t.Fatalf("%s: rejected with %d %s but the users or groups changed:\n%s", what, code, rb, lineDiff(fe.fp, fp))
		}
		fe.fp = fp
	})
}
