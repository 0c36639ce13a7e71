package provision

import (
	"fmt"
	"strings"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim"
)

// Use cases return *scim.Error for protocol errors that carry their own
// status (400 with a scimType, 413) and *core.Error for the rest, whose
// Kind picks the status and whose Code is the SCIM scimType when there is
// one. The transport maps both; any other error is an internal failure
// whose text is never shown.

// notFound is the 404 of a resource that does not exist for this team —
// unknown, deleted, or another team's (RFC 7644 §3.12).
func notFound(rt *scim.ResourceType, id string) error {
	return core.NotFound("%s %q not found", rt.Name, clip(id))
}

// conflict is a 409 uniqueness error (RFC 7644 §3.12).
func conflict(format string, args ...any) error {
	return core.Errorf(core.KindConflict, scim.ErrUniqueness, format, args...)
}

// invalid is a 400 invalidValue error (RFC 7644 §3.12).
func invalid(format string, args ...any) error {
	return scim.BadRequest(scim.ErrInvalidValue, format, args...)
}

// preconditionFailed is the 412 of a failed If-Match / If-None-Match
// (RFC 7644 §3.14).
func preconditionFailed(rt *scim.ResourceType, id string) error {
	return core.Errorf(core.KindPrecondition, "",
		"%s %q has changed: its version does not match If-Match (or matches If-None-Match); read it again and retry", rt.Name, clip(id))
}

// isConflict reports whether err is a uniqueness conflict from the store.
func isConflict(err error) bool { return core.IsKind(err, core.KindConflict) }

// clip shortens client input echoed in an error detail.
func clip(s string) string {
	const max = 100
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}

// listIDs formats ids for an error detail, at most 20 of them.
func listIDs(ids []string) string {
	const max = 20
	quoted := make([]string, 0, min(len(ids), max))
	for i, id := range ids {
		if i == max {
			break
		}
		quoted = append(quoted, fmt.Sprintf("%q", clip(id)))
	}
	s := strings.Join(quoted, ", ")
	if len(ids) > max {
		s += fmt.Sprintf(" and %d more", len(ids)-max)
	}
	return s
}
