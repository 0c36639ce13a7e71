package scim

import "strings"

// Limits on the shape of one resource, checked on the parsed JSON before
// any attribute is decoded, coerced or stored. MaxDecodeValues bounds the
// total size of a body; these bound what one resource may carry, so that a
// single user cannot hold 30,000 emails (each of which becomes an indexed
// row) or thousands of attributes.
const (
	// MaxResourceAttributes is the largest number of attributes a POST or
	// PUT body may name: its top-level keys plus the keys of the objects
	// directly inside it (complex attributes such as "name", extension
	// objects). Roster's schemas have about 60; the rest is headroom for
	// attributes a client sends and Roster ignores. Over it: 400
	// invalidValue.
	MaxResourceAttributes = 500
	// MaxMultiValuedItems is the largest number of values one multi-valued
	// attribute (emails, phoneNumbers, addresses, roles, ...) may hold in a
	// POST or PUT body or in one PATCH operation's value. A Group's
	// "members" is exempt: it is bounded by MaxDecodeValues and, in PATCH,
	// by the members-per-PATCH limit. Over it: 400 tooMany.
	MaxMultiValuedItems = 1000
)

// checkResourceShape enforces MaxResourceAttributes and
// MaxMultiValuedItems on a resource body (or a path-less PATCH value).
func checkResourceShape(v any) error {
	keys, vals, ok := members(v)
	if !ok {
		return nil
	}
	n := len(keys)
	for i, k := range keys {
		if err := checkItems(k, vals[i]); err != nil {
			return err
		}
		if ik, iv, ok := members(vals[i]); ok {
			n += len(ik)
			for j, sk := range ik {
				if err := checkItems(sk, iv[j]); err != nil {
					return err
				}
			}
		}
	}
	if n > MaxResourceAttributes {
		return BadRequest(ErrInvalidValue, "the resource names %d attributes; at most %d are accepted", n, MaxResourceAttributes)
	}
	return nil
}

// checkItems enforces MaxMultiValuedItems on the value of attribute (or
// attribute path) name.
func checkItems(name string, v any) error {
	list, ok := v.([]any)
	if !ok || len(list) <= MaxMultiValuedItems || isMembersPath(name) {
		return nil
	}
	return BadRequest(ErrTooMany, "attribute %q has %d values; at most %d are accepted in one request", clipName(name), len(list), MaxMultiValuedItems)
}

// checkPatchValue enforces the resource limits on one PATCH operation's
// value: a path-less value is a partial resource; a value for a path is
// the attribute's new values.
func checkPatchValue(path string, v any) error {
	if strings.TrimSpace(path) == "" {
		return checkResourceShape(v)
	}
	if err := checkItems(path, v); err != nil {
		return err
	}
	if _, _, ok := members(v); ok {
		return checkResourceShape(v)
	}
	return nil
}

// isMembersPath reports whether an attribute name or path names a Group's
// members ("members", "members[...]", "urn:...:Group:members").
func isMembersPath(name string) bool {
	name = strings.ToLower(strings.TrimSpace(name))
	if i := strings.IndexByte(name, '['); i >= 0 {
		name = name[:i]
	}
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	return name == "members" || strings.HasPrefix(name, "members.")
}

// clipName shortens a client-sent name for an error detail.
func clipName(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
