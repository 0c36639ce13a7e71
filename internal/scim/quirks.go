package scim

// Quirks lists the deviations from RFC 7643/7644 that real identity-provider
// clients make and that Roster accepts. It is the one documented place where
// client quirks are switched on; decoding and the PATCH engine take it as
// an option. DefaultQuirks accepts every known quirk; tests of strict RFC
// behaviour use the zero value. Each field names the client that needs it;
// docs/quirks.md has the table and the fixture that covers each one.
type Quirks struct {
	// StringBooleans accepts "True"/"false" (any case) for boolean
	// attributes. Entra ID without the aadOptscim062020 flag sends
	// {"op":"Replace","path":"active","value":"False"}; OneLogin templates
	// may send "active":"true".
	StringBooleans bool
	// CaseInsensitiveOps accepts PATCH op names in any case ("Replace",
	// "Add", "Remove": Entra ID).
	CaseInsensitiveOps bool
	// DottedValueKeys reads keys of a path-less PATCH value object as
	// attribute paths ("name.givenName", "urn:...:User:employeeNumber":
	// Entra ID).
	DottedValueKeys bool
	// MemberRemoveByValue makes {"op":"remove","path":"members","value":
	// [{"value":"id"}]} remove only the listed members instead of failing
	// (Entra ID's legacy form; never "clear the attribute").
	MemberRemoveByValue bool
	// IgnoreReadOnlyInValue ignores read-only attributes such as "id" inside
	// a path-less PATCH value (Okta's group rename sends the group id).
	IgnoreReadOnlyInValue bool
	// AddCreatesFilteredElement makes "add" on a value-filtered path that
	// matches nothing create the element, taking the filter's equality
	// terms as its sub-attributes (Entra's validator expects
	// emails[type eq "work"].value to be added this way).
	AddCreatesFilteredElement bool
	// UnknownAttributesIgnored ignores PATCH paths that name attributes
	// outside the schema instead of answering invalidPath (Entra and
	// OneLogin send attributes of their own mappings).
	UnknownAttributesIgnored bool
	// SCIM1Schemas accepts SCIM 1.x schema URNs ("urn:scim:schemas:core:1.0")
	// in the schemas attribute (OneLogin templates).
	SCIM1Schemas bool
	// NullID accepts "id": null in request bodies (OneLogin templates).
	NullID bool
	// BareValueForComplex reads a string, number or boolean given for a
	// complex attribute that has a "value" sub-attribute as {"value": v}
	// (Entra ID sends the enterprise extension's manager as a bare id).
	BareValueForComplex bool
}

// DefaultQuirks returns the quirks Roster accepts in production: all of
// them.
func DefaultQuirks() Quirks {
	return Quirks{
		StringBooleans:            true,
		CaseInsensitiveOps:        true,
		DottedValueKeys:           true,
		MemberRemoveByValue:       true,
		IgnoreReadOnlyInValue:     true,
		AddCreatesFilteredElement: true,
		UnknownAttributesIgnored:  true,
		SCIM1Schemas:              true,
		NullID:                    true,
		BareValueForComplex:       true,
	}
}
