package httpapi

import (
	"context"
	"log/slog"
	"strings"
)

// RedactEmail hides the local part of every email address in s but its
// first character: "ada.lovelace@example.com" becomes "a***@example.com".
// The domain is kept (it names the tenant's verified domain, useful when
// debugging, and is not personal). Text without '@' is returned as is.
func RedactEmail(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	var b strings.Builder
	for {
		at := strings.IndexByte(s, '@')
		if at < 0 {
			b.WriteString(s)
			return b.String()
		}
		start := at
		for start > 0 && isLocalChar(s[start-1]) {
			start--
		}
		end := at + 1
		for end < len(s) && isDomainChar(s[end]) {
			end++
		}
		if start == at || end == at+1 { // not an address: keep the '@'
			b.WriteString(s[:at+1])
			s = s[at+1:]
			continue
		}
		b.WriteString(s[:start])
		b.WriteByte(s[start])
		b.WriteString("***@")
		b.WriteString(s[at+1 : end])
		s = s[end:]
	}
}

func isLocalChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-/=?^_`{|}~.", c) >= 0 || c >= 0x80
}

func isDomainChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c >= 0x80
}

// NewRedactingHandler returns a slog.Handler that passes every record to
// h with the email addresses in its message and string attribute values
// (groups included) redacted by RedactEmail. cmd/roster installs it by
// default, so no package has to remember to redact.
func NewRedactingHandler(h slog.Handler) slog.Handler { return redactingHandler{h} }

type redactingHandler struct{ h slog.Handler }

func (r redactingHandler) Enabled(ctx context.Context, l slog.Level) bool { return r.h.Enabled(ctx, l) }

func (r redactingHandler) Handle(ctx context.Context, rec slog.Record) error {
	if !needsRedaction(rec) {
		return r.h.Handle(ctx, rec) // the common case: no '@' anywhere, nothing to copy
	}
	out := slog.NewRecord(rec.Time, rec.Level, RedactEmail(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return r.h.Handle(ctx, out)
}

// needsRedaction reports whether RedactEmail could change the record:
// its message or a string, error or Stringer attribute (in groups too)
// holds an '@'. Other kinds are passed as they are by redactAttr as well.
func needsRedaction(rec slog.Record) bool {
	if strings.IndexByte(rec.Message, '@') >= 0 {
		return true
	}
	found := false
	rec.Attrs(func(a slog.Attr) bool {
		found = attrNeedsRedaction(a)
		return !found
	})
	return found
}

func attrNeedsRedaction(a slog.Attr) bool {
	v := a.Value
	switch v.Kind() {
	case slog.KindString:
		return strings.IndexByte(v.String(), '@') >= 0
	case slog.KindGroup:
		for _, x := range v.Group() {
			if attrNeedsRedaction(x) {
				return true
			}
		}
		return false
	case slog.KindAny, slog.KindLogValuer:
		return true // errors, Stringers and LogValuers: let redactAttr decide
	}
	return false
}

func (r redactingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(as))
	for i, a := range as {
		red[i] = redactAttr(a)
	}
	return redactingHandler{r.h.WithAttrs(red)}
}

func (r redactingHandler) WithGroup(name string) slog.Handler {
	return redactingHandler{r.h.WithGroup(name)}
}

func redactAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, RedactEmail(v.String()))
	case slog.KindGroup:
		g := v.Group()
		red := make([]any, len(g))
		for i, x := range g {
			red[i] = redactAttr(x)
		}
		return slog.Group(a.Key, red...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, RedactEmail(err.Error()))
		}
		if s, ok := v.Any().(interface{ String() string }); ok {
			return slog.String(a.Key, RedactEmail(s.String()))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
