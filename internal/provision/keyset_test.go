package provision

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/provision/provisiontest"
	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/store"
)

// recordingStore records the member queries a Service runs.
type recordingStore struct {
	store.Store
	mu      sync.Mutex
	queries []store.Query
}

func (r *recordingStore) Members(ctx context.Context, teamID string, q store.Query) (store.Page[core.Member], error) {
	r.mu.Lock()
	r.queries = append(r.queries, q)
	r.mu.Unlock()
	return r.Store.Members(ctx, teamID, q)
}

func (r *recordingStore) last() store.Query {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.queries[len(r.queries)-1]
}

// TestIndexPagingUsesKeyset checks the page cache: a request that
// continues a served page seeks by id (store.Query.After) instead of
// OFFSET, and a delete sends the next request back to OFFSET.
func TestIndexPagingUsesKeyset(t *testing.T) {
	st := provisiontest.OpenSQLite(t)
	e := provisiontest.New(t, st)
	rec := &recordingStore{Store: st}
	svc := New(rec, Config{})
	ctx := context.Background()
	c, err := svc.Authenticate(ctx, e.Key)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range 25 {
		r, err := svc.CreateUser(ctx, c, []byte(fmt.Sprintf(`{"userName":"u%02d"}`, i)), Options{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID())
	}
	page := func(start int) []string {
		t.Helper()
		count := 10
		l, err := svc.ListUsers(ctx, c, scim.SearchRequest{StartIndex: &start, Count: &count})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range l.Items {
			out = append(out, r.ID())
		}
		return out
	}
	walk := []struct {
		start     int
		wantAfter string
		wantOff   int
	}{
		{1, "", 0},
		{11, ids[9], 0},
		{21, ids[19], 0},
		{6, "", 5}, // not a continuation: OFFSET
		{16, ids[14], 0},
	}
	for _, w := range walk {
		got := page(w.start)
		q := rec.last()
		if q.After != w.wantAfter || q.Offset != w.wantOff {
			t.Errorf("startIndex %d: query After %q Offset %d; want After %q Offset %d", w.start, q.After, q.Offset, w.wantAfter, w.wantOff)
		}
		end := min(w.start-1+10, len(ids))
		if fmt.Sprint(got) != fmt.Sprint(ids[w.start-1:end]) {
			t.Errorf("startIndex %d: page %v, want %v", w.start, got, ids[w.start-1:end])
		}
	}
	if err := svc.DeleteUser(ctx, c, ids[0], Conditions{}); err != nil {
		t.Fatal(err)
	}
	got := page(11)
	if q := rec.last(); q.After != "" || q.Offset != 10 {
		t.Errorf("after a delete: After %q Offset %d; want OFFSET 10", q.After, q.Offset)
	}
	if fmt.Sprint(got) != fmt.Sprint(ids[11:21]) {
		t.Errorf("after a delete: page %v", got)
	}
}
