package patch

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/rosterhq/roster/internal/scim"
)

var update = flag.Bool("update", false, "rewrite the expected results of the golden files in testdata/golden")

// A golden case is a txtar archive in testdata/golden. Its comment says
// what the case shows and where the behaviour comes from. Its files:
//
//	type        "User" or "Group"
//	quirks      "none", "default", or a comma-separated list of scim.Quirks
//	            field names; "default,-Name" switches one off
//	doc.json    the stored resource (every attribute kept, id and meta too)
//	patch.json  the PATCH request body (decoded by scim.DecodePatchRequest)
//	want.json   the expected document, or
//	error       the expected error: scimType on the first line, detail on
//	            the second
//	changed     "true" or "false": what Changed(doc, result) says (only
//	            with want.json)
//
// go test -run TestGolden -update rewrites want.json, error and changed.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			runGolden(t, file)
		})
	}
}

// goldenCase is a parsed golden archive.
type goldenCase struct {
	arc    *txtar.Archive
	rt     *scim.ResourceType
	q      scim.Quirks
	doc    map[string]any
	docRaw []byte
	ops    []scim.PatchOperation
}

func readGolden(t testing.TB, file string) goldenCase {
	t.Helper()
	arc, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	c := goldenCase{arc: arc}
	c.rt = resourceType(t, section(t, arc, "type", true))
	c.q = parseQuirks(t, strings.TrimSpace(string(section(t, arc, "quirks", true))))
	c.docRaw = section(t, arc, "doc.json", true)
	c.doc = canonical(t, c.rt, c.docRaw)
	req, err := scim.DecodePatchRequest(section(t, arc, "patch.json", true), 0)
	if err != nil {
		t.Fatalf("patch.json: %v", err)
	}
	c.ops = req.Operations
	return c
}

func runGolden(t *testing.T, file string) {
	c := readGolden(t, file)
	pristine := scim.Clone(c.doc)
	got, err := Apply(c.rt, c.doc, c.ops, c.q)
	if diff := cmp.Diff(pristine, c.doc); diff != "" {
		t.Fatalf("Apply modified its input document (-before +after):\n%s", diff)
	}
	var gotJSON, gotErr, gotChanged []byte
	if err != nil {
		se, ok := scim.AsError(err)
		if !ok {
			t.Fatalf("error is %T, not *scim.Error: %v", err, err)
		}
		if se.Status != 400 {
			t.Errorf("status = %d, want 400", se.Status)
		}
		gotErr = []byte(se.Type + "\n" + se.Detail + "\n")
	} else {
		gotJSON = marshalDoc(t, got)
		gotChanged = []byte(strconv.FormatBool(Changed(c.doc, got)) + "\n")
		if err := scim.CheckRequired(c.rt, got); err != nil {
			t.Errorf("result lacks a required attribute: %v", err)
		}
	}
	if c.rt == scim.GroupType() {
		checkSplit(t, c.rt, c.doc, c.ops, c.q)
	}
	if *update {
		writeGolden(t, file, c.arc, gotJSON, gotErr, gotChanged)
		return
	}
	wantJSON := section(t, c.arc, "want.json", false)
	wantErr := section(t, c.arc, "error", false)
	switch {
	case wantErr != nil:
		if err == nil {
			t.Fatalf("Apply succeeded, want error:\n%s\ngot:\n%s", wantErr, gotJSON)
		}
		if string(gotErr) != string(wantErr) {
			t.Errorf("error:\n got %s\nwant %s", gotErr, wantErr)
		}
	case wantJSON != nil:
		if err != nil {
			t.Fatalf("Apply: %v", err)
		}
		if diff := cmp.Diff(generic(t, wantJSON), generic(t, gotJSON)); diff != "" {
			t.Errorf("result (-want +got):\n%s", diff)
		}
		if want := section(t, c.arc, "changed", false); want != nil && string(want) != string(gotChanged) {
			t.Errorf("Changed = %s, want %s", gotChanged, want)
		}
	default:
		t.Fatal("golden file has neither want.json nor error; run with -update")
	}
}

// checkSplit checks SplitMembers' invariant on a golden case.
func checkSplit(t *testing.T, rt *scim.ResourceType, doc map[string]any, ops []scim.PatchOperation, q scim.Quirks) {
	t.Helper()
	if msg := splitMismatch(rt, doc, ops, q); msg != "" {
		t.Errorf("SplitMembers: %s", msg)
	}
}

func writeGolden(t *testing.T, file string, arc *txtar.Archive, wantJSON, wantErr, changed []byte) {
	t.Helper()
	var files []txtar.File
	for _, f := range arc.Files {
		switch f.Name {
		case "want.json", "error", "changed":
			continue
		}
		files = append(files, f)
	}
	if wantErr != nil {
		files = append(files, txtar.File{Name: "error", Data: wantErr})
	} else {
		files = append(files, txtar.File{Name: "want.json", Data: wantJSON}, txtar.File{Name: "changed", Data: changed})
	}
	arc.Files = files
	if err := os.WriteFile(file, txtar.Format(arc), 0o600); err != nil {
		t.Fatal(err)
	}
}

func section(t testing.TB, arc *txtar.Archive, name string, required bool) []byte {
	t.Helper()
	for _, f := range arc.Files {
		if f.Name == name {
			return f.Data
		}
	}
	if required {
		t.Fatalf("golden file has no %q section", name)
	}
	return nil
}

func resourceType(t testing.TB, b []byte) *scim.ResourceType {
	t.Helper()
	switch strings.TrimSpace(string(b)) {
	case "User":
		return scim.UserType()
	case "Group":
		return scim.GroupType()
	}
	t.Fatalf("unknown resource type %q", b)
	return nil
}

// parseQuirks reads "none", "default" or a list of scim.Quirks field
// names, each optionally prefixed with "-" to switch it off.
func parseQuirks(t testing.TB, s string) scim.Quirks {
	t.Helper()
	var q scim.Quirks
	rv := reflect.ValueOf(&q).Elem()
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		switch f {
		case "none", "":
			continue
		case "default":
			q = scim.DefaultQuirks()
			continue
		}
		on := !strings.HasPrefix(f, "-")
		fv := rv.FieldByName(strings.TrimPrefix(f, "-"))
		if !fv.IsValid() || fv.Kind() != reflect.Bool {
			t.Fatalf("unknown quirk %q", f)
		}
		fv.SetBool(on)
	}
	return q
}

// canonical reads a stored resource as a canonical document, keeping every
// attribute (scim.Decode would drop id, meta and groups, which are the
// server's): each attribute through scim.CoerceValue, "schemas" as is.
func canonical(t testing.TB, rt *scim.ResourceType, b []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		t.Fatalf("doc.json: %v", err)
	}
	doc := map[string]any{}
	put := func(s *scim.Schema, into map[string]any, k string, v any) {
		a := s.Attr(k)
		if a == nil || a.Name != k {
			t.Fatalf("doc.json: %q is not an attribute of %s", k, s.ID)
		}
		cv, err := scim.CoerceValue(a, v, scim.Quirks{})
		if err != nil {
			t.Fatalf("doc.json: %v", err)
		}
		into[k] = cv
	}
	for k, v := range raw {
		if k == "schemas" {
			doc[k] = v
			continue
		}
		if s := rt.SchemaFor(k); s != nil && s != rt.Schema {
			m := map[string]any{}
			for ek, ev := range v.(map[string]any) {
				put(s, m, ek, ev)
			}
			doc[k] = m
			continue
		}
		put(rt.Schema, doc, k, v)
	}
	return doc
}

// marshalDoc encodes a document as indented JSON with sorted keys.
func marshalDoc(t testing.TB, doc map[string]any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func generic(t testing.TB, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v in %s", err, b)
	}
	return v
}

// TestGoldenCount keeps the suite at the size the issue asks for.
func TestGoldenCount(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.txtar"))
	if len(files) < 80 {
		t.Errorf("%d golden files; want at least 80", len(files))
	}
}
