package admin

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

// The TXT record that proves control of a domain.
const (
	// ChallengeLabel is prepended to the domain to name the TXT record.
	ChallengeLabel = "_roster-challenge"
	// ChallengePrefix starts the record's value; the token follows.
	ChallengePrefix = "roster-verification="
)

// DomainView is a team's domain with the DNS record to publish.
type DomainView struct {
	core.Domain
	// RecordName is the TXT record's name, "_roster-challenge.<domain>".
	RecordName string
	// RecordValue is the TXT record's value, "roster-verification=<token>".
	RecordValue string
}

// DomainCheck is the outcome of a verification attempt.
type DomainCheck struct {
	Domain DomainView
	// Verified is true when the expected record was found.
	Verified bool
	// Found lists the TXT values found at RecordName (empty when none).
	Found []string
	// Result says in words what was found, for the admin.
	Result string
}

func domainView(d core.Domain) DomainView {
	return DomainView{Domain: d, RecordName: ChallengeLabel + "." + d.Domain, RecordValue: ChallengePrefix + d.Token}
}

// normDomain lower-cases and checks a domain name (letters, digits and
// inner hyphens per label, at least two labels, at most 253 characters).
func normDomain(d string) (string, error) {
	d = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
	bad := invalid("invalidDomain", "%q is not a domain name (like example.com)", clipS(d))
	if len(d) == 0 || len(d) > 253 || !strings.Contains(d, ".") {
		return "", bad
	}
	for _, l := range strings.Split(d, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return "", bad
		}
		for _, c := range l {
			if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
				return "", bad
			}
		}
	}
	return d, nil
}

// AddDomain adds an email domain to a team (Super and Team Admins) and
// returns the TXT record to publish at "_roster-challenge.<domain>" with
// the value "roster-verification=<token>". Adding a domain the team
// already has returns it unchanged.
func (s *Service) AddDomain(ctx context.Context, p core.Principal, teamID, domain string) (DomainView, error) {
	if err := p.Can(core.PermDomainManage, teamID); err != nil {
		return DomainView{}, err
	}
	d, err := normDomain(domain)
	if err != nil {
		return DomainView{}, err
	}
	token, err := randomToken(s.rand, "")
	if err != nil {
		return DomainView{}, err
	}
	var out core.Domain
	err = s.store.InTx(ctx, func(tx store.Tx) error {
		if _, err := tx.Team(ctx, teamID); err != nil {
			return err
		}
		cur, err := tx.Domain(ctx, teamID, d)
		if err == nil {
			out = cur
			return nil
		}
		if !core.IsKind(err, core.KindNotFound) {
			return err
		}
		now := s.clock()
		if err := tx.AddDomain(ctx, teamID, d, token, false, now); err != nil {
			return err
		}
		out = core.Domain{TeamID: teamID, Domain: d, Token: token, CreatedAt: now}
		return s.audit(ctx, tx, p, teamID, "domain.added", "domain", d, map[string]any{"domain": d})
	})
	if err != nil {
		return DomainView{}, err
	}
	return domainView(out), nil
}

// Domains lists a team's domains with their records (any member).
func (s *Service) Domains(ctx context.Context, p core.Principal, teamID string) ([]DomainView, error) {
	if err := p.Can(core.PermTeamRead, teamID); err != nil {
		return nil, err
	}
	ds, err := s.store.Domains(ctx, teamID)
	if err != nil {
		return nil, err
	}
	out := make([]DomainView, 0, len(ds))
	for _, d := range ds {
		out = append(out, domainView(d))
	}
	return out, nil
}

// resolver returns the resolver domain verification uses: the configured
// DNS server (UDP or TCP as the lookup asks) or the system's.
func (s *Service) resolver() *net.Resolver {
	if s.resolverAddr == "" {
		return net.DefaultResolver
	}
	addr := s.resolverAddr
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
}

// lookup asks DNS for the challenge record and describes what it found.
func (s *Service) lookup(ctx context.Context, d core.Domain) (found []string, ok bool, result string) {
	name := ChallengeLabel + "." + d.Domain
	want := ChallengePrefix + d.Token
	ctx, cancel := context.WithTimeout(ctx, s.dnsTimeout)
	defer cancel()
	txts, err := s.resolver().LookupTXT(ctx, name)
	if err != nil {
		var dnsErr *net.DNSError
		switch {
		case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
			return nil, false, fmt.Sprintf("no TXT record found at %s; publish %q there and try again (DNS changes can take a while to appear)", name, want)
		case errors.As(err, &dnsErr) && dnsErr.IsTimeout:
			return nil, false, fmt.Sprintf("the DNS lookup of %s timed out; try again later", name)
		default:
			return nil, false, fmt.Sprintf("the DNS lookup of %s failed; try again later", name)
		}
	}
	for _, t := range txts {
		if strings.TrimSpace(t) == want {
			return txts, true, fmt.Sprintf("found the TXT record %q at %s", want, name)
		}
	}
	if len(txts) == 0 {
		return txts, false, fmt.Sprintf("no TXT record found at %s; publish %q there", name, want)
	}
	shown := make([]string, 0, min(len(txts), 5))
	for i, t := range txts {
		if i == 5 {
			break
		}
		shown = append(shown, fmt.Sprintf("%q", clipS(t)))
	}
	return txts, false, fmt.Sprintf("found %d TXT record(s) at %s, but none is %q: found %s", len(txts), name, want, strings.Join(shown, ", "))
}

// VerifyDomain looks the domain's challenge record up through the
// configured resolver (Super and Team Admins) and marks the domain
// verified when the expected value is there; otherwise it reports exactly
// what it found. A domain that is verified stays verified (checking again
// only records the result). The lookup happens outside any transaction.
func (s *Service) VerifyDomain(ctx context.Context, p core.Principal, teamID, domain string) (DomainCheck, error) {
	if err := p.Can(core.PermDomainManage, teamID); err != nil {
		return DomainCheck{}, err
	}
	name, err := normDomain(domain)
	if err != nil {
		return DomainCheck{}, err
	}
	d, err := s.store.Domain(ctx, teamID, name)
	if err != nil {
		return DomainCheck{}, err
	}
	found, ok, result := s.lookup(ctx, d)
	now := s.clock()
	var out core.Domain
	err = s.store.InTx(ctx, func(tx store.Tx) error {
		cur, err := tx.Domain(ctx, teamID, name)
		if err != nil {
			return err
		}
		if cur.Token != d.Token {
			return core.Errorf(core.KindConflict, "domainChanged", "the domain changed while it was checked; try again")
		}
		wasVerified := cur.Verified
		cur.LastCheckAt, cur.LastCheckResult = &now, result
		if ok && !cur.Verified {
			cur.Verified, cur.VerifiedAt = true, &now
		}
		out = cur
		if err := tx.UpdateDomain(ctx, cur); err != nil {
			return err
		}
		if ok && !wasVerified {
			return s.audit(ctx, tx, p, teamID, "domain.verified", "domain", name, map[string]any{"domain": name})
		}
		return nil
	})
	if err != nil {
		return DomainCheck{}, err
	}
	return DomainCheck{Domain: domainView(out), Verified: out.Verified && ok, Found: found, Result: result}, nil
}

// RemoveDomain removes a team's domain (Super and Team Admins); its
// members keep their emails, but SCIM can no longer move emails into it.
func (s *Service) RemoveDomain(ctx context.Context, p core.Principal, teamID, domain string) error {
	if err := p.Can(core.PermDomainManage, teamID); err != nil {
		return err
	}
	name, err := normDomain(domain)
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx store.Tx) error {
		d, err := tx.Domain(ctx, teamID, name)
		if err != nil {
			return err
		}
		if err := tx.RemoveDomain(ctx, teamID, name); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, teamID, "domain.removed", "domain", name, map[string]any{"domain": name, "was_verified": d.Verified})
	})
}
