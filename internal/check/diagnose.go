package check

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode"
)

// SCIM message URNs (RFC 7644 §3.4.2, §3.12).
const (
	listResponseURN = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	errorURN        = "urn:ietf:params:scim:api:messages:2.0:Error"
	patchOpURN      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	userURN         = "urn:ietf:params:scim:schemas:core:2.0:User"
	groupURN        = "urn:ietf:params:scim:schemas:core:2.0:Group"
)

// scimError is a decoded SCIM error body.
type scimError struct {
	Schemas  []string `json:"schemas"`
	Status   any      `json:"status"`
	ScimType string   `json:"scimType"`
	Detail   string   `json:"detail"`
}

// parseError decodes r's body as a SCIM error; ok is false when it is not
// one (not JSON, or without the Error schema).
func parseError(r response) (scimError, bool) {
	var e scimError
	if err := json.Unmarshal(r.body, &e); err != nil {
		return e, false
	}
	for _, s := range e.Schemas {
		if s == errorURN {
			return e, true
		}
	}
	return e, false
}

// isJSONType reports whether a Content-Type is application/scim+json or
// application/json.
func isJSONType(ct string) bool {
	ct = strings.ToLower(strings.TrimSpace(strings.Split(ct, ";")[0]))
	return ct == "application/scim+json" || ct == "application/json"
}

// failure explains an unexpected response: the transport error, or an
// HTTP status the step did not want. It returns the IdP's conclusion and
// the fix.
func (c *checker) failure(r response) (conclusion, fix string) {
	if r.err != nil {
		return transportFailure(r.err)
	}
	e, isSCIM := parseError(r)
	detail := ""
	if isSCIM && e.Detail != "" {
		detail = " The server says: " + quoteDetail(e.Detail) + "."
	}
	notSCIM := ""
	if !isSCIM {
		notSCIM = " The error body is not a SCIM error (RFC 7644 §3.12), so the IdP cannot show why: it reports a generic failure or a JSON parse error."
	}
	switch {
	case r.status >= 300 && r.status < 400:
		loc := r.header.Get("Location")
		return fmt.Sprintf("the server redirects (to %q); IdPs do not follow redirects on SCIM calls", loc),
			"use the final URL as the base URL (typically https:// instead of http://, or without a trailing slash)"
	case r.status == http.StatusUnauthorized:
		return "the credentials are rejected: " + c.testName() + " fails with 401." + detail + notSCIM, authFix(e.Detail)
	case r.status == http.StatusForbidden:
		if strings.Contains(strings.ToLower(e.Detail), "scim") && strings.Contains(strings.ToLower(e.Detail), "disabled") {
			return "the key is valid but SCIM provisioning is switched off for its team (403)." + detail,
				"a team administrator turns SCIM on in the team's authentication settings (or: roster scim enable --team <slug>)"
		}
		return "the key is not allowed to do this (403)." + detail + notSCIM, "check that the key is a SCIM key of the right team and that SCIM is enabled for the team"
	case r.status == http.StatusNotFound:
		return "the endpoint does not exist at this URL (404), so the base URL is wrong." + detail + notSCIM,
			"use the SCIM base URL ending in /scim/v2 (for Roster: https://<your-roster-host>/scim/v2), without /Users and without a trailing slash"
	case r.status == http.StatusMethodNotAllowed:
		return "the server does not take this method at this URL (405)." + detail + notSCIM, "check the base URL; it must point at the SCIM service root, not at a web page"
	case r.status == http.StatusTooManyRequests:
		return "the server is rate limiting (429); the IdP retries later" + detail, "wait for Retry-After, or raise the team's rate limit"
	case r.status >= 500:
		return fmt.Sprintf("the server failed (%d); the IdP marks the task failed and retries later.", r.status) + detail + notSCIM,
			"look at the server's log for this request (Roster's error detail quotes a request id)"
	case r.status >= 400:
		return fmt.Sprintf("the server rejected the request (%d).", r.status) + detail + notSCIM, rejectFix(e.ScimType)
	}
	return fmt.Sprintf("unexpected status %d", r.status), "see docs/troubleshooting.md"
}

// quoteDetail quotes a server's error detail for people. Go's %q would
// backslash-escape the quotes the detail itself contains (userName
// \"a@b\"), so the detail goes between typographic quotes as it is, with
// control characters (a hostile server's terminal escapes) replaced.
func quoteDetail(s string) string {
	return "“" + strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '\uFFFD'
		}
		return r
	}, s) + "”"
}

// rejectFix is the fix of a 4xx refusal, by its SCIM error type (RFC 7644
// §3.12); docs/troubleshooting.md lists every detail Roster sends.
func rejectFix(scimType string) string {
	const more = " (docs/troubleshooting.md lists each error detail and its fix)"
	switch scimType {
	case "uniqueness":
		return "the user or group already exists with this userName, email or displayName: link the IdP's user or group to the existing one (Okta and Entra match it first and retry by themselves), or fix the duplicate value in the IdP" + more
	case "invalidFilter":
		return "the IdP's filter does not parse or names an unknown attribute: check a custom matching attribute in the IdP's app settings" + more
	case "invalidValue":
		return "an attribute is missing or has the wrong type or value, as the detail says: fix the attribute mapping in the IdP, then retry the task" + more
	case "invalidSyntax":
		return "the request body is not valid SCIM JSON: fix the IdP's request template (the detail gives the position)" + more
	case "invalidPath":
		return "a PATCH path does not parse: fix the target attribute of the mapping it comes from" + more
	case "noTarget":
		return "a PATCH replace matched nothing: send add instead of replace for that attribute" + more
	case "mutability":
		return "the request changes a read-only attribute (id, meta, groups): remove it from the IdP's attribute mappings" + more
	case "tooMany":
		return "the request matches or carries too much at once: let the IdP page or batch smaller" + more
	}
	return "read the server's detail above and fix the mapping or request it names" + more
}

// testName is what the IdP calls its connection test.
func (c *checker) testName() string {
	switch c.opts.IdP {
	case IdPOkta:
		return "\"Test API Credentials\""
	case IdPEntra, IdPOneLogin:
		return "\"Test Connection\""
	}
	return "the connection test"
}

// authFix picks the fix for a 401 from the server's detail.
func authFix(detail string) string {
	d := strings.ToLower(detail)
	switch {
	case strings.Contains(d, "no api key"):
		return "paste the API key into the IdP's token field (Okta: API Token; Entra: Secret Token); the IdP must send \"Authorization: Bearer <key>\""
	case strings.Contains(d, "revoked"):
		return "the key was revoked: generate a new SCIM key in the team's SCIM settings (roster key create) and paste it into the IdP"
	case strings.Contains(d, "expired"):
		return "the key has expired: generate a new SCIM key (roster key create) and paste it into the IdP; consider a longer expiry"
	case strings.Contains(d, "malformed"):
		return "the key was mistyped or truncated: copy the whole key again (it is shown once when created), without quotes or spaces"
	case strings.Contains(d, "not recognised"):
		return "the key is unknown to this server: it was deleted, or belongs to another Roster installation; create a new key here"
	case strings.Contains(d, "scheme"):
		return "send the key as \"Bearer <key>\" or as the bare key; other schemes (Basic) are not supported"
	}
	return "check the API key: create a new SCIM key for the team and paste it into the IdP exactly"
}

// listResponse is what a ListResponse check found.
type listResponse struct {
	total     int
	resources []map[string]any
}

// checkList validates a ListResponse body (RFC 7644 §3.4.2) as strictly as
// the IdPs do: JSON, the ListResponse schema, integer counters (a string
// "1" broke Okta), and a Resources array.
func checkList(r response) (listResponse, string) {
	var out listResponse
	if len(bytes.TrimSpace(r.body)) == 0 {
		return out, "the body is empty: Okta reports \"No results for users returned\" and Entra fails the test; a ListResponse is required even when nothing matches"
	}
	if !isJSONType(r.ctype) {
		return out, fmt.Sprintf("the Content-Type is %q, not application/scim+json", r.ctype)
	}
	d := json.NewDecoder(bytes.NewReader(r.body))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return out, "the body is not a JSON object: " + err.Error()
	}
	schemas, _ := m["schemas"].([]any)
	hasSchema := false
	for _, s := range schemas {
		hasSchema = hasSchema || s == listResponseURN
	}
	if !hasSchema {
		return out, "\"schemas\" does not contain " + listResponseURN
	}
	for _, k := range []string{"totalResults", "itemsPerPage", "startIndex"} {
		v, ok := m[k]
		if !ok {
			if k == "totalResults" {
				return out, "\"totalResults\" is missing"
			}
			return out, fmt.Sprintf("%q is missing (Okta reads it to page)", k)
		}
		n, isNum := v.(json.Number)
		if !isNum {
			return out, fmt.Sprintf("%q is %s, not a JSON number: Okta's provisioning fails on string counters", k, jsonText(v))
		}
		i, err := n.Int64()
		if err != nil || i < 0 {
			return out, fmt.Sprintf("%q is %s, not a non-negative integer", k, n)
		}
		if k == "totalResults" {
			out.total = int(i)
		}
	}
	res, ok := m["Resources"]
	if !ok || res == nil {
		return out, "\"Resources\" is missing or null: Okta reports \"No results for users returned\"; send \"Resources\": [] when nothing matches"
	}
	list, ok := res.([]any)
	if !ok {
		return out, "\"Resources\" is not an array"
	}
	for _, e := range list {
		o, ok := e.(map[string]any)
		if !ok {
			return out, "an element of \"Resources\" is not an object"
		}
		out.resources = append(out.resources, o)
	}
	if out.total < len(out.resources) {
		return out, fmt.Sprintf("\"totalResults\" (%d) is less than the number of Resources (%d)", out.total, len(out.resources))
	}
	return out, ""
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// decodeObject decodes a resource body; "" or what is wrong.
func decodeObject(r response) (map[string]any, string) {
	if len(bytes.TrimSpace(r.body)) == 0 {
		return nil, "the body is empty; IdPs treat an empty success body as a failure because they need the resource's id"
	}
	if !isJSONType(r.ctype) {
		return nil, fmt.Sprintf("the Content-Type is %q, not application/scim+json", r.ctype)
	}
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		return nil, "the body is not a JSON object: " + err.Error()
	}
	return m, ""
}
