package httpapi_test

// TestDocs checks the setup guides (docs/idp/*.md) and the troubleshooting
// page (docs/troubleshooting.md) against a running server: every SCIM URL
// path they mention exists, every SCIM attribute they name is in the
// server's /Schemas, and every error detail in their error tables is one the
// server returns (checked live where a request can provoke it, else found
// in the source). It also checks the converse: every error detail the SCIM
// use cases and transport can return is in the troubleshooting page.

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/httpapi"
	"github.com/rosterhq/roster/internal/provision/provisiontest"
	"github.com/rosterhq/roster/internal/scim"
)

// docFiles are the documents checked, relative to this package.
var docFiles = []string{
	"../../docs/idp/okta.md",
	"../../docs/idp/entra.md",
	"../../docs/idp/onelogin.md",
	"../../docs/idp/jumpcloud.md",
	"../../docs/troubleshooting.md",
}

// notSCIMFields are backticked words in the guides that are not SCIM
// attribute names: the IdPs' own attribute names, values and flags.
var notSCIMFields = map[string]bool{
	"userPrincipalName": true, "mail": true, "surname": true, "mailNickname": true, // Entra source attributes
	"true": true, "false": true, "invited": true, "aadOptscim062020": true, "Bearer": true,
	"filter": true, "sortBy": true, "cursor": true, "excludedAttributes": true, // query parameters (RFC 7644 §3.4.2)
	"op": true, "path": true, "add": true, "replace": true, "remove": true, "data": true, "Operations": true, // PatchOp and Bulk message fields
}

// errorSources are the files whose error details must all be documented in
// docs/troubleshooting.md.
var errorSources = []string{
	"../provision/*.go",
	"errors.go", "discovery.go", "respond.go", "resources.go", "ratelimit.go",
}

var (
	backtickRE = regexp.MustCompile("`([^`]+)`")
	fenceRE    = regexp.MustCompile("(?s)```.*?```")
	fieldRE    = regexp.MustCompile(`^(urn:[A-Za-z0-9:.]+:)?[a-z][A-Za-z0-9]*(\[[^\]]*\])?(\.[a-z][A-Za-z0-9]*)?$`)
)

type docText struct {
	name string
	text string
}

func readDocs(t *testing.T) []docText {
	t.Helper()
	var out []docText
	for _, f := range docFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, docText{name: filepath.Base(f), text: fenceRE.ReplaceAllString(string(b), "")})
	}
	return out
}

// docTable is a Markdown table: its header cells and rows of cells.
type docTable struct {
	header []string
	rows   [][]string
}

func cells(line string) []string {
	line = strings.TrimSpace(line)
	line = strings.TrimPrefix(strings.TrimSuffix(line, "|"), "|")
	parts := strings.Split(line, "|")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

func tables(text string) []docTable {
	var out []docTable
	lines := strings.Split(text, "\n")
	for i := 0; i+1 < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "|") || !strings.HasPrefix(lines[i+1], "| ---") {
			continue
		}
		tb := docTable{header: cells(lines[i])}
		j := i + 2
		for ; j < len(lines) && strings.HasPrefix(lines[j], "|"); j++ {
			tb.rows = append(tb.rows, cells(lines[j]))
		}
		out = append(out, tb)
		i = j
	}
	return out
}

func column(tb docTable, name string) int {
	for i, h := range tb.header {
		if strings.EqualFold(h, name) {
			return i
		}
	}
	return -1
}

func TestDocs(t *testing.T) {
	b := provisiontest.Backends(t)[0]
	s := start(t, b, httpapi.Config{})
	docs := readDocs(t)

	// Data for the paths: one user and one group.
	user := s.expect(s.post("/scim/v2/Users", js(obj{"userName": "docs@example.com", "name": obj{"givenName": "D", "familyName": "Ocs"}})), 201, "user").json(t)
	group := s.expect(s.post("/scim/v2/Groups", js(obj{"displayName": "Docs"})), 201, "group").json(t)

	checkDocPaths(t, s, docs, user["id"].(string), group["id"].(string))
	checkDocFields(t, s, docs)
	checkDocErrors(t, s, docs, user["id"].(string), group["id"].(string))
}

// checkDocPaths: every backticked /scim/v2 URL names an endpoint.
func checkDocPaths(t *testing.T, s *server, docs []docText, userID, groupID string) {
	hosts := []string{"https://<your-roster-host>", "https://roster.example.com"}
	seen := map[string]bool{}
	for _, d := range docs {
		for _, m := range backtickRE.FindAllStringSubmatch(d.text, -1) {
			tok := m[1]
			for _, h := range hosts {
				tok = strings.TrimPrefix(tok, h)
			}
			method := "GET"
			if i := strings.Index(tok, " /scim/v2"); i > 0 && strings.ToUpper(tok[:i]) == tok[:i] {
				method, tok = tok[:i], tok[i+1:]
			}
			if !strings.HasPrefix(tok, "/scim/v2") || strings.Contains(tok, " ") && !strings.Contains(tok, "filter=") {
				continue
			}
			key := d.name + " " + method + " " + tok
			if seen[key] {
				continue
			}
			seen[key] = true
			id := userID
			if strings.HasPrefix(tok, "/scim/v2/Groups/{id}") {
				id = groupID
			}
			if method != "GET" { // never change the fixtures: a made-up id
				id = "no-such-id"
			}
			p := strings.NewReplacer("{id}", id, "{name}", "User", "{urn}", scim.UserSchema).Replace(tok)
			p = strings.ReplaceAll(p, "…", "1")
			path, query, _ := strings.Cut(p, "?")
			if path == "/scim/v2" { // the base URL itself: the IdP appends /Users
				path = "/scim/v2/Users"
			}
			if query != "" {
				q := url.Values{}
				for _, kv := range strings.Split(query, "&") {
					k, v, _ := strings.Cut(kv, "=")
					q.Set(k, strings.ReplaceAll(v, `"1"`, `"x"`))
				}
				path += "?" + q.Encode()
			}
			var r resp
			if method == "GET" {
				r = s.get(path)
			} else {
				r = s.do(req{method: method, path: path, body: "{}"})
			}
			// A GET the guides show must work; a POST-only endpoint (405
			// with Allow) and /Me (501) exist. Other methods only need
			// the route: the made-up id is a resource 404.
			ok := r.status < 400 || r.status == 405 || tok == "/scim/v2/Me" && r.status == 501
			if method != "GET" {
				ok = r.status != 405 && !strings.Contains(string(r.body), "no SCIM endpoint")
			}
			if !ok {
				t.Errorf("%s: %s %s → %d %s", d.name, method, tok, r.status, r.body)
			}
		}
	}
	if len(seen) < 10 {
		t.Errorf("only %d URL paths found in the guides", len(seen))
	}
}

// schemaNames returns every attribute name and dotted sub-attribute path in
// the server's /Schemas, lower-cased, with and without the schema URN.
func schemaNames(t *testing.T, s *server) map[string]bool {
	var list struct {
		Resources []struct {
			ID         string `json:"id"`
			Attributes []struct {
				Name          string `json:"name"`
				SubAttributes []struct {
					Name string `json:"name"`
				} `json:"subAttributes"`
			} `json:"attributes"`
		} `json:"Resources"`
	}
	if err := json.Unmarshal(s.expect(s.get("/scim/v2/Schemas"), 200, "schemas").body, &list); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, sc := range list.Resources {
		names[strings.ToLower(sc.ID)] = true
		for _, a := range sc.Attributes {
			for _, pre := range []string{"", sc.ID + ":"} {
				names[strings.ToLower(pre+a.Name)] = true
				for _, sub := range a.SubAttributes {
					names[strings.ToLower(pre+a.Name+"."+sub.Name)] = true
					names[strings.ToLower(sub.Name)] = true
				}
			}
		}
	}
	return names
}

// checkDocFields: every SCIM attribute named in the guides exists.
func checkDocFields(t *testing.T, s *server, docs []docText) {
	names := schemaNames(t, s)
	// Message and configuration fields the guides also name.
	for _, k := range []string{"schemas", "status", "detail", "scimType", "Resources", "totalResults", "changePassword", "patch", "members", "id", "meta", "password", "groups"} {
		names[strings.ToLower(k)] = true
	}
	// The roster extension's attributes are named without their URN.
	checked := 0
	for _, d := range docs {
		for _, tb := range tables(d.text) {
			if c := column(tb, "SCIM attribute"); c >= 0 {
				for _, row := range tb.rows {
					for _, m := range backtickRE.FindAllStringSubmatch(row[c], -1) {
						checked++
						if !attrKnown(names, m[1]) {
							t.Errorf("%s: mapping table names %q, which is not a SCIM attribute of the server", d.name, m[1])
						}
					}
				}
			}
		}
		for _, m := range backtickRE.FindAllStringSubmatch(d.text, -1) {
			tok := m[1]
			if notSCIMFields[tok] || !fieldRE.MatchString(tok) || strings.HasSuffix(tok, ".md") {
				continue
			}
			checked++
			if !attrKnown(names, tok) {
				t.Errorf("%s: `%s` is not a SCIM attribute or message field of the server (add it to notSCIMFields if it is not meant as one)", d.name, tok)
			}
		}
	}
	if checked < 30 {
		t.Errorf("only %d field names checked", checked)
	}
}

// attrKnown resolves an attribute path, ignoring a value filter.
func attrKnown(names map[string]bool, p string) bool {
	p = strings.ToLower(p)
	if i := strings.Index(p, "["); i >= 0 {
		if j := strings.Index(p[i:], "]"); j >= 0 {
			p = p[:i] + p[i+j+1:]
		}
	}
	return names[p]
}

// liveError is an error response seen from the server.
type liveError struct {
	status   int
	scimType string
	detail   string
}

// provokeErrors sends requests that fail in every way a request can
// provoke cheaply, and returns the errors.
func provokeErrors(t *testing.T, s *server, userID, groupID string) []liveError {
	var out []liveError
	collect := func(q req, r resp) {
		if r.status < 400 {
			t.Errorf("%s %s: expected an error, got %d %s", q.method, q.path, r.status, r.body)
			return
		}
		var e struct {
			ScimType string `json:"scimType"`
			Detail   string `json:"detail"`
		}
		_ = json.Unmarshal(r.body, &e)
		out = append(out, liveError{r.status, e.ScimType, e.Detail})
	}
	none := ""
	team := s.e.Team.ID
	_, offKey := s.e.NewTeam(false)
	for _, q := range []req{
		{method: "GET", path: "/scim/v2/Users", key: &none},
		{method: "GET", path: "/scim/v2/Users", auth: "Bearer"},
		{method: "GET", path: "/scim/v2/Users", auth: "Basic dXNlcjpwYXNz"},
		{method: "GET", path: "/scim/v2/Users", auth: "non-token"},
		{method: "GET", path: "/scim/v2/Users", auth: s.key[:len(s.key)-4] + "AAAA"},
		{method: "GET", path: "/scim/v2/Users", auth: s.e.RevokedKey(team)},
		{method: "GET", path: "/scim/v2/Users", auth: s.e.ExpiredKey(team)},
		{method: "GET", path: "/scim/v2/Users", auth: offKey},
		{method: "GET", path: "/Users"},
		{method: "DELETE", path: "/scim/v2/Users"},
		{method: "POST", path: "/scim/v2/Users", body: "x=1", contentType: strp("application/x-www-form-urlencoded")},
		{method: "POST", path: "/scim/v2/Users", body: `{"userName":"` + strings.Repeat("x", 2<<20) + `"}`},
		{method: "POST", path: "/scim/v2/Users", body: js(obj{"userName": "DOCS@example.com"})},
		{method: "POST", path: "/scim/v2/Users", body: js(obj{"userName": " "})},
		{method: "POST", path: "/scim/v2/Users", body: `{"userName":`},
		{method: "GET", path: "/scim/v2/Users/nope"},
		{method: "GET", path: "/scim/v2/Groups/nope"},
		{method: "POST", path: "/scim/v2/Groups", body: js(obj{"displayName": "DOCS"})},
		{method: "POST", path: "/scim/v2/Groups", body: js(obj{"displayName": ""})},
		{method: "PATCH", path: "/scim/v2/Groups/" + groupID, body: patchOps(obj{"op": "add", "path": "members", "value": arr{obj{"value": "unknown-id"}}})},
		{method: "PATCH", path: "/scim/v2/Groups/" + groupID, body: patchOps(obj{"op": "add", "path": "members", "value": arr{obj{"value": ""}}})},
		{method: "PATCH", path: "/scim/v2/Users/" + userID, body: patchOps(obj{"op": "replace", "path": "userName", "value": "docs@unverified.example"})},
		{method: "GET", path: "/scim/v2/Users?sortBy=" + url.QueryEscape("a b")},
		{method: "GET", path: "/scim/v2/Users?sortBy=name"},
		{method: "GET", path: "/scim/v2/Users?filter=" + url.QueryEscape("userName zz 1")},
		{method: "GET", path: "/scim/v2/Users?startIndex=2&cursor="},
		{method: "GET", path: "/scim/v2/Users?cursor=bogus"},
		{method: "GET", path: "/scim/v2/Users?cursor=&sortBy=userName"},
		{method: "GET", path: "/scim/v2/ResourceTypes/Nope"},
		{method: "GET", path: "/scim/v2/Schemas/urn:nope"},
		{method: "GET", path: "/scim/v2/Schemas?filter=" + url.QueryEscape(`id eq "x"`)},
		{method: "GET", path: "/scim/v2/Me"},
		{method: "PUT", path: "/scim/v2/Users/" + userID, body: js(obj{"userName": "docs@example.com"}), header: map[string]string{"If-Match": `W/"999"`}},
		{method: "POST", path: "/scim/v2/.search", body: js(obj{"schemas": arr{scim.SearchRequestSchema}, "cursor": ""})},
		{method: "POST", path: "/scim/v2/.search", body: js(obj{"schemas": arr{scim.SearchRequestSchema}, "sortBy": "userName"})},
		{method: "POST", path: "/scim/v2/Bulk", body: js(obj{"schemas": arr{scim.BulkRequestSchema}, "Operations": arr{
			obj{"method": "POST", "path": "/Users", "bulkId": "a", "data": obj{"userName": "b1@example.com"}},
			obj{"method": "POST", "path": "/Users", "bulkId": "a", "data": obj{"userName": "b2@example.com"}},
		}})},
	} {
		collect(q, s.do(q))
	}
	// Bulk operation errors are inside a 200 BulkResponse.
	r := s.expect(s.post("/scim/v2/Bulk", js(obj{"schemas": arr{scim.BulkRequestSchema}, "Operations": arr{
		obj{"method": "POST", "path": "/Users/x", "bulkId": "c", "data": obj{"userName": "b3@example.com"}},
		obj{"method": "PATCH", "path": "/Users", "data": obj{}},
		obj{"method": "DELETE", "path": "/Things/1"},
	}})), 200, "bulk")
	var br struct {
		Operations []struct {
			Response json.RawMessage `json:"response"`
		} `json:"Operations"`
	}
	_ = json.Unmarshal(r.body, &br)
	for _, op := range br.Operations {
		var e struct {
			Status   string `json:"status"`
			ScimType string `json:"scimType"`
			Detail   string `json:"detail"`
		}
		if json.Unmarshal(op.Response, &e) == nil && e.Detail != "" {
			var st int
			_ = json.Unmarshal([]byte(e.Status), &st)
			out = append(out, liveError{st, e.ScimType, e.Detail})
		}
	}
	return out
}

// detailPattern turns a documented detail ("…" for variable parts) into a
// regexp.
func detailPattern(doc string) *regexp.Regexp {
	parts := strings.Split(doc, "…")
	for i := range parts {
		parts[i] = regexp.QuoteMeta(parts[i])
	}
	return regexp.MustCompile(`(?s)^` + strings.Join(parts, ".*") + `$`)
}

// documentedError is one detail of an error table.
type documentedError struct {
	doc      string
	status   string
	scimType string
	detail   string
}

func documentedErrors(t *testing.T, docs []docText) []documentedError {
	var out []documentedError
	for _, d := range docs {
		for _, tb := range tables(d.text) {
			cs, ct, cd := column(tb, "status"), column(tb, "scimType"), column(tb, "detail")
			if cs < 0 || cd < 0 {
				continue
			}
			for _, row := range tb.rows {
				if len(row) != len(tb.header) {
					t.Errorf("%s: table row has %d cells, header %d: %v", d.name, len(row), len(tb.header), row)
					continue
				}
				for _, m := range backtickRE.FindAllStringSubmatch(row[cd], -1) {
					out = append(out, documentedError{doc: d.name, status: row[cs], scimType: row[ct], detail: m[1]})
				}
			}
		}
	}
	return out
}

// checkDocErrors: every documented detail is returned by the server, and
// every detail the SCIM code can return is documented.
func checkDocErrors(t *testing.T, s *server, docs []docText, userID, groupID string) {
	live := provokeErrors(t, s, userID, groupID)
	source := sourceText(t)
	docErrs := documentedErrors(t, docs)
	liveChecked := 0
	for _, de := range docErrs {
		re := detailPattern(de.detail)
		found := false
		for _, le := range live {
			if itoa(le.status) == de.status && le.scimType == de.scimType && re.MatchString(le.detail) {
				found = true
				break
			}
		}
		if found {
			liveChecked++
			continue
		}
		// Not provoked here: each literal part must be in the source.
		for _, part := range strings.Split(de.detail, "…") {
			part = strings.Trim(part, `"`)
			if len(part) >= 6 && !strings.Contains(source, part) {
				t.Errorf("%s: %s %s %q: not returned by the server in this test, and %q is not in the source", de.doc, de.status, de.scimType, de.detail, part)
			}
		}
	}
	t.Logf("%d documented error details, %d checked against live responses", len(docErrs), liveChecked)
	if liveChecked < 30 {
		t.Errorf("only %d documented errors were checked live", liveChecked)
	}
	// Every live error is documented with its status and scimType.
	for _, le := range live {
		ok := false
		for _, de := range docErrs {
			if de.doc == "troubleshooting.md" && de.status == itoa(le.status) && de.scimType == le.scimType && detailPattern(de.detail).MatchString(le.detail) {
				ok = true
				break
			}
		}
		if !ok {
			t.Errorf("the server returned %d %s %q, which docs/troubleshooting.md does not list", le.status, le.scimType, le.detail)
		}
	}
	// Every detail format in the SCIM use cases and transport is documented.
	var troubleshooting []documentedError
	for _, de := range docErrs {
		if de.doc == "troubleshooting.md" {
			troubleshooting = append(troubleshooting, de)
		}
	}
	for _, f := range errorFormats(t) {
		norm := normaliseFormat(f)
		srcRE := detailPattern(norm)
		ok := false
		for _, de := range troubleshooting {
			if detailPattern(de.detail).MatchString(norm) || srcRE.MatchString(de.detail) {
				ok = true
				break
			}
		}
		if !ok {
			t.Errorf("error detail %q is not in docs/troubleshooting.md", norm)
		}
	}
}

// sourceText returns the non-test Go source under internal/, with \"
// unescaped.
func sourceText(t *testing.T) string {
	var b strings.Builder
	err := filepath.WalkDir("..", func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		data, err := os.ReadFile(p)
		b.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(b.String(), `\"`, `"`)
}

// errorCallRE finds the detail format of an error constructor call.
var errorCallRE = regexp.MustCompile(`(?s)(?:unauthenticated|invalid|conflict|core\.NotFound|core\.Errorf\(core\.Kind\w+,\s*[^,]+,|scim\.Errorf\([^,]+,\s*[^,]+,|scim\.BadRequest\([^,]+,|Message:)\(?\s*"((?:[^"\\]|\\.)*)"`)

// errorFormats returns the detail formats of errorSources.
func errorFormats(t *testing.T) []string {
	var files []string
	for _, g := range errorSources {
		m, _ := filepath.Glob(g)
		files = append(files, m...)
	}
	set := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range errorCallRE.FindAllStringSubmatch(string(data), -1) {
			if m[1] != "" {
				set[m[1]] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for f := range set {
		out = append(out, f)
	}
	sort.Strings(out)
	if len(out) < 30 {
		t.Errorf("only %d error formats found in %v", len(out), errorSources)
	}
	return out
}

var verbRE = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)

// normaliseFormat turns a Go format into the documentation's notation.
func normaliseFormat(f string) string {
	f = strings.ReplaceAll(f, `\"`, `"`)
	f = strings.ReplaceAll(f, "%q", `"…"`)
	return verbRE.ReplaceAllString(f, "…")
}
