package check

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// IdP names accepted in Options.IdP.
const (
	IdPOkta     = "okta"
	IdPEntra    = "entra"
	IdPOneLogin = "onelogin"
	IdPGeneric  = "generic"
)

// IdPs lists the accepted Options.IdP values.
var IdPs = []string{IdPOkta, IdPEntra, IdPOneLogin, IdPGeneric}

// Options configures a check.
type Options struct {
	// Base is the SCIM base URL as typed into the IdP, such as
	// "https://roster.example.com/scim/v2".
	Base string
	// Token is the API key; it is sent as "Bearer <Token>" unless it
	// already carries a scheme.
	Token string
	// IdP picks the calls to make: okta, entra, onelogin or generic
	// (empty means generic).
	IdP string
	// Write adds the create/update/deactivate/reactivate/group round trip.
	Write bool
	// Client sends the requests (default: a client with a 30 s timeout
	// that does not follow redirects).
	Client *http.Client
}

// Verdict is the outcome of a step.
type Verdict string

// Verdicts.
const (
	Pass Verdict = "PASS"
	Warn Verdict = "WARN"
	Fail Verdict = "FAIL"
	Skip Verdict = "SKIP"
)

// Step is one request the check made and what it means.
type Step struct {
	// Name says what the IdP does with this request.
	Name string
	// Sent is the request line ("GET https://…/Users?…"), plus a body
	// summary for writes.
	Sent string
	// Got describes the response: status, content type and a body excerpt,
	// or the transport error.
	Got string
	// Verdict is the outcome.
	Verdict Verdict
	// Conclusion is what the identity provider would conclude.
	Conclusion string
	// Fix says how to fix a failure or warning; empty on success.
	Fix string
}

// Report is the result of a check.
type Report struct {
	// IdP is the identity provider imitated.
	IdP string
	// Base is the SCIM base URL checked.
	Base string
	// Steps are the steps taken, in order.
	Steps []Step
}

// OK reports whether no step failed.
func (r *Report) OK() bool {
	for _, s := range r.Steps {
		if s.Verdict == Fail {
			return false
		}
	}
	return true
}

// Write prints the report for a person.
func (r *Report) Write(w io.Writer) {
	fmt.Fprintf(w, "roster check: %s against %s\n\n", idpTitle(r.IdP), r.Base)
	for _, s := range r.Steps {
		fmt.Fprintf(w, "[%s] %s\n", s.Verdict, s.Name)
		if s.Sent != "" {
			fmt.Fprintf(w, "       sent: %s\n", s.Sent)
		}
		if s.Got != "" {
			fmt.Fprintf(w, "       got:  %s\n", s.Got)
		}
		if s.Conclusion != "" {
			fmt.Fprintf(w, "       %s: %s\n", idpTitle(r.IdP), s.Conclusion)
		}
		if s.Fix != "" {
			fmt.Fprintf(w, "       fix:  %s\n", s.Fix)
		}
	}
	fails, warns := 0, 0
	for _, s := range r.Steps {
		switch s.Verdict {
		case Fail:
			fails++
		case Warn:
			warns++
		}
	}
	fmt.Fprintln(w)
	if fails == 0 {
		fmt.Fprintf(w, "verdict: OK — %s would accept this connection (%d warning(s))\n", idpTitle(r.IdP), warns)
		return
	}
	fmt.Fprintf(w, "verdict: FAILED — %d step(s) failed; %s would not provision through this connection\n", fails, idpTitle(r.IdP))
}

func idpTitle(idp string) string {
	switch idp {
	case IdPOkta:
		return "Okta"
	case IdPEntra:
		return "Entra ID"
	case IdPOneLogin:
		return "OneLogin"
	}
	return "a SCIM client"
}

// Run runs the check and returns its report; it fails only for bad
// options (an unknown IdP, a base URL that is not http(s)).
func Run(ctx context.Context, opts Options) (*Report, error) {
	if opts.IdP == "" {
		opts.IdP = IdPGeneric
	}
	known := false
	for _, i := range IdPs {
		known = known || i == opts.IdP
	}
	if !known {
		return nil, fmt.Errorf("unknown IdP %q: one of %s", opts.IdP, strings.Join(IdPs, ", "))
	}
	u, err := url.Parse(opts.Base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("the base URL %q is not an absolute http(s) URL such as https://roster.example.com/scim/v2", opts.Base)
	}
	if opts.Client == nil {
		opts.Client = &http.Client{
			Timeout: 30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		}
	}
	// A query in the base URL (Entra's Tenant URL carries
	// ?aadOptscim062020) is kept and sent with every request, after the
	// request's own parameters.
	flags := u.RawQuery
	u.RawQuery, u.Fragment = "", ""
	c := &checker{opts: opts, base: strings.TrimRight(u.String(), "/"), flags: flags, rep: &Report{IdP: opts.IdP, Base: opts.Base}}
	c.connection(ctx)
	if opts.Write {
		if c.rep.OK() {
			c.roundTrip(ctx)
		} else {
			c.rep.Steps = append(c.rep.Steps, Step{Name: "write round trip", Verdict: Skip, Conclusion: "not attempted: the connection test failed"})
		}
	}
	return c.rep, nil
}

// checker holds the state of one run.
type checker struct {
	opts  Options
	base  string
	flags string // the base URL's query, such as "aadOptscim062020"
	rep   *Report
}

// randomSuffix returns a short random hex string for unique names.
func randomSuffix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// randomGUID returns a random version 4 UUID, as Entra's probes use.
func randomGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// response is an HTTP response, read whole, or the transport error.
type response struct {
	status int
	ctype  string
	header http.Header
	body   []byte
	err    error
}

// do sends one request. path is relative to the base URL.
func (c *checker) do(ctx context.Context, method, path, body string) (string, response) {
	target := c.base + path
	if c.flags != "" {
		if strings.Contains(target, "?") {
			target += "&" + c.flags
		} else {
			target += "?" + c.flags
		}
	}
	sent := method + " " + target
	if body != "" {
		sent += "  " + excerpt([]byte(body), 160)
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return sent, response{err: err}
	}
	if tok := strings.TrimSpace(c.opts.Token); tok != "" {
		if strings.Contains(tok, " ") {
			req.Header.Set("Authorization", tok)
		} else {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
	}
	req.Header.Set("Accept", "application/scim+json")
	req.Header.Set("User-Agent", "roster-check (imitating "+idpTitle(c.opts.IdP)+")")
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
	}
	res, err := c.opts.Client.Do(req)
	if err != nil {
		return sent, response{err: err}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	return sent, response{status: res.StatusCode, ctype: res.Header.Get("Content-Type"), header: res.Header, body: b, err: err}
}

// describe summarises a response for Step.Got.
func (r response) describe() string {
	if r.err != nil {
		return "no HTTP response: " + r.err.Error()
	}
	s := fmt.Sprintf("%d %s", r.status, http.StatusText(r.status))
	if r.ctype != "" {
		s += " (" + r.ctype + ")"
	}
	if len(r.body) == 0 {
		return s + ", empty body"
	}
	return s + " " + excerpt(r.body, 300)
}

// excerpt returns the start of a body on one line.
func excerpt(b []byte, n int) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}

// transportFailure explains a request that got no HTTP response.
func transportFailure(err error) (conclusion, fix string) {
	var uerr x509.UnknownAuthorityError
	var herr x509.HostnameError
	var cerr x509.CertificateInvalidError
	var rerr *tls.RecordHeaderError
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.As(err, &uerr), errors.As(err, &herr), errors.As(err, &cerr), strings.Contains(err.Error(), "x509:"), strings.Contains(err.Error(), "tls:"):
		return "TLS problem: the server's certificate is not trusted (self-signed, expired, wrong host name or missing intermediate certificate), so the IdP refuses to connect",
			"serve Roster behind a certificate from a public CA for exactly this host name, including the intermediate chain; IdPs do not accept self-signed certificates"
	case errors.As(err, &rerr), strings.Contains(err.Error(), "HTTP response to HTTPS client"):
		return "TLS problem: the server answered plain HTTP on an https:// URL",
			"use http:// only for local testing, or terminate TLS in front of Roster and use its https:// URL"
	case errors.As(err, &dnsErr):
		return "the host name does not resolve", "check the host name in the base URL; it must be reachable from the IdP's cloud, not only from your network"
	case errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		return "the request timed out (Okta gives up after 60 s)", "check that the server is up and reachable from the internet, and that no firewall drops the IdP's requests"
	case errors.As(err, &opErr):
		return "the connection was refused or reset: nothing answers at this address", "check the host and port of the base URL and that Roster is running (roster serve)"
	}
	return "the request failed before any HTTP response", "check the base URL, the network path and the TLS setup"
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
