package httpapi_test

// The IdP replay suites: testdata/idp/<idp>/NNN_name.txtar files, each an
// ordered list of request/response exchanges written from the IdPs'
// published test suites and documentation (docs/idp-behaviour.md), replayed
// in order through the whole stack (httpapi.New over provision over a real
// store) on every backend provisiontest offers.
//
// File format. The archive comment describes the fixture. Then, for each
// exchange, a "req NAME" file and a "res NAME" file:
//
//	-- req create --
//	POST /scim/v2/Users
//	Content-Type: application/scim+json
//
//	{"userName": "jane@example.com"}
//	-- res create --
//	201
//	Location: https://roster.example.com/scim/v2/Users/{{id:jane}}
//
//	{"id": "{{id:jane}}", "{{extra}}": true}
//
// A request is a request line (method and path), header lines, a blank line
// and the body. Without an Authorization line the team's key is sent as
// "Bearer <key>"; "Authorization: none" sends no header. A body gets
// Content-Type application/scim+json unless the request sets one.
//
// A response is the expected status, header lines whose values must match,
// a blank line and the expected body: JSON, compared structurally, or
// nothing (no check), or the single word "empty" (the body must be empty).
// Every JSON response must carry Content-Type application/scim+json.
//
// Placeholders, in request lines, header values and JSON strings:
//
//	{{id:NAME}}    in a response: captures a value on first sight and must
//	               equal it afterwards; in a request: the captured value
//	{{etag:NAME}}  like id, for a weak ETag (W/"...")
//	{{uuid:NAME}}  in a request: a fresh random GUID, remembered as NAME
//	{{key}}        in a request: the team's API key
//	{{time}}       an RFC 3339 timestamp
//	{{etag}}       any weak ETag
//	{{any}}        any string; as a whole JSON string, any JSON value
//
// In an expected JSON object the key "{{extra}}" (value true) allows keys
// the fixture does not list; without it the object's keys must be exactly
// the expected ones. Arrays must match element by element, in order.

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/rosterhq/roster/internal/httpapi"
	"github.com/rosterhq/roster/internal/provision"
	"github.com/rosterhq/roster/internal/provision/provisiontest"
	"github.com/rosterhq/roster/internal/scim"
)

// knownFailing lists fixtures (idp/file) that are skipped because they show
// a server bug not yet fixed; each entry says which. The test prints it.
var knownFailing = map[string]string{}

// replayIdPs are the directories under testdata/idp.
var replayIdPs = []string{"okta", "entra", "onelogin", "jumpcloud"}

// minReplayExchanges is the least number of exchanges the suites must hold
// (issue 5).
const minReplayExchanges = 120

// exchange is one request and its expected response.
type exchange struct {
	name string
	req  string
	res  string
}

// fixture is a parsed replay file.
type fixture struct {
	name      string
	exchanges []exchange
}

// loadFixtures reads testdata/idp/<idp>/*.txtar.
func loadFixtures(t *testing.T, idp string) []fixture {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "idp", idp, "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	nameRE := regexp.MustCompile(`^[0-9]{3}_[a-z0-9_]+\.txtar$`)
	var out []fixture
	for _, f := range files {
		if !nameRE.MatchString(filepath.Base(f)) {
			t.Errorf("%s: fixture names are NNN_name.txtar", f)
		}
		ar, err := txtar.ParseFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fx := fixture{name: strings.TrimSuffix(filepath.Base(f), ".txtar")}
		for i := 0; i < len(ar.Files); i += 2 {
			rq := ar.Files[i]
			if i+1 >= len(ar.Files) {
				t.Fatalf("%s: %q has no response", f, rq.Name)
			}
			rs := ar.Files[i+1]
			name, ok := strings.CutPrefix(rq.Name, "req ")
			if !ok || rs.Name != "res "+name {
				t.Fatalf("%s: files %q, %q are not a \"req NAME\", \"res NAME\" pair", f, rq.Name, rs.Name)
			}
			fx.exchanges = append(fx.exchanges, exchange{name: name, req: string(rq.Data), res: string(rs.Data)})
		}
		if len(fx.exchanges) == 0 {
			t.Errorf("%s: no exchanges", f)
		}
		out = append(out, fx)
	}
	return out
}

// serverOn returns a function that starts a server on st for a new team
// of its own, like start. (Written generically so that this package never
// names internal/store's types, even in tests.)
func serverOn[S any](st S, newEnv func(testing.TB, S) *provisiontest.Env, newSvc func(S, provision.Config) *provision.Service) func(t *testing.T) *server {
	return func(t *testing.T) *server {
		t.Helper()
		e := newEnv(t, st)
		logs := &syncBuffer{}
		logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		svc := newSvc(st, provision.Config{Quirks: scim.DefaultQuirks(), Logger: logger, MaxBulkOperations: 20})
		ts := httptest.NewServer(httpapi.New(svc, httpapi.Config{BaseURL: baseURL, Logger: logger}))
		t.Cleanup(ts.Close)
		return &server{t: t, ts: ts, e: e, key: e.Key, logs: logs, bodies: &syncBuffer{}}
	}
}

// userNameRE finds the userName values a fixture's requests create.
var userNameRE = regexp.MustCompile(`"userName"\s*:\s*"([^"]+)"`)

// TestReplay replays every IdP fixture on every backend.
func TestReplay(t *testing.T) {
	if len(knownFailing) > 0 {
		t.Logf("known-failing fixtures (skipped):")
		for _, k := range sortedKeys(knownFailing) {
			t.Logf("  %s: %s", k, knownFailing[k])
		}
	}
	total := 0
	owner := map[string]string{} // lower-cased userName → fixture
	for _, idp := range replayIdPs {
		fixtures := loadFixtures(t, idp)
		if len(fixtures) == 0 {
			t.Errorf("no fixtures for %s", idp)
		}
		for _, fx := range fixtures {
			total += len(fx.exchanges)
			for _, x := range fx.exchanges {
				for _, m := range userNameRE.FindAllStringSubmatch(x.req, -1) {
					u, where := strings.ToLower(m[1]), idp+"/"+fx.name
					if o, ok := owner[u]; ok && o != where {
						t.Errorf("%s and %s both use userName %q: fixtures share a store, so each must use its own addresses", o, where, m[1])
					}
					owner[u] = where
				}
			}
		}
		t.Run(idp, func(t *testing.T) {
			for _, b := range provisiontest.Backends(t) {
				t.Run(b.Name, func(t *testing.T) {
					// One store per backend and IdP (migrating a
					// PostgreSQL schema per fixture is slow); each
					// fixture gets its own team and key, and uses its
					// own email addresses (checked by loadFixtures).
					newServer := serverOn(b.Open(t), provisiontest.New, provision.New)
					for _, fx := range fixtures {
						t.Run(fx.name, func(t *testing.T) {
							t.Parallel()
							if why, ok := knownFailing[idp+"/"+fx.name]; ok {
								t.Skipf("known failing: %s", why)
							}
							newReplayer(newServer(t)).run(fx)
						})
					}
				})
			}
		})
	}
	t.Logf("%d exchanges", total)
	if total < minReplayExchanges {
		t.Errorf("the replay suites hold %d exchanges, want at least %d", total, minReplayExchanges)
	}
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// replayer replays one fixture against one server, holding the captured
// values.
type replayer struct {
	s    *server
	vars map[string]string
}

func newReplayer(s *server) *replayer {
	return &replayer{s: s, vars: map[string]string{}}
}

func (p *replayer) run(fx fixture) {
	for i, x := range fx.exchanges {
		if !p.exchange(fmt.Sprintf("%s #%d %s", fx.name, i+1, x.name), x) {
			return
		}
	}
}

var placeholderRE = regexp.MustCompile(`\{\{([a-z]+)(?::([A-Za-z0-9_.-]+))?\}\}`)

// expand replaces placeholders in request text.
func (p *replayer) expand(where, s string) string {
	t := p.s.t
	return placeholderRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := placeholderRE.FindStringSubmatch(m)
		kind, name := sub[1], sub[2]
		switch kind {
		case "key":
			return p.s.key
		case "uuid":
			v := randomUUID()
			if name != "" {
				if old, ok := p.vars["uuid:"+name]; ok {
					return old
				}
				p.vars["uuid:"+name] = v
			}
			return v
		case "id", "etag":
			v, ok := p.vars[kind+":"+name]
			if !ok {
				t.Fatalf("%s: %s used before it was captured", where, m)
			}
			return v
		}
		t.Fatalf("%s: placeholder %s cannot be used in a request", where, m)
		return ""
	})
}

// randomUUID returns a random version 4 UUID, as Entra's probes use.
func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// splitMessage splits a request or response text into its first line,
// header lines and body.
func splitMessage(text string) (first string, headers [][2]string, body string, err error) {
	head, body, _ := strings.Cut(text, "\n\n")
	lines := strings.Split(strings.TrimRight(head, "\n"), "\n")
	first = strings.TrimSpace(lines[0])
	for _, l := range lines[1:] {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			return "", nil, "", fmt.Errorf("header line %q has no colon", l)
		}
		headers = append(headers, [2]string{strings.TrimSpace(k), strings.TrimSpace(v)})
	}
	return first, headers, strings.TrimSpace(body), nil
}

// exchange sends one request and checks its response; false stops the
// fixture (later exchanges depend on this one).
func (p *replayer) exchange(where string, x exchange) bool {
	t := p.s.t
	t.Helper()
	first, headers, body, err := splitMessage(x.req)
	if err != nil {
		t.Fatalf("%s: request: %v", where, err)
	}
	method, target, ok := strings.Cut(p.expand(where, first), " ")
	if !ok {
		t.Fatalf("%s: request line %q is not \"METHOD PATH\"", where, first)
	}
	body = p.expand(where, body)
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r, err := http.NewRequest(method, p.s.ts.URL+target, rd)
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	r.Header.Set("Authorization", "Bearer "+p.s.key)
	if body != "" {
		r.Header.Set("Content-Type", "application/scim+json")
	}
	for _, h := range headers {
		if strings.EqualFold(h[0], "Authorization") && h[1] == "none" {
			r.Header.Del("Authorization")
			continue
		}
		r.Header.Set(h[0], p.expand(where, h[1]))
	}
	res, err := p.s.ts.Client().Do(r)
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	got, err := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}

	wantStatus, wantHeaders, wantBody, err := splitMessage(x.res)
	if err != nil {
		t.Fatalf("%s: response: %v", where, err)
	}
	status, err := strconv.Atoi(wantStatus)
	if err != nil {
		t.Fatalf("%s: response status %q", where, wantStatus)
	}
	fail := func(format string, args ...any) bool {
		t.Helper()
		t.Errorf("%s: %s %s: %s\nresponse %d:\n%s", where, method, target, fmt.Sprintf(format, args...), res.StatusCode, got)
		return false
	}
	if res.StatusCode != status {
		return fail("status %d, want %d", res.StatusCode, status)
	}
	if len(got) > 0 {
		if ct := res.Header.Get("Content-Type"); ct != "application/scim+json; charset=utf-8" {
			return fail("Content-Type %q", ct)
		}
	}
	for _, h := range wantHeaders {
		if !p.matchString(h[1], res.Header.Get(h[0])) {
			return fail("header %s: %q does not match %q", h[0], res.Header.Get(h[0]), h[1])
		}
	}
	switch wantBody {
	case "":
		return true
	case "empty":
		if len(got) != 0 {
			return fail("body is not empty")
		}
		return true
	}
	var want, have any
	if err := json.Unmarshal([]byte(wantBody), &want); err != nil {
		t.Fatalf("%s: expected body is not JSON: %v", where, err)
	}
	d := json.NewDecoder(bytes.NewReader(got))
	d.UseNumber()
	if err := d.Decode(&have); err != nil {
		return fail("body is not JSON: %v", err)
	}
	if msg := p.match("$", want, have); msg != "" {
		return fail("%s", msg)
	}
	return true
}

// match compares an expected JSON value (with placeholders) to an actual
// one decoded with UseNumber, and returns "" or what differs.
func (p *replayer) match(at string, want, have any) string {
	switch w := want.(type) {
	case string:
		if w == "{{any}}" {
			if have == nil {
				return at + ": missing"
			}
			return ""
		}
		h, ok := have.(string)
		if !ok {
			return fmt.Sprintf("%s: got %v, want string %q", at, jsonText(have), w)
		}
		if !p.matchString(w, h) {
			return fmt.Sprintf("%s: %q does not match %q", at, h, w)
		}
	case float64:
		n, ok := have.(json.Number)
		if !ok {
			return fmt.Sprintf("%s: got %s, want number %v", at, jsonText(have), w)
		}
		if strings.ContainsAny(n.String(), ".eE") && w == float64(int64(w)) {
			return fmt.Sprintf("%s: got %s, want integer %v", at, n, w)
		}
		if f, err := n.Float64(); err != nil || f != w {
			return fmt.Sprintf("%s: got %s, want %v", at, n, w)
		}
	case bool, nil:
		if have != want {
			return fmt.Sprintf("%s: got %s, want %v", at, jsonText(have), jsonText(want))
		}
	case []any:
		h, ok := have.([]any)
		if !ok {
			return fmt.Sprintf("%s: got %s, want an array", at, jsonText(have))
		}
		if len(h) != len(w) {
			return fmt.Sprintf("%s: %d elements, want %d", at, len(h), len(w))
		}
		for i := range w {
			if msg := p.match(fmt.Sprintf("%s[%d]", at, i), w[i], h[i]); msg != "" {
				return msg
			}
		}
	case map[string]any:
		h, ok := have.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: got %s, want an object", at, jsonText(have))
		}
		extra := w["{{extra}}"] == true
		for _, k := range sortedAnyKeys(w) {
			if k == "{{extra}}" {
				continue
			}
			hv, ok := h[k]
			if !ok {
				return fmt.Sprintf("%s.%s: missing", at, k)
			}
			if msg := p.match(at+"."+k, w[k], hv); msg != "" {
				return msg
			}
		}
		if !extra {
			for _, k := range sortedAnyKeys(h) {
				if _, ok := w[k]; !ok {
					return fmt.Sprintf("%s.%s: unexpected (the fixture allows no extra fields here)", at, k)
				}
			}
		}
	}
	return ""
}

func sortedAnyKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func jsonText(v any) string {
	if v == nil {
		return "null"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// placeholder patterns in responses.
var matchPatterns = map[string]string{
	"time": `[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})`,
	"etag": `W/"[^"]+"`,
	"id":   `[^/?"\s]+`,
	"any":  `(?s:.*)`,
}

// matchString matches a string template against s, binding captures.
func (p *replayer) matchString(tmpl, s string) bool {
	locs := placeholderRE.FindAllStringSubmatchIndex(tmpl, -1)
	if len(locs) == 0 {
		return tmpl == s
	}
	var re strings.Builder
	re.WriteString("^")
	type capture struct{ key string }
	var caps []capture
	last := 0
	for _, l := range locs {
		re.WriteString(regexp.QuoteMeta(tmpl[last:l[0]]))
		kind := tmpl[l[2]:l[3]]
		name := ""
		if l[4] >= 0 {
			name = tmpl[l[4]:l[5]]
		}
		pat, ok := matchPatterns[kind]
		if !ok {
			p.s.t.Fatalf("placeholder %s cannot be used in a response", tmpl[l[0]:l[1]])
		}
		if name != "" {
			pat = "(" + pat + ")"
			caps = append(caps, capture{kind + ":" + name})
		} else {
			pat = "(?:" + pat + ")"
		}
		re.WriteString(pat)
		last = l[1]
	}
	re.WriteString(regexp.QuoteMeta(tmpl[last:]))
	re.WriteString("$")
	m := regexp.MustCompile(re.String()).FindStringSubmatch(s)
	if m == nil {
		return false
	}
	// Submatch indexes: named captures are the only capturing groups
	// except the inner groups of the time pattern.
	vals := namedSubmatches(re.String(), m)
	for i, c := range caps {
		v := vals[i]
		if old, ok := p.vars[c.key]; ok {
			if old != v {
				return false
			}
			continue
		}
		p.vars[c.key] = v
	}
	return true
}

// namedSubmatches returns the values of the top-level capturing groups
// "(" that are not "(?:" — the placeholder captures — in order.
func namedSubmatches(re string, m []string) []string {
	// Walk the pattern counting groups; record the indexes of groups at
	// depth 1 that capture.
	var out []string
	depth, idx := 0, 0
	for i := 0; i < len(re); i++ {
		switch re[i] {
		case '\\':
			i++
		case '(':
			capturing := !strings.HasPrefix(re[i:], "(?")
			if capturing {
				idx++
			}
			depth++
			if depth == 1 && capturing {
				out = append(out, m[idx])
			}
		case ')':
			depth--
		}
	}
	return out
}

// TestReplayMatcher checks the placeholder language itself: a fixture that
// should fail does.
func TestReplayMatcher(t *testing.T) {
	p := &replayer{s: &server{t: t}, vars: map[string]string{}}
	if !p.matchString("/Users/{{id:u}}", "/Users/abc") || p.vars["id:u"] != "abc" {
		t.Fatalf("capture failed: %v", p.vars)
	}
	if p.matchString("/Users/{{id:u}}", "/Users/abd") {
		t.Error("a captured id matched another value")
	}
	if !p.matchString(`{{time}}`, "2026-01-02T03:04:05.123Z") || p.matchString(`{{time}}`, "yesterday") {
		t.Error("time placeholder")
	}
	if !p.matchString(`{{etag:v}} x {{etag:v}}`, `W/"3" x W/"3"`) || p.matchString(`{{etag:w}} {{etag:w}}`, `W/"3" W/"4"`) {
		t.Error("etag placeholder")
	}
	var want any
	_ = json.Unmarshal([]byte(`{"a":1,"b":["{{any}}"],"c":{"{{extra}}":true,"d":"{{id:u}}"}}`), &want)
	have := func(s string) any {
		d := json.NewDecoder(strings.NewReader(s))
		d.UseNumber()
		var v any
		_ = d.Decode(&v)
		return v
	}
	if msg := p.match("$", want, have(`{"a":1,"b":[{"x":1}],"c":{"d":"abc","e":2}}`)); msg != "" {
		t.Errorf("match: %s", msg)
	}
	for _, bad := range []string{
		`{"a":"1","b":[1],"c":{"d":"abc"}}`,     // string counter
		`{"a":1,"b":[1],"c":{"d":"abc"},"z":1}`, // extra field
		`{"a":1,"b":[1,2],"c":{"d":"abc"}}`,     // array length
		`{"a":1,"b":[1],"c":{"d":"other"}}`,     // id mismatch
		`{"a":1.5,"b":[1],"c":{"d":"abc"}}`,     // value
		`{"a":1,"b":[null],"c":{"d":"abc"}}`,    // any needs a value
		`{"a":1,"b":[1]}`,                       // missing
	} {
		if msg := p.match("$", want, have(bad)); msg == "" {
			t.Errorf("%s matched", bad)
		}
	}
}
