// Package patch is Roster's SCIM PATCH engine (RFC 7644 §3.5.2). It is
// pure: Apply takes a canonical resource document (see package scim) and a
// list of operations and returns the patched copy; SplitMembers turns the
// operations on a Group's members into add/remove/clear steps that a store
// applies without loading the member list, so a membership change costs the
// size of the change, not of the group.
//
// # Semantics
//
// Operations apply in order, each to the result of the one before, and
// atomically: if one fails, Apply returns the error and no change (RFC 7644
// §3.5.2: "A PATCH request, regardless of the number of operations, SHALL
// be treated as atomic"). Every error is a *scim.Error with status 400 and
// one of the scimTypes of RFC 7644 §3.12: invalidSyntax (unknown op name),
// invalidPath, invalidValue, noTarget, mutability, tooMany (SplitMembers'
// bound). The detail names the operation by its 1-based position.
//
// add (§3.5.2.1): without a path the value is an object of attributes, each
// added as below, in byte order of the keys ("schemas" is ignored: the
// server keeps it; a key naming the core schema or an extension holds an
// object of that schema's attributes). A multi-valued attribute gets the new values appended;
// a value identical to one already present is not added again, and a
// member of a Group whose value (id) is already a member is not added
// again (the first one stays as it was). A single-valued attribute is
// replaced. A complex attribute gets the sub-attributes of the value merged
// into it. Adding what is already there changes nothing.
//
// remove (§3.5.2.2): a path is required (else noTarget). The target is
// unassigned; with a value filter, the matching values (or, with a
// sub-attribute after the filter, that sub-attribute of the matching
// values) are removed; a multi-valued attribute left without values is
// unassigned. Removing what is absent is not an error, and neither is a
// filter that matches nothing: the RFC's own example says of removing a
// member that "if the user was not a member of this group, no changes
// should be made to the resource, and a success response should be
// returned". Removing a required attribute (userName, a Group's
// displayName) is 400 mutability, as §3.5.2.2 prescribes ("If an attribute
// is removed or becomes unassigned and is defined as a required attribute
// or a read-only attribute ... mutability").
//
// replace (§3.5.2.3): as add, except that a multi-valued attribute without
// a filter has all its values replaced, and a value filter that matches
// nothing is 400 noTarget. A complex value is merged: sub-attributes not in
// the value are left unchanged. A null value (RFC 7643 §2.5: null is
// unassigned) unassigns the target, for replace only; an add of null is
// invalidValue.
//
// A value filter that matches values of a multi-valued attribute makes add
// and replace merge the value (an object of sub-attributes) into each
// matching value, or set the sub-attribute named after the filter. The
// filter of a single-valued complex attribute (Entra ID's
// manager[value eq "id"]) selects the attribute when it matches.
//
// For a multi-valued attribute with a "primary" sub-attribute, an operation
// that sets "primary": true on one value sets it to false on every other
// value that had it (§3.5.2: the server SHALL set the others false); an
// operation that would make two values primary is invalidValue.
//
// Mutability (§3.5.2 and RFC 7643 §7): a path that names a readOnly
// attribute or sub-attribute (id, meta, meta.created, groups, the manager's
// displayName, the Roster extension) is 400 mutability. An immutable
// attribute may be set while it has no value; changing or removing it is
// 400 mutability. Each member of a Group is immutable: members are added
// and removed whole, and changing a member's value, type or display in
// place is 400 mutability. writeOnly attributes (password) are accepted and
// discarded: Roster never keeps a password.
//
// After the operations the result must have every required attribute
// (scim.CheckRequired, invalidValue), and "schemas", when the document has
// it, lists the core schema and the extensions that have attributes.
//
// # Client quirks
//
// Each deviation from the RFC is accepted only when the scim.Quirks passed
// in says so (scim.DefaultQuirks accepts all of them):
//
//   - CaseInsensitiveOps: "Add", "Replace", "Remove" (Entra ID). Without
//     it op must be lower case; anything else is invalidSyntax.
//   - StringBooleans: "False" for active (Entra ID), via scim.CoerceValue.
//   - BareValueForComplex: "mgr-id" for the complex manager is read as
//     {"value": "mgr-id"} (Entra ID), via scim.CoerceValue.
//   - DottedValueKeys: keys of a path-less value are read as paths:
//     "name.givenName", "urn:...:enterprise:2.0:User:employeeNumber", even
//     `emails[type eq "work"].value` (Entra ID). Without it such a key is
//     not an attribute name and is treated as an unknown attribute.
//   - IgnoreReadOnlyInValue: readOnly attributes and sub-attributes inside
//     a value (Okta's group rename sends the group's id) are ignored.
//     Without it they are 400 mutability. A readOnly attribute named by
//     the path is always 400 mutability.
//   - UnknownAttributesIgnored: an operation whose path names an attribute,
//     sub-attribute or schema that Roster does not store, or whose value
//     filter names an unknown sub-attribute, is skipped, and unknown keys
//     in a value are dropped (Entra ID and OneLogin send attributes of
//     their own mappings). Without it the path is 400 invalidPath and an
//     unknown key in a value is 400 invalidValue ("not compatible with ...
//     resource schema", RFC 7644 §3.12).
//   - AddCreatesFilteredElement: add or replace on a value-filtered path of
//     a multi-valued attribute that matches nothing creates the value, when
//     the filter qualifies:
//     it is one comparison, or an "and" of comparisons, each "sub eq
//     literal" with a non-null literal, naming a writable sub-attribute of
//     the attribute, at most one literal per sub-attribute. The new value
//     has those sub-attributes, then the operation's value (or its
//     sub-attribute after the filter) on top. So add
//     `emails[type eq "work"].value` "x" on a user with no work email adds
//     {"type": "work", "value": "x"} (Entra ID's validator expects it;
//     RFC 7644 erratum 8097 discusses it). A filter with or, not, pr, any
//     other operator or a null literal does not qualify: noTarget.
//   - MemberRemoveByValue: remove with a path naming a multi-valued complex
//     attribute without a filter, and a value that is a list of
//     {"value": id} (Entra ID's legacy members removal, "$ref": null
//     included), removes only the listed values and never clears the
//     attribute. Without it the value is ignored and the remove follows
//     §3.5.2.2: the whole attribute is removed.
//
// # Imports
//
// This package imports only the standard library, package scim and package
// scim/filter. It must never import storage or HTTP packages.
package patch
