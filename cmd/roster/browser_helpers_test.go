package main

// The harness of the browser tests (browser_test.go): it starts headless
// Chromium through github.com/chromedp/chromedp, drives the admin web page
// of a real `roster serve` (crash_test.go's buildRoster and startRoster),
// selects elements only by the data-testid attributes of the web page's
// contract, and saves full-page screenshots at desktop and phone widths.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/rosterhq/roster"
)

const (
	// stepTimeout bounds one browser step (a navigation, a click, a query).
	stepTimeout = 15 * time.Second
	// desktopW, desktopH and phoneW, phoneH are the screenshot viewports.
	desktopW, desktopH = 1280, 800
	phoneW, phoneH     = 390, 844
)

// chromiumPath returns the Chromium binary the browser tests use:
// ROSTER_TEST_CHROMIUM, else Debian's /usr/bin/chromium, else whatever
// chromium or google-chrome is on PATH.
func chromiumPath() string {
	if p := os.Getenv("ROSTER_TEST_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return ""
		}
		return p
	}
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// requireBrowser returns the Chromium binary, or skips the test when there
// is none — unless ROSTER_TEST_REQUIRE_BROWSER=1 (CI), where a missing
// browser fails the test.
func requireBrowser(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("starts Chromium and the real server; skipped with -short")
	}
	if raceEnabled {
		t.Skip("the server under test is built without -race; the browser side is not worth a race run")
	}
	p := chromiumPath()
	if p == "" {
		if os.Getenv("ROSTER_TEST_REQUIRE_BROWSER") == "1" {
			t.Fatal("ROSTER_TEST_REQUIRE_BROWSER=1 but no Chromium found (install Debian's chromium: .ci/browser-deps, or set ROSTER_TEST_CHROMIUM)")
		}
		t.Skip("no Chromium (/usr/bin/chromium); install it with .ci/browser-deps or set ROSTER_TEST_CHROMIUM")
	}
	return p
}

// newBrowser starts a headless Chromium with a fresh profile and returns
// the context of its first tab; the browser stops when the test ends.
func newBrowser(t *testing.T, exe string) context.Context {
	t.Helper()
	dir, err := os.MkdirTemp("", "roster-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(dir),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests run as root in CI containers
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.WindowSize(desktopW, desktopH),
		// A closed network refuses Chromium's own connections; without
		// these flags it retries them in the background.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("password-store", "basic"),
	}
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	// chromedp may log from its own goroutines: stop forwarding to the
	// test's log before the test ends.
	var ended atomic.Bool
	logf := func(format string, args ...any) {
		if !ended.Load() {
			t.Logf("chromedp: "+format, args...)
		}
	}
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithErrorf(logf))
	t.Cleanup(func() {
		ended.Store(true)
		cancel()
		acancel()
		_ = os.RemoveAll(dir)
	})
	if err := chromedp.Do(ctx); err != nil { // starts the browser, no timeout on this first call
		t.Fatalf("start Chromium %s: %v", exe, err)
	}
	return ctx
}

// tab is one browser tab on the server under test.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string // http://127.0.0.1:PORT
}

// newTab opens a tab in the browser of parent; isolated gives it its own
// cookie jar (a new browser context), like a second person's browser.
func newTab(t *testing.T, parent context.Context, base string, isolated bool) *tab {
	t.Helper()
	var opts []chromedp.ContextOption
	if isolated {
		opts = append(opts, chromedp.WithNewBrowserContext())
	}
	ctx, cancel := chromedp.NewContext(parent, opts...)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return &tab{t: t, ctx: ctx, base: base}
}

// tid is the CSS selector of a data-testid.
func tid(id string) string { return `[data-testid="` + id + `"]` }

// do runs browser steps with a per-step timeout and fails the test on error.
func (b *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v (page %s)", what, err, b.location())
	}
}

// eval evaluates a JavaScript expression and decodes its value.
func eval[T any](b *tab, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v (page %s)", expr, err, b.location())
	}
	return v
}

// location is the tab's current URL, or "?" when it cannot be read.
func (b *tab) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "?"
	}
	return u
}

// path is the path (and query) of the tab's current URL.
func (b *tab) path() string {
	b.t.Helper()
	u, err := url.Parse(b.location())
	if err != nil {
		b.t.Fatalf("location: %v", err)
	}
	if u.RawQuery != "" {
		return u.Path + "?" + u.RawQuery
	}
	return u.Path
}

// open navigates to a path of the server and waits for the page.
func (b *tab) open(path string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.base+path), chromedp.WaitReady(chromedp.CSS("body")))
}

// markJS marks the current document, so that waitNewPage can tell when a
// navigation replaced it.
const markJS = `window.__rosterOld = true; true`

// waitNewPage waits until the marked document has been replaced by a
// loaded one.
func (b *tab) waitNewPage(what string) {
	b.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		done, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__rosterOld !== true && document.readyState === "complete"`))
		cancel()
		if err == nil && done {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	b.t.Fatalf("%s: no new page after %v (page %s)", what, stepTimeout, b.location())
}

// reloadUntil reloads the page until cond holds (for what the server
// records in the background), and fails the test after stepTimeout.
func (b *tab) reloadUntil(what string, cond func() bool) {
	b.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			b.t.Fatalf("%s: not on %s after %v", what, b.location(), stepTimeout)
		}
		time.Sleep(100 * time.Millisecond)
		b.do("reload", chromedp.Reload(), chromedp.WaitReady(chromedp.CSS("body")))
	}
}

// submit clicks an element that submits a form (or follows a link) and
// waits for the page that answers.
func (b *tab) submit(id string) {
	b.t.Helper()
	b.do("mark page", discard(chromedp.Evaluate[bool](markJS)))
	b.do("click "+id, chromedp.Click(chromedp.CSS(tid(id))))
	b.waitNewPage("after clicking " + id)
}

// submitSel is submit for an arbitrary selector built from data-testids.
func (b *tab) submitSel(sel string) {
	b.t.Helper()
	b.do("mark page", discard(chromedp.Evaluate[bool](markJS)))
	b.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
	b.waitNewPage("after clicking " + sel)
}

// click clicks the first visible element with the data-testid (no
// navigation expected: a dialog, a copy button).
func (b *tab) click(id string) {
	b.t.Helper()
	b.do("click "+id, chromedp.Click(chromedp.CSS(tid(id))))
}

// waitVisible waits until an element with the data-testid is visible.
func (b *tab) waitVisible(sel string) {
	b.t.Helper()
	b.do("wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
}

// fill replaces the value of an input or select found by the selector.
func (b *tab) fill(sel, value string) {
	b.t.Helper()
	b.do("fill "+sel,
		chromedp.WaitVisible(chromedp.CSS(sel)),
		chromedp.SetValue(chromedp.CSS(sel), value),
	)
}

// text is the visible text of the first element with the data-testid.
func (b *tab) text(id string) string {
	b.t.Helper()
	return strings.TrimSpace(eval[string](b, fmt.Sprintf(
		`(() => { const e = document.querySelector(%q); if (!e) throw new Error("no element %s"); return e.innerText || e.textContent; })()`,
		tid(id), jsEscape(id))))
}

// count is the number of elements matching the selector.
func (b *tab) count(sel string) int {
	b.t.Helper()
	return eval[int](b, fmt.Sprintf(`document.querySelectorAll(%q).length`, sel))
}

// has reports whether an element with the data-testid exists.
func (b *tab) has(id string) bool { return b.count(tid(id)) > 0 }

// rows returns the attributes of every element matching the selector,
// with its visible text under "_text".
func (b *tab) rows(sel string) []map[string]string {
	b.t.Helper()
	return eval[[]map[string]string](b, fmt.Sprintf(`Array.from(document.querySelectorAll(%q)).map(e => {
		const m = {}; for (const a of e.attributes) m[a.name] = a.value;
		m._text = (e.innerText || e.textContent || "").trim(); return m; })`, sel))
}

// attr is an attribute of the first element matching the selector ("" if
// it has none).
func (b *tab) attr(sel, name string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) throw new Error("no element"); return e.getAttribute(%q) || ""; })()`, sel, name))
}

// jsEscape keeps a string safe inside a JavaScript string literal.
func jsEscape(s string) string { return strings.NewReplacer(`"`, `\"`, `\`, `\\`).Replace(s) }

// flash returns the kind and text of the page's flash message ("" when
// there is none).
func (b *tab) flash() (kind, text string) {
	b.t.Helper()
	rs := b.rows(tid("flash"))
	if len(rs) == 0 {
		return "", ""
	}
	return rs[0]["data-kind"], rs[0]["_text"]
}

// cookies returns the browser's cookies for the server.
func (b *tab) cookies() []*network.Cookie {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{b.base + "/"}})
	if err != nil {
		b.t.Fatalf("get cookies: %v", err)
	}
	return res.Cookies
}

// sessionCookie is the value of the browser's session cookie ("" if none).
func (b *tab) sessionCookie() string {
	for _, c := range b.cookies() {
		if c.Name == roster.SessionCookie {
			return c.Value
		}
	}
	return ""
}

// setSessionCookie replaces (or, with "", deletes) the browser's session
// cookie.
func (b *tab) setSessionCookie(value string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, network.DeleteCookies, network.DeleteCookiesParams{Name: roster.SessionCookie, URL: b.base + "/"}); err != nil {
		b.t.Fatalf("delete cookie: %v", err)
	}
	if value == "" {
		return
	}
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: roster.SessionCookie, Value: value, URL: b.base + "/", Path: "/"}); err != nil {
		b.t.Fatalf("set cookie: %v", err)
	}
}

// grantClipboard lets the page read and write the clipboard, so a test can
// read what a copy button copied. It reports whether Chromium agreed.
func (b *tab) grantClipboard() bool {
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		_, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission:       &browser.PermissionDescriptor{Name: name, AllowWithoutSanitization: true},
			Setting:          browser.PermissionSettingGranted,
			Origin:           b.base,
			BrowserContextID: chromedp.FromContext(b.ctx).BrowserContextID,
		})
		if err != nil {
			b.t.Logf("clipboard permission %s not granted: %v", name, err)
			return false
		}
	}
	return true
}

// readClipboard reads the clipboard's text through the page ("" and false
// when the browser refuses).
func (b *tab) readClipboard() (string, bool) {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Logf("clipboard not readable: %v", err)
		return "", false
	}
	return s, true
}

// screenshotDir is where the test run saves screenshots: the repository's
// artifacts/screenshots (git-ignored), or ROSTER_SCREENSHOT_DIR.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("ROSTER_SCREENSHOT_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "artifacts", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// docImages are the screenshots `make screenshots`
// (ROSTER_UPDATE_DOC_IMAGES=1) copies to docs/img for the README and the
// docs.
var docImages = map[string]bool{
	"dashboard-desktop.png": true,
	"scim-key-desktop.png":  true,
	"scim-key-phone.png":    true,
	"members-desktop.png":   true,
	"activity-desktop.png":  true,
}

// shots records the screenshots taken, for the copy to docs/img.
var shots sync.Map

// layoutProblems are the pages that overflow the phone width; the test
// reports them at its end, so that they do not stop the journey.
var (
	layoutMu       sync.Mutex
	layoutProblems []string
)

// yes is true, for the protocol's optional booleans.
var yes = true

// shotTime is the time spent taking screenshots, in nanoseconds.
var shotTime atomic.Int64

// secrets are the key secrets screenshots must not show.
var (
	secretsMu sync.Mutex
	secrets   []string
)

// maskSecret makes every later screenshot replace the secret, in the
// page's text and in its fields, with its first 8 characters and dots.
func maskSecret(s string) {
	secretsMu.Lock()
	defer secretsMu.Unlock()
	secrets = append(secrets, s)
}

// maskJS replaces the secrets passed as its argument list in the page's
// text nodes and field values, and reports whether any is still visible.
const maskJS = `(secrets) => {
	const mask = s => s.slice(0, 8) + "•".repeat(24) + " (masked)";
	const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	for (let n = walk.nextNode(); n; n = walk.nextNode())
		for (const s of secrets) if (n.nodeValue.includes(s)) n.nodeValue = n.nodeValue.split(s).join(mask(s));
	for (const f of document.querySelectorAll("input, textarea"))
		for (const s of secrets) if (f.value.includes(s)) f.value = f.value.split(s).join(mask(s));
	const seen = document.body.innerText + " " + [...document.querySelectorAll("input, textarea")].map(f => f.value).join(" ");
	return secrets.some(s => seen.includes(s));
}`

// mask applies maskJS to the tab's page and fails the test when a secret
// would still show.
func (b *tab) mask() {
	b.t.Helper()
	secretsMu.Lock()
	list := slices.Clone(secrets)
	secretsMu.Unlock()
	if len(list) == 0 {
		return
	}
	arg, _ := json.Marshal(list)
	if eval[bool](b, "("+maskJS+")("+string(arg)+")") {
		b.t.Fatal("a key secret is still visible after masking: the screenshot would show it")
	}
}

// overflowJS measures horizontal overflow at the current width: the
// document's scroll width, the viewport's width, and the elements that
// stick out of the viewport without a scrolling ancestor to contain them.
const overflowJS = `(() => {
	const W = document.documentElement.clientWidth, out = [];
	for (const e of document.body.querySelectorAll("*")) {
		const r = e.getBoundingClientRect();
		if (r.width === 0 || r.right <= W + 1) continue;
		let p = e.parentElement, contained = false;
		while (p && p !== document.body) {
			if (getComputedStyle(p).overflowX !== "visible") { contained = true; break; }
			p = p.parentElement;
		}
		if (!contained) out.push(e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
			(typeof e.className === "string" && e.className ? "." + e.className.trim().split(/\s+/).join(".") : "") + " (right edge " + Math.round(r.right) + "px)");
	}
	return {scroll: document.documentElement.scrollWidth, width: W, culprits: out.slice(0, 4)};
})()`

// overflow is the result of overflowJS.
type overflow struct {
	Scroll   int      `json:"scroll"`
	Width    int      `json:"width"`
	Culprits []string `json:"culprits"`
}

// screenshot saves full-page PNGs of the current page at desktop and
// phone widths as <name>-desktop.png and <name>-phone.png, and leaves the
// viewport at desktop width. The viewport is made as tall as the page
// before the capture (a capture beyond the viewport would re-resolve 100vh
// against the whole capture and add empty space). A page that overflows
// the phone width sideways is recorded in layoutProblems.
func (b *tab) screenshot(name string) {
	b.t.Helper()
	b.shoot(name, true)
}

// screenshotViewport is screenshot for a state that lives in the
// viewport, such as an open modal dialog: it captures the viewport only.
func (b *tab) screenshotViewport(name string) {
	b.t.Helper()
	b.shoot(name, false)
}

// shoot takes the screenshots of screenshot and screenshotViewport.
func (b *tab) shoot(name string, fullPage bool) {
	b.t.Helper()
	began := time.Now()
	defer func() { shotTime.Add(int64(time.Since(began))) }()
	dir := screenshotDir(b.t)
	b.mask()
	settle := discard(chromedp.Evaluate[bool](`new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`, chromedp.EvalAwaitPromise))
	for _, v := range []struct {
		suffix string
		w, h   int64
		mobile bool
	}{{"desktop", desktopW, desktopH, false}, {"phone", phoneW, phoneH, true}} {
		opts := []chromedp.EmulateViewportOption{chromedp.EmulatePortrait}
		if v.mobile {
			opts = append(opts, chromedp.EmulateMobile)
			if os.Getenv("ROSTER_UPDATE_DOC_IMAGES") == "1" {
				// crisp phone images for the docs; CI's artifacts stay
				// at 1x, four times fewer pixels to encode
				opts = append(opts, chromedp.EmulateScale(2))
			}
		}
		ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
		err := chromedp.Do(ctx, chromedp.EmulateViewport(v.w, v.h, opts...), settle)
		var height int64
		if err == nil {
			height, err = chromedp.Run(ctx, chromedp.Evaluate[int64](`Math.ceil(Math.max(document.documentElement.scrollHeight, document.body.scrollHeight))`))
		}
		var ov overflow
		if err == nil && v.mobile {
			ov, err = chromedp.Run(ctx, chromedp.Evaluate[overflow](overflowJS))
		}
		if err == nil && fullPage && height > v.h {
			err = chromedp.Do(ctx, chromedp.EmulateViewport(v.w, height, opts...), settle)
		}
		var png []byte
		if err == nil {
			// Fast encoding for CI's artifacts; small files for the docs.
			fast := os.Getenv("ROSTER_UPDATE_DOC_IMAGES") != "1"
			var res page.CaptureScreenshotResult
			res, err = chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{
				Format: page.CaptureScreenshotFormatPng, FromSurface: &yes, OptimizeForSpeed: &fast,
			})
			png = res.Data
		}
		cancel()
		if err != nil {
			b.t.Fatalf("screenshot %s-%s: %v", name, v.suffix, err)
		}
		file := name + "-" + v.suffix + ".png"
		if err := os.WriteFile(filepath.Join(dir, file), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
		shots.Store(file, filepath.Join(dir, file))
		if ov.Scroll > ov.Width+1 {
			layoutMu.Lock()
			layoutProblems = append(layoutProblems, fmt.Sprintf("%s at %dpx: the page scrolls sideways (%dpx wide); sticking out: %s",
				file, ov.Width, ov.Scroll, strings.Join(ov.Culprits, ", ")))
			layoutMu.Unlock()
		}
	}
	b.do("reset viewport", chromedp.EmulateViewport(desktopW, desktopH))
}

// cleanScreenshots removes the screenshots of an earlier run.
func cleanScreenshots(t *testing.T) {
	t.Helper()
	old, _ := filepath.Glob(filepath.Join(screenshotDir(t), "*.png"))
	for _, f := range old {
		if strings.HasSuffix(f, "-desktop.png") || strings.HasSuffix(f, "-phone.png") {
			_ = os.Remove(f)
		}
	}
}

// copyDocImages copies the main screenshots to docs/img when
// ROSTER_UPDATE_DOC_IMAGES=1 (`make screenshots`).
func copyDocImages(t *testing.T) {
	t.Helper()
	if os.Getenv("ROSTER_UPDATE_DOC_IMAGES") != "1" {
		return
	}
	dst := filepath.Join("..", "..", "docs", "img")
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	for file := range docImages {
		src, ok := shots.Load(file)
		if !ok {
			t.Errorf("ROSTER_UPDATE_DOC_IMAGES: screenshot %s was not taken", file)
			continue
		}
		if err := copyFile(src.(string), filepath.Join(dst, "admin-"+file)); err != nil {
			t.Error(err)
		}
	}
}

// copyFile copies a file's bytes.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// apiClient is an admin API client signed in as email (no token: a session
// in its cookie jar, CSRF handled by the SDK).
func apiClient(t *testing.T, base, email, password string) *roster.Client {
	t.Helper()
	c := newAPIClient(t, base)
	if _, err := c.SignIn(context.Background(), email, password); err != nil {
		t.Fatalf("sign in %s: %v", email, err)
	}
	return c
}

// newAPIClient is an admin API client with an empty cookie jar.
func newAPIClient(t *testing.T, base string) *roster.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c, err := roster.NewClient(base, roster.WithHTTPClient(&http.Client{Jar: jar, Timeout: 10 * time.Second}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// rawPost sends a form POST to the web page as a browser with the given
// session cookie would, without following redirects, and returns the
// status, the Location header and the body.
func rawPost(t *testing.T, base, path, session string, form url.Values) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	if session != "" {
		req.AddCookie(&http.Cookie{Name: roster.SessionCookie, Value: session})
	}
	hc := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	return res.StatusCode, res.Header.Get("Location"), string(body)
}

// discard makes an action that returns a value into a step of chromedp.Do.
func discard[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := a(ctx, t)
		return chromedp.Void{}, err
	}
}
