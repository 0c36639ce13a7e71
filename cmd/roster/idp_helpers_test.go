package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The SCIM clients of the tests of the real binary: idp, one Okta-style
// client of one server, and scimIdP, an IdP across one or more instances
// that also checks every 5xx; and the IdP steps (group creation, user
// import, group push) the crash and multi-instance tests share.

// scimCounters is the traffic an IdP client counts, and what it shares
// between its two forms: sending a request and retrying a step.
type scimCounters struct {
	inFlight atomic.Int64
	requests atomic.Int64
	retries  atomic.Int64
}

// send sends one SCIM request with the bearer key, counted while in
// flight; the caller closes the answer's body.
func (n *scimCounters) send(hc *http.Client, target, key, method string, body any) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	r, err := http.NewRequest(method, target, rd)
	if err != nil {
		return nil, err
	}
	r.Header.Set("Authorization", "Bearer "+key)
	if body != nil {
		r.Header.Set("Content-Type", "application/scim+json")
	}
	n.inFlight.Add(1)
	n.requests.Add(1)
	defer n.inFlight.Add(-1)
	return hc.Do(r)
}

// until retries one IdP step until it reports done, as an IdP's retry
// schedule would (compressed). It reports false, having failed the test
// or found it failed, when the step will never be done.
func (n *scimCounters) until(t *testing.T, what string, fn func(attempt int) (bool, error)) bool {
	for attempt := 0; ; attempt++ {
		ok, err := fn(attempt)
		if err != nil {
			t.Errorf("%s: %v", what, err)
			return false
		}
		if ok {
			return true
		}
		if t.Failed() {
			return false // something else failed: stop retrying
		}
		if attempt > 600 {
			t.Errorf("%s: no acknowledgement after %d attempts", what, attempt)
			return false
		}
		n.retries.Add(1)
		time.Sleep(50 * time.Millisecond)
	}
}

// findUser is Okta's pre-create filter through do; it returns the user's
// id or "".
func findUser(do func(method, path string, body any) (int, map[string]any), userName string) (id string, status int) {
	q := url.QueryEscape(`userName eq "` + userName + `"`)
	st, m := do("GET", "/scim/v2/Users?filter="+q+"&startIndex=1&count=100", nil)
	if st != 200 {
		return "", st
	}
	if res, _ := m["Resources"].([]any); len(res) > 0 {
		id, _ := res[0].(map[string]any)["id"].(string)
		return id, 200
	}
	return "", 200
}

// idp is an Okta-style SCIM client of one server.
type idp struct {
	base   string
	key    string
	client *http.Client
	scimCounters
}

// do sends one request; a transport error is returned as status 0.
func (c *idp) do(method, path string, body any) (int, map[string]any) {
	res, err := c.send(c.client, c.base+path, c.key, method, body)
	if err != nil {
		return 0, nil
	}
	defer res.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(res.Body).Decode(&m)
	return res.StatusCode, m
}

// lookup is Okta's pre-create filter; it returns the user's id or "".
func (c *idp) lookup(userName string) (id string, status int) {
	return findUser(c.do, userName)
}

// scimIdP is an IdP's SCIM client across one or more Roster instances. It
// counts what it sends and records every 5xx whose answer is not a clean
// SCIM error (RFC 7644 §3.12: the Error schema, status equal to the HTTP
// status, application/scim+json).
type scimIdP struct {
	bases []string
	key   string
	hc    *http.Client
	scimCounters
	got5xx atomic.Int64
	mu     sync.Mutex
	dirty  []string
	by5xx  map[string]int // "503 <detail prefix>" -> count
}

// newSCIMIdP is a client of the servers at bases with SCIM key key.
func newSCIMIdP(key string, bases ...string) *scimIdP {
	return &scimIdP{bases: bases, key: key, hc: &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 32},
	}}
}

// summary5xx lists the 5xx answers by status and detail.
func (c *scimIdP) summary5xx() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for k, v := range c.by5xx {
		out[k] = v
	}
	return out
}

// checkClean5xx fails the test for every 5xx that was no clean SCIM error.
func (c *scimIdP) checkClean5xx(t *testing.T) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, d := range c.dirty {
		t.Errorf("5xx without a clean SCIM error body: %s", d)
	}
}

// do sends one request to instance i; a transport error is status 0.
func (c *scimIdP) do(i int, method, path string, body any) (int, map[string]any) {
	res, err := c.send(c.hc, c.bases[i%len(c.bases)]+path, c.key, method, body)
	if err != nil {
		return 0, nil
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	if res.StatusCode >= 500 {
		c.got5xx.Add(1)
		detail, _ := m["detail"].(string)
		if len(detail) > 60 {
			detail = detail[:60]
		}
		c.mu.Lock()
		if c.by5xx == nil {
			c.by5xx = map[string]int{}
		}
		c.by5xx[strconv.Itoa(res.StatusCode)+" "+detail]++
		c.mu.Unlock()
		schemas, _ := m["schemas"].([]any)
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/scim+json") ||
			!slices.Contains(schemas, any("urn:ietf:params:scim:api:messages:2.0:Error")) ||
			m["status"] != strconv.Itoa(res.StatusCode) {
			c.mu.Lock()
			c.dirty = append(c.dirty, fmt.Sprintf("%s %s: %d %q", method, path, res.StatusCode, raw))
			c.mu.Unlock()
		}
	}
	return res.StatusCode, m
}

// lookup is Okta's pre-create filter on instance i.
func (c *scimIdP) lookup(i int, userName string) (id string, status int) {
	return findUser(func(method, path string, body any) (int, map[string]any) { return c.do(i, method, path, body) }, userName)
}

// createGroups creates n empty groups, named prefix-0 to prefix-(n-1), one
// after the other, group g's attempt a on instance g+a, and returns their
// ids. A 409 fails the test: it is run before any fault.
func (c *scimIdP) createGroups(t *testing.T, prefix string, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for g := range n {
		c.until(t, "create group", func(a int) (bool, error) {
			st, body := c.do(g+a, "POST", "/scim/v2/Groups", map[string]any{"displayName": fmt.Sprintf("%s-%d", prefix, g), "members": []any{}})
			switch st {
			case 201:
				ids[g] = body["id"].(string)
				return true, nil
			case 409: // created, answer lost: never happens without faults
				return false, errors.New("group create conflict")
			}
			return false, nil
		})
	}
	return ids
}

// importUser is Okta's import of user i: a look-up by userName then, when
// absent, a POST (a create whose answer was lost is found by the next
// look-up and linked), each request on instance pick(), retried until
// acknowledged; acks records a 201. It returns the user's id, or "" when
// the test failed.
func (c *scimIdP) importUser(t *testing.T, pick func() int, acks *idpAcks, userName string, i int) string {
	var id string
	c.until(t, "create "+userName, func(int) (bool, error) {
		found, st := c.lookup(pick(), userName)
		if st != 200 {
			return false, nil
		}
		if found != "" {
			id = found
			return true, nil
		}
		st, body := c.do(pick(), "POST", "/scim/v2/Users", oktaUser(userName, i))
		switch {
		case st == 201:
			id = body["id"].(string)
			acks.user(userName, id)
			return true, nil
		case retryable(st):
			return false, nil
		default:
			return false, fmt.Errorf("POST: status %d %v", st, body)
		}
	})
	return id
}

// pushMember adds user id to group gid with a group PATCH (op "add" as
// Okta sends it, "Add" as Entra does; the member's display is left out
// when ""), on instance pick(), retried until acknowledged; acks records a
// 2xx. It reports whether the push was acknowledged.
func (c *scimIdP) pushMember(t *testing.T, pick func() int, acks *idpAcks, op, gid, id, display string) bool {
	member := map[string]any{"value": id}
	if display != "" {
		member["display"] = display
	}
	return c.until(t, "push "+id+" to group "+gid, func(int) (bool, error) {
		st, body := c.do(pick(), "PATCH", "/scim/v2/Groups/"+gid, patchOp(map[string]any{
			"op": op, "path": "members", "value": []any{member},
		}))
		switch {
		case st >= 200 && st < 300:
			acks.membership(id, gid)
			return true, nil
		case retryable(st):
			return false, nil
		default:
			return false, fmt.Errorf("group PATCH: status %d %v", st, body)
		}
	})
}

// importUsers is an Okta import through instance 0 from clients
// concurrent clients: user i, named User.<i>@domain, is imported
// (importUser) then pushed to group groupIDs[i%len(groupIDs)] (pushMember
// with Okta's "add"). done counts the users fully acknowledged, for the
// fault injectors that watch the progress. It returns once every client
// has stopped, with the intended state: userName -> group id.
func (c *scimIdP) importUsers(t *testing.T, users, clients int, domain string, groupIDs []string, acks *idpAcks, done *atomic.Int64) map[string]string {
	first := func() int { return 0 }
	var mu sync.Mutex
	intended := map[string]string{}
	next := indexes(users)
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for i := range next {
				userName := fmt.Sprintf("User.%05d@%s", i, domain)
				g := groupIDs[i%len(groupIDs)]
				mu.Lock()
				intended[userName] = g
				mu.Unlock()
				id := c.importUser(t, first, acks, userName, i)
				if id == "" || !c.pushMember(t, first, acks, "add", g, id, userName) {
					return
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	return intended
}

// groupMembers reads the members of each group through instance 0:
// group id -> member ids.
func (c *scimIdP) groupMembers(t *testing.T, gids []string) map[string]map[string]bool {
	t.Helper()
	out := map[string]map[string]bool{}
	for g, gid := range gids {
		st, body := c.do(0, "GET", "/scim/v2/Groups/"+gid, nil)
		if st != 200 {
			t.Fatalf("group %d: %d", g, st)
		}
		out[gid] = map[string]bool{}
		ms, _ := body["members"].([]any)
		for _, m := range ms {
			out[gid][m.(map[string]any)["value"].(string)] = true
		}
	}
	return out
}

// indexes yields 0 to n-1 to the clients of an import, then closes.
func indexes(n int) <-chan int {
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range n {
			next <- i
		}
	}()
	return next
}

// retryable reports whether an IdP retries an answer: a lost answer, 409
// on a create (the next look-up decides), 429 and 5xx.
func retryable(status int) bool {
	return status == 0 || status == 409 || status == 429 || status >= 500
}

// oktaUser is the body Okta sends to create user i.
func oktaUser(userName string, i int) map[string]any {
	return map[string]any{
		"schemas":  []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"userName": userName, "externalId": fmt.Sprintf("00u%06d", i),
		"name":   map[string]any{"givenName": "User", "familyName": strconv.Itoa(i)},
		"emails": []any{map[string]any{"value": userName, "type": "work", "primary": true}},
		"active": true, "password": "Placeholder-1x!", "groups": []any{},
	}
}

// patchOp is a SCIM PatchOp body.
func patchOp(ops ...map[string]any) map[string]any {
	list := make([]any, len(ops))
	for i, o := range ops {
		list[i] = o
	}
	return map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"}, "Operations": list}
}

// idpAcks is what the servers acknowledged during a run.
type idpAcks struct {
	mu     sync.Mutex
	users  map[string]string // userName -> id, from a 201
	member map[string]string // user id -> group id, from a 2xx PATCH
}

func newIdPAcks() *idpAcks { return &idpAcks{users: map[string]string{}, member: map[string]string{}} }

func (a *idpAcks) user(userName, id string) {
	a.mu.Lock()
	a.users[userName] = id
	a.mu.Unlock()
}

func (a *idpAcks) membership(id, group string) {
	a.mu.Lock()
	a.member[id] = group
	a.mu.Unlock()
}
