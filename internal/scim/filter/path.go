package filter

import (
	"github.com/rosterhq/roster/internal/scim"
)

// ParsePath parses a PATCH operation path (RFC 7644 §3.5.2):
//
//	PATH = attrPath / valuePath [subAttr]
//
// as in "members", "name.givenName", `members[value eq "2819c223"]`,
// `emails[type eq "work"].value`,
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager" or
// `manager[value eq "x"]` (which Entra ID sends for the single-valued
// manager; whether it applies is the PATCH engine's decision). It checks
// syntax only; resolve Attr against a resource type to learn whether the
// attribute exists.
//
// The value filter follows the rules of Parse (case-insensitive
// operators, JSON literals, no nested brackets, sub-attribute names
// only) and the attribute path those of scim.ParseAttrPath, except that a
// bare schema URN with a trailing ':' is rejected. Surrounding whitespace
// is ignored. DefaultLimits apply.
//
// Every error is a *scim.Error with status 400 and scimType invalidPath,
// including a syntax error inside the brackets: RFC 7644 §3.5.2 makes
// invalidPath the error for a path that "was invalid or malformed", and
// the filter is part of the path. The detail names the problem and its
// byte offset.
func ParsePath(s string) (Path, error) {
	p, err := parsePath(s, DefaultLimits())
	if err != nil {
		if se, ok := scim.AsError(err); ok {
			se.Type = scim.ErrInvalidPath
		}
		return Path{}, err
	}
	return p, nil
}

func parsePath(s string, l Limits) (Path, error) {
	if len(s) > l.MaxLength {
		return Path{}, invalidFilterf("path is %d bytes long; the limit is %d", len(s), l.MaxLength)
	}
	p := parser{lx: lexer{src: s}, lim: l}
	if err := p.advance(); err != nil {
		return Path{}, err
	}
	if p.tok.kind != tokWord {
		if p.tok.kind == tokEOF {
			return Path{}, invalidFilterf("empty path")
		}
		return Path{}, unexpected(s, p.tok, "an attribute path")
	}
	attr, err := parseAttrPath(p.word(), p.tok.pos, false)
	if err != nil {
		return Path{}, err
	}
	if err := p.advance(); err != nil {
		return Path{}, err
	}
	path := Path{Attr: attr}
	if p.tok.kind == tokLBrack {
		f, err := p.parseValFilter(attr)
		if err != nil {
			return Path{}, err
		}
		path.Filter = f
		if p.tok.kind == tokWord && s[p.tok.pos] == '.' {
			sub, err := parseSubAttr(p.word(), p.tok.pos)
			if err != nil {
				return Path{}, err
			}
			path.Sub = sub
			if err := p.advance(); err != nil {
				return Path{}, err
			}
		}
	}
	if p.tok.kind != tokEOF {
		switch {
		case p.tok.kind == tokRBrack:
			return Path{}, invalidFilterf("unexpected \"]\" at offset %d; there is no \"[\" to close", p.tok.pos)
		case path.Filter == nil:
			return Path{}, unexpected(s, p.tok, "\"[\" or the end of the path")
		case path.Sub == "":
			return Path{}, unexpected(s, p.tok, "\".\" and a sub-attribute name, or the end of the path")
		}
		return Path{}, unexpected(s, p.tok, "the end of the path")
	}
	if err := checkCanonical(nil, &path, l, "path"); err != nil {
		return Path{}, err
	}
	return path, nil
}
