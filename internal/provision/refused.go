package provision

import (
	"errors"

	"github.com/rosterhq/roster/internal/core"
)

// refusedKey is the cause attached to the error of a request refused
// although its key is genuine (the secret matched the stored hash): the
// key is revoked or expired, or its team has SCIM turned off. The team
// is then known, so the refusal can be shown in that team's provisioning
// activity — the failure an administrator most needs to see. A key whose
// secret does not match never yields one: a stranger cannot write into a
// team's activity log by guessing a prefix.
type refusedKey struct {
	caller Caller
}

// Error implements error without naming the team or the key.
func (*refusedKey) Error() string { return "refused API key" }

// refused attaches the key's team to err (a *core.Error), keeping its
// kind and message.
func refused(key core.APIKey, err *core.Error) error {
	err.Err = &refusedKey{caller: Caller{TeamID: key.TeamID, KeyID: key.ID, KeyPrefix: key.Prefix, KeyName: key.Name}}
	return err
}

// RefusedCaller returns the team and key of a request Authenticate
// refused although its key is genuine (revoked, expired, or SCIM off for
// its team), and false for any other error. The caller is not
// authenticated: use it only to attribute the refusal (activity log),
// never to authorise anything.
func RefusedCaller(err error) (Caller, bool) {
	var rk *refusedKey
	if errors.As(err, &rk) {
		return rk.caller, true
	}
	return Caller{}, false
}
