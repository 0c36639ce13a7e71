package patch

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/rosterhq/roster/internal/scim"
)

// fuzzUser and fuzzGroup are the fixed documents the fuzz targets patch.
const fuzzUser = `{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "urn:ietf:params:scim:schemas:extension:roster:2.0:User"],
  "id": "2819c223",
  "externalId": "bjensen",
  "meta": {"resourceType": "User", "created": "2011-08-01T18:29:49.793Z", "lastModified": "2011-08-01T18:29:49.793Z", "version": "W/\"1\""},
  "userName": "bjensen@example.com",
  "name": {"familyName": "Jensen", "givenName": "Barbara"},
  "active": true,
  "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}, {"value": "babs@jensen.org", "type": "home"}],
  "addresses": [{"type": "work", "locality": "Hollywood", "primary": true}],
  "phoneNumbers": [{"value": "tel:+1-201-555-0123", "type": "work"}],
  "groups": [{"value": "e9e30dba", "display": "Tour Guides"}],
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "701984", "manager": {"value": "mgr-1"}},
  "urn:ietf:params:scim:schemas:extension:roster:2.0:User": {"status": "active", "invitationPending": false}
}`

const fuzzGroup = `{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
  "id": "acbf3ae7",
  "meta": {"resourceType": "Group", "created": "2011-08-01T18:29:49.793Z"},
  "displayName": "Tour Guides",
  "members": [{"value": "u1", "display": "One"}, {"value": "u2", "type": "User"}, {"value": "g1", "type": "Group"}]
}`

// The scimTypes a PATCH may answer (RFC 7644 §3.12, Table 9).
var patchErrorTypes = map[string]bool{
	scim.ErrInvalidSyntax: true,
	scim.ErrInvalidPath:   true,
	scim.ErrInvalidValue:  true,
	scim.ErrNoTarget:      true,
	scim.ErrMutability:    true,
}

// fuzzQuirks turns bits into a scim.Quirks, one bit per field.
func fuzzQuirks(bits uint16) scim.Quirks {
	var q scim.Quirks
	rv := reflect.ValueOf(&q).Elem()
	for i := range rv.NumField() {
		if rv.Field(i).Kind() == reflect.Bool {
			rv.Field(i).SetBool(bits&(1<<i) != 0)
		}
	}
	return q
}

// fuzzOps builds up to two operations; an empty op name ends the list.
func fuzzOps(op1, path1, value1, op2, path2, value2 string) []scim.PatchOperation {
	mk := func(name, path, value string) scim.PatchOperation {
		o := scim.PatchOperation{Op: name, Path: path}
		if value != "" {
			o.Value = json.RawMessage(value)
		}
		return o
	}
	ops := []scim.PatchOperation{mk(op1, path1, value1)}
	if op2 != "" {
		ops = append(ops, mk(op2, path2, value2))
	}
	return ops
}

// addGoldenSeeds seeds f with the operations of every golden case.
func addGoldenSeeds(f *testing.F, group bool) {
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.txtar"))
	for _, file := range files {
		c := readGolden(f, file)
		if (c.rt == scim.GroupType()) != group {
			continue
		}
		args := []string{"", "", "", "", "", ""}
		for i, o := range c.ops {
			if i == 2 {
				break
			}
			args[3*i], args[3*i+1], args[3*i+2] = o.Op, o.Path, string(o.Value)
		}
		for _, bits := range []uint16{0, 0xffff} {
			f.Add(args[0], args[1], args[2], args[3], args[4], args[5], bits)
		}
	}
}

// FuzzApply applies random operations to a fixed User or Group and checks
// the engine's invariants: no panic; every error is a 400 *scim.Error with
// one of the scimTypes of a PATCH; on success the input is unmodified, id,
// meta, groups and the Roster extension (readOnly) are unchanged, the
// result is canonical (scim.CoerceValue returns every attribute as it is,
// so at most one value is primary) and has every required attribute.
func FuzzApply(f *testing.F) {
	docs := map[bool]map[string]any{
		false: canonical(f, scim.UserType(), []byte(fuzzUser)),
		true:  canonical(f, scim.GroupType(), []byte(fuzzGroup)),
	}
	addGoldenSeeds(f, false)
	addGoldenSeeds(f, true)
	f.Fuzz(func(t *testing.T, op1, path1, value1, op2, path2, value2 string, bits uint16) {
		group := bits&0x8000 != 0
		rt := scim.UserType()
		if group {
			rt = scim.GroupType()
		}
		doc := docs[group]
		pristine := scim.Clone(doc)
		ops := fuzzOps(op1, path1, value1, op2, path2, value2)
		got, err := Apply(rt, doc, ops, fuzzQuirks(bits))
		if !equal(doc, pristine) {
			t.Fatalf("Apply modified its input")
		}
		if err != nil {
			se, ok := scim.AsError(err)
			if !ok {
				t.Fatalf("error %T is not a *scim.Error: %v", err, err)
			}
			if se.Status != 400 || !patchErrorTypes[se.Type] || se.Detail == "" {
				t.Fatalf("error = %d %q %q", se.Status, se.Type, se.Detail)
			}
			if got != nil {
				t.Fatalf("Apply returned a document with an error")
			}
			return
		}
		for _, k := range []string{"id", "meta", "groups", scim.RosterUserSchema} {
			if !equal(doc[k], got[k]) {
				t.Fatalf("readOnly %s changed: %v -> %v", k, doc[k], got[k])
			}
		}
		if err := scim.CheckRequired(rt, got); err != nil {
			t.Fatalf("result lacks a required attribute: %v", err)
		}
		checkCanonical(t, rt, got)
		if !Changed(doc, got) && !equal(doc, got) {
			t.Fatalf("Changed disagrees with equal")
		}
	})
}

// checkCanonical checks that every attribute of doc has its canonical
// form: scim.CoerceValue returns it unchanged.
func checkCanonical(t *testing.T, rt *scim.ResourceType, doc map[string]any) {
	t.Helper()
	check := func(s *scim.Schema, m map[string]any) {
		for k, v := range m {
			a := s.Attr(k)
			if a == nil || a.Name != k {
				t.Fatalf("key %q is not an attribute of %s", k, s.ID)
			}
			cv, err := scim.CoerceValue(a, v, scim.Quirks{})
			if err != nil {
				t.Fatalf("%s is not canonical: %v", k, err)
			}
			if !equal(cv, v) {
				t.Fatalf("%s is not canonical: %#v, canonical %#v", k, v, cv)
			}
		}
	}
	core := map[string]any{}
	for k, v := range doc {
		if k == "schemas" {
			continue
		}
		if s := rt.SchemaFor(k); s != nil && s != rt.Schema {
			m, ok := v.(map[string]any)
			if !ok || len(m) == 0 {
				t.Fatalf("extension %s is %#v", k, v)
			}
			check(s, m)
			continue
		}
		core[k] = v
	}
	check(rt.Schema, core)
}

// FuzzSplitMembers checks SplitMembers' invariant (see splitMismatch) on
// random operations over a fixed Group.
func FuzzSplitMembers(f *testing.F) {
	doc := canonical(f, scim.GroupType(), []byte(fuzzGroup))
	addGoldenSeeds(f, true)
	f.Add("add", "members", `[{"value":"u3"},"u1"]`, "remove", `members[value eq "u1" or value eq "u3"]`, "", uint16(0xffff))
	f.Add("Remove", "members", `[{"value":"u2","$ref":null}]`, "replace", "", `{"members":[{"value":"x"}],"displayName":"G"}`, uint16(0xffff))
	f.Add("remove", `members[type eq "Group"]`, "", "add", "", `{"urn:ietf:params:scim:schemas:core:2.0:Group":{"members":["u9"]}}`, uint16(0xffff))
	f.Fuzz(func(t *testing.T, op1, path1, value1, op2, path2, value2 string, bits uint16) {
		ops := fuzzOps(op1, path1, value1, op2, path2, value2)
		if msg := splitMismatch(scim.GroupType(), doc, ops, fuzzQuirks(bits)); msg != "" {
			t.Fatal(msg)
		}
		if msg := fastMismatch(scim.GroupType(), ops, fuzzQuirks(bits)); msg != "" {
			t.Fatal("typed fast path: " + msg)
		}
	})
}
