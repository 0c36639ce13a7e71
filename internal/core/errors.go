package core

import (
	"errors"
	"fmt"
)

// Kind classifies an application error; transports map it to a status.
type Kind int

// The error kinds.
const (
	// KindInternal is an unexpected failure; its text is never shown to a
	// client.
	KindInternal Kind = iota
	// KindInvalid is bad input (400).
	KindInvalid
	// KindUnauthenticated means no valid credentials (401).
	KindUnauthenticated
	// KindForbidden means the caller may not do this (403).
	KindForbidden
	// KindNotFound means the target does not exist for this caller (404).
	KindNotFound
	// KindConflict is a uniqueness violation (409).
	KindConflict
	// KindPrecondition is a failed If-Match/version check (412).
	KindPrecondition
	// KindTooLarge is a request over a size limit (413).
	KindTooLarge
	// KindRateLimited means too many requests (429).
	KindRateLimited
	// KindUnavailable is a transient failure worth retrying (503).
	KindUnavailable
)

// Error is Roster's application error: a Kind that picks the status, a
// stable machine-readable Code (the SCIM scimType for SCIM errors), and a
// Message that is safe to show to the caller. Err, when set, is the cause;
// it is logged, never shown.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	Err     error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %v", e.Message, e.Err)
	}
	return e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of the given kind and code with a formatted
// message.
func Errorf(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// KindOf returns the Kind of the first *Error in err's chain, or
// KindInternal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// IsKind reports whether err's Kind is k.
func IsKind(err error, k Kind) bool { return err != nil && KindOf(err) == k }

// NotFound returns a KindNotFound error with the given message.
func NotFound(format string, args ...any) *Error {
	return Errorf(KindNotFound, "notFound", format, args...)
}
