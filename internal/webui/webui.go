package webui

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Prefix is the path under which the admin web page is served.
const Prefix = "/admin"

// Config configures the admin web page.
type Config struct {
	// API serves the admin REST API (/api/v1); the page calls it in
	// process. It is usually the whole Roster handler (httpapi.New).
	API http.Handler
	// BaseURL is the external base URL of the deployment, such as
	// "https://roster.example.com"; empty means the scheme and Host of
	// each request. It decides the Secure flag of the page's cookies.
	BaseURL string
	// Logger receives unexpected errors (default slog.Default()).
	Logger *slog.Logger
}

// UI is the admin web page: an http.Handler for everything under /admin.
type UI struct {
	api     http.Handler
	baseURL string
	log     *slog.Logger
	pages   map[string]*template.Template
	assets  map[string]asset  // by URL path under /admin/static/
	assetOf map[string]string // logical name ("app.css") -> URL path
	mux     *http.ServeMux
	h       http.Handler
}

// asset is an embedded static file.
type asset struct {
	body        []byte
	contentType string
	immutable   bool
}

// New returns the admin web page handler. It fails only when an embedded
// template does not parse (a build defect the tests catch).
func New(cfg Config) (http.Handler, error) {
	return newUI(cfg)
}

func newUI(cfg Config) (*UI, error) {
	if cfg.API == nil {
		return nil, errors.New("webui: Config.API is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	u := &UI{
		api:     cfg.API,
		baseURL: strings.TrimRight(cfg.BaseURL, "/"),
		log:     cfg.Logger,
		mux:     http.NewServeMux(),
	}
	if err := u.loadAssets(); err != nil {
		return nil, err
	}
	if err := u.loadTemplates(); err != nil {
		return nil, err
	}
	u.routes()
	u.h = secure(u.mux)
	return u, nil
}

// ServeHTTP implements http.Handler.
func (u *UI) ServeHTTP(w http.ResponseWriter, r *http.Request) { u.h.ServeHTTP(w, r) }

// routes registers every page. The data pages (members, groups, activity,
// audit, dashboard) are registered by registerDataRoutes (pages_data.go).
func (u *UI) routes() {
	m := u.mux
	m.HandleFunc("GET "+Prefix, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Prefix+"/", http.StatusMovedPermanently)
	})
	m.HandleFunc("GET "+Prefix+"/static/{file}", u.static)
	m.Handle(Prefix+"/", u.public(func(p *page) error { return errNotFound }))
	m.Handle("GET "+Prefix+"/{$}", u.public(u.index))
	m.Handle("GET "+Prefix+"/switch", u.signedIn(u.switchTeam))

	u.registerAuthRoutes(m)
	u.registerSCIMRoutes(m)
	u.registerGuideRoutes(m)
	u.registerDomainRoutes(m)
	u.registerProfileRoutes(m)
	u.registerDataRoutes(m)
}

// csp is the Content-Security-Policy of every /admin response.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

// secure adds the security headers to every response; pages are never
// cached (the static handler overrides Cache-Control for assets).
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// loadAssets reads static/ and gives each file a fingerprinted URL
// (app.css -> /admin/static/app.1a2b3c4d5e.css) served with immutable
// caching; the plain name is served too, revalidated on every use.
func (u *UI) loadAssets() error {
	u.assets = map[string]asset{}
	u.assetOf = map[string]string{}
	return fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := path.Base(p)
		ext := path.Ext(name)
		sum := sha256.Sum256(b)
		fp := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext
		ct := map[string]string{
			".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
			".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon",
		}[ext]
		if ct == "" {
			ct = "application/octet-stream"
		}
		u.assets[fp] = asset{body: b, contentType: ct, immutable: true}
		u.assets[name] = asset{body: b, contentType: ct}
		u.assetOf[name] = Prefix + "/static/" + fp
		return nil
	})
}

// static serves an embedded asset.
func (u *UI) static(w http.ResponseWriter, r *http.Request) {
	a, ok := u.assets[r.PathValue("file")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	if a.immutable {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	_, _ = w.Write(a.body)
}

// assetURL returns the fingerprinted URL of a static file.
func (u *UI) assetURL(name string) (string, error) {
	p, ok := u.assetOf[name]
	if !ok {
		return "", fmt.Errorf("webui: no static file %q", name)
	}
	return p, nil
}

// loadTemplates parses the templates: layout.html and partial_*.html are
// shared; every other file is one page, named after the file without
// ".html" (scim.html is page "scim"), and defines "content".
func (u *UI) loadTemplates() error {
	base := template.New("layout.html").Funcs(u.funcs())
	shared, err := fs.Glob(templateFS, "templates/partial_*.html")
	if err != nil {
		return err
	}
	base, err = base.ParseFS(templateFS, append([]string{"templates/layout.html"}, shared...)...)
	if err != nil {
		return fmt.Errorf("webui: %w", err)
	}
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return err
	}
	u.pages = map[string]*template.Template{}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" || strings.HasPrefix(name, "partial_") {
			continue
		}
		t, err := base.Clone()
		if err != nil {
			return err
		}
		if _, err := t.ParseFS(templateFS, f); err != nil {
			return fmt.Errorf("webui: %w", err)
		}
		if t.Lookup("content") == nil {
			return fmt.Errorf("webui: %s defines no \"content\" template", f)
		}
		u.pages[name] = t
	}
	return nil
}
