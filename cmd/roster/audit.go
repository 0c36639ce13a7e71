package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/rosterhq/roster/internal/admin"
	"github.com/rosterhq/roster/internal/core"
)

// auditFlags are the filters of "roster audit list" and "audit export".
type auditFlags struct {
	actor, action, target, since, until *string
}

func (f *auditFlags) register(fs *flag.FlagSet) {
	f.actor = fs.String("actor", "", "actor id: an account id, a SCIM key id, or cli")
	f.action = fs.String("action", "", "action, such as key.revoked")
	f.target = fs.String("target", "", "target id")
	f.since = fs.String("since", "", "events at or after this RFC 3339 time, or this long ago (e.g. 24h)")
	f.until = fs.String("until", "", "events before this RFC 3339 time, or this long ago")
}

// query returns the filters as an admin.AuditQuery.
func (f *auditFlags) query(now time.Time) (admin.AuditQuery, error) {
	q := admin.AuditQuery{ActorID: *f.actor, Action: *f.action, TargetID: *f.target}
	var err error
	if q.Since, err = flagTime("since", *f.since, now); err != nil {
		return q, err
	}
	if q.Until, err = flagTime("until", *f.until, now); err != nil {
		return q, err
	}
	return q, nil
}

// flagTime parses an RFC 3339 time or a duration before now.
func flagTime(name, v string, now time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, usageError{fmt.Sprintf("--%s %q: want an RFC 3339 time or a duration such as 24h", name, v)}
}

// runAudit is "roster audit": list (a page, newest first, as JSON Lines or
// a table) and export (everything matching, in time order, as CSV or JSON
// Lines).
func runAudit(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	var f auditFlags
	var limit *int
	var cursor, format *string
	var asJSON *bool
	verbs := map[string]teamVerb{
		"list": {
			flags: func(fs *flag.FlagSet) {
				f.register(fs)
				limit = fs.Int("limit", 50, "page size (1-1000)")
				cursor = fs.String("cursor", "", "the cursor printed after the previous page")
				asJSON = fs.Bool("json", false, "print JSON Lines instead of a table")
			},
			run: func(ctx context.Context, a *admin.Service, p core.Principal, t core.Team, stdout, stderr io.Writer) error {
				q, err := f.query(time.Now())
				if err != nil {
					return err
				}
				q.Descending, q.Limit, q.After = true, *limit, *cursor
				pg, err := a.Audit(ctx, p, t.ID, q)
				if err != nil {
					return err
				}
				if *asJSON {
					enc := json.NewEncoder(stdout)
					for _, e := range pg.Events {
						if err := enc.Encode(exportEvent(e)); err != nil {
							return err
						}
					}
				} else {
					w := table(stdout)
					fmt.Fprintln(w, "TIME\tACTOR\tACTION\tTARGET")
					for _, e := range pg.Events {
						actor := e.Actor.Kind
						if e.Actor.Name != "" {
							actor += ":" + e.Actor.Name
						}
						fmt.Fprintf(w, "%s\t%s\t%s\t%s %s\n", e.At.UTC().Format(time.RFC3339), actor, e.Action, e.TargetType, e.TargetID)
					}
					if err := w.Flush(); err != nil {
						return err
					}
				}
				if pg.Next != "" {
					fmt.Fprintf(stderr, "more: --cursor %s\n", pg.Next)
				}
				return nil
			},
		},
		"export": {
			flags: func(fs *flag.FlagSet) {
				f.register(fs)
				format = fs.String("format", "csv", "csv or jsonl")
			},
			run: func(ctx context.Context, a *admin.Service, p core.Principal, t core.Team, stdout, _ io.Writer) error {
				q, err := f.query(time.Now())
				if err != nil {
					return err
				}
				if *format != string(admin.ExportCSV) && *format != string(admin.ExportJSONL) {
					return usageError{fmt.Sprintf("--format %q: want csv or jsonl", *format)}
				}
				return a.ExportAudit(ctx, p, t.ID, q, admin.ExportFormat(*format), stdout)
			},
		},
	}
	return runTeamVerbs(ctx, "audit", verbs, []string{"list", "export"}, args, getenv, stdout, stderr)
}

// exportEvent is an audit event with the export's field names.
func exportEvent(e core.AuditEvent) admin.ExportEvent {
	return admin.ExportEvent{
		ID: e.ID, At: e.At, ActorKind: e.Actor.Kind, ActorID: e.Actor.ID, ActorName: e.Actor.Name,
		IP: e.IP, UserAgent: e.UserAgent, Action: e.Action, TargetType: e.TargetType, TargetID: e.TargetID, Summary: e.Summary,
	}
}
