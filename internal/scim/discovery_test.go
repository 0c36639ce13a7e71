package scim

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const testBaseURL = "https://roster.example.com/scim/v2/"

// TestDiscoveryGolden renders /ServiceProviderConfig, /ResourceTypes and
// /Schemas into testdata/discovery/discovery.txtar.
func TestDiscoveryGolden(t *testing.T) {
	g := loadGolden(t, "discovery")[0]
	var rts, schemas []any
	for _, rt := range ResourceTypes() {
		rts = append(rts, RenderResourceType(rt, testBaseURL))
	}
	for _, s := range Schemas() {
		schemas = append(schemas, RenderSchema(s, testBaseURL))
	}
	got := map[string]string{
		"ServiceProviderConfig.json": pretty(t, RenderServiceProviderConfig(DefaultServiceProviderConfig(), testBaseURL)),
		"ResourceTypes.json":         pretty(t, rts),
		"Schemas.json":               pretty(t, schemas),
	}
	if *update {
		for _, name := range []string{"ServiceProviderConfig.json", "ResourceTypes.json", "Schemas.json"} {
			g.set(name, got[name])
		}
		g.write(t)
		return
	}
	for name, content := range got {
		want, ok := g.file(name)
		if !ok {
			t.Errorf("no section %s (run with -update)", name)
			continue
		}
		if diff := cmp.Diff(reindent(t, want), content); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

// TestRenderSchemaComplete checks that every attribute and sub-attribute
// of every schema appears in its /Schemas rendering with every
// characteristic of RFC 7643 §7, equal to the definition validation uses.
func TestRenderSchemaComplete(t *testing.T) {
	for _, s := range Schemas() {
		// Through JSON, as a client sees it.
		b, err := json.Marshal(RenderSchema(s, testBaseURL))
		if err != nil {
			t.Fatal(err)
		}
		var wire struct {
			Schemas     []string    `json:"schemas"`
			ID          string      `json:"id"`
			Name        string      `json:"name"`
			Description string      `json:"description"`
			Attributes  []wireAttr  `json:"attributes"`
			Meta        wireDiscMet `json:"meta"`
		}
		if err := json.Unmarshal(b, &wire); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{SchemaSchema}, wire.Schemas); diff != "" {
			t.Errorf("%s schemas: %s", s.ID, diff)
		}
		if wire.ID != s.ID || wire.Name != s.Name || wire.Description != s.Description {
			t.Errorf("%s: id/name/description = %q/%q/%q", s.ID, wire.ID, wire.Name, wire.Description)
		}
		if wire.Meta.ResourceType != "Schema" || wire.Meta.Location != "https://roster.example.com/scim/v2/Schemas/"+s.ID {
			t.Errorf("%s: meta = %+v", s.ID, wire.Meta)
		}
		compareAttrs(t, s.ID, s.Attributes, wire.Attributes)
		// Every key of every rendered attribute is a known characteristic
		// and all required ones are present.
		var raw struct {
			Attributes []map[string]json.RawMessage `json:"attributes"`
		}
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatal(err)
		}
		checkKeys(t, s.ID, raw.Attributes)
	}
}

type wireAttr struct {
	Name            string     `json:"name"`
	Type            string     `json:"type"`
	MultiValued     *bool      `json:"multiValued"`
	Description     string     `json:"description"`
	Required        *bool      `json:"required"`
	CaseExact       *bool      `json:"caseExact"`
	Mutability      string     `json:"mutability"`
	Returned        string     `json:"returned"`
	Uniqueness      string     `json:"uniqueness"`
	CanonicalValues []string   `json:"canonicalValues"`
	ReferenceTypes  []string   `json:"referenceTypes"`
	SubAttributes   []wireAttr `json:"subAttributes"`
}

type wireDiscMet struct {
	ResourceType string `json:"resourceType"`
	Location     string `json:"location"`
}

func compareAttrs(t *testing.T, where string, defs []*Attribute, got []wireAttr) {
	t.Helper()
	if len(defs) != len(got) {
		t.Errorf("%s: %d attributes rendered, %d defined", where, len(got), len(defs))
		return
	}
	for i, a := range defs {
		w := got[i]
		at := where + ":" + a.Name
		if w.MultiValued == nil || w.Required == nil || w.CaseExact == nil {
			t.Errorf("%s: multiValued/required/caseExact missing", at)
			continue
		}
		want := wireAttr{
			Name: a.Name, Type: string(a.Type), MultiValued: &a.MultiValued, Description: a.Description,
			Required: &a.Required, CaseExact: &a.CaseExact, Mutability: string(a.Mutability),
			Returned: string(a.Returned), Uniqueness: string(a.Uniqueness),
			CanonicalValues: a.CanonicalValues, ReferenceTypes: a.ReferenceTypes,
		}
		gotTop := w
		gotTop.SubAttributes = nil
		if diff := cmp.Diff(want, gotTop); diff != "" {
			t.Errorf("%s (-def +rendered):\n%s", at, diff)
		}
		if a.Description == "" {
			t.Errorf("%s: no description", at)
		}
		if a.Type == TypeComplex {
			if len(a.SubAttributes) == 0 {
				t.Errorf("%s: complex without sub-attributes", at)
			}
			compareAttrs(t, at, a.SubAttributes, w.SubAttributes)
		} else if w.SubAttributes != nil {
			t.Errorf("%s: subAttributes on a %s attribute", at, a.Type)
		}
		if a.Type == TypeReference && len(a.ReferenceTypes) == 0 {
			t.Errorf("%s: reference without referenceTypes", at)
		}
	}
}

func checkKeys(t *testing.T, where string, attrs []map[string]json.RawMessage) {
	t.Helper()
	must := []string{"name", "type", "multiValued", "description", "required", "caseExact", "mutability", "returned", "uniqueness"}
	allowed := map[string]bool{"canonicalValues": true, "referenceTypes": true, "subAttributes": true}
	for _, k := range must {
		allowed[k] = true
	}
	for _, a := range attrs {
		for _, k := range must {
			if _, ok := a[k]; !ok {
				t.Errorf("%s: attribute %s lacks %q", where, a["name"], k)
			}
		}
		for k := range a {
			if !allowed[k] {
				t.Errorf("%s: attribute %s has unknown characteristic %q", where, a["name"], k)
			}
		}
		if subs, ok := a["subAttributes"]; ok {
			var sa []map[string]json.RawMessage
			if err := json.Unmarshal(subs, &sa); err != nil {
				t.Fatal(err)
			}
			checkKeys(t, where+":"+string(a["name"]), sa)
		}
	}
}

// TestSchemaCharacteristics pins the characteristics the brief and RFC
// 7643 fix and other packages rely on.
func TestSchemaCharacteristics(t *testing.T) {
	u, g := UserType(), GroupType()
	ent := u.Extension(EnterpriseUserSchema)
	ros := u.Extension(RosterUserSchema)
	check := func(name string, a *Attribute, want Attribute) {
		t.Helper()
		if a == nil {
			t.Errorf("%s: not defined", name)
			return
		}
		got := Attribute{Type: a.Type, MultiValued: a.MultiValued, Required: a.Required, CaseExact: a.CaseExact,
			Mutability: a.Mutability, Returned: a.Returned, Uniqueness: a.Uniqueness, CanonicalValues: a.CanonicalValues}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
	rw, def, none := ReadWrite, ReturnedDefault, UniqueNone
	for _, rt := range []*ResourceType{u, g} {
		check(rt.ID+".id", rt.Schema.Attr("id"), Attribute{Type: TypeString, Required: true, CaseExact: true, Mutability: ReadOnly, Returned: ReturnedAlways, Uniqueness: UniqueServer})
		check(rt.ID+".externalId", rt.Schema.Attr("externalId"), Attribute{Type: TypeString, CaseExact: true, Mutability: rw, Returned: def, Uniqueness: none})
		check(rt.ID+".meta", rt.Schema.Attr("meta"), Attribute{Type: TypeComplex, Mutability: ReadOnly, Returned: def, Uniqueness: none})
		for _, sub := range []string{"resourceType", "created", "lastModified", "location", "version"} {
			if a := rt.Schema.Attr("meta").Sub(sub); a == nil || a.Mutability != ReadOnly {
				t.Errorf("%s.meta.%s missing or not readOnly", rt.ID, sub)
			}
		}
	}
	check("userName", u.Schema.Attr("userName"), Attribute{Type: TypeString, Required: true, Mutability: rw, Returned: def, Uniqueness: UniqueServer})
	check("password", u.Schema.Attr("password"), Attribute{Type: TypeString, Mutability: WriteOnly, Returned: ReturnedNever, Uniqueness: none})
	check("active", u.Schema.Attr("active"), Attribute{Type: TypeBoolean, Mutability: rw, Returned: def, Uniqueness: none})
	check("groups", u.Schema.Attr("groups"), Attribute{Type: TypeComplex, MultiValued: true, Mutability: ReadOnly, Returned: def, Uniqueness: none})
	check("groups.type", u.Schema.Attr("groups").Sub("type"), Attribute{Type: TypeString, Mutability: ReadOnly, Returned: def, Uniqueness: none, CanonicalValues: []string{"direct", "indirect"}})
	check("emails.type", u.Schema.Attr("emails").Sub("type"), Attribute{Type: TypeString, Mutability: rw, Returned: def, Uniqueness: none, CanonicalValues: []string{"work", "home", "other"}})
	check("phoneNumbers.type", u.Schema.Attr("phoneNumbers").Sub("type"), Attribute{Type: TypeString, Mutability: rw, Returned: def, Uniqueness: none, CanonicalValues: []string{"work", "home", "mobile", "fax", "pager", "other"}})
	check("ims.type", u.Schema.Attr("ims").Sub("type"), Attribute{Type: TypeString, Mutability: rw, Returned: def, Uniqueness: none, CanonicalValues: []string{"aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"}})
	check("photos.type", u.Schema.Attr("photos").Sub("type"), Attribute{Type: TypeString, Mutability: rw, Returned: def, Uniqueness: none, CanonicalValues: []string{"photo", "thumbnail"}})
	check("x509Certificates.value", u.Schema.Attr("x509Certificates").Sub("value"), Attribute{Type: TypeBinary, CaseExact: true, Mutability: rw, Returned: def, Uniqueness: none})
	check("manager", ent.Attr("manager"), Attribute{Type: TypeComplex, Mutability: rw, Returned: def, Uniqueness: none})
	check("manager.displayName", ent.Attr("manager").Sub("displayName"), Attribute{Type: TypeString, Mutability: ReadOnly, Returned: def, Uniqueness: none})
	check("status", ros.Attr("status"), Attribute{Type: TypeString, CaseExact: true, Mutability: ReadOnly, Returned: def, Uniqueness: none, CanonicalValues: []string{"active", "deactivated", "invited"}})
	check("invitationPending", ros.Attr("invitationPending"), Attribute{Type: TypeBoolean, Mutability: ReadOnly, Returned: def, Uniqueness: none})
	check("Group.displayName", g.Schema.Attr("displayName"), Attribute{Type: TypeString, Required: true, Mutability: rw, Returned: def, Uniqueness: UniqueServer})
	check("members", g.Schema.Attr("members"), Attribute{Type: TypeComplex, MultiValued: true, Mutability: rw, Returned: def, Uniqueness: none})
	check("members.value", g.Schema.Attr("members").Sub("value"), Attribute{Type: TypeString, CaseExact: true, Mutability: Immutable, Returned: def, Uniqueness: none})
	check("members.type", g.Schema.Attr("members").Sub("type"), Attribute{Type: TypeString, Mutability: Immutable, Returned: def, Uniqueness: none, CanonicalValues: []string{"User", "Group"}})

	wantUser := []string{"id", "externalId", "meta", "userName", "name", "displayName", "nickName", "profileUrl", "title", "userType",
		"preferredLanguage", "locale", "timezone", "active", "password", "emails", "phoneNumbers", "ims", "photos", "addresses",
		"groups", "entitlements", "roles", "x509Certificates"}
	var gotUser []string
	for _, a := range u.Schema.Attributes {
		gotUser = append(gotUser, a.Name)
	}
	if diff := cmp.Diff(wantUser, gotUser); diff != "" {
		t.Errorf("User attributes (-want +got):\n%s", diff)
	}
	if len(u.Extensions) != 2 || u.Extensions[0].Schema.ID != EnterpriseUserSchema || u.Extensions[0].Required ||
		u.Extensions[1].Schema.ID != RosterUserSchema || u.Extensions[1].Required {
		t.Errorf("User extensions = %+v", u.Extensions)
	}
}

func TestRegistryLookups(t *testing.T) {
	u1, u2, g1, g2 := UserType(), UserType(), GroupType(), GroupType()
	if u1 != u2 || g1 != g2 {
		t.Error("resource types are not built once")
	}
	if SchemaByID("URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:user") != UserType().Schema {
		t.Error("SchemaByID is not case-insensitive")
	}
	if SchemaByID(EnterpriseUserSchema) != UserType().Extension(EnterpriseUserSchema) {
		t.Error("SchemaByID(enterprise)")
	}
	if SchemaByID("urn:nope") != nil {
		t.Error("SchemaByID(unknown) != nil")
	}
	if ResourceTypeByID("group") != GroupType() || ResourceTypeByID("x") != nil {
		t.Error("ResourceTypeByID")
	}
	if len(Schemas()) != 4 || len(ResourceTypes()) != 2 {
		t.Errorf("%d schemas, %d resource types", len(Schemas()), len(ResourceTypes()))
	}
	// Every path a client may name resolves, qualified or not.
	for _, p := range []string{
		"userName", "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value", "employeeNumber",
		"urn:ietf:params:scim:schemas:extension:roster:2.0:User:status",
	} {
		ap, err := ParseAttrPath(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := UserType().Resolve(ap); err != nil {
			t.Errorf("Resolve(%q): %v", p, err)
		}
	}
}

func TestRenderServiceProviderConfig(t *testing.T) {
	cfg := DefaultServiceProviderConfig()
	cfg.DocumentationURI = "https://roster.example.com/docs/scim"
	b, err := json.Marshal(RenderServiceProviderConfig(cfg, "https://h/scim/v2"))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"schemas":          []any{ServiceProviderConfigSchema},
		"documentationUri": "https://roster.example.com/docs/scim",
		"patch":            map[string]any{"supported": true},
		"bulk":             map[string]any{"supported": true, "maxOperations": 1000.0, "maxPayloadSize": 1048576.0},
		"filter":           map[string]any{"supported": true, "maxResults": 200.0},
		"changePassword":   map[string]any{"supported": false},
		"sort":             map[string]any{"supported": true},
		"etag":             map[string]any{"supported": true},
		"pagination": map[string]any{
			"cursor": true, "index": true, "defaultPaginationMethod": "index",
			"defaultPageSize": 100.0, "maxPageSize": 200.0, "cursorTimeout": 3600.0,
		},
		"authenticationSchemes": []any{map[string]any{
			"type": "oauthbearertoken", "name": "Bearer token", "primary": true,
			"description": cfg.AuthenticationSchemes[0].Description,
			"specUri":     "https://www.rfc-editor.org/info/rfc6750",
		}},
		"meta": map[string]any{"resourceType": "ServiceProviderConfig", "location": "https://h/scim/v2/ServiceProviderConfig"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
