package admin

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"strings"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

// Limits of audit and feed pages.
const (
	defaultPageLimit = 100
	maxPageLimit     = 1000
)

// AuditQuery selects audit events. Empty fields do not filter.
type AuditQuery struct {
	// ActorID, Action and TargetID match exactly.
	ActorID  string
	Action   string
	TargetID string
	// Since (inclusive) and Until (exclusive) bound the event time.
	Since time.Time
	Until time.Time
	// After is the cursor: AuditPage.Next of the previous page.
	After string
	// Descending lists newest first.
	Descending bool
	// Limit is the page size (default 100, at most 1000).
	Limit int
}

// AuditPage is one page of audit events.
type AuditPage struct {
	Events []core.AuditEvent
	// Next is the cursor of the next page, "" on the last page.
	Next string
}

func pageLimit(n int) (int, error) {
	switch {
	case n == 0:
		return defaultPageLimit, nil
	case n < 0 || n > maxPageLimit:
		return 0, invalid("invalidLimit", "limit must be between 1 and %d", maxPageLimit)
	}
	return n, nil
}

// Audit lists a team's audit events (Super and Team Admins) with filters
// and a cursor.
func (s *Service) Audit(ctx context.Context, p core.Principal, teamID string, q AuditQuery) (AuditPage, error) {
	if err := p.Can(core.PermAuditRead, teamID); err != nil {
		return AuditPage{}, err
	}
	limit, err := pageLimit(q.Limit)
	if err != nil {
		return AuditPage{}, err
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Since.Before(q.Until) {
		return AuditPage{}, invalid("invalidRange", "since must be before until")
	}
	evs, err := s.store.Audit(ctx, teamID, s.storeAuditQuery(q, limit+1))
	if err != nil {
		return AuditPage{}, err
	}
	out := AuditPage{Events: evs}
	if len(evs) > limit {
		out.Events = evs[:limit]
		out.Next = evs[limit-1].ID
	}
	return out, nil
}

func (s *Service) storeAuditQuery(q AuditQuery, limit int) store.AuditQuery {
	return store.AuditQuery{
		ActorID: q.ActorID, Action: q.Action, TargetID: q.TargetID,
		Since: q.Since, Until: q.Until, After: q.After, Descending: q.Descending, Limit: limit,
	}
}

// ExportFormat is an audit export format.
type ExportFormat string

// The export formats.
const (
	// ExportCSV is RFC 4180 CSV with a header row; the summary is a JSON
	// object in one column, and cells that a spreadsheet would run as a
	// formula are prefixed with a single quote.
	ExportCSV ExportFormat = "csv"
	// ExportJSONL is JSON Lines: one event object per line.
	ExportJSONL ExportFormat = "jsonl"
)

// ExportEvent is an audit event as exported (JSON Lines field names).
type ExportEvent struct {
	ID         string         `json:"id"`
	At         time.Time      `json:"at"`
	ActorKind  string         `json:"actor_kind"`
	ActorID    string         `json:"actor_id"`
	ActorName  string         `json:"actor_name"`
	IP         string         `json:"ip,omitempty"`
	UserAgent  string         `json:"user_agent,omitempty"`
	Action     string         `json:"action"`
	TargetType string         `json:"target_type"`
	TargetID   string         `json:"target_id"`
	Summary    map[string]any `json:"summary,omitempty"`
}

func exportEvent(e core.AuditEvent) ExportEvent {
	return ExportEvent{
		ID: e.ID, At: e.At.UTC(), ActorKind: e.Actor.Kind, ActorID: e.Actor.ID, ActorName: e.Actor.Name,
		IP: e.IP, UserAgent: e.UserAgent, Action: e.Action, TargetType: e.TargetType, TargetID: e.TargetID, Summary: e.Summary,
	}
}

// csvHeader is the header row of a CSV export.
var csvHeader = []string{"id", "at", "actor_kind", "actor_id", "actor_name", "ip", "user_agent", "action", "target_type", "target_id", "summary"}

// csvCell defuses spreadsheet formulas (OWASP "CSV injection").
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// ExportAudit writes every audit event of a team matching q (its After
// and Limit are ignored) to w in the format asked (Super and Team
// Admins), in time order, reading the log a page at a time.
func (s *Service) ExportAudit(ctx context.Context, p core.Principal, teamID string, q AuditQuery, format ExportFormat, w io.Writer) error {
	if err := p.Can(core.PermAuditRead, teamID); err != nil {
		return err
	}
	if format != ExportCSV && format != ExportJSONL {
		return invalid("invalidFormat", "unknown export format %q: use csv or jsonl", format)
	}
	var cw *csv.Writer
	var enc *json.Encoder
	if format == ExportCSV {
		cw = csv.NewWriter(w)
		if err := cw.Write(csvHeader); err != nil {
			return err
		}
	} else {
		enc = json.NewEncoder(w)
		enc.SetEscapeHTML(false)
	}
	q.After = ""
	for {
		evs, err := s.store.Audit(ctx, teamID, s.storeAuditQuery(q, maxPageLimit))
		if err != nil {
			return err
		}
		for _, e := range evs {
			x := exportEvent(e)
			if enc != nil {
				if err := enc.Encode(x); err != nil {
					return err
				}
				continue
			}
			sum := ""
			if len(x.Summary) > 0 {
				b, err := json.Marshal(x.Summary)
				if err != nil {
					return err
				}
				sum = string(b)
			}
			row := []string{x.ID, x.At.Format(time.RFC3339Nano), x.ActorKind, x.ActorID, x.ActorName, x.IP, x.UserAgent, x.Action, x.TargetType, x.TargetID, sum}
			for i := range row {
				row[i] = csvCell(row[i])
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
		if len(evs) < maxPageLimit {
			break
		}
		q.After = evs[len(evs)-1].ID
	}
	if cw != nil {
		cw.Flush()
		return cw.Error()
	}
	return nil
}

// ChangePage is one page of the change feed.
type ChangePage struct {
	Changes []core.Change
	// Next is the cursor to resume from: the Seq of the last change of the
	// page, or the after given when the page is empty.
	Next int64
}

// Changes reads a team's change feed after the cursor (a Seq; 0 from the
// start), at most limit entries (default 100, at most 1000), strictly in
// Seq order with no gaps (Super Admins, Team Admins and Developers).
func (s *Service) Changes(ctx context.Context, p core.Principal, teamID string, after int64, limit int) (ChangePage, error) {
	if err := p.Can(core.PermEventsRead, teamID); err != nil {
		return ChangePage{}, err
	}
	if after < 0 {
		return ChangePage{}, invalid("invalidCursor", "after must be a change sequence number (0 or more)")
	}
	limit, err := pageLimit(limit)
	if err != nil {
		return ChangePage{}, err
	}
	cs, err := s.store.Changes(ctx, teamID, after, limit)
	if err != nil {
		return ChangePage{}, err
	}
	out := ChangePage{Changes: cs, Next: after}
	if len(cs) > 0 {
		out.Next = cs[len(cs)-1].Seq
	}
	return out, nil
}

// ActivityQuery selects SCIM activity records.
type ActivityQuery struct {
	// FailuresOnly keeps failed requests (status 400 and above).
	FailuresOnly bool
	// KeyID keeps one key's requests.
	KeyID string
	// Since keeps requests at or after it.
	Since time.Time
	// Before is the cursor: the id of the last record of the previous page.
	Before string
	// Limit is the page size (default 100, at most 1000).
	Limit int
}

// Activity lists a team's recent SCIM requests, newest first, with
// bodies already redacted (Super and Team Admins).
func (s *Service) Activity(ctx context.Context, p core.Principal, teamID string, q ActivityQuery) ([]core.Activity, error) {
	if err := p.Can(core.PermAuditRead, teamID); err != nil {
		return nil, err
	}
	limit, err := pageLimit(q.Limit)
	if err != nil {
		return nil, err
	}
	return s.store.Activity(ctx, teamID, store.ActivityQuery{FailuresOnly: q.FailuresOnly, KeyID: q.KeyID, Since: q.Since, Before: q.Before, Limit: limit})
}
