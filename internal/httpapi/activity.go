package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/provision"
)

// The provisioning activity log (docs/troubleshooting.md, "Provisioning
// activity"): every /scim/v2 request whose team is known — it passed
// authentication in handle, or the rate limiter refused it after
// authenticating — is counted in the team's traffic, and every write,
// every failure and a sample of the successful reads (a few per second
// and key) is recorded through provision.Service.RecordActivity
// with its key, method, path and query, status, the scimType and detail
// of an error response, latency, and both bodies redacted and truncated.
// A genuine key that is refused (revoked or expired: 401; SCIM off: 403)
// names its team, so that refusal is recorded too
// (provision.RefusedCaller). Other requests refused before
// authentication (no key, unknown key, wrong secret, unknown routes) have
// no team and are not recorded.
const (
	// activityBodyLimit is the most bytes of a redacted body stored.
	activityBodyLimit = 4 << 10
	// activityCaptureLimit is the most bytes of a request body kept in
	// memory for redaction (redaction needs more than the stored 4 KiB:
	// removed values, and a PATCH operation's path after its value).
	activityCaptureLimit = 64 << 10
	// activityResponseCapture is the same for responses, which Roster
	// writes without passwords, so little more than the stored part is
	// needed.
	activityResponseCapture = 16 << 10
)

// activityNote is where the handler notes the caller of a request being
// recorded.
type activityNote struct {
	team, key string
}

type activityKey struct{}

// noteCaller tells the activity recorder which team and key a request
// belongs to (called once the request is authenticated).
func noteCaller(r *http.Request, c provision.Caller) {
	if n, ok := r.Context().Value(activityKey{}).(*activityNote); ok {
		n.team, n.key = c.TeamID, c.KeyID
	}
}

// withActivity records the SCIM requests of known teams (see above). The
// recording itself never blocks (RecordActivity drops when its queue is
// full); the redaction costs at most two passes over 64 KiB per body.
func (a *api) withActivity(next http.Handler) http.Handler {
	if !a.prov.ActivityEnabled() {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, SCIMPrefix+"/") {
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		uri := r.URL.RequestURI() // before routing cleans the path
		note := &activityNote{}
		r = r.WithContext(context.WithValue(r.Context(), activityKey{}, note))
		in := &captureReader{rc: r.Body}
		if r.Body != nil && r.Body != http.NoBody {
			in.buf = getCaptureBuf()
			r.Body = in
		}
		out := &captureWriter{ResponseWriter: w, buf: getCaptureBuf()}
		defer func() { putCaptureBuf(in.buf); putCaptureBuf(out.buf) }() // rec holds copies
		next.ServeHTTP(out, r)
		if note.team == "" {
			return
		}
		if status := out.status(); status < 400 && readOnly(r) && !a.prov.SampleActivity(note.key, start) {
			// A successful read beyond the sample: counted, not kept.
			a.prov.CountActivity(note.team, start, status)
			return
		}
		rec := core.Activity{
			TeamID:       note.team,
			At:           start.UTC().Truncate(time.Millisecond),
			KeyID:        note.key,
			Method:       r.Method,
			Path:         redactTokens(clipString(uri, activityBodyLimit)),
			Status:       out.status(),
			LatencyMS:    time.Since(start).Milliseconds(),
			RequestBody:  activityBody(in.buf, in.n, r.ContentLength, r.Header.Get("Content-Type")),
			ResponseBody: activityBody(out.buf, out.n, -1, out.Header().Get("Content-Type")),
		}
		if rec.Status >= 400 {
			var e struct {
				ScimType string `json:"scimType"`
				Detail   string `json:"detail"`
			}
			if json.Unmarshal(out.buf, &e) == nil {
				rec.SCIMType = clipString(e.ScimType, 64)
				rec.Detail = redactTokens(clipString(e.Detail, activityBodyLimit))
			}
		}
		a.prov.RecordActivity(rec)
	})
}

// readOnly reports whether a SCIM request only reads: GET, HEAD, or a
// POST of a search (RFC 7644 §3.4.3). Its details are recorded for a
// sample of the successful ones (provision.Service.SampleActivity).
func readOnly(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return true
	case http.MethodPost:
		return strings.HasSuffix(r.URL.Path, "/.search")
	}
	return false
}

// captureBufs recycles the capture buffers of withActivity, so that a
// request does not grow a new one from nothing for each body.
var captureBufs = sync.Pool{New: func() any { return new([]byte) }}

// getCaptureBuf returns an empty buffer with room for a usual response.
func getCaptureBuf() []byte {
	b := *captureBufs.Get().(*[]byte)
	if b == nil {
		b = make([]byte, 0, activityResponseCapture)
	}
	return b[:0]
}

// putCaptureBuf recycles b (nil: nothing to do).
func putCaptureBuf(b []byte) {
	if cap(b) == 0 || cap(b) > activityCaptureLimit {
		return
	}
	b = b[:0]
	captureBufs.Put(&b)
}

// captureReader keeps the first activityCaptureLimit bytes read from a
// request body and counts them all.
type captureReader struct {
	rc  io.ReadCloser
	buf []byte
	n   int64
}

func (c *captureReader) Read(p []byte) (int, error) {
	n, err := c.rc.Read(p)
	if n > 0 {
		c.n += int64(n)
		if room := activityCaptureLimit - len(c.buf); room > 0 {
			c.buf = append(c.buf, p[:min(n, room)]...)
		}
	}
	return n, err
}

func (c *captureReader) Close() error { return c.rc.Close() }

// captureWriter records the status and keeps the first
// activityResponseCapture bytes of a response body.
type captureWriter struct {
	http.ResponseWriter
	code int
	buf  []byte
	n    int64
}

func (w *captureWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *captureWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	w.n += int64(len(b))
	if room := activityResponseCapture - len(w.buf); room > 0 {
		w.buf = append(w.buf, b[:min(len(b), room)]...)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *captureWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *captureWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}

// activityBody returns the stored form of a body of which buf is the
// start and n the bytes seen (size, when not -1, its declared length): a
// JSON body with secrets removed (redactJSON), truncated to
// activityBodyLimit; anything else only as "[N bytes, content-type X]".
func activityBody(buf []byte, n, size int64, contentType string) string {
	if n == 0 {
		return ""
	}
	if size > n {
		n = size
	}
	if !isJSONBody(contentType, buf) {
		ct := contentType
		if ct == "" {
			ct = "none"
		}
		return "[" + strconv.FormatInt(n, 10) + " bytes, content-type " + redactTokens(clipString(ct, 100)) + "]"
	}
	complete := n <= int64(len(buf))
	return redactJSON(buf, complete, activityBodyLimit)
}

// isJSONBody reports whether a body is JSON: its media type is
// application/json, application/scim+json or another +json type, or it
// has none and starts like a JSON object or array.
func isJSONBody(contentType string, buf []byte) bool {
	if contentType == "" {
		t := bytes.TrimLeft(buf, " \t\r\n")
		return len(t) > 0 && (t[0] == '{' || t[0] == '[')
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// redactedValue replaces every removed secret.
const redactedValue = "[redacted]"

// tokenPattern matches what looks like a Roster API key or personal token
// (rsk_/rpt_ and base62, even truncated) and bearer credentials.
var tokenPattern = regexp.MustCompile(`(?i)(?:rsk|rpt)_[A-Za-z0-9]*|\bbearer\s+[A-Za-z0-9._~+/=-]{20,}`)

// redactTokens replaces every bearer-looking token in s.
func redactTokens(s string) string {
	if len(s) < len("bearer ")+20 && strings.IndexByte(s, '_') < 0 {
		return s // too short for a bearer token, and no rsk_/rpt_
	}
	if l := strings.ToLower(s); !strings.Contains(l, "rsk_") && !strings.Contains(l, "rpt_") && !strings.Contains(l, "bearer") {
		return s
	}
	return tokenPattern.ReplaceAllString(s, redactedValue)
}

// redactJSON re-encodes the JSON text data (complete: the whole body;
// else a prefix of it) compactly with secrets removed, and cuts the result
// to limit bytes:
//   - the value of every member named "password" (any letter case, at any
//     depth; objects and arrays too) becomes "[redacted]";
//   - in an object with a "path" member naming the password attribute
//     ("password", or a URN-qualified "...:password" — a PATCH operation),
//     the "value" member is redacted too;
//   - every bearer-looking token in a string becomes "[redacted]".
//
// Text that is not JSON stops the output where it starts, with a note.
func redactJSON(data []byte, complete bool, limit int) string {
	if complete {
		if out, ok := plainJSON(data, limit); ok {
			return out
		}
	}
	return redactJSONTokens(data, complete, limit)
}

// redactJSONTokens is redactJSON's general path: a token-by-token
// re-encoding (plainJSON is the fast path for bodies with nothing to
// redact).
func redactJSONTokens(data []byte, complete bool, limit int) string {
	marks := map[int]bool{}
	if bytes.Contains(bytes.ToLower(data), []byte(`"path"`)) {
		redactPass(data, -1, marks, false)
	}
	out, cut, bad := redactPass(data, limit, marks, true)
	switch {
	case cut || !complete:
		return out + "…[truncated]"
	case bad:
		return out + "…[not valid JSON from here]"
	}
	return out
}

// jsonFrame is one open object or array of redactPass.
type jsonFrame struct {
	obj     bool
	ord     int // the object's ordinal (0-based, in opening order)
	n       int // members or elements written
	wantKey bool
	lastKey string
}

// redactPass walks the tokens of data. Without apply it records in marks
// the ordinals of objects whose "path" names the password; with apply it
// writes the redacted text, stopping past limit (limit < 0: none). It
// returns the text, whether it was cut at limit, and whether a syntax
// error stopped it.
func redactPass(data []byte, limit int, marks map[int]bool, apply bool) (string, bool, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var b bytes.Buffer
	var stack []*jsonFrame
	objects, skip, top := 0, 0, 0
	redactNext := false
	for {
		if limit >= 0 && b.Len() > limit {
			cut := b.Bytes()[:limit]
			for len(cut) > 0 && !utf8.Valid(cut) {
				cut = cut[:len(cut)-1]
			}
			return string(cut), true, false
		}
		tok, err := dec.Token()
		if err != nil {
			return b.String(), false, !errors.Is(err, io.EOF)
		}
		if skip > 0 {
			if d, ok := tok.(json.Delim); ok {
				if d == '{' || d == '[' {
					skip++
					if d == '{' {
						objects++ // ordinals stay those of the first pass
					}
				} else {
					skip--
				}
			}
			continue
		}
		var f *jsonFrame
		if len(stack) > 0 {
			f = stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			b.WriteString(d.String())
			stack = stack[:len(stack)-1]
			afterValue(stack)
			continue
		}
		if f != nil && f.obj && f.wantKey {
			k, _ := tok.(string)
			if f.n > 0 {
				b.WriteByte(',')
			}
			writeJSONString(&b, redactTokens(k))
			b.WriteByte(':')
			f.wantKey, f.lastKey = false, k
			redactNext = strings.EqualFold(k, "password") || (strings.EqualFold(k, "value") && marks[f.ord])
			continue
		}
		switch {
		case f != nil && !f.obj && f.n > 0:
			b.WriteByte(',')
		case f == nil && top > 0:
			b.WriteByte(' ')
		}
		if f == nil {
			top++
		}
		if !apply && f != nil && f.obj && strings.EqualFold(f.lastKey, "path") {
			if s, ok := tok.(string); ok && isPasswordPath(s) {
				marks[f.ord] = true
			}
		}
		if redactNext && apply {
			redactNext = false
			writeJSONString(&b, redactedValue)
			if d, ok := tok.(json.Delim); ok && (d == '{' || d == '[') {
				skip = 1
				if d == '{' {
					objects++
				}
			}
			afterValue(stack)
			continue
		}
		redactNext = false
		switch v := tok.(type) {
		case json.Delim:
			b.WriteString(v.String())
			nf := &jsonFrame{obj: v == '{', wantKey: v == '{'}
			if nf.obj {
				nf.ord = objects
				objects++
			}
			stack = append(stack, nf)
			continue
		case string:
			writeJSONString(&b, redactTokens(v))
		case json.Number:
			b.WriteString(v.String())
		case bool:
			b.WriteString(strconv.FormatBool(v))
		case nil:
			b.WriteString("null")
		}
		afterValue(stack)
	}
}

// afterValue counts a finished value in the innermost open container.
func afterValue(stack []*jsonFrame) {
	if len(stack) == 0 {
		return
	}
	f := stack[len(stack)-1]
	f.n++
	if f.obj {
		f.wantKey = true
	}
}

// isPasswordPath reports whether a PATCH path names the password
// attribute: "password", any letter case, optionally URN-qualified.
func isPasswordPath(p string) bool {
	p = strings.TrimSpace(p)
	if i := strings.LastIndexByte(p, ':'); i >= 0 {
		p = p[i+1:]
	}
	return strings.EqualFold(p, "password")
}

func writeJSONString(b *bytes.Buffer, s string) {
	plain := true
	for i := 0; i < len(s) && plain; i++ {
		c := s[i]
		plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\'
	}
	if plain {
		b.WriteByte('"')
		b.WriteString(s)
		b.WriteByte('"')
		return
	}
	enc, _ := json.Marshal(s) // a string always marshals
	b.Write(enc)
}

// clipString cuts s to at most n bytes on a rune boundary.
func clipString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
