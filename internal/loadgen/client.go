package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// UserName is the userName of the i-th seeded user (see internal/seed):
// the lookup, update and mixed scenarios pick users by it.
func UserName(i int) string { return fmt.Sprintf("user%07d@seed.example", i) }

// BigGroupName is the displayName of the large seeded group.
const BigGroupName = "seed-big"

const (
	schemaUser      = "urn:ietf:params:scim:schemas:core:2.0:User"
	schemaGroup     = "urn:ietf:params:scim:schemas:core:2.0:Group"
	schemaPatchOp   = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	contentTypeSCIM = "application/scim+json"
)

// wrongAnswer is an answer with the expected status but the wrong content.
type wrongAnswer struct{ msg string }

func (w wrongAnswer) Error() string { return "wrong answer: " + w.msg }

func wrongf(format string, args ...any) error { return wrongAnswer{fmt.Sprintf(format, args...)} }

func asWrong(err error, w *wrongAnswer) bool { return errors.As(err, w) }

// gen is the state of one run: the client and what earlier scenarios
// learned.
type gen struct {
	cfg Config
	c   *http.Client

	mu   sync.Mutex
	pool []user // known users (id and userName), from a list walk
}

// user is a user the server returned.
type user struct {
	ID       string `json:"id"`
	UserName string `json:"userName"`
}

// listResponse is the part of a ListResponse the scenarios check.
type listResponse struct {
	TotalResults int               `json:"totalResults"`
	StartIndex   int               `json:"startIndex"`
	ItemsPerPage int               `json:"itemsPerPage"`
	Resources    []json.RawMessage `json:"Resources"`
}

// call makes one request and checks its status against want (any of them);
// it decodes the body into out when out is not nil.
func (g *gen) call(ctx context.Context, method, path string, body any, out any, want ...int) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, g.cfg.Base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+g.cfg.Token)
	req.Header.Set("Accept", contentTypeSCIM)
	if body != nil {
		req.Header.Set("Content-Type", contentTypeSCIM)
	}
	resp, err := g.c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	ok := false
	for _, w := range want {
		ok = ok || resp.StatusCode == w
	}
	if !ok {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return fmt.Errorf("%s %s: status %d: %s", method, clipPath(path), resp.StatusCode, bytes.TrimSpace(b))
	}
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s %s: decode: %w", method, clipPath(path), err)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

func clipPath(p string) string {
	if len(p) > 120 {
		return p[:120] + "…"
	}
	return p
}

// filterPath is the Okta pre-create query for userName.
func filterPath(userName string) string {
	return "/Users?filter=" + url.QueryEscape(`userName eq "`+userName+`"`) + "&startIndex=1&count=100"
}

// findUser runs the filter and returns the one user it must find.
func (g *gen) findUser(ctx context.Context, userName string) (user, error) {
	var lr listResponse
	if err := g.call(ctx, http.MethodGet, filterPath(userName), nil, &lr, http.StatusOK); err != nil {
		return user{}, err
	}
	if lr.TotalResults != 1 || len(lr.Resources) != 1 {
		return user{}, wrongf("filter userName eq %q found %d users (total %d), want 1", userName, len(lr.Resources), lr.TotalResults)
	}
	var u user
	if err := json.Unmarshal(lr.Resources[0], &u); err != nil {
		return user{}, err
	}
	if u.ID == "" || !equalFold(u.UserName, userName) {
		return user{}, wrongf("filter userName eq %q returned %q", userName, u.UserName)
	}
	return u, nil
}

func equalFold(a, b string) bool { return bytes.EqualFold([]byte(a), []byte(b)) }

// userBody is an Okta-style create (or PUT) body.
func userBody(userName, given string, active bool) map[string]any {
	return map[string]any{
		"schemas":     []string{schemaUser},
		"userName":    userName,
		"name":        map[string]any{"givenName": given, "familyName": "Load"},
		"emails":      []any{map[string]any{"primary": true, "value": userName, "type": "work"}},
		"displayName": given + " Load",
		"locale":      "en-US",
		"externalId":  "00u" + strconv.FormatUint(uint64(len(userName))*7919, 36) + userName,
		"groups":      []any{},
		"password":    "placeholder-Pw-1",
		"active":      active,
	}
}

// createUser POSTs a new user and checks the answer.
func (g *gen) createUser(ctx context.Context, userName string) (user, error) {
	var u user
	if err := g.call(ctx, http.MethodPost, "/Users", userBody(userName, "Imp", true), &u, http.StatusCreated); err != nil {
		return user{}, err
	}
	if u.ID == "" || u.UserName != userName {
		return user{}, wrongf("create %q answered id %q userName %q", userName, u.ID, u.UserName)
	}
	return u, nil
}

// patchBody wraps operations in a PatchOp message.
func patchBody(ops ...map[string]any) map[string]any {
	return map[string]any{"schemas": []string{schemaPatchOp}, "Operations": ops}
}

// knownUsers returns up to n users from a walk of the first pages of
// /Users (count=100), remembering them for later scenarios.
func (g *gen) knownUsers(ctx context.Context, n int) ([]user, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.pool) >= n {
		return g.pool[:n], nil
	}
	g.pool = g.pool[:0]
	seen := map[string]bool{}
	for start := 1; len(g.pool) < n; start += 100 {
		var lr listResponse
		if err := g.call(ctx, http.MethodGet, "/Users?startIndex="+strconv.Itoa(start)+"&count=100&attributes=userName", nil, &lr, http.StatusOK); err != nil {
			return nil, err
		}
		for _, raw := range lr.Resources {
			var u user
			if err := json.Unmarshal(raw, &u); err != nil {
				return nil, err
			}
			if !seen[u.ID] {
				seen[u.ID] = true
				g.pool = append(g.pool, u)
			}
		}
		if len(lr.Resources) == 0 || start+100 > lr.TotalResults {
			break
		}
	}
	if len(g.pool) == 0 {
		return nil, errors.New("the server has no users: seed it first (roster seed)")
	}
	return g.pool[:min(n, len(g.pool))], nil
}

// timed runs fn and records it under name (and under "all") with reqs
// requests.
func timed(rec *recorder, name string, reqs int, fn func() error) error {
	start := time.Now()
	err := fn()
	d := time.Since(start)
	rec.add(name, d, reqs, err)
	return err
}
