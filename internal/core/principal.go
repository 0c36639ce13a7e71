package core

// PrincipalKind says what kind of caller a Principal is.
type PrincipalKind string

// The principal kinds.
const (
	// PrincipalAccount is a signed-in person (session) or a person's
	// personal API token.
	PrincipalAccount PrincipalKind = "account"
	// PrincipalSCIMKey is an identity provider presenting a team's SCIM
	// key; it may not use the admin API.
	PrincipalSCIMKey PrincipalKind = "scim_key"
	// PrincipalCLI is the roster command line working directly on the
	// database: it may do everything, in every team.
	PrincipalCLI PrincipalKind = "cli"
)

// Principal is who is acting in a use case: a person (their account, and
// their membership in a team with its role), a SCIM key of a team, or the
// CLI. Transports build it from the credentials they authenticated; use
// cases authorise with Can and record Actor in the audit log.
type Principal struct {
	Kind PrincipalKind
	// AccountID and Email identify the person (PrincipalAccount).
	AccountID string
	Email     string
	// TeamID is the team the principal acts in: the person's team ("" when
	// they belong to none), or the SCIM key's team. The CLI has none and
	// may act in any team.
	TeamID string
	// MemberID and Role are the person's membership in TeamID; Role is ""
	// when the person is not an active member.
	MemberID string
	Role     Role
	// SCIMManaged is true when the person's membership is managed by an
	// identity provider.
	SCIMManaged bool
	// KeyID and KeyName name the key used: a personal token or a SCIM key.
	KeyID   string
	KeyName string
	// SessionID is the session used, when the person signed in.
	SessionID string
	// IP and UserAgent describe the request, for the audit log.
	IP        string
	UserAgent string
}

// CLIPrincipal is the principal of the roster command line.
func CLIPrincipal() Principal { return Principal{Kind: PrincipalCLI} }

// Actor returns the audit actor of the principal: the account (name =
// email), the SCIM key (name = key name), or the CLI.
func (p Principal) Actor() Actor {
	switch p.Kind {
	case PrincipalAccount:
		return Actor{Kind: ActorAccount, ID: p.AccountID, Name: p.Email}
	case PrincipalSCIMKey:
		return Actor{Kind: ActorSCIMKey, ID: p.KeyID, Name: p.KeyName}
	case PrincipalCLI:
		return Actor{Kind: ActorCLI, ID: "cli", Name: "roster CLI"}
	default:
		return Actor{Kind: ActorSystem, ID: "system", Name: "system"}
	}
}

// Audit returns an audit event of the principal with its actor, IP and
// user agent filled in.
func (p Principal) Audit(teamID, action, targetType, targetID string, summary map[string]any) AuditEvent {
	return AuditEvent{
		TeamID:     teamID,
		Actor:      p.Actor(),
		IP:         p.IP,
		UserAgent:  p.UserAgent,
		Action:     action,
		TargetType: targetType,
		TargetID:   targetID,
		Summary:    summary,
	}
}
