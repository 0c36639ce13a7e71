package httpapi

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"
)

// reqInfo is what the middleware knows of a request, for the access log
// and error responses. Handlers fill in route and team.
type reqInfo struct {
	id    string
	route string
	team  string
	start time.Time
}

type infoKey struct{}

// requestInfo returns the request's reqInfo, or nil outside ServeHTTP.
func requestInfo(r *http.Request) *reqInfo {
	info, _ := r.Context().Value(infoKey{}).(*reqInfo)
	return info
}

// requestID returns the request's id, or "".
func requestID(r *http.Request) string {
	if info := requestInfo(r); info != nil {
		return info.id
	}
	return ""
}

// begin starts a request: it takes the caller's X-Request-Id when it is a
// short token (else makes one), echoes it, and returns the wrapped writer,
// the request carrying its reqInfo, and the function that writes the
// access log line.
func (a *api) begin(w http.ResponseWriter, r *http.Request) (*statusWriter, *http.Request, func()) {
	info := &reqInfo{id: r.Header.Get("X-Request-Id"), start: time.Now()}
	if !validRequestID(info.id) {
		info.id = rand.Text()
	}
	w.Header().Set("X-Request-Id", info.id)
	sw := &statusWriter{ResponseWriter: w}
	r = r.WithContext(context.WithValue(r.Context(), infoKey{}, info))
	return sw, r, func() {
		route := info.route
		if route == "" {
			route = "unmatched"
		}
		a.log.LogAttrs(r.Context(), slog.LevelInfo, "http request",
			slog.String("request_id", info.id),
			slog.String("method", r.Method),
			slog.String("route", route),
			slog.Int("status", sw.status()),
			slog.Float64("duration_ms", float64(time.Since(info.start).Microseconds())/1000),
			slog.Int64("bytes", sw.bytes),
			slog.String("team", info.team),
		)
	}
}

// validRequestID accepts 1 to 64 characters of [A-Za-z0-9._-].
func validRequestID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// recoverPanic turns a panic in a handler into a logged 500 SCIM error
// (when nothing was written yet). http.ErrAbortHandler is re-raised, as
// net/http expects.
func (a *api) recoverPanic(w *statusWriter, r *http.Request) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler { //nolint:errorlint // a panic value, compared as net/http does
		panic(v)
	}
	a.log.LogAttrs(r.Context(), slog.LevelError, "panic in handler",
		slog.String("request_id", requestID(r)),
		slog.String("panic", fmt.Sprint(v)),
		slog.String("stack", string(debug.Stack())),
	)
	if !w.wrote {
		a.writeError(w, r, errPanic)
	}
}

// statusWriter records the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	code  int
	wrote bool
	bytes int64
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.code, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) status() int {
	if !w.wrote {
		return http.StatusOK
	}
	return w.code
}
