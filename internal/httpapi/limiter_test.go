package httpapi

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"
)

// fakeClock is a settable clock.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time                 { return c.t }
func (c *fakeClock) add(d time.Duration)            { c.t = c.t.Add(d) }
func newClock() *fakeClock                          { return &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }
func (c *fakeClock) limiter(cfg RateLimit) *limiter { return newLimiter(cfg, c.now) }

func TestBucketBurstAndRefill(t *testing.T) {
	clk := newClock()
	l := clk.limiter(RateLimit{PerKey: 2, PerTeam: -1, Burst: 3})
	for i := range 3 {
		if ok, _, _ := l.allow("k1", "t1"); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, wait, scope := l.allow("k1", "t1")
	if ok || scope != scopeKey || wait != 500*time.Millisecond {
		t.Fatalf("4th request: ok=%v wait=%v scope=%q; want refused by the key bucket, 500ms", ok, wait, scope)
	}
	clk.add(250 * time.Millisecond)
	if ok, wait, _ := l.allow("k1", "t1"); ok || wait != 250*time.Millisecond {
		t.Fatalf("after 250ms: ok=%v wait=%v; want refused, 250ms", ok, wait)
	}
	clk.add(250 * time.Millisecond)
	if ok, _, _ := l.allow("k1", "t1"); !ok {
		t.Fatal("after a token refilled: refused")
	}
}

func TestTeamBucketSharedByKeys(t *testing.T) {
	clk := newClock()
	l := clk.limiter(RateLimit{PerKey: 100, PerTeam: 1, Burst: 4})
	for i := range 4 {
		if ok, _, _ := l.allow(fmt.Sprintf("k%d", i), "t1"); !ok {
			t.Fatalf("request %d refused", i)
		}
	}
	if ok, wait, scope := l.allow("k9", "t1"); ok || scope != scopeTeam || wait != time.Second {
		t.Fatalf("5th request of the team on a fresh key: ok=%v wait=%v scope=%q; want refused by the team bucket, 1s", ok, wait, scope)
	}
	if ok, _, _ := l.allow("k9", "t2"); !ok {
		t.Fatal("another team refused: buckets are not per team")
	}
}

func TestRefusedRequestsSpendNothing(t *testing.T) {
	clk := newClock()
	l := clk.limiter(RateLimit{PerKey: 1, PerTeam: 1000, Burst: 1})
	l.allow("k", "t")
	for range 100 {
		l.allow("k", "t") // refused by the key bucket
	}
	if got := l.buckets["t\x00t"].tokens; got != 0 {
		t.Fatalf("team bucket holds %v tokens after 1 accepted and 100 refused requests; want 0 (capacity 1, one spent)", got)
	}
	clk.add(time.Second)
	if ok, _, _ := l.allow("k", "t"); !ok {
		t.Fatal("refused after the key bucket refilled: refused requests were charged")
	}
}

func TestDisabledScopes(t *testing.T) {
	l := newClock().limiter(RateLimit{PerKey: -1, PerTeam: -1, Burst: 1})
	for range 50 {
		if ok, _, _ := l.allow("k", "t"); !ok {
			t.Fatal("refused with both limits disabled")
		}
	}
}

// TestDefaultsNeverRefuseIdPTraffic replays, on a fake clock, an Entra
// cycle at 25 req/s for two minutes with an Okta-style burst of 350
// requests at once every 20 seconds, on one key: the defaults never
// refuse it (docs/idp-behaviour.md rows 14 and 25).
func TestDefaultsNeverRefuseIdPTraffic(t *testing.T) {
	clk := newClock()
	l := clk.limiter(RateLimit{})
	for tick := range 120 * 25 {
		if tick%(20*25) == 0 {
			for i := range 350 {
				if ok, _, _ := l.allow("key", "team"); !ok {
					t.Fatalf("burst request %d at %v refused", i, time.Duration(tick)*40*time.Millisecond)
				}
			}
		}
		if ok, _, _ := l.allow("key", "team"); !ok {
			t.Fatalf("steady request at %v refused", time.Duration(tick)*40*time.Millisecond)
		}
		clk.add(40 * time.Millisecond)
	}
}

func TestBucketsBounded(t *testing.T) {
	clk := newClock()
	l := clk.limiter(RateLimit{PerKey: 1, PerTeam: 1, Burst: 10, MaxBuckets: 100})
	for i := range 10_000 {
		l.allow(fmt.Sprintf("k%d", i), fmt.Sprintf("t%d", i))
		if n := l.size(); n > 100 {
			t.Fatalf("after %d keys: %d buckets, bound 100", i+1, n)
		}
	}
	// Idle buckets are dropped on the periodic sweep.
	clk.add(time.Hour)
	l.allow("x", "y")
	if n := l.size(); n != 2 {
		t.Fatalf("after an idle hour: %d buckets, want 2 (the new ones)", n)
	}
}

func mustPrefix(t *testing.T, s string) netip.Prefix {
	t.Helper()
	p, err := netip.ParsePrefix(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestClientIP(t *testing.T) {
	tp := trustedProxies{mustPrefix(t, "10.0.0.0/8"), mustPrefix(t, "::1/128")}
	cases := []struct {
		remote, xff string
		proxies     trustedProxies
		want        string
	}{
		{"203.0.113.9:1234", "198.51.100.1", tp, "203.0.113.9"},         // untrusted peer: XFF ignored
		{"10.1.2.3:1234", "198.51.100.1", tp, "198.51.100.1"},           // trusted proxy
		{"10.1.2.3:1234", "6.6.6.6, 198.51.100.1", tp, "198.51.100.1"},  // spoofed left entry ignored
		{"10.1.2.3:1234", "198.51.100.1, 10.9.9.9", tp, "198.51.100.1"}, // two trusted hops
		{"10.1.2.3:1234", "", tp, "10.1.2.3"},
		{"10.1.2.3:1234", "junk", tp, "10.1.2.3"},
		{"10.1.2.3:1234", "198.51.100.1", nil, "10.1.2.3"}, // no proxies configured
		{"[::1]:80", "2001:db8::5", tp, "2001:db8::5"},
	}
	for _, c := range cases {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = c.remote
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		var got string
		withClientIP(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = ClientIP(r) }), c.proxies).
			ServeHTTP(httptest.NewRecorder(), r)
		if got != c.want {
			t.Errorf("peer %s XFF %q proxies %v: client %q, want %q", c.remote, c.xff, c.proxies, got, c.want)
		}
	}
}
