package check

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// add appends a step.
func (c *checker) add(s Step) { c.rep.Steps = append(c.rep.Steps, s) }

// listStep runs a GET that must answer 200 with a valid ListResponse, and
// records it; want, when >= 0, is the expected totalResults. It returns
// the list and whether the step passed.
func (c *checker) listStep(ctx context.Context, name, path, okConclusion string, want int) (listResponse, bool) {
	sent, r := c.do(ctx, http.MethodGet, path, "")
	s := Step{Name: name, Sent: sent, Got: r.describe()}
	if r.err != nil || r.status != http.StatusOK {
		s.Verdict = Fail
		s.Conclusion, s.Fix = c.failure(r)
		if r.err == nil && r.status == http.StatusNotFound && c.opts.IdP == IdPEntra {
			s.Conclusion += " For Entra a 404 to a query is also a compliance failure that quarantines the provisioning job."
		}
		c.add(s)
		return listResponse{}, false
	}
	list, problem := checkList(r)
	if problem != "" {
		s.Verdict = Fail
		s.Conclusion = "the answer is not a valid SCIM ListResponse: " + problem
		s.Fix = "answer list queries with {\"schemas\":[\"" + listResponseURN + "\"],\"totalResults\":N,\"itemsPerPage\":N,\"startIndex\":1,\"Resources\":[…]} with integer counters"
		c.add(s)
		return list, false
	}
	if want >= 0 && list.total != want {
		s.Verdict = Fail
		s.Conclusion = fmt.Sprintf("a filter for a user that cannot exist returned %d result(s): the server ignores the filter, so the IdP would link the wrong user", list.total)
		s.Fix = "support filter=userName eq \"…\" (case-insensitive) on /Users and return only matching users (RFC 7644 §3.4.2.2)"
		c.add(s)
		return list, false
	}
	s.Verdict = Pass
	s.Conclusion = okConclusion
	c.add(s)
	return list, true
}

// eqFilter returns a URL-encoded filter "attr eq \"v\"".
func eqFilter(attr, v string) string {
	return url.QueryEscape(fmt.Sprintf("%s eq %q", attr, v))
}

// connection makes the calls the IdP makes to test a connection.
func (c *checker) connection(ctx context.Context) {
	switch c.opts.IdP {
	case IdPOkta:
		list, ok := c.listStep(ctx, "Test API Credentials (GET /Users?startIndex=1&count=2)", "/Users?startIndex=1&count=2",
			"\"App integration verified\": the credentials work and the answer is a ListResponse", -1)
		if !ok {
			return
		}
		if list.total == 0 {
			c.add(Step{Name: "users to import", Verdict: Warn,
				Conclusion: "the list is empty: Okta accepts it, but an import would find nobody",
				Fix:        "nothing to do for a new team; Roster lists every member of the key's team"})
		}
		for _, u := range list.resources {
			if msg := userProblem(u); msg != "" {
				c.add(Step{Name: "user shape", Verdict: Fail, Got: excerpt(mustJSON(u), 200),
					Conclusion: "Okta reads " + msg,
					Fix:        "return every user with id, userName, active, and name.givenName / name.familyName"})
				break
			}
		}
		c.listStep(ctx, "lookup before create (GET /Users?filter=userName eq …&startIndex=1&count=100)",
			"/Users?filter="+eqFilter("userName", "roster-check-"+randomSuffix()+"@example.invalid")+"&startIndex=1&count=100",
			"no match is an empty ListResponse, so Okta would create the user", 0)
		c.listStep(ctx, "group push lookup (GET /Groups?filter=displayName eq …)",
			"/Groups?filter="+eqFilter("displayName", "roster-check-"+randomSuffix())+"&startIndex=1&count=100",
			"Push Groups can look groups up", 0)
	case IdPEntra:
		guid := randomGUID()
		c.listStep(ctx, "Test Connection: user probe with a random GUID (GET /Users?filter=userName eq \"<guid>\")",
			"/Users?filter="+eqFilter("userName", guid),
			"\"The supplied credentials are authorized to enable provisioning\"", 0)
		if !c.rep.OK() {
			return
		}
		c.listStep(ctx, "Test Connection: externalId probe (GET /Users?filter=externalId eq \"<guid>\")",
			"/Users?filter="+eqFilter("externalId", guid), "matching on externalId works", 0)
		c.listStep(ctx, "group probe (GET /Groups?excludedAttributes=members&filter=displayName eq \"<guid>\")",
			"/Groups?excludedAttributes=members&filter="+eqFilter("displayName", randomGUID()),
			"group provisioning can match groups", 0)
	case IdPOneLogin:
		c.listStep(ctx, "probe for a user that does not exist (GET /Users?filter=userName eq …)",
			"/Users?filter="+eqFilter("userName", "onelogin-probe-"+randomSuffix()+"@example.invalid"),
			"the API connection is enabled", 0)
	default:
		c.discovery(ctx)
		if !c.rep.OK() {
			return
		}
		c.listStep(ctx, "list users (GET /Users?startIndex=1&count=1)", "/Users?startIndex=1&count=1", "users can be listed", -1)
		c.listStep(ctx, "filter users (GET /Users?filter=userName eq …)",
			"/Users?filter="+eqFilter("userName", "roster-check-"+randomSuffix()+"@example.invalid"), "filters work; no match is an empty list", 0)
		c.listStep(ctx, "list groups (GET /Groups?startIndex=1&count=1)", "/Groups?startIndex=1&count=1", "groups can be listed", -1)
	}
}

// discovery reads ServiceProviderConfig (RFC 7643 §5).
func (c *checker) discovery(ctx context.Context) {
	sent, r := c.do(ctx, http.MethodGet, "/ServiceProviderConfig", "")
	s := Step{Name: "service provider configuration (GET /ServiceProviderConfig)", Sent: sent, Got: r.describe()}
	if r.err != nil || r.status != http.StatusOK {
		s.Verdict = Fail
		s.Conclusion, s.Fix = c.failure(r)
		c.add(s)
		return
	}
	m, problem := decodeObject(r)
	if problem != "" {
		s.Verdict, s.Conclusion, s.Fix = Fail, problem, "serve the ServiceProviderConfig document of RFC 7643 §5 as application/scim+json"
		c.add(s)
		return
	}
	patch, _ := m["patch"].(map[string]any)
	if patch["supported"] != true {
		s.Verdict, s.Conclusion = Warn, "PATCH is not advertised; IdPs send PATCH anyway"
		s.Fix = "set patch.supported to true when PATCH works"
	} else {
		s.Verdict, s.Conclusion = Pass, "the server describes itself"
	}
	c.add(s)
}

// userProblem returns what an IdP would miss in a listed user.
func userProblem(u map[string]any) string {
	for _, k := range []string{"id", "userName"} {
		if v, _ := u[k].(string); v == "" {
			return "\"" + k + "\" and finds none"
		}
	}
	if _, ok := u["active"].(bool); !ok {
		return "\"active\" as a boolean and finds none"
	}
	return ""
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}
