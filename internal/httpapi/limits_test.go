package httpapi_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/httpapi"
	"github.com/rosterhq/roster/internal/provision"
	"github.com/rosterhq/roster/internal/provision/provisiontest"
	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/scim/filter"
)

// startLimited is start with small provisioning limits, so that each can
// be crossed cheaply.
func startLimited(t *testing.T, b provisiontest.Backend, pc provision.Config, cfg httpapi.Config) *server {
	t.Helper()
	st := b.Open(t)
	e := provisiontest.New(t, st)
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	pc.Quirks, pc.Logger = scim.DefaultQuirks(), logger
	svc := provision.New(st, pc)
	t.Cleanup(func() { _ = svc.Close(context.Background()) })
	cfg.BaseURL, cfg.Logger = baseURL, logger
	ts := httptest.NewServer(httpapi.New(svc, cfg))
	t.Cleanup(ts.Close)
	return &server{t: t, ts: ts, e: e, key: e.Key, logs: logs, bodies: &syncBuffer{}}
}

// TestLimits crosses every request limit of the SCIM surface once over
// HTTP and checks the SCIM error (status and scimType) and that the
// rejected request changed nothing: the users and the group are as
// before. Transport limits (header size, slow clients) are in
// cmd/roster's TestTransportLimits, through the real http.Server.
func TestLimits(t *testing.T) {
	for _, b := range provisiontest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s := startLimited(t, b, provision.Config{
				MaxResults: 3, MaxBulkOperations: 5, MaxBulkPayload: 2048,
				MaxMembersPerPatch: 4, MaxPatchOperations: 6,
			}, httpapi.Config{MaxBodyBytes: 1 << 20})
			var ids []string
			for i := range 5 {
				r := s.expect(s.post("/scim/v2/Users", js(obj{"userName": fmt.Sprintf("lim%d@x.example", i)})), 201, "create")
				ids = append(ids, r.json(t)["id"].(string))
			}
			gid := s.expect(s.post("/scim/v2/Groups", js(obj{"displayName": "limits"})), 201, "group").json(t)["id"].(string)
			uid := ids[0]
			before := s.get("/scim/v2/Users?count=3&sortBy=userName")
			beforeGroup := s.get("/scim/v2/Groups/" + gid)
			beforeUser := s.get("/scim/v2/Users/" + uid)

			memberVals := func(n int) arr {
				out := arr{}
				for i := range n {
					out = append(out, obj{"value": ids[i%len(ids)]})
				}
				return out
			}
			items := func(n int) arr {
				out := arr{}
				for i := range n {
					out = append(out, obj{"value": fmt.Sprintf("a%d@x.example", i), "type": "other"})
				}
				return out
			}
			manyAttrs := obj{"userName": "attrs@x.example"}
			for i := range scim.MaxResourceAttributes + 1 {
				manyAttrs[fmt.Sprintf("x%d", i)] = "v"
			}
			terms := make([]string, filter.DefaultMaxTerms+1)
			for i := range terms {
				terms[i] = fmt.Sprintf(`userName eq "u%d"`, i)
			}
			bulkOps := func(n int, pad int) string {
				ops := make([]string, n)
				for i := range ops {
					ops[i] = `{"method":"DELETE","path":"/Users/x` + strings.Repeat("p", pad) + `"}`
				}
				return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[` + strings.Join(ops, ",") + `]}`
			}
			deep := `{"userName":"deep@x.example","x":` + strings.Repeat("[", scim.MaxDecodeDepth) + strings.Repeat("]", scim.MaxDecodeDepth) + `}`
			values := `{"userName":"values@x.example","x":[` + strings.Repeat("1,", scim.MaxDecodeValues) + `1]}`
			patchN := func(n int) string {
				ops := make([]obj, n)
				for i := range ops {
					ops[i] = obj{"op": "replace", "path": "displayName", "value": "v"}
				}
				return patchOps(ops...)
			}

			cases := []struct {
				name     string
				r        func() resp
				status   int
				scimType string
			}{
				{"body size", func() resp {
					return s.post("/scim/v2/Users", `{"userName":"big@x.example","displayName":"`+strings.Repeat("x", 1<<20)+`"}`)
				}, 413, ""},
				{"filter length", func() resp {
					return s.get("/scim/v2/Users?filter=" + url.QueryEscape(`userName eq "`+strings.Repeat("a", filter.DefaultMaxLength)+`"`))
				}, 400, "invalidFilter"},
				{"filter depth", func() resp {
					f := strings.Repeat("not (", filter.DefaultMaxDepth+1) + `userName eq "a"` + strings.Repeat(")", filter.DefaultMaxDepth+1)
					return s.get("/scim/v2/Users?filter=" + url.QueryEscape(f))
				}, 400, "invalidFilter"},
				{"filter terms", func() resp {
					return s.get("/scim/v2/Users?filter=" + url.QueryEscape(strings.Join(terms, " or ")))
				}, 400, "invalidFilter"},
				{"filter terms in .search", func() resp {
					return s.post("/scim/v2/Users/.search", js(obj{"schemas": arr{"urn:ietf:params:scim:api:messages:2.0:SearchRequest"}, "filter": strings.Join(terms, " or ")}))
				}, 400, "invalidFilter"},
				{"bulk operations", func() resp { return s.post("/scim/v2/Bulk", bulkOps(6, 0)) }, 413, ""},
				{"bulk payload", func() resp { return s.post("/scim/v2/Bulk", bulkOps(3, 800)) }, 413, ""},
				{"members per PATCH", func() resp {
					return s.patch("/scim/v2/Groups/"+gid, patchOps(obj{"op": "add", "path": "members", "value": memberVals(5)}))
				}, 400, "tooMany"},
				{"members per PUT", func() resp {
					return s.put("/scim/v2/Groups/"+gid, js(obj{"displayName": "limits", "members": memberVals(5)}))
				}, 400, "tooMany"},
				{"PATCH operations", func() resp { return s.patch("/scim/v2/Users/"+uid, patchN(7)) }, 400, "invalidSyntax"},
				{"JSON depth", func() resp { return s.post("/scim/v2/Users", deep) }, 400, "invalidValue"},
				{"JSON values", func() resp { return s.post("/scim/v2/Users", values) }, 400, "invalidValue"},
				{"attributes per resource (POST)", func() resp { return s.post("/scim/v2/Users", js(manyAttrs)) }, 400, "invalidValue"},
				{"attributes per resource (PUT)", func() resp {
					m := obj{}
					for k, v := range manyAttrs {
						m[k] = v
					}
					m["userName"] = "lim0@x.example"
					return s.put("/scim/v2/Users/"+uid, js(m))
				}, 400, "invalidValue"},
				{"values per attribute (POST)", func() resp {
					return s.post("/scim/v2/Users", js(obj{"userName": "emails@x.example", "emails": items(scim.MaxMultiValuedItems + 1)}))
				}, 400, "tooMany"},
				{"values per attribute (extension)", func() resp {
					return s.post("/scim/v2/Users", js(obj{"userName": "ext@x.example",
						"urn:ietf:params:scim:schemas:core:2.0:User": obj{"phoneNumbers": items(scim.MaxMultiValuedItems + 1)}}))
				}, 400, "tooMany"},
				{"values per attribute (PATCH path)", func() resp {
					return s.patch("/scim/v2/Users/"+uid, patchOps(obj{"op": "add", "path": "emails", "value": items(scim.MaxMultiValuedItems + 1)}))
				}, 400, "tooMany"},
				{"values per attribute (PATCH without path)", func() resp {
					return s.patch("/scim/v2/Users/"+uid, patchOps(obj{"op": "Add", "value": obj{"phoneNumbers": items(scim.MaxMultiValuedItems + 1)}}))
				}, 400, "tooMany"},
				{"attributes per PATCH value", func() resp {
					return s.patch("/scim/v2/Users/"+uid, patchOps(obj{"op": "replace", "value": manyAttrs}))
				}, 400, "invalidValue"},
				{"cursor length", func() resp {
					return s.get("/scim/v2/Users?cursor=" + strings.Repeat("c", 600))
				}, 400, ""},
			}
			for _, tc := range cases {
				r := tc.r()
				checkError(t, r, tc.status, tc.scimType, tc.name)
			}

			// Nothing the rejected requests sent was applied.
			after := s.get("/scim/v2/Users?count=3&sortBy=userName")
			if string(after.body) != string(before.body) {
				t.Errorf("users changed by rejected requests:\n%s\n%s", before.body, after.body)
			}
			if a := s.get("/scim/v2/Users/" + uid); string(a.body) != string(beforeUser.body) {
				t.Errorf("user changed by rejected requests:\n%s\n%s", beforeUser.body, a.body)
			}
			if g := s.get("/scim/v2/Groups/" + gid); string(g.body) != string(beforeGroup.body) {
				t.Errorf("group changed by rejected requests:\n%s\n%s", beforeGroup.body, g.body)
			}
			for _, name := range []string{"big", "deep", "values", "attrs", "emails", "ext"} {
				q := url.QueryEscape(`userName eq "` + name + `@x.example"`)
				if rs := resources(s.get("/scim/v2/Users?filter=" + q).json(t)); len(rs) != 0 {
					t.Errorf("a rejected create of %s was applied", name)
				}
			}
			// count is capped, not refused.
			r := s.expect(s.get("/scim/v2/Users?count=100000"), 200, "count over the cap").json(t)
			if n := int(r["itemsPerPage"].(float64)); n != 3 || len(resources(r)) != 3 {
				t.Errorf("count=100000 with MaxResults 3: itemsPerPage %v, %d resources", r["itemsPerPage"], len(resources(r)))
			}
			// Right at the limits, requests are served.
			s.expect(s.post("/scim/v2/Users", js(obj{"userName": "edge@x.example", "emails": items(scim.MaxMultiValuedItems)})), 201, "values at the limit")
			if r := s.patch("/scim/v2/Groups/"+gid, patchOps(obj{"op": "add", "path": "members", "value": memberVals(4)})); r.status != 200 && r.status != 204 {
				t.Errorf("members at the limit: %d %s", r.status, r.body)
			}

		})
	}
}

// An admin API path with "//", "." or ".." is a 404 in the admin API's
// error shape, not the SCIM one (found by FuzzAdminHTTP).
func TestAPIUncleanPath(t *testing.T) {
	e := startAPI(t, provisiontest.Backends(t)[0])
	for _, p := range []string{"/api/v1/session/.", "/api/v1/me/..", "/api/v1//teams", "/api/v1/teams/./x"} {
		for _, m := range []string{"GET", "PATCH", "POST"} {
			r := e.raw(m, p, "", nil)
			var b struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if r.status != 404 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") ||
				jsonUnmarshal(r.body, &b) != nil || b.Error.Code == "" || !strings.Contains(b.Error.Message, "admin API") {
				t.Errorf("%s %s: %d %q %s", m, p, r.status, r.header.Get("Content-Type"), r.body)
			}
		}
	}
}
