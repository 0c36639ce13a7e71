package httpapi_test

import (
	"strings"
	"testing"
)

// TestPasswordNeverEchoed sends passwords in every request shape that can
// carry one and checks that no response body and no log line contains
// them (docs/idp-behaviour.md: a password is accepted and discarded).
func TestPasswordNeverEchoed(t *testing.T) {
	eachBackend(t, func(s *server) {
		t := s.t
		pw := []string{"Pw-Create-1!", "Pw-Put-2!", "Pw-Patch-3!", "Pw-Pathless-4!", "Pw-Bad-5!", "Pw-Bulk-6!", "Pw-Dup-7!"}
		r := s.expect(s.post("/scim/v2/Users", js(obj{"userName": "pw", "password": pw[0]})), 201, "create")
		id := r.json(t)["id"].(string)
		u := "/scim/v2/Users/" + id
		s.expect(s.put(u, js(obj{"userName": "pw", "password": pw[1]})), 200, "put")
		s.expect(s.patch(u, patchOps(obj{"op": "replace", "path": "password", "value": pw[2]})), 200, "patch path")
		s.expect(s.patch(u, patchOps(obj{"op": "Replace", "value": obj{"password": pw[3], "active": true}})), 200, "patch pathless")
		r = s.patch(u, patchOps(obj{"op": "replace", "path": "password", "value": pw[4]}, obj{"op": "bogus", "path": "active", "value": pw[4]}))
		if r.status != 400 {
			t.Errorf("bad patch: %d", r.status)
		}
		s.expect(s.post("/scim/v2/Bulk", js(obj{"Operations": arr{
			obj{"method": "POST", "path": "/Users", "bulkId": "b", "data": obj{"userName": "pw2", "password": pw[5]}},
			obj{"method": "POST", "path": "/Users", "bulkId": "c", "data": obj{"userName": "pw", "password": pw[6]}},
		}})), 200, "bulk")
		checkError(t, s.post("/scim/v2/Users", js(obj{"userName": "PW", "password": pw[6]})), 409, "uniqueness", "duplicate")
		s.expect(s.get(u), 200, "get")
		s.expect(s.get("/scim/v2/Users?attributes=password,userName"), 200, "list asking for password")
		s.expect(s.post("/scim/v2/.search", `{"attributes":["password"]}`), 200, "search asking for password")
		bodies, logs := s.bodies.String(), s.logs.String()
		for _, p := range pw {
			if strings.Contains(bodies, p) || strings.Contains(logs, p) {
				t.Errorf("password %q appears in a response or the log", p)
			}
		}
		if strings.Contains(strings.ToLower(bodies), `"password"`) {
			t.Error(`a response has a "password" attribute`)
		}
	})
}
