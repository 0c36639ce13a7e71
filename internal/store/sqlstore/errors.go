package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/rosterhq/roster/internal/core"
)

// Index names, as the migrations of both backends spell them. A dialect's
// UniqueViolation reports one of these.
const (
	IndexTeamsPK           = "teams_pkey"
	IndexTeamsSlug         = "teams_slug"
	IndexAccountsPK        = "accounts_pkey"
	IndexAccountsEmail     = "accounts_email"
	IndexMembersPK         = "members_pkey"
	IndexMembersUserName   = "members_user_name"
	IndexMembersAccount    = "members_account"
	IndexGroupsPK          = "groups_pkey"
	IndexGroupsDisplayName = "groups_display_name"
	IndexAPIKeysPK         = "api_keys_pkey"   //nolint:gosec // an index name, not a credential
	IndexAPIKeysPrefix     = "api_keys_prefix" //nolint:gosec // an index name, not a credential
)

// conflictMessages are the client-safe messages of uniqueness conflicts.
// They never name another team.
var conflictMessages = map[string]string{
	IndexTeamsPK:           "a team with this id already exists",
	IndexTeamsSlug:         "a team with this slug already exists",
	IndexAccountsPK:        "an account with this id already exists",
	IndexAccountsEmail:     "an account with this email already exists",
	IndexMembersPK:         "a user with this id already exists",
	IndexMembersUserName:   "a user with this userName already exists in the team",
	IndexMembersAccount:    "the account is already a member of a team",
	IndexGroupsPK:          "a group with this id already exists",
	IndexGroupsDisplayName: "a group with this displayName already exists in the team",
	IndexAPIKeysPK:         "a key with this id already exists",
	IndexAPIKeysPrefix:     "a key with this prefix already exists",
}

// CodeUniqueness is the Code of every uniqueness conflict: the SCIM
// scimType of RFC 7644 §3.12.
const CodeUniqueness = "uniqueness"

// conflict returns the KindConflict error for a violated unique index.
func conflict(index string, cause error) error {
	msg, ok := conflictMessages[index]
	if !ok {
		msg = "the value is already in use"
	}
	return &core.Error{Kind: core.KindConflict, Code: CodeUniqueness, Message: msg, Err: cause}
}

// notFound returns the KindNotFound error for a missing row.
func notFound(what string) error {
	return core.NotFound("%s not found", what)
}

// invalid returns a KindInvalid error with the given code.
func invalid(code, format string, args ...any) error {
	return core.Errorf(core.KindInvalid, code, format, args...)
}

// writeErr maps an error of a write statement: unique violations become
// KindConflict "uniqueness", foreign-key violations KindNotFound for
// parent (the team, account or group the row belongs to), and other
// errors are wrapped by wrapErr.
func (s *base) writeErr(op, parent string, err error) error {
	if err == nil {
		return nil
	}
	if idx, ok := s.d.UniqueViolation(err); ok {
		return conflict(idx, err)
	}
	if s.d.ForeignKeyViolation(err) {
		return &core.Error{Kind: core.KindNotFound, Code: "notFound", Message: parent + " not found", Err: err}
	}
	return s.wrapErr(op, err)
}

// wrapErr passes *core.Error and context errors through and otherwise
// adds the operation to err; transient database conditions (a busy
// SQLite database, a dropped PostgreSQL connection) become
// KindUnavailable.
func (s *base) wrapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	var ce *core.Error
	if errors.As(err, &ce) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("record")
	}
	if s.d.InvalidValue(err) {
		return &core.Error{Kind: core.KindInvalid, Code: "invalidValue", Message: "the value cannot be stored or matched (it holds U+0000 or is not UTF-8)", Err: fmt.Errorf("%s: %w", op, err)}
	}
	if s.d.Transient(err) {
		return &core.Error{Kind: core.KindUnavailable, Code: "unavailable", Message: "the database is busy; try again", Err: fmt.Errorf("%s: %w", op, err)}
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}
