package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/rosterhq/roster/internal/admin"
	"github.com/rosterhq/roster/internal/httpapi"
	"github.com/rosterhq/roster/internal/provision"
	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/store"
	"github.com/rosterhq/roster/internal/webui"
)

// serveConfig is everything `roster serve` reads from flags and the
// environment.
type serveConfig struct {
	addr            string
	db              string
	baseURL         string
	maxBody         int64
	shutdownTimeout time.Duration
	readHeaderTO    time.Duration
	readTO          time.Duration
	logFormat       string
	logEmails       bool
	tlsCert         string
	tlsKey          string
	trustedProxies  string
	secret          string
	rate            httpapi.RateLimit
	noMetrics       bool
	dnsResolver     string
}

// adminOpts configures the admin use cases of a running server.
func adminOpts(logger *slog.Logger, resolver string) []admin.Option {
	opts := []admin.Option{admin.WithLogger(logger)}
	if resolver != "" {
		opts = append(opts, admin.WithResolver(resolver))
	}
	return opts
}

func runServe(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	var cfg serveConfig
	fs.StringVar(&cfg.addr, "addr", envDefault(getenv, "ROSTER_ADDR", "127.0.0.1:8080"), "listen address HOST:PORT (env ROSTER_ADDR)")
	db := dbFlag(fs, getenv)
	fs.StringVar(&cfg.baseURL, "base-url", getenv("ROSTER_BASE_URL"),
		"external base URL clients use, e.g. https://roster.example.com (env ROSTER_BASE_URL; default http://ADDR)")
	fs.StringVar(&cfg.dnsResolver, "dns-resolver", getenv("ROSTER_DNS_RESOLVER"),
		"DNS server host:port for domain verification (env ROSTER_DNS_RESOLVER; default: the system resolver)")
	fs.Int64Var(&cfg.maxBody, "max-body", 1<<20, "maximum request body in bytes")
	fs.DurationVar(&cfg.shutdownTimeout, "shutdown-timeout", 30*time.Second, "how long in-flight requests may run after SIGTERM")
	fs.DurationVar(&cfg.readHeaderTO, "read-header-timeout", 10*time.Second, "how long a client may take to send a request's headers")
	fs.DurationVar(&cfg.readTO, "read-timeout", 60*time.Second, "how long a client may take to send a whole request, body included")
	fs.StringVar(&cfg.logFormat, "log-format", envDefault(getenv, "ROSTER_LOG_FORMAT", "text"), "log format: text or json (env ROSTER_LOG_FORMAT)")
	fs.BoolVar(&cfg.logEmails, "log-emails", false, "log email addresses in clear (default: redacted to a***@domain)")
	fs.StringVar(&cfg.tlsCert, "tls-cert", getenv("ROSTER_TLS_CERT"), "TLS certificate chain, PEM (env ROSTER_TLS_CERT); with --tls-key, serve HTTPS (TLS 1.2+)")
	fs.StringVar(&cfg.tlsKey, "tls-key", getenv("ROSTER_TLS_KEY"), "TLS private key, PEM (env ROSTER_TLS_KEY)")
	fs.StringVar(&cfg.trustedProxies, "trusted-proxies", getenv("ROSTER_TRUSTED_PROXIES"),
		"comma-separated CIDRs or IPs of reverse proxies whose X-Forwarded-For is believed for client addresses (env ROSTER_TRUSTED_PROXIES; default none)")
	fs.StringVar(&cfg.secret, "secret", "", "server secret keying paging cursors; set the same value on every instance so cursors survive restarts and work across instances (env ROSTER_SECRET, preferred: flags show in ps)")
	fs.Float64Var(&cfg.rate.PerKey, "rate-per-key", httpapi.DefaultRatePerKey, "SCIM requests/s per API key (negative: no per-key limit)")
	fs.Float64Var(&cfg.rate.PerTeam, "rate-per-team", httpapi.DefaultRatePerTeam, "SCIM requests/s per team, all keys together (negative: no per-team limit)")
	fs.IntVar(&cfg.rate.Burst, "rate-burst", httpapi.DefaultRateBurst, "requests a key or team may send at once after a quiet period")
	fs.BoolVar(&cfg.rate.Disabled, "no-rate-limit", false, "turn SCIM rate limiting off")
	fs.BoolVar(&cfg.noMetrics, "no-metrics", false, "do not serve GET /metrics")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg.db = *db
	if cfg.secret == "" {
		cfg.secret = getenv("ROSTER_SECRET")
	}
	if getenv("GOGC") == "" {
		// The live heap is small (tens of MB) and nearly all garbage is
		// per request: collecting at 5x the live heap instead of 2x cuts
		// the collector's share of a lookup's CPU by about two thirds and
		// keeps the resident set well under 200 MB (docs/performance.md).
		debug.SetGCPercent(400)
	}
	logOut := newLogWriter(stderr)
	defer logOut.Close()
	logger, err := newLogger(cfg.logFormat, logOut)
	if err != nil {
		return err
	}
	if !cfg.logEmails {
		logger = slog.New(httpapi.NewRedactingHandler(logger.Handler()))
	}
	tlsConf, err := serverTLS(cfg.tlsCert, cfg.tlsKey)
	if err != nil {
		return err
	}
	proxies, err := parseProxies(cfg.trustedProxies)
	if err != nil {
		return err
	}
	if cfg.secret != "" && len(cfg.secret) < 32 {
		return usageError{"--secret / ROSTER_SECRET must be at least 32 characters (e.g. openssl rand -base64 32)"}
	}

	base, err := openStore(ctx, cfg.db)
	if err != nil {
		return err
	}
	defer base.Close()
	metrics := httpapi.NewMetrics()
	st := timedStore{Store: base, m: metrics}

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	if cfg.baseURL == "" {
		scheme := "http://"
		if tlsConf != nil {
			scheme = "https://"
		}
		cfg.baseURL = scheme + ln.Addr().String()
	}
	cfg.baseURL = strings.TrimRight(cfg.baseURL, "/")

	if err := firstRun(ctx, st, cfg.baseURL, stdout); err != nil {
		ln.Close()
		return err
	}

	pcfg := provision.Config{Logger: logger, Quirks: scim.DefaultQuirks()}
	if cfg.secret != "" {
		pcfg.CursorSecret = []byte(cfg.secret)
	} else {
		logger.Warn("no --secret / ROSTER_SECRET: paging cursors are per-process (they stop working after a restart and on other instances)")
	}
	prov := provision.New(st, pcfg)
	var draining atomic.Bool
	handler := httpapi.New(prov, httpapi.Config{
		BaseURL:        cfg.baseURL,
		MaxBodyBytes:   cfg.maxBody,
		Logger:         logger,
		RateLimit:      cfg.rate,
		Metrics:        metrics,
		DisableMetrics: cfg.noMetrics,
		TrustedProxies: proxies,
		Admin:          admin.New(st, adminOpts(logger, cfg.dnsResolver)...),
		ReadyChecks: []httpapi.ReadyCheck{
			// openStore applied every migration before the listener opened,
			// so a process that answers has its schema.
			{Name: "migrations", Check: func(context.Context) error { return nil }},
			{Name: "shutdown", Check: func(context.Context) error {
				if draining.Load() {
					return errors.New("shutting down")
				}
				return nil
			}},
		},
	})
	ui, err := webui.New(webui.Config{API: handler, BaseURL: cfg.baseURL, Logger: logger})
	if err != nil {
		ln.Close()
		return err
	}
	srv := &http.Server{
		TLSConfig:         tlsConf,
		Handler:           withAdminUI(handler, ui),
		ReadHeaderTimeout: cfg.readHeaderTO,
		ReadTimeout:       cfg.readTO,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("roster serving", "addr", ln.Addr().String(), "tls", tlsConf != nil, "scim_base_url", cfg.baseURL+"/scim/v2", "db", redactDSN(cfg.db))

	errc := make(chan error, 1)
	go func() {
		if tlsConf != nil {
			errc <- srv.ServeTLS(ln, "", "")
			return
		}
		errc <- srv.Serve(ln)
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	draining.Store(true)
	logger.Info("shutting down: finishing in-flight requests", "timeout", cfg.shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	// Every request has finished: write the queued provisioning activity.
	if err := prov.Close(sctx); err != nil {
		logger.Warn("shutdown: provisioning activity not all written", "err", err)
	}
	logger.Info("stopped")
	return nil
}

// serverTLS loads the certificate and returns the TLS configuration of
// `serve`: TLS 1.2 and 1.3 only; for 1.2, only ECDHE key exchange with
// AEAD ciphers (AES-GCM, ChaCha20-Poly1305), so every connection has
// forward secrecy (TLS 1.3 suites are all AEAD and not configurable). It
// returns nil, nil when neither file is given.
func serverTLS(certFile, keyFile string) (*tls.Config, error) {
	if certFile == "" && keyFile == "" {
		return nil, nil
	}
	if certFile == "" || keyFile == "" {
		return nil, usageError{"--tls-cert and --tls-key go together"}
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("tls: %w", err)
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
			tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		},
	}, nil
}

// parseProxies parses --trusted-proxies: comma-separated CIDRs or single
// addresses (taken as /32 or /128).
func parseProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, usageError{fmt.Sprintf("--trusted-proxies: %q is not a CIDR or an IP address", f)}
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
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
Admin web page: %s/admin/ (create the first account there; leave the
team name empty to adopt the "default" team and this key)

`, baseURL, k.Secret, baseURL)
	return nil
}
