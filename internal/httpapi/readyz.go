package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// ReadyCheck is one condition GET /readyz requires, besides the database
// answering.
type ReadyCheck struct {
	// Name labels the check in the /readyz body ("migrations",
	// "shutdown", ...).
	Name string
	// Check returns nil when the condition holds. Its error is logged,
	// never sent.
	Check func(ctx context.Context) error
}

// readyTimeout bounds each readiness check.
const readyTimeout = 2 * time.Second

// serveReadyz answers GET /readyz: 200 when the database answers
// (provision's Ready) and every configured check passes, else 503; the
// JSON body names each check with "ok" or "failed". /healthz stays the
// liveness probe.
func (a *api) serveReadyz(checks []ReadyCheck) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		all := append([]ReadyCheck{{Name: "database", Check: a.prov.Ready}}, checks...)
		out := map[string]string{}
		status := http.StatusOK
		for _, c := range all {
			ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
			err := c.Check(ctx)
			cancel()
			if err != nil {
				status = http.StatusServiceUnavailable
				out[c.Name] = "failed"
				a.log.LogAttrs(r.Context(), slog.LevelWarn, "readiness check failed",
					slog.String("check", c.Name), slog.String("err", err.Error()))
				continue
			}
			out[c.Name] = "ok"
		}
		state := "ok"
		if status != http.StatusOK {
			state = "unavailable"
		}
		w.Header().Set("Cache-Control", "no-store")
		if status != http.StatusOK {
			w.Header().Set("Retry-After", "1")
		}
		writeJSON(w, status, map[string]any{"status": state, "checks": out})
	}
}
