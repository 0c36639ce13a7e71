package httpapi

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

type clientIPKey struct{}

// ClientIP returns the address of the client that made r, for audit and
// activity records: the peer address, or — when the peer is one of
// Config.TrustedProxies — the address that proxy (and any trusted proxy
// before it) says it forwarded for in X-Forwarded-For. X-Forwarded-For is
// never believed from any other peer, so a client cannot choose the
// address recorded for it. It returns "" when the peer address is not an
// IP (a test transport).
func ClientIP(r *http.Request) string {
	if ip, ok := r.Context().Value(clientIPKey{}).(string); ok {
		return ip
	}
	if a, ok := peerAddr(r); ok {
		return a.String()
	}
	return ""
}

// peerAddr parses r.RemoteAddr.
func peerAddr(r *http.Request) (netip.Addr, bool) {
	host := r.RemoteAddr
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// trustedProxies decides which peers may speak for a client.
type trustedProxies []netip.Prefix

func (t trustedProxies) trusted(a netip.Addr) bool {
	for _, p := range t {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientIP walks X-Forwarded-For from the right, starting at the peer:
// while the current hop is a trusted proxy, the entry it appended names
// the previous hop. The first untrusted hop is the client. A malformed
// entry stops the walk at the last trusted hop.
func (t trustedProxies) clientIP(r *http.Request) (netip.Addr, bool) {
	cur, ok := peerAddr(r)
	if !ok {
		return netip.Addr{}, false
	}
	if len(t) == 0 || !t.trusted(cur) {
		return cur, true
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0 && t.trusted(cur); i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		cur = a.Unmap()
	}
	return cur, true
}

// withClientIP records the request's client address (see ClientIP) in its
// context.
func withClientIP(next http.Handler, t trustedProxies) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a, ok := t.clientIP(r); ok {
			r = r.WithContext(context.WithValue(r.Context(), clientIPKey{}, a.String()))
		}
		next.ServeHTTP(w, r)
	})
}

// clipUserAgent bounds a User-Agent header and makes it valid UTF-8 without
// NUL bytes before it is stored in the audit log, so a hostile header can
// never make the write that records it fail.
func clipUserAgent(ua string) string {
	const limit = 256
	if len(ua) > limit {
		ua = ua[:limit]
	}
	return strings.ReplaceAll(strings.ToValidUTF8(ua, ""), "\x00", "")
}
