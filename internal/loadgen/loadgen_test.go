package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for _, tc := range []struct {
		p    float64
		want time.Duration
	}{{0.50, 50 * time.Millisecond}, {0.95, 95 * time.Millisecond}, {0.99, 99 * time.Millisecond}, {1, 100 * time.Millisecond}} {
		if got := percentile(d, tc.p); got != tc.want {
			t.Errorf("p%v = %v, want %v", tc.p, got, tc.want)
		}
	}
	if got := percentile(nil, 0.5); got != 0 {
		t.Errorf("empty: %v", got)
	}
}

func TestLoopIsBounded(t *testing.T) {
	var n atomic.Int64
	loop(context.Background(), 8, 100, time.Minute, nil, "", func(_, _ int) bool { n.Add(1); return true })
	if n.Load() != 100 {
		t.Errorf("ran %d operations, want 100", n.Load())
	}
	start := time.Now()
	loop(context.Background(), 4, 0, 50*time.Millisecond, nil, "", func(_, _ int) bool { time.Sleep(time.Millisecond); return true })
	if e := time.Since(start); e > 2*time.Second {
		t.Errorf("duration bound ignored: ran %v", e)
	}
}

// fakeSCIM is a tiny in-memory SCIM server with switchable bugs, to show
// that the load generator counts wrong answers.
type fakeSCIM struct {
	users      []user
	dupPage    bool // the second page repeats the first page's last user
	missFilter bool // the filter never finds anything
}

func (f *fakeSCIM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer k" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var res []user
	total := 0
	switch {
	case strings.HasPrefix(r.URL.Path, "/Users/"):
		id := strings.TrimPrefix(r.URL.Path, "/Users/")
		for _, u := range f.users {
			if u.ID == id {
				_ = json.NewEncoder(w).Encode(u)
				return
			}
		}
		w.WriteHeader(http.StatusNotFound)
		return
	case r.URL.Query().Get("filter") != "":
		flt := r.URL.Query().Get("filter")
		for _, u := range f.users {
			if !f.missFilter && flt == `userName eq "`+u.UserName+`"` {
				res = append(res, u)
			}
		}
		total = len(res)
	default:
		start, _ := strconv.Atoi(r.URL.Query().Get("startIndex"))
		count, _ := strconv.Atoi(r.URL.Query().Get("count"))
		lo := min(start-1, len(f.users))
		if f.dupPage && lo > 0 {
			lo--
		}
		res = f.users[lo:min(lo+count, len(f.users))]
		total = len(f.users)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"totalResults":%d,"Resources":`, total)
	_ = json.NewEncoder(&b).Encode(res)
	b.WriteString(`}`)
	_, _ = w.Write(b.Bytes())
}

func fakeUsers(n int) []user {
	us := make([]user, n)
	for i := range us {
		us[i] = user{ID: fmt.Sprintf("id-%05d", i), UserName: UserName(i)}
	}
	return us
}

func runFake(t *testing.T, f *fakeSCIM, scenario string) *Report {
	t.Helper()
	srv := httptest.NewServer(f)
	defer srv.Close()
	r, err := Run(context.Background(), Config{Base: srv.URL, Token: "k", Scenarios: []string{scenario},
		Concurrency: 4, Users: len(f.users), Requests: 200, Duration: 5 * time.Second, Ceiling: true, CeilingDuration: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if r.Ceiling == nil || r.Ceiling.Count == 0 || r.Ceiling.Errors != 0 {
		t.Fatalf("ceiling not measured: %+v", r.Ceiling)
	}
	return r
}

func stat(t *testing.T, r *Report, op string) Stats {
	t.Helper()
	for _, s := range r.Results {
		if s.Op == op {
			return s
		}
	}
	t.Fatalf("no %q in %+v", op, r.Results)
	return Stats{}
}

func TestLookupCountsWrongAnswers(t *testing.T) {
	good := runFake(t, &fakeSCIM{users: fakeUsers(50)}, "lookup")
	if s := stat(t, good, "filter userName eq"); s.Count != 200 || s.Errors != 0 {
		t.Errorf("healthy server: %+v", s)
	}
	if s := stat(t, good, "GET /Users/{id}"); s.Count != 200 || s.Errors != 0 || s.CeilingRatio <= 0 {
		t.Errorf("healthy server: %+v", s)
	}
	bad := runFake(t, &fakeSCIM{users: fakeUsers(50), missFilter: true}, "lookup")
	if s := stat(t, bad, "filter userName eq"); s.Errors != s.Count || s.Wrong != s.Count || s.Count == 0 {
		t.Errorf("a filter that misses users must be a wrong answer every time: %+v", s)
	}
}

func TestListFindsDuplicates(t *testing.T) {
	good := runFake(t, &fakeSCIM{users: fakeUsers(1000)}, "list")
	if s := stat(t, good, "page (count=100)"); s.Count != 10 || s.Errors != 0 {
		t.Errorf("healthy walk: %+v", s)
	}
	bad := runFake(t, &fakeSCIM{users: fakeUsers(1000), dupPage: true}, "list")
	if s := stat(t, bad, "page (count=100)"); s.Wrong == 0 {
		t.Errorf("a walk with duplicates must count wrong answers: %+v", s)
	}
}

func TestReportOutputs(t *testing.T) {
	r := runFake(t, &fakeSCIM{users: fakeUsers(20)}, "lookup")
	var js, tbl bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || len(back.Results) != len(r.Results) {
		t.Fatalf("JSON round trip: %v", err)
	}
	r.WriteTable(&tbl)
	for _, want := range []string{"ceiling", "filter userName eq", "p99ms"} {
		if !strings.Contains(tbl.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, tbl.String())
		}
	}
}
