package scim

import "strings"

// Type is a SCIM attribute data type (RFC 7643 §2.3).
type Type string

// The SCIM data types of RFC 7643 §2.3.
const (
	TypeString    Type = "string"
	TypeBoolean   Type = "boolean"
	TypeDecimal   Type = "decimal"
	TypeInteger   Type = "integer"
	TypeDateTime  Type = "dateTime"
	TypeBinary    Type = "binary"
	TypeReference Type = "reference"
	TypeComplex   Type = "complex"
)

// Mutability says whether and how a client may change an attribute
// (RFC 7643 §7, "mutability").
type Mutability string

// The mutability values of RFC 7643 §7.
const (
	ReadOnly  Mutability = "readOnly"
	ReadWrite Mutability = "readWrite"
	Immutable Mutability = "immutable"
	WriteOnly Mutability = "writeOnly"
)

// Returned says when an attribute appears in a response (RFC 7643 §7,
// "returned").
type Returned string

// The returned values of RFC 7643 §7.
const (
	ReturnedAlways  Returned = "always"
	ReturnedNever   Returned = "never"
	ReturnedDefault Returned = "default"
	ReturnedRequest Returned = "request"
)

// Uniqueness says how an attribute's value is unique (RFC 7643 §7,
// "uniqueness").
type Uniqueness string

// The uniqueness values of RFC 7643 §7.
const (
	UniqueNone   Uniqueness = "none"
	UniqueServer Uniqueness = "server"
	UniqueGlobal Uniqueness = "global"
)

// Attribute describes one attribute or sub-attribute of a schema, with the
// characteristics of RFC 7643 §2.2 and §7. Attribute values are immutable
// once a schema is built; share them freely between goroutines.
type Attribute struct {
	Name            string
	Type            Type
	MultiValued     bool
	Description     string
	Required        bool
	CaseExact       bool
	Mutability      Mutability
	Returned        Returned
	Uniqueness      Uniqueness
	CanonicalValues []string
	ReferenceTypes  []string
	SubAttributes   []*Attribute
}

// Sub returns the sub-attribute with the given name, compared
// case-insensitively (RFC 7643 §2.1), or nil.
func (a *Attribute) Sub(name string) *Attribute {
	if a == nil {
		return nil
	}
	return findAttr(a.SubAttributes, name)
}

// IsComplex reports whether the attribute has sub-attributes.
func (a *Attribute) IsComplex() bool { return a != nil && a.Type == TypeComplex }

func findAttr(attrs []*Attribute, name string) *Attribute {
	for _, at := range attrs {
		if strings.EqualFold(at.Name, name) {
			return at
		}
	}
	return nil
}
