package scim

// This file holds the small, unexported vocabulary the schema files use to
// declare attributes. Defaults follow RFC 7643 §2.2: a sub-attribute or
// attribute not otherwise described is a single-valued, optional,
// case-insensitive, readWrite string returned by default with no
// uniqueness.

// attrOpt sets one characteristic of an attribute under construction.
type attrOpt func(*Attribute)

func newAttr(name string, typ Type, desc string, opts ...attrOpt) *Attribute {
	a := &Attribute{
		Name:        name,
		Type:        typ,
		Description: desc,
		Mutability:  ReadWrite,
		Returned:    ReturnedDefault,
		Uniqueness:  UniqueNone,
	}
	for _, o := range opts {
		o(a)
	}
	return a
}

func strAttr(name, desc string, opts ...attrOpt) *Attribute {
	return newAttr(name, TypeString, desc, opts...)
}

func boolAttr(name, desc string, opts ...attrOpt) *Attribute {
	return newAttr(name, TypeBoolean, desc, opts...)
}

func refAttr(name, desc string, refTypes []string, opts ...attrOpt) *Attribute {
	return newAttr(name, TypeReference, desc, append([]attrOpt{referenceTypes(refTypes...)}, opts...)...)
}

func complexAttr(name, desc string, subs []*Attribute, opts ...attrOpt) *Attribute {
	a := newAttr(name, TypeComplex, desc)
	a.SubAttributes = subs
	for _, o := range opts {
		o(a)
	}
	return a
}

func required() attrOpt    { return func(a *Attribute) { a.Required = true } }
func caseExact() attrOpt   { return func(a *Attribute) { a.CaseExact = true } }
func multiValued() attrOpt { return func(a *Attribute) { a.MultiValued = true } }
func readOnly() attrOpt    { return func(a *Attribute) { a.Mutability = ReadOnly } }
func immutable() attrOpt   { return func(a *Attribute) { a.Mutability = Immutable } }
func writeOnly() attrOpt   { return func(a *Attribute) { a.Mutability = WriteOnly } }
func returned(r Returned) attrOpt {
	return func(a *Attribute) { a.Returned = r }
}
func unique(u Uniqueness) attrOpt {
	return func(a *Attribute) { a.Uniqueness = u }
}
func canonical(vals ...string) attrOpt {
	return func(a *Attribute) { a.CanonicalValues = vals }
}
func referenceTypes(types ...string) attrOpt {
	return func(a *Attribute) { a.ReferenceTypes = types }
}

// subs applies opts to every sub-attribute (readOnly groups, immutable
// members).
func subs(opts ...attrOpt) attrOpt {
	return func(a *Attribute) {
		for _, s := range a.SubAttributes {
			for _, o := range opts {
				o(s)
			}
		}
	}
}

// Descriptions shared by the multi-valued attributes' default
// sub-attributes (RFC 7643 §2.4).
const (
	descDisplay = "A human-readable name, primarily used for display purposes.  READ-ONLY."
	descType    = "A label indicating the attribute's function."
	descPrimary = "A Boolean value indicating the 'primary' or preferred attribute value for this attribute.  The primary attribute value 'true' MUST appear no more than once."
)

// standardMulti returns the sub-attributes value, display, type and
// primary of a multi-valued attribute (RFC 7643 §2.4), with value of the
// given type and type's canonical values.
func standardMulti(value *Attribute, typeDesc string, typeValues ...string) []*Attribute {
	if typeDesc == "" {
		typeDesc = descType
	}
	return []*Attribute{
		value,
		strAttr("display", descDisplay),
		strAttr("type", typeDesc, canonical(typeValues...)),
		boolAttr("primary", descPrimary),
	}
}

// commonAttributes returns fresh definitions of the common attributes id,
// externalId and meta (RFC 7643 §3.1), which Roster places in each core
// schema's attribute list (see ResourceType).
func commonAttributes(resourceType string) []*Attribute {
	return []*Attribute{
		strAttr("id", "A unique identifier for a SCIM resource as defined by the service provider.  Assigned by the service provider, opaque, stable and never reused.",
			required(), caseExact(), readOnly(), returned(ReturnedAlways), unique(UniqueServer)),
		strAttr("externalId", "A String that is an identifier for the resource as defined by the provisioning client.",
			caseExact()),
		complexAttr("meta", "A complex attribute containing resource metadata.", []*Attribute{
			strAttr("resourceType", "The name of the resource type of the resource ("+resourceType+").", caseExact(), readOnly()),
			newAttr("created", TypeDateTime, "The DateTime that the resource was added to the service provider.", readOnly()),
			newAttr("lastModified", TypeDateTime, "The most recent DateTime that the details of this resource were updated at the service provider.", readOnly()),
			refAttr("location", "The URI of the resource being returned.", []string{"uri"}, caseExact(), readOnly()),
			strAttr("version", "The version of the resource being returned (an entity tag, RFC 7232).", caseExact(), readOnly()),
		}, readOnly()),
	}
}
