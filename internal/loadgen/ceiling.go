package loadgen

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// ceilingBody is the fixed answer: a ListResponse with one user, about
// the size of a lookup answer.
var ceilingBody = []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"startIndex":1,"itemsPerPage":1,"Resources":[{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"0190f0a0-0000-7000-8000-000000000001","userName":"user0000001@seed.example","name":{"givenName":"Seed","familyName":"User"},"emails":[{"value":"user0000001@seed.example","type":"work","primary":true}],"displayName":"Seed User","active":true,"meta":{"resourceType":"User","created":"2026-01-01T00:00:00Z","lastModified":"2026-01-01T00:00:00Z","version":"W/\"1\"","location":"http://127.0.0.1/scim/v2/Users/0190f0a0-0000-7000-8000-000000000001"}}]}`)

// CeilingHandler answers every request with the same fixed SCIM body: the
// fastest any SCIM server can be on this machine, the denominator of the
// ceiling ratios.
func CeilingHandler() http.Handler {
	size := strconv.Itoa(len(ceilingBody))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		h := w.Header()
		h["Content-Type"] = []string{contentTypeSCIM}
		h["Content-Length"] = []string{size}
		_, _ = w.Write(ceilingBody)
	})
}

// ServeCeiling serves CeilingHandler on ln until ctx ends.
func ServeCeiling(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: CeilingHandler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return err
}

// runCeiling measures the fixed-answer server (in process on 127.0.0.1:0,
// or cfg.CeilingURL) with the lookup's filter request at the run's
// concurrency.
func runCeiling(ctx context.Context, cfg Config) (*Stats, error) {
	base := cfg.CeilingURL
	if base == "" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		sctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			// The ceiling's own shutdown error does not change the figure.
			_ = ServeCeiling(sctx, ln)
		}()
		defer func() { stop(); <-done }()
		base = "http://" + ln.Addr().String() + "/scim/v2"
	}
	d := cfg.CeilingDuration
	if d <= 0 {
		d = min(cfg.Duration, 10*time.Second)
	}
	g := &gen{cfg: cfg, c: NewClient(cfg.Concurrency)}
	g.cfg.Base = base
	rec := newRecorder()
	elapsed := loop(ctx, cfg.Concurrency, cfg.Requests, d, cfg.Progress, "ceiling", func(_, i int) bool {
		_ = timed(rec, "fixed answer", 1, func() error {
			var lr listResponse
			err := g.call(ctx, http.MethodGet, filterPath(UserName(i)), nil, &lr, http.StatusOK)
			if err == nil && lr.TotalResults != 1 {
				err = wrongf("ceiling answered %d results", lr.TotalResults)
			}
			return err
		})
		return true
	})
	st := rec.stats(elapsed)
	s := st[0]
	s.Scenario = "ceiling"
	s.CeilingRatio = 1
	return &s, nil
}
