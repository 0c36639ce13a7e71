package httpapi_test

import (
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
)

func TestPaging(t *testing.T) {
	eachBackend(t, func(s *server) {
		t := s.t
		for i := range 12 {
			s.expect(s.post("/scim/v2/Users", js(obj{"userName": fmt.Sprintf("p%02d", i)})), 201, "create")
		}
		// Okta's import: count=5, startIndex += 5 until totalResults, while
		// users are added: nobody is seen twice, counters are numbers.
		seen := map[string]bool{}
		added := 0
		for start := 1; ; start += 5 {
			r := s.expect(s.get(fmt.Sprintf("/scim/v2/Users?startIndex=%d&count=5", start)), 200, "page")
			for _, want := range []string{`"startIndex":` + fmt.Sprint(start), `"itemsPerPage":`} {
				if !strings.Contains(string(r.body), want) {
					t.Errorf("page %d lacks %s", start, want)
				}
			}
			m := r.json(t)
			for _, u := range resources(m) {
				id := u["id"].(string)
				if seen[id] {
					t.Errorf("user %s seen twice", id)
				}
				seen[id] = true
			}
			if added < 2 {
				s.expect(s.post("/scim/v2/Users", js(obj{"userName": fmt.Sprintf("late%d", added)})), 201, "insert while paging")
				added++
			}
			if start+5 > int(m["totalResults"].(float64)) {
				break
			}
		}
		if len(seen) != 14 {
			t.Errorf("walk saw %d users, want 14", len(seen))
		}
		// The same order whatever the page size.
		all := s.expect(s.get("/scim/v2/Users?count=100"), 200, "all").json(t)
		var order []string
		for _, u := range resources(all) {
			order = append(order, u["id"].(string))
		}
		var paged []string
		for start := 1; start <= len(order); start += 3 {
			for _, u := range resources(s.get(fmt.Sprintf("/scim/v2/Users?startIndex=%d&count=3", start)).json(t)) {
				paged = append(paged, u["id"].(string))
			}
		}
		if strings.Join(order, ",") != strings.Join(paged, ",") {
			t.Error("order depends on the page size")
		}
		// count=0, attributes, sort.
		r := s.expect(s.get("/scim/v2/Users?count=0"), 200, "count=0").json(t)
		if r["totalResults"] != float64(14) || len(resources(r)) != 0 {
			t.Errorf("count=0: %v", r)
		}
		r = s.expect(s.get("/scim/v2/Users?attributes=userName&sortBy=userName&sortOrder=descending&count=1"), 200, "attributes").json(t)
		u := resources(r)[0]
		if u["userName"] != "p11" || u["id"] == nil || u["name"] != nil || u["meta"] != nil {
			t.Errorf("attributes=userName sorted: %v", u)
		}
		// Cursor paging (RFC 9865).
		cursor := ""
		seen = map[string]bool{}
		for pages := 0; pages < 10; pages++ {
			r := s.expect(s.get("/scim/v2/Users?count=6&cursor="+url.QueryEscape(cursor)), 200, "cursor page").json(t)
			if _, ok := r["startIndex"]; ok {
				t.Error("cursor page has startIndex")
			}
			for _, u := range resources(r) {
				seen[u["id"].(string)] = true
			}
			next, _ := r["nextCursor"].(string)
			if next == "" {
				break
			}
			cursor = next
		}
		if len(seen) != 14 {
			t.Errorf("cursor walk saw %d users", len(seen))
		}
		checkError(t, s.get("/scim/v2/Users?cursor=garbage"), 400, "invalidCursor", "bad cursor")
		// POST .search on each endpoint.
		r = s.expect(s.post("/scim/v2/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName sw \"p0\"","startIndex":1,"count":3,"attributes":["userName"]}`), 200, ".search").json(t)
		if r["totalResults"] != float64(10) || len(resources(r)) != 3 {
			t.Errorf("/Users/.search: %v", r)
		}
		s.expect(s.post("/scim/v2/Groups", js(obj{"displayName": "p-group"})), 201, "group")
		r = s.expect(s.post("/scim/v2/Groups/.search", `{"filter":"displayName eq \"P-GROUP\""}`), 200, "groups .search").json(t)
		if r["totalResults"] != float64(1) {
			t.Errorf("/Groups/.search: %v", r)
		}
		r = s.expect(s.post("/scim/v2/.search", `{"count":100}`), 200, "root .search").json(t)
		if r["totalResults"] != float64(15) {
			t.Errorf("/.search: %v", r["totalResults"])
		}
	})
}

func TestConcurrentPatchIfMatch(t *testing.T) {
	eachBackend(t, func(s *server) {
		t := s.t
		r := s.expect(s.post("/scim/v2/Users", js(obj{"userName": "race"})), 201, "create")
		id, etag := r.json(t)["id"].(string), r.header.Get("ETag")
		const n = 6
		statuses := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = s.do(req{method: "PATCH", path: "/scim/v2/Users/" + id,
					body:   patchOps(obj{"op": "replace", "path": "displayName", "value": fmt.Sprint("v", i)}),
					header: map[string]string{"If-Match": etag}}).status
			}()
		}
		wg.Wait()
		ok, failed := 0, 0
		for _, st := range statuses {
			switch st {
			case 200:
				ok++
			case 412:
				failed++
			}
		}
		if ok != 1 || failed != n-1 {
			t.Errorf("statuses %v: want one 200 and %d 412", statuses, n-1)
		}
		// DELETE with a stale If-Match is refused.
		checkError(t, s.do(req{method: "DELETE", path: "/scim/v2/Users/" + id, header: map[string]string{"If-Match": etag}}), 412, "", "stale delete")
	})
}
