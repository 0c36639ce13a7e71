package webui

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var (
	controlRE = regexp.MustCompile(`<(input|select|textarea)\b[^>]*>`)
	idRE      = regexp.MustCompile(`\sid="([^"]+)"`)
	typeRE    = regexp.MustCompile(`\btype="([^"]+)"`)
	thRE      = regexp.MustCompile(`<th\b[^>]*>`)
)

// The markup rules of the pages: every visible form control has a
// <label for>, every table header cell a scope, ids are unique, the page
// has a language and a main landmark.
func TestAccessibleMarkup(t *testing.T) {
	e := newEnv(t)
	anon := e.browser()
	bodies := map[string]string{
		"setup": anon.get(Prefix + "/setup").body,
		"login": anon.get(Prefix + "/login").body,
	}
	b := e.setupAdmin()
	r, _ := newKey(t, b, url.Values{"name": {"okta"}})
	bodies["scim with a new key"] = r.body
	b.submit(Prefix+"/t/acme/domains", url.Values{"domain": {"acme.test"}})
	for _, p := range []string{"/t/acme/domains", "/profile", "/t/acme/guides/okta", "/t/acme/guides/entra", "/nope"} {
		bodies[p] = b.get(Prefix + p).body
	}
	for name, body := range bodies {
		if !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, `<main id="main"`) {
			t.Errorf("%s: no lang or main landmark", name)
		}
		seen := map[string]bool{}
		for _, m := range idRE.FindAllStringSubmatch(body, -1) {
			if seen[m[1]] {
				t.Errorf("%s: duplicate id %q", name, m[1])
			}
			seen[m[1]] = true
		}
		for _, c := range controlRE.FindAllString(body, -1) {
			if ty := typeRE.FindStringSubmatch(c); ty != nil && ty[1] == "hidden" {
				continue
			}
			id := idRE.FindStringSubmatch(c)
			if id == nil || !strings.Contains(body, `<label for="`+id[1]+`"`) {
				t.Errorf("%s: control without a label: %s", name, c)
			}
		}
		for _, th := range thRE.FindAllString(body, -1) {
			if !strings.Contains(th, "scope=") {
				t.Errorf("%s: <th> without scope: %s", name, th)
			}
		}
		if strings.Contains(body, "<a ") && strings.Contains(body, `href="#"`) {
			t.Errorf("%s: a link used as a button", name)
		}
	}
}
