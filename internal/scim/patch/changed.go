package patch

import "reflect"

// Changed reports whether after differs from before, two canonical
// documents (see package scim): whether a PATCH changed the resource. RFC
// 7644 §3.5.2.1 says an add of what is already there SHALL NOT change the
// modify timestamp; callers use Changed to keep meta.lastModified and the
// version, and to skip the audit event, when a PATCH (Okta's repeated
// group rename, a member added twice) changed nothing. Values are compared
// exactly: a change of letter case is a change.
func Changed(before, after map[string]any) bool {
	return !equal(before, after)
}

// equal reports whether two canonical values are identical. Maps and
// slices compare by content; a nil map equals an empty one, and a nil
// slice an empty one.
func equal(x, y any) bool {
	switch a := x.(type) {
	case map[string]any:
		b, ok := y.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, av := range a {
			bv, has := b[k]
			if !has || !equal(av, bv) {
				return false
			}
		}
		return true
	case []any:
		b, ok := y.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !equal(a[i], b[i]) {
				return false
			}
		}
		return true
	case string:
		b, ok := y.(string)
		return ok && a == b
	case bool:
		b, ok := y.(bool)
		return ok && a == b
	case int64:
		b, ok := y.(int64)
		return ok && a == b
	case float64:
		b, ok := y.(float64)
		return ok && a == b
	case nil:
		return y == nil
	}
	return reflect.DeepEqual(x, y)
}
