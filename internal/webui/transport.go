package webui

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"sync"

	roster "github.com/rosterhq/roster"
)

// apiBase is the base URL the SDK client is given; the transport never
// dials it, it hands every request to Config.API in process.
const apiBase = "http://roster.invalid"

// apiTransport serves the SDK's requests with the /api/v1 handler in
// process, as if the browser had sent them: with the browser's session
// cookie, Origin, User-Agent, X-Forwarded-For, peer address, Host and TLS
// state, and with the form's csrf field as the CSRF header. Set-Cookie
// answers for the session cookie (sign-in, setup, sign-out) are relayed
// to the browser, and later calls of the same request use the new cookie.
type apiTransport struct {
	api  http.Handler
	from *http.Request
	w    http.ResponseWriter
	csrf string

	mu sync.Mutex
	// session is the session cookie value to send (replaced when the API
	// sets or clears the cookie during this request).
	session string
}

// newTransport returns the transport of one browser request.
func newTransport(api http.Handler, w http.ResponseWriter, r *http.Request, csrf string) *apiTransport {
	t := &apiTransport{api: api, from: r, w: w, csrf: csrf}
	if ck, err := r.Cookie(roster.SessionCookie); err == nil {
		t.session = ck.Value
	}
	return t
}

// client returns an SDK client over the transport.
func (t *apiTransport) client() *roster.Client {
	c, err := roster.NewClient(apiBase, roster.WithHTTPClient(&http.Client{
		Transport: t,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}))
	if err != nil { // apiBase is a constant absolute URL
		panic(err)
	}
	return c
}

// sessionCookie returns the session cookie value the next call sends.
func (t *apiTransport) sessionCookie() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.session
}

// RoundTrip implements http.RoundTripper.
func (t *apiTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	in := req.Clone(req.Context())
	in.URL = &url.URL{Path: req.URL.Path, RawPath: req.URL.RawPath, RawQuery: req.URL.RawQuery}
	in.RequestURI = in.URL.RequestURI()
	in.Host = t.from.Host
	in.RemoteAddr = t.from.RemoteAddr
	in.TLS = t.from.TLS
	if in.Body == nil {
		in.Body = http.NoBody
	}
	h := in.Header
	for _, k := range []string{"Origin", "Cookie", "Authorization", roster.CSRFHeader, "X-Forwarded-For", "User-Agent"} {
		h.Del(k)
	}
	if o := t.from.Header.Get("Origin"); o != "" {
		h.Set("Origin", o)
	}
	if ua := t.from.UserAgent(); ua != "" {
		h.Set("User-Agent", ua)
	}
	for _, v := range t.from.Header.Values("X-Forwarded-For") {
		h.Add("X-Forwarded-For", v)
	}
	if s := t.sessionCookie(); s != "" {
		// A request's Cookie header: only name and value travel.
		in.AddCookie(&http.Cookie{Name: roster.SessionCookie, Value: s}) //nolint:gosec // G124: not a Set-Cookie
	}
	if req.Method != http.MethodGet && req.Method != http.MethodHead && t.csrf != "" {
		h.Set(roster.CSRFHeader, t.csrf)
	}

	pr, pw := io.Pipe()
	rw := &pipeResponse{header: http.Header{}, pw: pw, started: make(chan struct{})}
	go func() {
		defer func() {
			if v := recover(); v != nil {
				rw.start(http.StatusInternalServerError)
				_ = pw.CloseWithError(errors.New("webui: the API handler panicked"))
				return
			}
			rw.start(http.StatusOK)
			_ = pw.Close()
		}()
		t.api.ServeHTTP(rw, in)
	}()
	<-rw.started
	t.relayCookies(rw.sent)
	return &http.Response{
		Status: http.StatusText(rw.status), StatusCode: rw.status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: rw.sent, Body: pr, ContentLength: -1, Request: req,
	}, nil
}

// relayCookies passes the API's session cookie changes to the browser.
func (t *apiTransport) relayCookies(h http.Header) {
	res := http.Response{Header: h}
	for _, ck := range res.Cookies() {
		if ck.Name != roster.SessionCookie {
			continue
		}
		t.w.Header().Add("Set-Cookie", ck.String())
		t.mu.Lock()
		t.session = ck.Value
		if ck.MaxAge < 0 {
			t.session = ""
		}
		t.mu.Unlock()
	}
}

// pipeResponse is the http.ResponseWriter of an in-process API call: the
// status and headers are handed over when the handler first writes, the
// body streams through a pipe (an audit export is not held in memory).
type pipeResponse struct {
	header  http.Header
	sent    http.Header
	status  int
	pw      *io.PipeWriter
	once    sync.Once
	started chan struct{}
}

func (p *pipeResponse) Header() http.Header { return p.header }

func (p *pipeResponse) start(status int) {
	p.once.Do(func() {
		p.status = status
		p.sent = p.header.Clone()
		close(p.started)
	})
}

func (p *pipeResponse) WriteHeader(status int) { p.start(status) }

func (p *pipeResponse) Write(b []byte) (int, error) {
	p.start(http.StatusOK)
	return p.pw.Write(b)
}
