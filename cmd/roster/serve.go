package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/rosterhq/roster/internal/admin"
	"github.com/rosterhq/roster/internal/httpapi"
	"github.com/rosterhq/roster/internal/provision"
	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/store"
)

// serveConfig is everything `roster serve` reads from flags and the
// environment.
type serveConfig struct {
	addr            string
	db              string
	baseURL         string
	maxBody         int64
	shutdownTimeout time.Duration
	logFormat       string
}

func runServe(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	var cfg serveConfig
	fs.StringVar(&cfg.addr, "addr", envDefault(getenv, "ROSTER_ADDR", "127.0.0.1:8080"), "listen address HOST:PORT (env ROSTER_ADDR)")
	db := dbFlag(fs, getenv)
	fs.StringVar(&cfg.baseURL, "base-url", getenv("ROSTER_BASE_URL"),
		"external base URL clients use, e.g. https://roster.example.com (env ROSTER_BASE_URL; default http://ADDR)")
	fs.Int64Var(&cfg.maxBody, "max-body", 1<<20, "maximum request body in bytes")
	fs.DurationVar(&cfg.shutdownTimeout, "shutdown-timeout", 30*time.Second, "how long in-flight requests may run after SIGTERM")
	fs.StringVar(&cfg.logFormat, "log-format", envDefault(getenv, "ROSTER_LOG_FORMAT", "text"), "log format: text or json (env ROSTER_LOG_FORMAT)")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg.db = *db
	logger, err := newLogger(cfg.logFormat, stderr)
	if err != nil {
		return err
	}

	st, err := openStore(ctx, cfg.db)
	if err != nil {
		return err
	}
	defer st.Close()

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	if cfg.baseURL == "" {
		cfg.baseURL = "http://" + ln.Addr().String()
	}
	cfg.baseURL = strings.TrimRight(cfg.baseURL, "/")

	if err := firstRun(ctx, st, cfg.baseURL, stdout); err != nil {
		ln.Close()
		return err
	}

	prov := provision.New(st, provision.Config{Logger: logger, Quirks: scim.DefaultQuirks()})
	handler := httpapi.New(prov, httpapi.Config{BaseURL: cfg.baseURL, MaxBodyBytes: cfg.maxBody, Logger: logger})
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("roster serving", "addr", ln.Addr().String(), "scim_base_url", cfg.baseURL+"/scim/v2", "db", redactDSN(cfg.db))

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing in-flight requests", "timeout", cfg.shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("stopped")
	return nil
}

func newLogger(format string, w io.Writer) (*slog.Logger, error) {
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	default:
		return nil, usageError{fmt.Sprintf("--log-format %q: use text or json", format)}
	}
}

// firstRun makes a fresh database usable at once: when it has no team, it
// creates team "default" with SCIM on and one SCIM key, and prints the
// SCIM base URL and the key (shown this once) to stdout.
func firstRun(ctx context.Context, st store.Store, baseURL string, stdout io.Writer) error {
	teams, err := st.Teams(ctx)
	if err != nil || len(teams) > 0 {
		return err
	}
	a := admin.New(st)
	t, err := a.CreateTeam(ctx, "default", "Default team")
	if err != nil {
		return err
	}
	if _, err := a.SetSCIM(ctx, t.ID, true); err != nil {
		return err
	}
	k, err := a.CreateKey(ctx, t.ID, "first-run", cliActor, 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, `
First run: created team "default" with SCIM provisioning on.

  SCIM base URL:  %s/scim/v2
  SCIM API key:   %s

The key is shown only now. Paste both into your identity provider
(Okta: "Base URL" and "API Token"; Entra ID: "Tenant URL" and "Secret Token").
Make more keys with: roster key create --team default --name NAME

`, baseURL, k.Secret)
	return nil
}
