package patch

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"

	"github.com/rosterhq/roster/internal/scim"
)

// decodeValue reads an operation's "value" with UseNumber, as
// scim.CoerceValue expects. present is false when the operation has no
// value; a JSON null is present with v == nil. Malformed JSON is
// invalidValue (RFC 7644 §3.12: the value is not compatible with the
// operation).
func decodeValue(raw json.RawMessage) (v any, present bool, err error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, false, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, false, scim.BadRequest(scim.ErrInvalidValue, "\"value\" is not valid JSON")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, false, scim.BadRequest(scim.ErrInvalidValue, "\"value\" has data after the JSON value")
	}
	return v, true, nil
}

// jsonKind names the JSON type of a decoded value for an error detail.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	}
	return "a value"
}

// sortedKeys returns the keys of a JSON object in byte order, the order in
// which a path-less value's attributes apply (scim.DecodePatchRequest
// re-encodes values with sorted keys; a key "name" applies before
// "name.givenName").
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// scan checks the keys of v, a client's value for the complex attribute a
// (an object, or for a multi-valued attribute an array of objects), before
// scim.CoerceValue reads it: a readOnly sub-attribute is mutability unless
// q.IgnoreReadOnlyInValue, an unknown one invalidValue unless
// q.UnknownAttributesIgnored (CoerceValue then drops both). It returns the
// sub-attributes that the object v sets to null (RFC 7643 §2.5: unassign),
// which CoerceValue drops too.
func (e *engine) scan(a *scim.Attribute, v any) (nulls []*scim.Attribute, err error) {
	if !a.IsComplex() {
		return nil, nil
	}
	if list, ok := v.([]any); ok && a.MultiValued {
		for _, it := range list {
			if _, err := e.scan(a, it); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, nil
	}
	// Report the first offending key in byte order, so that the detail
	// does not depend on map order.
	var bad string
	var badErr error
	for k := range m {
		sub := a.Sub(k)
		var err error
		switch {
		case sub == nil:
			if !e.q.UnknownAttributesIgnored {
				err = scim.BadRequest(scim.ErrInvalidValue, "%q has no sub-attribute %q", a.Name, clip(k))
			}
		case sub.Mutability == scim.ReadOnly:
			if !e.q.IgnoreReadOnlyInValue {
				err = scim.BadRequest(scim.ErrMutability, "%s.%s is readOnly", a.Name, sub.Name)
			}
		}
		if err != nil && (badErr == nil || k < bad) {
			bad, badErr = k, err
		}
	}
	if badErr != nil {
		return nil, badErr
	}
	for _, sub := range a.SubAttributes {
		// Names are case-insensitive (RFC 7643 §2.1); of two spellings
		// CoerceValue keeps the one sorting last, and so does this.
		if k, ok := lastSpelling(m, sub.Name); ok && m[k] == nil && sub.Mutability != scim.ReadOnly {
			nulls = append(nulls, sub)
		}
	}
	return nulls, nil
}

// lastSpelling returns the key of m, in byte order the last, that names
// the attribute called name.
func lastSpelling(m map[string]any, name string) (string, bool) {
	last, found := "", false
	for k := range m {
		if strings.EqualFold(k, name) && (!found || k > last) {
			last, found = k, true
		}
	}
	return last, found
}

// coerce converts v, a client's value for attribute a, into a canonical
// value (scim.CoerceValue) and drops what a client cannot set (readOnly and
// writeOnly sub-attributes, scim.StripReadOnly). It returns nil when
// nothing is left. For an identity attribute (Group members) every value
// must have a non-empty "value".
func (e *engine) coerce(a *scim.Attribute, v any) (any, error) {
	if _, err := e.scan(a, v); err != nil {
		return nil, err
	}
	cv, err := scim.CoerceValue(a, v, e.q)
	if err != nil {
		return nil, asSCIM(err, scim.ErrInvalidValue)
	}
	if hasUnsettable(a) {
		cv = scim.StripReadOnly(a, cv)
	}
	if identity(a) && cv != nil {
		if err := checkIdentities(a, cv); err != nil {
			return nil, err
		}
	}
	return cv, nil
}

// hasUnsettable reports whether complex attribute a has sub-attributes a
// client cannot set (readOnly, writeOnly or returned never), which
// scim.StripReadOnly drops.
func hasUnsettable(a *scim.Attribute) bool {
	for _, sub := range a.SubAttributes {
		if sub.Mutability == scim.ReadOnly || sub.Mutability == scim.WriteOnly || sub.Returned == scim.ReturnedNever {
			return true
		}
	}
	return false
}

// single returns a single-valued view of a, for coercing one value of a
// multi-valued attribute.
func single(a *scim.Attribute) *scim.Attribute {
	if !a.MultiValued {
		return a
	}
	c := *a
	c.MultiValued = false
	return &c
}

// identity reports whether the values of a are identified by their "value"
// sub-attribute: a multi-valued complex attribute whose "value" is
// immutable, such as a Group's members (RFC 7643 §4.2: each member is
// immutable; a member is known by its id). Such values are added only
// when no value with the same "value" exists, must have a non-empty
// "value", and keep no empty optional strings (a member's "display": ""
// is unassigned, so that a member is exactly what a store keeps).
func identity(a *scim.Attribute) bool {
	if !a.MultiValued || !a.IsComplex() {
		return false
	}
	v := a.Sub("value")
	return v != nil && v.Mutability == scim.Immutable && v.Type == scim.TypeString
}

// checkIdentities validates the canonical values cv (a []any, or one
// map) of an identity attribute and drops empty optional strings.
func checkIdentities(a *scim.Attribute, cv any) error {
	list, ok := cv.([]any)
	if !ok {
		list = []any{cv}
	}
	for _, el := range list {
		m, ok := el.(map[string]any)
		if !ok {
			return scim.BadRequest(scim.ErrInvalidValue, "each value of %q must be an object with a \"value\"", a.Name)
		}
		if id, _ := m["value"].(string); id == "" {
			return scim.BadRequest(scim.ErrInvalidValue, "each value of %q needs a non-empty \"value\"", a.Name)
		}
		for k, sv := range m {
			if s, isStr := sv.(string); isStr && s == "" && k != "value" {
				delete(m, k)
			}
		}
	}
	return nil
}

// idOf returns the "value" of a value of an identity attribute.
func idOf(el any) (string, bool) {
	m, ok := el.(map[string]any)
	if !ok {
		return "", false
	}
	id, ok := m["value"].(string)
	return id, ok
}
