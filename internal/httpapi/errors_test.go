package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/httpapi"
	"github.com/rosterhq/roster/internal/provision/provisiontest"
	"github.com/rosterhq/roster/internal/scim"
)

func TestAuthErrors(t *testing.T) {
	eachBackend(t, func(s *server) {
		t := s.t
		_, offKey := s.e.NewTeam(false)
		revoked := s.e.RevokedKey(s.e.Team.ID)
		expired := s.e.ExpiredKey(s.e.Team.ID)
		cases := []struct {
			name   string
			q      req
			status int
			detail string
		}{
			{"no header", req{key: strp("")}, 401, "no API key"},
			{"malformed", req{auth: "Bearer hunter2"}, 401, "malformed"},
			{"unknown", req{auth: "Bearer rsk_0123456789abcdefghijklmnopqrstuvwxyzABCDEF"}, 401, ""},
			{"revoked", req{key: &revoked}, 401, "revoked"},
			{"expired", req{key: &expired}, 401, "expired"},
			{"scim off", req{key: &offKey}, 403, "SCIM provisioning is disabled for this team"},
		}
		for _, c := range cases {
			for _, p := range []string{"/scim/v2/Users?startIndex=1&count=2", "/scim/v2/ServiceProviderConfig", "/scim/v2/Schemas", "/scim/v2/ResourceTypes"} {
				q := c.q
				q.method, q.path = "GET", p
				r := s.do(q)
				checkError(t, r, c.status, "", c.name+" "+p)
				if !strings.Contains(string(r.body), c.detail) {
					t.Errorf("%s: detail %s lacks %q", c.name, r.body, c.detail)
				}
				if c.status == 401 && r.header.Get("WWW-Authenticate") != `Bearer realm="roster"` {
					t.Errorf("%s: WWW-Authenticate %q", c.name, r.header.Get("WWW-Authenticate"))
				}
				for _, k := range []string{revoked, expired, offKey, "hunter2"} {
					if strings.Contains(string(r.body), k) {
						t.Errorf("%s: the key is echoed", c.name)
					}
				}
			}
		}
		// Accepted forms: Bearer in any case, and the bare key.
		for _, h := range []string{"Bearer " + s.key, "bearer " + s.key, "  " + s.key + "  "} {
			s.expect(s.do(req{method: "GET", path: "/scim/v2/Users", auth: h}), 200, "auth form")
		}
		// Switching SCIM off stops the key on the next request.
		s.e.SetSCIM(s.e.Team.ID, false)
		checkError(t, s.get("/scim/v2/Users"), 403, "", "after switching SCIM off")
		// Keys never reach the log.
		if strings.Contains(s.logs.String(), s.key) || strings.Contains(s.logs.String(), revoked) {
			t.Error("a key was logged")
		}
	})
}

func TestHTTPErrors(t *testing.T) {
	for _, b := range provisiontest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s := start(t, b, httpapi.Config{MaxBodyBytes: 4096})
			// 415 for a body that is not JSON; JSON types and none accepted.
			checkError(t, s.do(req{method: "POST", path: "/scim/v2/Users", body: `{"userName":"x"}`, contentType: strp("text/plain")}), 415, "", "text/plain")
			s.expect(s.do(req{method: "POST", path: "/scim/v2/Users", body: `{"userName":"ct1"}`, contentType: strp("application/json; charset=utf-8")}), 201, "application/json")
			s.expect(s.do(req{method: "POST", path: "/scim/v2/Users", body: `{"userName":"ct2"}`, contentType: strp("")}), 201, "no content type")
			// 413 beyond the body limit.
			big := `{"userName":"big","displayName":"` + strings.Repeat("x", 5000) + `"}`
			checkError(t, s.post("/scim/v2/Users", big), 413, "", "body too large")
			// 400 invalidSyntax for bad JSON.
			for _, body := range []string{`{"userName":`, `[1,2]`, `{"userName":"a"} trailing`, ``} {
				r := s.post("/scim/v2/Users", body)
				if body == `` {
					checkError(t, r, 400, "invalidSyntax", "empty body")
					continue
				}
				checkError(t, r, 400, "invalidSyntax", "bad JSON "+body)
			}
			checkError(t, s.post("/scim/v2/Users", `{"displayName":"no userName"}`), 400, "invalidValue", "missing userName")
			checkError(t, s.get("/scim/v2/Users?filter="+url.QueryEscape(`userName eq`)), 400, "invalidFilter", "bad filter")
			checkError(t, s.get("/scim/v2/Users?count=abc"), 400, "invalidValue", "bad count")
			// 404 for unknown routes and ids; 405 with Allow.
			checkError(t, s.get("/scim/v2/Nope"), 404, "", "unknown route")
			s.expect(s.get("/scim/v2/Users/"), 200, "trailing slash")
			checkError(t, s.get("/scim/v2//Users"), 404, "", "double slash")
			checkError(t, s.get("/scim/v2/Users/../Groups"), 404, "", "dot segments")
			checkError(t, s.get("/elsewhere"), 404, "", "outside SCIM")
			checkError(t, s.get("/scim/v2/Users/00000000-0000-7000-8000-000000000000"), 404, "", "unknown user")
			checkError(t, s.get("/scim/v2/Groups/nope"), 404, "", "unknown group")
			checkError(t, s.get("/scim/v2/ResourceTypes/Device"), 404, "", "unknown resource type")
			checkError(t, s.get("/scim/v2/Schemas/urn:nope"), 404, "", "unknown schema")
			r := s.del("/scim/v2/Users")
			checkError(t, r, 405, "", "DELETE /Users")
			if allow := r.header.Get("Allow"); allow != "GET, HEAD, POST" {
				t.Errorf("Allow = %q", allow)
			}
			r = s.do(req{method: "POST", path: "/scim/v2/ServiceProviderConfig", body: "{}"})
			checkError(t, r, 405, "", "POST /ServiceProviderConfig")
			// /Me is 501.
			checkError(t, s.get("/scim/v2/Me"), 501, "", "/Me")
			// Discovery with a filter is 403 (RFC 7644 §4).
			checkError(t, s.get("/scim/v2/Schemas?filter="+url.QueryEscape(`id eq "x"`)), 403, "", "discovery filter")
			// Bulk limits: 413 for too many operations and too large a body.
			ops := make([]string, 21)
			for i := range ops {
				ops[i] = `{"method":"DELETE","path":"/Users/x"}`
			}
			checkError(t, s.post("/scim/v2/Bulk", `{"Operations":[`+strings.Join(ops, ",")+`]}`), 413, "", "bulk maxOperations")
			// The request id is echoed, or made.
			r = s.do(req{method: "GET", path: "/scim/v2/Users", header: map[string]string{"X-Request-Id": "abc-123"}})
			if r.header.Get("X-Request-Id") != "abc-123" {
				t.Errorf("X-Request-Id = %q", r.header.Get("X-Request-Id"))
			}
			r = s.do(req{method: "GET", path: "/scim/v2/Users", header: map[string]string{"X-Request-Id": "bad id with spaces"}})
			if id := r.header.Get("X-Request-Id"); id == "" || strings.Contains(id, " ") {
				t.Errorf("generated X-Request-Id = %q", id)
			}
			// The access log: one line per request, no secrets, no queries.
			logs := s.logs.String()
			if strings.Contains(logs, s.key) || strings.Contains(logs, "userName eq") {
				t.Error("the access log contains a key or a query string")
			}
			found := false
			for _, line := range strings.Split(logs, "\n") {
				var m map[string]any
				if json.Unmarshal([]byte(line), &m) != nil || m["msg"] != "http request" {
					continue
				}
				if m["request_id"] == "abc-123" {
					found = true
					if m["route"] != "GET /scim/v2/Users" || m["status"] != float64(200) || m["team"] != s.e.Team.ID {
						t.Errorf("access log line = %s", line)
					}
				}
			}
			if !found {
				t.Error("no access log line for request abc-123")
			}
		})
	}
}

func TestTenantIsolation(t *testing.T) {
	eachBackend(t, func(s *server) {
		t := s.t
		uid := s.expect(s.post("/scim/v2/Users", js(obj{"userName": "iso"})), 201, "user").json(t)["id"].(string)
		gid := s.expect(s.post("/scim/v2/Groups", js(obj{"displayName": "iso", "members": arr{obj{"value": uid}}})), 201, "group").json(t)["id"].(string)
		_, other := s.e.NewTeam(true)
		for _, q := range []req{
			{method: "GET", path: "/scim/v2/Users/" + uid},
			{method: "PUT", path: "/scim/v2/Users/" + uid, body: `{"userName":"x"}`},
			{method: "PATCH", path: "/scim/v2/Users/" + uid, body: patchOps(obj{"op": "replace", "path": "active", "value": false})},
			{method: "DELETE", path: "/scim/v2/Users/" + uid},
			{method: "GET", path: "/scim/v2/Groups/" + gid},
			{method: "PUT", path: "/scim/v2/Groups/" + gid, body: `{"displayName":"x"}`},
			{method: "PATCH", path: "/scim/v2/Groups/" + gid, body: patchOps(obj{"op": "replace", "path": "displayName", "value": "x"})},
			{method: "DELETE", path: "/scim/v2/Groups/" + gid},
		} {
			q.key = &other
			checkError(t, s.do(q), 404, "", "other team "+q.method+" "+q.path)
		}
		q := req{method: "GET", path: "/scim/v2/Users?filter=" + url.QueryEscape(`id eq "`+uid+`"`), key: &other}
		if r := s.do(q); r.json(t)["totalResults"] != float64(0) {
			t.Errorf("other team's list sees the user: %s", r.body)
		}
		q = req{method: "POST", path: "/scim/v2/.search", body: `{"filter":"userName eq \"iso\""}`, key: &other}
		if r := s.do(q); r.json(t)["totalResults"] != float64(0) {
			t.Errorf("other team's search sees the user: %s", r.body)
		}
		q = req{method: "POST", path: "/scim/v2/Bulk", key: &other, body: js(obj{"Operations": arr{obj{"method": "DELETE", "path": "/Users/" + uid}}})}
		r := s.do(q)
		if op := r.json(t)["Operations"].([]any)[0].(map[string]any); op["status"] != "404" {
			t.Errorf("other team's bulk delete: %s", r.body)
		}
		q = req{method: "POST", path: "/scim/v2/Groups", key: &other, body: js(obj{"displayName": "theirs", "members": arr{obj{"value": uid}}})}
		checkError(t, s.do(q), 400, "invalidValue", "other team adds our user")
		// Everything is intact for the owner.
		if g := s.expect(s.get("/scim/v2/Groups/"+gid), 200, "owner").json(t); g["displayName"] != "iso" || len(members(g)) != 1 {
			t.Errorf("group changed by another team: %v", g)
		}
	})
}

func TestDiscovery(t *testing.T) {
	eachBackend(t, func(s *server) {
		t := s.t
		spc := s.expect(s.get("/scim/v2/ServiceProviderConfig"), 200, "spc").json(t)
		if path(spc, "changePassword.supported") != false || path(spc, "etag.supported") != true ||
			path(spc, "bulk.maxOperations") != float64(20) || path(spc, "bulk.maxPayloadSize") != float64(1<<20) ||
			path(spc, "filter.maxResults") != float64(1000) || path(spc, "pagination.cursor") != true ||
			path(spc, "meta.location") != baseURL+"/scim/v2/ServiceProviderConfig" {
			t.Errorf("ServiceProviderConfig = %v", spc)
		}
		rts := s.expect(s.get("/scim/v2/ResourceTypes"), 200, "resource types").json(t)
		if rts["totalResults"] != float64(2) || len(resources(rts)) != 2 {
			t.Errorf("ResourceTypes = %v", rts)
		}
		if rt := s.expect(s.get("/scim/v2/ResourceTypes/User"), 200, "User type").json(t); rt["endpoint"] != "/Users" {
			t.Errorf("ResourceTypes/User = %v", rt)
		}
		sch := s.expect(s.get("/scim/v2/Schemas"), 200, "schemas").json(t)
		if sch["totalResults"] != float64(4) {
			t.Errorf("Schemas total = %v", sch["totalResults"])
		}
		if u := s.expect(s.get("/scim/v2/Schemas/"+scim.UserSchema), 200, "user schema").json(t); u["id"] != scim.UserSchema {
			t.Errorf("Schemas/User = %v", u["id"])
		}
		if r := s.get("/healthz"); r.status != 200 {
			t.Errorf("healthz: %d", r.status)
		}
	})
}

func TestBulkHTTP(t *testing.T) {
	eachBackend(t, func(s *server) {
		t := s.t
		body := js(obj{
			"schemas": arr{scim.BulkRequestSchema},
			"Operations": arr{
				obj{"method": "POST", "path": "/Users", "bulkId": "qwerty", "data": obj{"schemas": arr{scim.UserSchema}, "userName": "Alice", "password": "Bulk-Secret-77"}},
				obj{"method": "POST", "path": "/Groups", "bulkId": "ytrewq", "data": obj{"displayName": "Tour Guides", "members": arr{obj{"type": "User", "value": "bulkId:qwerty"}}}},
				obj{"method": "PATCH", "path": "/Users/bulkId:qwerty", "data": obj{"Operations": arr{obj{"op": "replace", "path": "active", "value": false}}}},
				obj{"method": "DELETE", "path": "/Users/nope"},
				obj{"method": "PUT", "path": "/Groups/bulkId:ytrewq", "version": `W/"99"`, "data": obj{"displayName": "x"}},
			},
		})
		r := s.expect(s.post("/scim/v2/Bulk", body), 200, "bulk")
		var out struct {
			Schemas    []string
			Operations []struct {
				Method, BulkID, Version, Location, Status string
				Response                                  map[string]any
			}
		}
		if err := json.Unmarshal(r.body, &out); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range out.Operations {
			got = append(got, fmt.Sprintf("%s %s %s loc=%v", o.Method, o.BulkID, o.Status, o.Location != ""))
		}
		want := []string{"POST qwerty 201 loc=true", "POST ytrewq 201 loc=true", "PATCH  200 loc=true", "DELETE  404 loc=true", "PUT  412 loc=true"}
		if len(out.Schemas) != 1 || out.Schemas[0] != scim.BulkResponseSchema || strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("bulk response:\n%s\nwant\n%s\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), r.body)
		}
		if resp := out.Operations[3].Response; resp["status"] != "404" || resp["schemas"] == nil {
			t.Errorf("failed operation response = %v", resp)
		}
		gid := strings.TrimPrefix(out.Operations[1].Location, baseURL+"/scim/v2/Groups/")
		uid := strings.TrimPrefix(out.Operations[0].Location, baseURL+"/scim/v2/Users/")
		if m := members(s.expect(s.get("/scim/v2/Groups/"+gid), 200, "bulk group").json(t)); len(m) != 1 || m[0] != uid {
			t.Errorf("bulkId reference not resolved: %v (user %s)", m, uid)
		}
		if strings.Contains(s.bodies.String(), "Bulk-Secret-77") {
			t.Error("bulk echoed a password")
		}
		// failOnErrors.
		r = s.expect(s.post("/scim/v2/Bulk", js(obj{"failOnErrors": 1, "Operations": arr{
			obj{"method": "DELETE", "path": "/Users/nope"},
			obj{"method": "POST", "path": "/Users", "bulkId": "z", "data": obj{"userName": "never"}},
		}})), 200, "failOnErrors")
		if ops := r.json(t)["Operations"].([]any); len(ops) != 1 {
			t.Errorf("failOnErrors=1 processed %d operations", len(ops))
		}
	})
}
