package scim

import (
	"strings"
)

// AttrPath names an attribute as in RFC 7644 §3.10 ("attrPath"): an
// optional schema URN, an attribute name and an optional sub-attribute
// name. Names keep the spelling the client used; compare them with
// strings.EqualFold or resolve them with ResourceType.Resolve.
type AttrPath struct {
	// URN is the schema URN prefix, or "" when the path is not qualified.
	URN string
	// Name is the attribute name.
	Name string
	// Sub is the sub-attribute name, or "".
	Sub string
}

// String returns the path in the form of RFC 7644 §3.10:
// "urn:...:User:name.givenName", "name.givenName" or "userName".
func (p AttrPath) String() string {
	var b strings.Builder
	if p.URN != "" {
		b.WriteString(p.URN)
		b.WriteByte(':')
	}
	b.WriteString(p.Name)
	if p.Sub != "" {
		b.WriteByte('.')
		b.WriteString(p.Sub)
	}
	return b.String()
}

// ParseAttrPath parses an attribute path such as "userName",
// "name.givenName", "urn:ietf:params:scim:schemas:core:2.0:User:userName" or
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value".
// It checks syntax only (RFC 7643 §2.1 ATTRNAME rules); resolve the result
// against a ResourceType to learn whether the attribute exists.
//
// A URN-qualified path is split at its last ':'; the part after it is the
// attribute (and sub-attribute). Errors are *Error with scimType
// invalidPath.
func ParseAttrPath(s string) (AttrPath, error) {
	var p AttrPath
	rest := s
	if hasURNPrefix(s) {
		i := strings.LastIndexByte(s, ':')
		p.URN = s[:i]
		rest = s[i+1:]
		if rest == "" {
			// A bare schema URN names the extension itself.
			return AttrPath{URN: p.URN}, nil
		}
	}
	name, sub, hasSub := strings.Cut(rest, ".")
	if !ValidAttrName(name) {
		return AttrPath{}, Errorf(400, ErrInvalidPath, "%q is not a valid attribute name", name)
	}
	if hasSub && !ValidAttrName(sub) {
		return AttrPath{}, Errorf(400, ErrInvalidPath, "%q is not a valid sub-attribute name", sub)
	}
	p.Name, p.Sub = name, sub
	return p, nil
}

// hasURNPrefix reports whether s starts with "urn:" in any letter case.
func hasURNPrefix(s string) bool {
	return len(s) >= 4 && strings.EqualFold(s[:4], "urn:")
}

// ValidAttrName reports whether s is a valid attribute name: it implements
// ATTRNAME = ALPHA *(nameChar) with nameChar = "-" / "_" / DIGIT / ALPHA
// (RFC 7643 §2.1). "$ref" is allowed as the one reserved name that starts
// with '$'. The filter parser uses the same rule.
func ValidAttrName(s string) bool {
	if s == "$ref" {
		return true
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alpha := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if i == 0 && !alpha {
			return false
		}
		if !alpha && (c < '0' || c > '9') && c != '-' && c != '_' {
			return false
		}
	}
	return true
}
