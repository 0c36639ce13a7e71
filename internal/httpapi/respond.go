package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	"github.com/rosterhq/roster/internal/provision"
	"github.com/rosterhq/roster/internal/scim"
)

// contentType is the media type of every response (RFC 7644 §3.1).
const contentType = "application/scim+json; charset=utf-8"

// writeJSON writes v as a JSON response with the SCIM content type.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only values this package builds are encoded; they always marshal.
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"schemas":["` + scim.ErrorSchema + `"],"status":"500","detail":"internal server error"}`)
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// writeEmpty writes a response without a body (204, 304).
func writeEmpty(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
}

// writeResource writes a single resource with its ETag and Location
// (RFC 7644 §3.1, §3.14).
func (a *api) writeResource(w http.ResponseWriter, r *http.Request, status int, res *provision.Resource) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("ETag", res.ETag())
	h.Set("Location", res.Location(a.scimBase(r)))
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	if err := res.WriteJSON(r.Context(), w, a.scimBase(r)); err != nil {
		a.logWriteError(r, err)
	}
}

// writeList writes a ListResponse.
func (a *api) writeList(w http.ResponseWriter, r *http.Request, l *provision.List) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	if err := l.WriteJSON(r.Context(), w, a.scimBase(r)); err != nil {
		a.logWriteError(r, err)
	}
}

// logWriteError logs a failure while streaming a response body, when the
// status has been sent and nothing better can be done.
func (a *api) logWriteError(r *http.Request, err error) {
	a.log.LogAttrs(r.Context(), slog.LevelWarn, "response body incomplete",
		slog.String("request_id", requestID(r)),
		slog.String("route", routeOf(r)),
		slog.String("err", err.Error()),
	)
}

// readBody reads a request body of at most limit bytes. The content type
// must be application/scim+json or application/json (RFC 7644 §3.1;
// parameters such as charset are fine; a missing one is accepted); else
// 415. A body over the limit is 413.
func (a *api) readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); strings.TrimSpace(ct) != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/scim+json" && mt != "application/json") {
			return nil, errUnsupportedMedia(ct)
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		return nil, scim.BadRequest(scim.ErrInvalidSyntax, "the request body could not be read")
	}
	return body, nil
}

// conditions reads If-Match and If-None-Match (RFC 9110 §13.1.1-2): lists
// of entity tags, or "*".
func conditions(r *http.Request) provision.Conditions {
	return provision.Conditions{
		IfMatch:     etagList(r.Header.Values("If-Match")),
		IfNoneMatch: etagList(r.Header.Values("If-None-Match")),
	}
}

func etagList(values []string) []string {
	var out []string
	for _, v := range values {
		for t := range strings.SplitSeq(v, ",") {
			if t = strings.TrimSpace(t); t != "" {
				out = append(out, t)
			}
		}
	}
	return out
}

// options reads the attribute selection (RFC 7644 §3.9) and the
// preconditions of a single-resource request.
func options(r *http.Request) (provision.Options, bool, error) {
	sr, err := scim.SearchRequestFromQuery(r.URL.Query())
	if err != nil {
		return provision.Options{}, false, err
	}
	asked := len(sr.Attributes) > 0 || len(sr.ExcludedAttributes) > 0
	return provision.Options{
		Attributes:         sr.Attributes,
		ExcludedAttributes: sr.ExcludedAttributes,
		Conditions:         conditions(r),
	}, asked, nil
}

// isTooLarge reports whether err is a body over its limit.
func isTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// clipped shortens client input echoed in an error detail.
func clipped(s string) string {
	if len(s) > 100 {
		return s[:100] + "…"
	}
	return s
}
