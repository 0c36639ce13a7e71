package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/rosterhq/roster/internal/admin"
	"github.com/rosterhq/roster/internal/core"
)

// runDomain is "roster domain": add, verify, remove and list. verify asks
// the DNS server of --resolver (env ROSTER_DNS_RESOLVER; default the
// system resolver).
func runDomain(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	var domain *string
	domainFlag := func(fs *flag.FlagSet) {
		domain = fs.String("domain", "", "domain name, such as example.com (required)")
	}
	resolver := envDefault(getenv, "ROSTER_DNS_RESOLVER", "")
	verbs := map[string]teamVerb{
		"add": {flags: domainFlag, run: func(ctx context.Context, a *admin.Service, p core.Principal, t core.Team, stdout, _ io.Writer) error {
			if err := need("domain add", "domain", *domain); err != nil {
				return err
			}
			d, err := a.AddDomain(ctx, p, t.ID, *domain)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "publish this DNS record, then run 'roster domain verify':\n  %s  TXT  %q\n", d.RecordName, d.RecordValue)
			return nil
		}},
		"verify": {
			flags: func(fs *flag.FlagSet) {
				domainFlag(fs)
				fs.StringVar(&resolver, "resolver", resolver, "DNS server host:port to ask (env ROSTER_DNS_RESOLVER; default: the system resolver)")
			},
			run: nil, // set below: it needs the resolver option
		},
		"remove": {flags: domainFlag, run: func(ctx context.Context, a *admin.Service, p core.Principal, t core.Team, stdout, _ io.Writer) error {
			if err := need("domain remove", "domain", *domain); err != nil {
				return err
			}
			if err := a.RemoveDomain(ctx, p, t.ID, *domain); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "removed domain %s\n", strings.ToLower(*domain))
			return nil
		}},
		"list": {run: func(ctx context.Context, a *admin.Service, p core.Principal, t core.Team, stdout, _ io.Writer) error {
			ds, err := a.Domains(ctx, p, t.ID)
			if err != nil {
				return err
			}
			w := table(stdout)
			fmt.Fprintln(w, "DOMAIN\tVERIFIED\tRECORD\tVALUE\tLAST CHECK")
			for _, d := range ds {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", d.Domain.Domain, yesNo(d.Verified), d.RecordName, d.RecordValue, dash(d.LastCheckResult))
			}
			return w.Flush()
		}},
	}
	v := verbs["verify"]
	v.run = func(ctx context.Context, a *admin.Service, p core.Principal, t core.Team, stdout, _ io.Writer) error {
		if err := need("domain verify", "domain", *domain); err != nil {
			return err
		}
		chk, err := a.VerifyDomain(ctx, p, t.ID, *domain)
		if err != nil {
			return err
		}
		if !chk.Verified {
			return fmt.Errorf("domain %s is not verified: %s", chk.Domain.Domain.Domain, chk.Result)
		}
		fmt.Fprintf(stdout, "domain %s is verified\n", chk.Domain.Domain.Domain)
		return nil
	}
	verbs["verify"] = v
	// The resolver flag is parsed before the service is made, so the
	// option reads the variable late.
	return runTeamVerbs(ctx, "domain", verbs, []string{"add", "verify", "remove", "list"}, args, getenv, stdout, stderr,
		lateResolver(&resolver))
}

// lateResolver is admin.WithResolver of *addr as it is when the service is
// built (after flag parsing).
func lateResolver(addr *string) admin.Option {
	return func(s *admin.Service) { admin.WithResolver(*addr)(s) }
}
