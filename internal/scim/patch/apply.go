package patch

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/rosterhq/roster/internal/scim"
)

// Apply applies ops, in order, to a copy of doc, a canonical document of
// resource type rt (see package scim), and returns the patched copy (RFC
// 7644 §3.5.2). doc is never modified. Apply is atomic (§3.5.2): when an
// operation fails it returns a nil document and the error, a *scim.Error
// with status 400 whose detail names the operation.
//
// The semantics of add (§3.5.2.1), remove (§3.5.2.2) and replace
// (§3.5.2.3), and the client quirks q switches on, are described in the
// package documentation. Use Changed to learn whether the result differs
// from doc (a repeated rename, or re-adding a member, changes nothing and
// SHALL NOT change the modify timestamp, §3.5.2.1).
func Apply(rt *scim.ResourceType, doc map[string]any, ops []scim.PatchOperation, q scim.Quirks) (map[string]any, error) {
	e := &engine{rt: rt, q: q, doc: scim.Clone(doc)}
	if e.doc == nil {
		e.doc = map[string]any{}
	}
	for i, op := range ops {
		if err := e.apply(op); err != nil {
			return nil, opError(i, op, err)
		}
	}
	e.tidy(doc)
	if err := scim.CheckRequired(rt, e.doc); err != nil {
		return nil, asSCIM(err, scim.ErrInvalidValue)
	}
	return e.doc, nil
}

// engine holds the state of one Apply: the working copy of the document.
type engine struct {
	rt  *scim.ResourceType
	q   scim.Quirks
	doc map[string]any
}

// kind is a PATCH operation (RFC 7644 §3.5.2: "add", "remove" or
// "replace").
type kind int

const (
	opAdd kind = iota + 1
	opRemove
	opReplace
)

func (k kind) String() string {
	switch k {
	case opAdd:
		return "add"
	case opRemove:
		return "remove"
	case opReplace:
		return "replace"
	}
	return "?"
}

// parseOp reads an operation name: exactly "add", "remove" or "replace"
// (RFC 7644 §3.5.2), in any letter case with q.CaseInsensitiveOps (Entra
// ID). Anything else is invalidSyntax: the message does not conform to the
// PatchOp schema (RFC 7644 §3.12).
func parseOp(name string, q scim.Quirks) (kind, error) {
	for _, k := range []kind{opAdd, opRemove, opReplace} {
		if name == k.String() || q.CaseInsensitiveOps && strings.EqualFold(name, k.String()) {
			return k, nil
		}
	}
	if !q.CaseInsensitiveOps && (strings.EqualFold(name, "add") || strings.EqualFold(name, "remove") || strings.EqualFold(name, "replace")) {
		return 0, scim.BadRequest(scim.ErrInvalidSyntax, "\"op\" must be lower case: %q is not \"add\", \"remove\" or \"replace\"", clip(name))
	}
	return 0, scim.BadRequest(scim.ErrInvalidSyntax, "\"op\" must be \"add\", \"remove\" or \"replace\", not %q", clip(name))
}

// apply applies one operation to the working document.
func (e *engine) apply(op scim.PatchOperation) error {
	k, err := parseOp(op.Op, e.q)
	if err != nil {
		return err
	}
	v, present, err := decodeValue(op.Value)
	if err != nil {
		return err
	}
	if k != opRemove && !present {
		return scim.BadRequest(scim.ErrInvalidValue, "%s needs a \"value\"", k)
	}
	path := strings.TrimSpace(op.Path)
	if path == "" {
		if k == opRemove {
			return scim.BadRequest(scim.ErrNoTarget, "remove needs a \"path\" (RFC 7644 §3.5.2.2)")
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return scim.BadRequest(scim.ErrInvalidValue, "%s without a \"path\" needs a \"value\" that is an object of attributes, not %s", k, jsonKind(v))
		}
		return e.writeObject(k, obj, nil)
	}
	t, skip, err := e.resolve(path)
	if err != nil || skip {
		return err
	}
	if k == opRemove {
		return e.remove(t, v, present)
	}
	if v == nil && k == opAdd {
		return scim.BadRequest(scim.ErrInvalidValue, "add needs a value, not null")
	}
	return e.write(k, t, v, false)
}

// tidy finishes the document: extensions left without attributes are
// removed, and when an extension appeared or disappeared, "schemas" (if
// the document has it) is rewritten to list the core schema and the
// extensions that have attributes, as scim.Decode writes it (RFC 7643 §3).
func (e *engine) tidy(orig map[string]any) {
	moved := false
	for _, ext := range e.rt.Extensions {
		if m, ok := e.doc[ext.Schema.ID].(map[string]any); ok && len(m) == 0 {
			delete(e.doc, ext.Schema.ID)
		}
		_, before := orig[ext.Schema.ID]
		_, after := e.doc[ext.Schema.ID]
		moved = moved || before != after
	}
	if _, ok := orig["schemas"]; !ok || !moved {
		return
	}
	schemas := []any{e.rt.Schema.ID}
	for _, ext := range e.rt.Extensions {
		if _, ok := e.doc[ext.Schema.ID]; ok {
			schemas = append(schemas, ext.Schema.ID)
		}
	}
	e.doc["schemas"] = schemas
}

// opError names operation i (0-based) in the detail of err.
func opError(i int, op scim.PatchOperation, err error) error {
	se := asSCIM(err, scim.ErrInvalidValue)
	name := op.Op
	if !isWord(name) {
		name = strconv.Quote(clip(name))
	}
	where := fmt.Sprintf("operation %d (%s", i+1, name)
	if p := strings.TrimSpace(op.Path); p != "" {
		where += fmt.Sprintf(" %q", clip(p))
	}
	return &scim.Error{Status: se.Status, Type: se.Type, Detail: where + "): " + se.Detail}
}

// asSCIM returns err as a *scim.Error; an error of another type (never
// expected) becomes a 400 of scimType typ without its internal text.
func asSCIM(err error, typ string) *scim.Error {
	if se, ok := scim.AsError(err); ok {
		return se
	}
	return scim.BadRequest(typ, "the operation cannot be applied")
}

// isWord reports whether s is a non-empty run of ASCII letters, printed
// unquoted in an error detail.
func isWord(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return s != ""
}

// clip shortens client-supplied text quoted in an error detail.
func clip(s string) string {
	const max = 120
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}
