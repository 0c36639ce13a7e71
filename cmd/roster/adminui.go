package main

import (
	"net/http"
	"strings"

	"github.com/rosterhq/roster/internal/webui"
)

// withAdminUI serves the admin web page (internal/webui) under /admin and
// redirects a browser's GET / there; every other path goes to the Roster
// handler unchanged (/scim/v2, /api/v1, /healthz, /readyz, /metrics). A
// plain prefix switch, not a ServeMux, so the SCIM handler keeps its own
// answers for unclean paths.
func withAdminUI(api, ui http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		switch {
		case p == webui.Prefix || strings.HasPrefix(p, webui.Prefix+"/"):
			ui.ServeHTTP(w, r)
		case p == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
			http.Redirect(w, r, webui.Prefix+"/", http.StatusFound)
		default:
			api.ServeHTTP(w, r)
		}
	})
}
