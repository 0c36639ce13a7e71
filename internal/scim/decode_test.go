package scim

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// resourceType returns the resource type a golden file names.
func resourceTypeNamed(t *testing.T, name string) *ResourceType {
	t.Helper()
	rt := ResourceTypeByID(name)
	if rt == nil {
		t.Fatalf("unknown resource type %q", name)
	}
	return rt
}

func quirksNamed(t *testing.T, name string) Quirks {
	t.Helper()
	switch name {
	case "", "default":
		return DefaultQuirks()
	case "strict":
		return Quirks{}
	}
	t.Fatalf("unknown quirks %q", name)
	return Quirks{}
}

// TestDecodeGolden decodes testdata/decode/*.txtar: sections "type" (User
// or Group, default User), "quirks" (default or strict), "body.json", and
// the expected "want.json" or "error".
func TestDecodeGolden(t *testing.T) {
	for _, g := range loadGolden(t, "decode") {
		t.Run(g.name(), func(t *testing.T) {
			typ, _ := g.file("type")
			if typ == "" {
				typ = "User"
			}
			qn, _ := g.file("quirks")
			rt, q := resourceTypeNamed(t, typ), quirksNamed(t, qn)
			body, ok := g.file("body.json")
			if !ok {
				t.Fatal("no body.json section")
			}
			doc, err := Decode(rt, []byte(body), q)
			if *update {
				if err != nil {
					g.set("error", errString(err), "want.json")
				} else {
					g.set("want.json", pretty(t, doc), "error")
				}
				g.write(t)
				return
			}
			if wantErr, ok := g.file("error"); ok {
				if err == nil {
					t.Fatalf("Decode succeeded, want error %s; got\n%s", wantErr, pretty(t, doc))
				}
				if diff := cmp.Diff(wantErr, errString(err)); diff != "" {
					t.Errorf("error (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			want, ok := g.file("want.json")
			if !ok {
				t.Fatal("no want.json or error section (run with -update)")
			}
			if diff := cmp.Diff(reindent(t, want), pretty(t, doc)); diff != "" {
				t.Errorf("document (-want +got):\n%s", diff)
			}
			checkDecodeInvariants(t, rt, q, doc)
		})
	}
}

// checkDecodeInvariants asserts what every decoded document satisfies: no
// read-only or write-only attribute is kept, and decoding its JSON again
// gives the same document.
func checkDecodeInvariants(t *testing.T, rt *ResourceType, q Quirks, doc map[string]any) {
	t.Helper()
	for _, k := range []string{"id", "meta", "groups", "password"} {
		if _, ok := doc[k]; ok {
			t.Errorf("decoded document has %q", k)
		}
	}
	if _, ok := doc[RosterUserSchema]; ok {
		t.Errorf("decoded document has the read-only Roster extension")
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	again, err := Decode(rt, b, q)
	if err != nil {
		t.Fatalf("decoding the decoded document: %v\n%s", err, b)
	}
	if diff := cmp.Diff(doc, again); diff != "" {
		t.Errorf("decode is not idempotent (-first +second):\n%s", diff)
	}
}

func TestDecodeSchemasRewritten(t *testing.T) {
	doc, err := Decode(UserType(), []byte(`{"userName":"a","employeeNumber":"7"}`), DefaultQuirks())
	if err != nil {
		t.Fatal(err)
	}
	want := []any{UserSchema, EnterpriseUserSchema}
	if diff := cmp.Diff(want, doc["schemas"]); diff != "" {
		t.Errorf("schemas (-want +got):\n%s", diff)
	}
}

func TestDecodeLimits(t *testing.T) {
	deep := `{"userName":"a","x":` + repeat("[", MaxDecodeDepth) + repeat("]", MaxDecodeDepth) + `}`
	many := `{"userName":"a","emails":[` + repeat(`{"value":"x"},`, MaxDecodeValues/2) + `{"value":"x"}]}`
	for name, body := range map[string]string{"depth": deep, "values": many} {
		_, err := Decode(UserType(), []byte(body), DefaultQuirks())
		e, ok := AsError(err)
		if !ok || e.Status != 400 || e.Type != ErrInvalidValue {
			t.Errorf("%s: got %v, want 400 invalidValue", name, err)
		}
	}
	// Exactly at the depth limit is accepted.
	ok := `{"userName":"a","x":` + repeat("[", MaxDecodeDepth-1) + repeat("]", MaxDecodeDepth-1) + `}`
	if _, err := Decode(UserType(), []byte(ok), DefaultQuirks()); err != nil {
		t.Errorf("depth %d: %v", MaxDecodeDepth, err)
	}
}

func repeat(s string, n int) string {
	b := make([]byte, 0, len(s)*n)
	for range n {
		b = append(b, s...)
	}
	return string(b)
}

type coerceCase struct {
	name    string
	attr    *Attribute
	in      any
	q       Quirks
	want    any
	wantErr string
}

func TestCoerceValue(t *testing.T) {
	ut := UserType()
	emails := ut.Schema.Attr("emails")
	tests := []coerceCase{
		{name: "string", attr: ut.Schema.Attr("userName"), in: "bjensen", want: "bjensen"},
		{name: "null", attr: ut.Schema.Attr("userName"), in: nil, want: nil},
		{name: "bool", attr: ut.Schema.Attr("active"), in: false, want: false},
		{name: "string bool quirk", attr: ut.Schema.Attr("active"), in: "False", q: DefaultQuirks(), want: false},
		{name: "string bool TRUE", attr: ut.Schema.Attr("active"), in: "TRUE", q: DefaultQuirks(), want: true},
		{name: "string bool strict", attr: ut.Schema.Attr("active"), in: "False", wantErr: `400 invalidValue: attribute "active" must be true or false, not a string`},
		{name: "string bool garbage", attr: ut.Schema.Attr("active"), in: "yes", q: DefaultQuirks(), wantErr: `400 invalidValue: attribute "active" must be true or false, not a string`},
		{name: "number for string", attr: ut.Schema.Attr("userName"), in: json.Number("5"), wantErr: `400 invalidValue: attribute "userName" must be a string, not a number`},
		{name: "array for single", attr: ut.Schema.Attr("userName"), in: []any{"a"}, wantErr: `400 invalidValue: attribute "userName" takes a single value, not an array`},
		{
			name: "multi wraps single and canonicalises keys", attr: emails,
			in:   map[string]any{"VALUE": "a@example.com", "Primary": true, "bogus": 1},
			want: []any{map[string]any{"value": "a@example.com", "primary": true}},
		},
		{name: "empty array is unassigned", attr: emails, in: []any{}, want: nil},
		{name: "null elements dropped", attr: emails, in: []any{nil, map[string]any{}}, want: nil},
		{
			name: "two primaries", attr: emails,
			in:      []any{map[string]any{"value": "a", "primary": true}, map[string]any{"value": "b", "primary": "true"}},
			q:       DefaultQuirks(),
			wantErr: `400 invalidValue: attribute "emails" has 2 values with "primary": true; at most one is allowed (RFC 7643 §2.4)`,
		},
		{name: "sub type error", attr: emails, in: []any{map[string]any{"primary": "x"}}, wantErr: `400 invalidValue: attribute "emails.primary" must be true or false, not a string`},
		{name: "complex needs object", attr: ut.Schema.Attr("name"), in: "Barbara", q: DefaultQuirks(), wantErr: `400 invalidValue: attribute "name" must be an object, not a string`},
		{
			name: "bare manager id", attr: ut.Extension(EnterpriseUserSchema).Attr("manager"), in: "mgr-1", q: DefaultQuirks(),
			want: map[string]any{"value": "mgr-1"},
		},
		{name: "bare manager strict", attr: ut.Extension(EnterpriseUserSchema).Attr("manager"), in: "mgr-1", wantErr: `400 invalidValue: attribute "manager" must be an object, not a string`},
		{
			name: "case duplicates: last in sorted order wins", attr: ut.Schema.Attr("name"),
			in:   map[string]any{"givenName": "a", "GIVENNAME": "b"},
			want: map[string]any{"givenName": "a"},
		},
		{name: "binary ok", attr: ut.Schema.Attr("x509Certificates").Sub("value"), in: "TUlJ", want: "TUlJ"},
		{name: "binary bad", attr: ut.Schema.Attr("x509Certificates").Sub("value"), in: "***", wantErr: `400 invalidValue: attribute "value" must be base64-encoded binary (RFC 7643 §2.3.6)`},
		{name: "dateTime ok", attr: ut.Schema.Attr("meta").Sub("created"), in: "2010-01-23T04:56:22Z", want: "2010-01-23T04:56:22Z"},
		{name: "dateTime bad", attr: ut.Schema.Attr("meta").Sub("created"), in: "yesterday", wantErr: `400 invalidValue: attribute "created" must be an xsd:dateTime such as 2008-01-23T04:56:22Z (RFC 7643 §2.3.5)`},
		{name: "idempotent on canonical", attr: emails, in: []any{map[string]any{"value": "a", "primary": true}}, want: []any{map[string]any{"value": "a", "primary": true}}},
	}
	intAttr := &Attribute{Name: "n", Type: TypeInteger}
	decAttr := &Attribute{Name: "d", Type: TypeDecimal}
	tests = append(tests,
		coerceCase{name: "integer", attr: intAttr, in: json.Number("42"), want: int64(42)},
		coerceCase{name: "integer exponent", attr: intAttr, in: json.Number("1e3"), want: int64(1000)},
		coerceCase{name: "integer 2.0", attr: intAttr, in: json.Number("2.0"), want: int64(2)},
		coerceCase{name: "integer fraction", attr: intAttr, in: json.Number("2.5"), wantErr: `400 invalidValue: attribute "n" must be a whole number that fits in 64 bits`},
		coerceCase{name: "integer overflow", attr: intAttr, in: json.Number("1e30"), wantErr: `400 invalidValue: attribute "n" must be a whole number that fits in 64 bits`},
		coerceCase{name: "integer canonical", attr: intAttr, in: int64(-7), want: int64(-7)},
		coerceCase{name: "decimal", attr: decAttr, in: json.Number("2.5"), want: 2.5},
		coerceCase{name: "decimal overflow", attr: decAttr, in: json.Number("1e400"), wantErr: `400 invalidValue: attribute "d" is out of range`},
		coerceCase{name: "decimal string", attr: decAttr, in: "2.5", wantErr: `400 invalidValue: attribute "d" must be a number, not a string`},
	)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CoerceValue(tt.attr, tt.in, tt.q)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("got %#v, want error %s", got, tt.wantErr)
				}
				if diff := cmp.Diff(tt.wantErr, errString(err)); diff != "" {
					t.Errorf("error (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestStripReadOnly(t *testing.T) {
	mgr := UserType().Extension(EnterpriseUserSchema).Attr("manager")
	in := map[string]any{"value": "m", "displayName": "Boss"}
	got := StripReadOnly(mgr, in)
	if diff := cmp.Diff(map[string]any{"value": "m"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, ok := in["displayName"]; !ok {
		t.Error("StripReadOnly modified its input")
	}
	if got := StripReadOnly(mgr, map[string]any{"displayName": "Boss"}); got != nil {
		t.Errorf("got %v, want nil", got)
	}
}

func TestCheckRequired(t *testing.T) {
	tests := []struct {
		rt      *ResourceType
		doc     map[string]any
		wantErr string
	}{
		{UserType(), map[string]any{"userName": "a"}, ""},
		{UserType(), map[string]any{"userName": ""}, `400 invalidValue: attribute "userName" is required and must not be empty`},
		{UserType(), map[string]any{"displayName": "x"}, `400 invalidValue: attribute "userName" is required and must not be empty`},
		{GroupType(), map[string]any{"displayName": "Admins"}, ""},
		{GroupType(), map[string]any{"members": []any{}}, `400 invalidValue: attribute "displayName" is required and must not be empty`},
	}
	for i, tt := range tests {
		err := CheckRequired(tt.rt, tt.doc)
		got := ""
		if err != nil {
			got = errString(err)
		}
		if got != tt.wantErr {
			t.Errorf("%d: got %q, want %q", i, got, tt.wantErr)
		}
	}
}

func TestClone(t *testing.T) {
	doc := map[string]any{
		"userName": "a",
		"emails":   []any{map[string]any{"value": "x"}},
		EnterpriseUserSchema: map[string]any{
			"manager": map[string]any{"value": "m"},
		},
	}
	c := Clone(doc)
	if diff := cmp.Diff(doc, c); diff != "" {
		t.Fatalf("clone differs:\n%s", diff)
	}
	c["emails"].([]any)[0].(map[string]any)["value"] = "changed"
	c[EnterpriseUserSchema].(map[string]any)["manager"].(map[string]any)["value"] = "changed"
	if doc["emails"].([]any)[0].(map[string]any)["value"] != "x" || doc[EnterpriseUserSchema].(map[string]any)["manager"].(map[string]any)["value"] != "m" {
		t.Error("Clone shares nested values")
	}
	if Clone(nil) != nil {
		t.Error("Clone(nil) != nil")
	}
}

var oktaCreate = []byte(`{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
  "userName": "isaac.brock@example.com",
  "name": {"givenName": "Isaac", "familyName": "Brock"},
  "emails": [{"primary": true, "value": "isaac.brock@example.com", "type": "work"}],
  "displayName": "Isaac Brock",
  "locale": "en-US",
  "externalId": "00ujl29u0le5T6Aj10h7",
  "groups": [],
  "password": "1mz050nq",
  "active": true
}`)

func BenchmarkDecodeOktaCreate(b *testing.B) {
	rt, q := UserType(), DefaultQuirks()
	b.ReportAllocs()
	b.SetBytes(int64(len(oktaCreate)))
	for b.Loop() {
		if _, err := Decode(rt, oktaCreate, q); err != nil {
			b.Fatal(err)
		}
	}
}
