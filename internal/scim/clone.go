package scim

// Clone returns a deep copy of a canonical document (see the package doc):
// maps and slices are copied at every level; strings, booleans and numbers
// are values. A nil doc gives nil.
func Clone(doc map[string]any) map[string]any {
	if doc == nil {
		return nil
	}
	return cloneMap(doc)
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return cloneMap(t)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = cloneValue(e)
		}
		return out
	case []string:
		return append([]string(nil), t...)
	}
	return v
}
