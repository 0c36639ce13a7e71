package filter

import (
	"fmt"

	"github.com/rosterhq/roster/internal/scim"
)

// invalidFilterf returns the 400 invalidFilter error of RFC 7644 §3.12
// ("The specified filter syntax was invalid ... or the specified attribute
// and filter comparison combination is not supported").
func invalidFilterf(format string, args ...any) error {
	return scim.BadRequest(scim.ErrInvalidFilter, format, args...)
}

// describe names a token for an error message.
func describe(src string, t token) string {
	if t.kind == tokEOF {
		return "end of input"
	}
	text := src[t.pos:t.end]
	const max = 40
	if len(text) > max {
		return fmt.Sprintf("%q...", text[:max])
	}
	return fmt.Sprintf("%q", text)
}

// unexpected reports token t where what was expected.
func unexpected(src string, t token, expected string) error {
	return invalidFilterf("unexpected %s at offset %d; expected %s", describe(src, t), t.pos, expected)
}
