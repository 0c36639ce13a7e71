package patch

import "github.com/rosterhq/roster/internal/scim"

// primaries returns those of the indexes idx whose value in list has
// "primary": true.
func primaries(list []any, idx []int) []int {
	var out []int
	for _, i := range idx {
		if isPrimary(list[i]) {
			out = append(out, i)
		}
	}
	return out
}

func isPrimary(el any) bool {
	m, ok := el.(map[string]any)
	return ok && m["primary"] == true
}

// fixPrimary enforces RFC 7644 §3.5.2: "a PATCH operation that sets a
// value's "primary" sub-attribute to "true" SHALL cause the server to
// automatically set "primary" to "false" for any other values in the
// array". set holds the indexes of the values the operation made primary.
// Two of them is 400 invalidValue (RFC 7643 §2.4: "The primary attribute
// value "true" MUST appear no more than once"). The other values are
// changed in place; only those that had "primary": true are touched.
func fixPrimary(a *scim.Attribute, list []any, set []int) error {
	if len(set) == 0 || a.Sub("primary") == nil {
		return nil
	}
	if len(set) > 1 {
		return scim.BadRequest(scim.ErrInvalidValue, "the operation makes %d values of %q primary; at most one may be (RFC 7643 §2.4)", len(set), a.Name)
	}
	for i, el := range list {
		if i == set[0] || !isPrimary(el) {
			continue
		}
		m := el.(map[string]any)
		out := make(map[string]any, len(m))
		for k, v := range m {
			out[k] = v
		}
		out["primary"] = false
		list[i] = out
	}
	return nil
}
