package httpapi_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/scim"
)

// TestEntra replays the request shapes Microsoft Entra ID sends
// (docs/idp-behaviour.md rows 16–25).
func TestEntra(t *testing.T) {
	eachBackend(t, func(s *server) {
		t := s.t
		// Row 22: test connection queries a random GUID: 200 empty, never 404.
		for _, f := range []string{
			`userName eq "6c8a4e3f-1b59-4a53-9d3c-0e0d1f2a3b4c"`,
			`externalId eq "6c8a4e3f-1b59-4a53-9d3c-0e0d1f2a3b4c"`,
			`emails[type eq "work"].value eq "nobody@example.com"`,
			`userName eq "a" and externalId eq "b"`,
		} {
			r := s.expect(s.get("/scim/v2/Users?filter="+url.QueryEscape(f)), 200, f)
			if r.json(t)["totalResults"] != float64(0) {
				t.Errorf("%s: %s", f, r.body)
			}
		}
		s.expect(s.get("/scim/v2/Groups?excludedAttributes=members&filter="+url.QueryEscape(`displayName eq "none"`)), 200, "group probe")

		// Rows 19–21, 24: create with the enterprise extension and foreign
		// material (meta.resourceType, roles: [], unknown schema URIs).
		email := s.e.Email("adele")
		mgr := s.expect(s.post("/scim/v2/Users", js(obj{"userName": s.e.Email("boss"), "active": true})), 201, "manager").json(t)["id"].(string)
		r := s.expect(s.post("/scim/v2/Users", js(obj{
			"schemas":    arr{scim.UserSchema, scim.EnterpriseUserSchema, "urn:ietf:params:scim:schemas:extension:contoso:2.0:User"},
			"externalId": "adele", "userName": email, "active": true,
			"displayName":             "Adele Vance",
			"emails":                  arr{obj{"primary": true, "type": "work", "value": email}},
			"meta":                    obj{"resourceType": "User"},
			"name":                    obj{"formatted": "Adele Vance", "familyName": "Vance", "givenName": "Adele"},
			"roles":                   arr{},
			scim.EnterpriseUserSchema: obj{"employeeNumber": "1", "department": "Sales"},
			"urn:ietf:params:scim:schemas:extension:contoso:2.0:User": obj{"x": 1},
		})), 201, "create")
		id := r.json(t)["id"].(string)
		upath := "/scim/v2/Users/" + id
		ent := func(d map[string]any) map[string]any {
			m, _ := d[scim.EnterpriseUserSchema].(map[string]any)
			return m
		}
		if e := ent(r.json(t)); e["department"] != "Sales" {
			t.Errorf("enterprise extension not kept: %s", r.body)
		}

		// Rows 16, 17: capitalised ops and string booleans.
		r = s.expect(s.patch(upath, patchOps(obj{"op": "Replace", "path": "active", "value": "False"})), 200, "deactivate with a string")
		if r.json(t)["active"] != false {
			t.Errorf("string False: %s", r.body)
		}
		s.expect(s.patch(upath, patchOps(obj{"op": "Replace", "path": "active", "value": "True"})), 200, "reactivate")

		// Row 19: path-less values with dotted keys and URN-qualified keys.
		r = s.expect(s.patch(upath, patchOps(obj{"op": "Add", "value": obj{
			"name.givenName":  "Adèle",
			"name.familyName": "Vance-Smith",
			scim.EnterpriseUserSchema + ":employeeNumber": "42",
		}})), 200, "dotted keys")
		d := r.json(t)
		if path(d, "name.givenName") != "Adèle" || path(d, "name.familyName") != "Vance-Smith" || ent(d)["employeeNumber"] != "42" {
			t.Errorf("dotted keys: %s", r.body)
		}

		// Row 20: value-filtered paths; add creates the element when absent.
		r = s.expect(s.patch(upath, patchOps(obj{"op": "Replace", "path": `emails[type eq "work"].value`, "value": email})), 200, "emails filter replace")
		r = s.expect(s.patch(upath, patchOps(obj{"op": "Add", "path": `phoneNumbers[type eq "mobile"].value`, "value": "+1 555 0100"})), 200, "filtered add")
		if ph, _ := r.json(t)["phoneNumbers"].([]any); len(ph) != 1 {
			t.Errorf("filtered add: %s", r.body)
		}
		r = s.expect(s.get("/scim/v2/Users?filter="+url.QueryEscape(`emails[type eq "work"].value eq "`+strings.ToUpper(email)+`"`)), 200, "lookup by work email")
		if got := resources(r.json(t)); len(got) != 1 || got[0]["id"] != id {
			t.Errorf("lookup by work email: %s", r.body)
		}

		// Row 21: manager as a bare string, removal by filter.
		mpath := scim.EnterpriseUserSchema + ":manager"
		r = s.expect(s.patch(upath, patchOps(obj{"op": "Add", "path": mpath, "value": mgr})), 200, "manager set")
		if m, _ := ent(r.json(t))["manager"].(map[string]any); m["value"] != mgr {
			t.Errorf("manager: %s", r.body)
		}
		r = s.expect(s.patch(upath, patchOps(obj{"op": "Remove", "path": mpath + `[value eq "` + mgr + `"]`})), 200, "manager remove")
		if _, ok := ent(r.json(t))["manager"]; ok {
			t.Errorf("manager not removed: %s", r.body)
		}
		// Attributes outside the schema are accepted and ignored.
		s.expect(s.patch(upath, patchOps(obj{"op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:contoso:2.0:User:costCode", "value": "x"})), 200, "unknown attribute")

		// Row 23: groups created empty, read without members, unique names.
		r = s.expect(s.post("/scim/v2/Groups", js(obj{
			"schemas":     arr{scim.GroupSchema, "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/Group"},
			"displayName": "Sales", "externalId": "g-sales", "members": arr{},
		})), 201, "group")
		gid := r.json(t)["id"].(string)
		gpath := "/scim/v2/Groups/" + gid
		checkError(t, s.post("/scim/v2/Groups", js(obj{"displayName": "SALES"})), 409, "uniqueness", "duplicate group")
		r = s.patch(gpath, patchOps(obj{"op": "Add", "path": "members", "value": arr{obj{"value": id}, obj{"value": mgr}}}))
		if r.status != 204 {
			t.Fatalf("add members: %d %s", r.status, r.body)
		}
		r = s.expect(s.get(gpath+"?excludedAttributes=members"), 200, "excludedAttributes=members")
		if _, ok := r.json(t)["members"]; ok {
			t.Errorf("members returned: %s", r.body)
		}
		r = s.expect(s.get("/scim/v2/Groups?excludedAttributes=members&filter="+url.QueryEscape(`displayName eq "sales"`)), 200, "group lookup")
		if got := resources(r.json(t)); len(got) != 1 || got[0]["members"] != nil || got[0]["id"] != gid {
			t.Errorf("group lookup: %s", r.body)
		}

		// Row 18: legacy removal removes only the listed member.
		r = s.patch(gpath, js(obj{"schemas": arr{scim.PatchOpSchema}, "Operations": arr{obj{"op": "Remove", "path": "members", "value": arr{obj{"value": mgr, "$ref": nil}}}}}))
		if r.status != 204 {
			t.Fatalf("legacy remove: %d %s", r.status, r.body)
		}
		if got := members(s.expect(s.get(gpath), 200, "group").json(t)); len(got) != 1 || got[0] != id {
			t.Errorf("legacy remove left %v, want only %s", got, id)
		}
		// With the flag: members[value eq].
		s.patch(gpath, patchOps(obj{"op": "Remove", "path": `members[value eq "` + id + `"]`}))
		if got := members(s.get(gpath).json(t)); len(got) != 0 {
			t.Errorf("filtered remove left %v", got)
		}

		// Row 25: DELETE removes the user for good.
		if r := s.del(upath); r.status != 204 {
			t.Errorf("delete: %d %s", r.status, r.body)
		}
		checkError(t, s.get(upath), 404, "", "user after delete")
		checkError(t, s.del(upath), 404, "", "second delete")
	})
}
