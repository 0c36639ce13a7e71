package httpapi

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	roster "github.com/rosterhq/roster"
	"github.com/rosterhq/roster/internal/check"
	"github.com/rosterhq/roster/internal/core"
)

// checkTimeout bounds one SCIM connection check run from the server.
const checkTimeout = 60 * time.Second

// scimCheckRoutes is the "Test connection" of the admin page: the checks
// of `roster check` (internal/check) run from the server.
func (h *adminAPI) scimCheckRoutes() []apiRoute {
	return []apiRoute{
		{Method: "POST", Path: "/teams/{team}/scim/check", OpID: "checkSCIM", Tag: "scim",
			Summary: "Test the SCIM connection as an identity provider would, with one of the team's keys",
			Description: "Runs the calls of `roster check` against the team's own SCIM base URL, in process (the requests " +
				"go through the same middleware, authentication and rate limits as an identity provider's, and appear in " +
				"the provisioning activity). The key must be one of this team's SCIM keys, else 400 unknownKey (the key is " +
				"never echoed). Super and Team Admins only.",
			Body: roster.SCIMCheckRequest{}, Resp: roster.SCIMCheckReport{}, h: h.checkSCIM},
	}
}

func (h *adminAPI) checkSCIM(w http.ResponseWriter, r *http.Request, c *caller) error {
	var in roster.SCIMCheckRequest
	if err := h.decode(w, r, &in, false); err != nil {
		return err
	}
	t, err := h.team(r, c)
	if err != nil {
		return err
	}
	// Listing the keys is what authorises the check (admins only).
	keys, err := h.adm.SCIMKeys(r.Context(), c.p, t.ID)
	if err != nil {
		return err
	}
	key := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(in.Key), "Bearer "))
	prefix, valid := core.KeyPrefix(key)
	owned := false
	for _, k := range keys {
		owned = owned || (valid && k.Prefix == prefix)
	}
	if !owned {
		return core.Errorf(core.KindInvalid, "unknownKey", "the key is not one of this team's SCIM keys; paste a key generated on this team's SCIM page")
	}
	switch in.IdP {
	case "", check.IdPOkta, check.IdPEntra, check.IdPOneLogin, check.IdPGeneric:
	default:
		return core.Errorf(core.KindInvalid, "invalidIdP", "idp must be one of %s", strings.Join(check.IdPs, ", "))
	}
	base := h.scimSettings(r, t.SCIMEnabled).BaseURL
	ctx, cancel := context.WithTimeout(r.Context(), checkTimeout)
	defer cancel()
	rep, err := check.Run(ctx, check.Options{
		Base: base, Token: key, IdP: in.IdP, Write: in.Write,
		Client: &http.Client{
			Transport: inProcess{h: h.scim, from: r, strip: basePath(h.baseURL)},
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
	})
	if err != nil {
		return core.Errorf(core.KindInvalid, "invalidCheck", "the check cannot run: %s", err.Error())
	}
	out := roster.SCIMCheckReport{IdP: rep.IdP, Base: rep.Base, OK: rep.OK(), Steps: make([]roster.SCIMCheckStep, 0, len(rep.Steps))}
	for _, s := range rep.Steps {
		out.Steps = append(out.Steps, roster.SCIMCheckStep{
			Name: s.Name, Verdict: strings.ToLower(string(s.Verdict)), Sent: s.Sent, Got: s.Got, Detail: s.Conclusion, Fix: s.Fix,
		})
	}
	return ok(w, out)
}

// inProcess is an http.RoundTripper that serves requests with a handler
// in this process instead of the network, so a check from the server
// needs no route from the server to its own public address. The requests
// carry the address and TLS state of the admin request that started the
// check (for the activity log and the base URL derived from it).
type inProcess struct {
	h    http.Handler
	from *http.Request
	// strip is the path of the external base URL (a deployment behind a
	// proxy under https://example.com/roster), which the handler does not
	// see.
	strip string
}

// basePath returns the path of a base URL without its trailing slash.
func basePath(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	return strings.TrimRight(u.Path, "/")
}

// RoundTrip implements http.RoundTripper.
func (p inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	if p.h == nil {
		return nil, core.Errorf(core.KindUnavailable, "unavailable", "the SCIM service is not mounted")
	}
	in := req.Clone(req.Context())
	path := req.URL.Path
	if p.strip != "" && strings.HasPrefix(path, p.strip+"/") {
		path = strings.TrimPrefix(path, p.strip)
	}
	in.URL = &url.URL{Path: path, RawQuery: req.URL.RawQuery}
	in.RequestURI = in.URL.RequestURI()
	in.Host = req.URL.Host
	in.RemoteAddr = p.from.RemoteAddr
	in.TLS = p.from.TLS
	if in.Body == nil {
		in.Body = http.NoBody
	}
	rec := &recorder{header: http.Header{}}
	p.h.ServeHTTP(rec, in)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return &http.Response{
		Status: http.StatusText(rec.status), StatusCode: rec.status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: rec.header, Body: io.NopCloser(bytes.NewReader(rec.body.Bytes())),
		ContentLength: int64(rec.body.Len()), Request: req,
	}, nil
}

// recorder collects a response served in process.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
