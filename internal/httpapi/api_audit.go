package httpapi

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	roster "github.com/rosterhq/roster"
	"github.com/rosterhq/roster/internal/admin"
	"github.com/rosterhq/roster/internal/core"
)

// auditRoutes are the audit log, its export, the SCIM activity log and the
// change feed.
func (h *adminAPI) auditRoutes() []apiRoute {
	filters := []apiParam{
		{Name: "actor", Type: "string", Description: "actor id: an account id, a SCIM key id, or cli"},
		{Name: "action", Type: "string", Description: "action, such as key.revoked or user.created"},
		{Name: "target", Type: "string", Description: "target id"},
		{Name: "since", Type: "string", Format: "date-time", Description: "events at or after this time (RFC 3339)"},
		{Name: "until", Type: "string", Format: "date-time", Description: "events before this time (RFC 3339)"},
	}
	list := append(append([]apiParam{}, filters...),
		apiParam{Name: "order", Type: "string", Enum: []string{"desc", "asc"}, Description: "desc (newest first, the default) or asc"},
		qCursor, qLimit)
	export := append(append([]apiParam{}, filters...),
		apiParam{Name: "format", Type: "string", Enum: []string{"csv", "jsonl"}, Description: "csv (default) or jsonl (JSON Lines)"})
	return []apiRoute{
		{Method: "GET", Path: "/teams/{team}/audit", OpID: "listAudit", Tag: "audit",
			Summary: "A page of the team's audit log (Super and Team Admins)", Query: list, Resp: roster.AuditPage{}, h: h.listAudit},
		{Method: "GET", Path: "/teams/{team}/audit/export", OpID: "exportAudit", Tag: "audit",
			Summary: "The whole matching audit log as CSV or JSON Lines, in time order", Query: export,
			RawTypes: []string{"text/csv", "application/jsonl"}, h: h.exportAudit},
		{Method: "GET", Path: "/teams/{team}/scim/activity", OpID: "listSCIMActivity", Tag: "scim",
			Summary: "The team's recent SCIM requests, newest first, bodies redacted (Super and Team Admins)",
			Query: []apiParam{
				{Name: "failures", Type: "boolean", Description: "only failed requests (status 400 and above)"},
				{Name: "key", Type: "string", Description: "only this key's requests"},
				{Name: "since", Type: "string", Format: "date-time", Description: "requests at or after this time"},
				qCursor, qLimit,
			}, Resp: roster.ActivityPage{}, h: h.listActivity},
		{Method: "GET", Path: "/teams/{team}/events", OpID: "listEvents", Tag: "events",
			Summary:     "The team's change feed after a cursor, oldest first",
			Description: "Strictly ordered with no gaps and no duplicates; pass the cursor of the last event processed as after to resume.",
			Query: []apiParam{
				{Name: "after", Type: "string", Description: "the cursor of the last event seen (empty: from the start)"},
				qLimit,
			}, Resp: roster.EventPage{}, h: h.listEvents},
	}
}

// queryTime reads an RFC 3339 time parameter (zero when absent).
func queryTime(r *http.Request, name string) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, core.Errorf(core.KindInvalid, "invalidTime", "%s must be an RFC 3339 time such as 2026-01-02T15:04:05Z, not %q", name, clipped(v))
	}
	return t, nil
}

// auditQuery reads the audit filters.
func auditQuery(r *http.Request) (admin.AuditQuery, error) {
	q := r.URL.Query()
	aq := admin.AuditQuery{ActorID: q.Get("actor"), Action: q.Get("action"), TargetID: q.Get("target"), After: q.Get("cursor")}
	var err error
	if aq.Since, err = queryTime(r, "since"); err != nil {
		return aq, err
	}
	if aq.Until, err = queryTime(r, "until"); err != nil {
		return aq, err
	}
	switch o := q.Get("order"); o {
	case "", "desc":
		aq.Descending = true
	case "asc":
	default:
		return aq, core.Errorf(core.KindInvalid, "invalidOrder", "order must be asc or desc, not %q", clipped(o))
	}
	return aq, nil
}

func wireAudit(e core.AuditEvent) roster.AuditEvent {
	return roster.AuditEvent{
		ID: e.ID, At: e.At, Actor: roster.Actor{Kind: e.Actor.Kind, ID: e.Actor.ID, Name: e.Actor.Name},
		IP: e.IP, UserAgent: e.UserAgent, Action: e.Action, TargetType: e.TargetType, TargetID: e.TargetID, Summary: e.Summary,
	}
}

func (h *adminAPI) listAudit(w http.ResponseWriter, r *http.Request, c *caller) error {
	aq, err := auditQuery(r)
	if err != nil {
		return err
	}
	if aq.Limit, err = queryLimit(r, 100); err != nil {
		return err
	}
	t, err := h.team(r, c)
	if err != nil {
		return err
	}
	pg, err := h.adm.Audit(r.Context(), c.p, t.ID, aq)
	if err != nil {
		return err
	}
	out := roster.AuditPage{Events: make([]roster.AuditEvent, 0, len(pg.Events)), NextCursor: pg.Next}
	for _, e := range pg.Events {
		out.Events = append(out.Events, wireAudit(e))
	}
	return ok(w, out)
}

// exportWriter sends the export's headers with its first byte, so that an
// error before any output is still answered as an API error.
type exportWriter struct {
	w       http.ResponseWriter
	ctype   string
	name    string
	started bool
}

func (e *exportWriter) Write(p []byte) (int, error) {
	if !e.started {
		e.started = true
		hd := e.w.Header()
		hd.Set("Content-Type", e.ctype)
		hd.Set("Content-Disposition", `attachment; filename="`+e.name+`"`)
		hd.Set("Cache-Control", "no-store")
		e.w.WriteHeader(http.StatusOK)
	}
	return e.w.Write(p)
}

func (h *adminAPI) exportAudit(w http.ResponseWriter, r *http.Request, c *caller) error {
	aq, err := auditQuery(r)
	if err != nil {
		return err
	}
	aq.Descending, aq.After = false, ""
	ew := &exportWriter{w: w}
	var format admin.ExportFormat
	switch f := r.URL.Query().Get("format"); f {
	case "", "csv":
		format, ew.ctype, ew.name = admin.ExportCSV, "text/csv; charset=utf-8", "audit.csv"
	case "jsonl":
		format, ew.ctype, ew.name = admin.ExportJSONL, "application/jsonl; charset=utf-8", "audit.jsonl"
	default:
		return core.Errorf(core.KindInvalid, "invalidFormat", "format must be csv or jsonl, not %q", clipped(f))
	}
	t, err := h.team(r, c)
	if err != nil {
		return err
	}
	err = h.adm.ExportAudit(r.Context(), c.p, t.ID, aq, format, ew)
	if err != nil && ew.started {
		// The status is sent; the truncated body is all the client gets.
		h.log.LogAttrs(r.Context(), slog.LevelWarn, "audit export incomplete",
			slog.String("request_id", requestID(r)), slog.String("err", err.Error()))
		return nil
	}
	if err != nil {
		return err
	}
	if !ew.started { // nothing matched: an empty file (CSV writers emit a header)
		_, _ = ew.Write(nil)
	}
	return nil
}

func (h *adminAPI) listActivity(w http.ResponseWriter, r *http.Request, c *caller) error {
	q := r.URL.Query()
	aq := admin.ActivityQuery{KeyID: q.Get("key"), Before: q.Get("cursor")}
	switch f := q.Get("failures"); f {
	case "", "false":
	case "true":
		aq.FailuresOnly = true
	default:
		return core.Errorf(core.KindInvalid, "invalidValue", "failures must be true or false, not %q", clipped(f))
	}
	var err error
	if aq.Since, err = queryTime(r, "since"); err != nil {
		return err
	}
	if aq.Limit, err = queryLimit(r, 100); err != nil {
		return err
	}
	t, err := h.team(r, c)
	if err != nil {
		return err
	}
	as, err := h.adm.Activity(r.Context(), c.p, t.ID, aq)
	if err != nil {
		return err
	}
	out := roster.ActivityPage{Activity: make([]roster.Activity, 0, len(as))}
	for _, a := range as {
		wa := roster.Activity{
			ID: a.ID, At: a.At, KeyID: a.KeyID, Method: a.Method, Path: a.Path, Status: a.Status,
			SCIMType: a.SCIMType, Detail: a.Detail, LatencyMS: a.LatencyMS,
			RequestBody: a.RequestBody, ResponseBody: a.ResponseBody,
		}
		explainActivity(&wa)
		out.Activity = append(out.Activity, wa)
	}
	if len(as) == aq.Limit && len(as) > 0 {
		out.NextCursor = as[len(as)-1].ID
	}
	return ok(w, out)
}

// eventCursor parses a change-feed cursor: the decimal Seq of the last
// event seen.
func eventCursor(v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, core.Errorf(core.KindInvalid, "invalidCursor", "after must be a cursor returned by this API, not %q", clipped(v))
	}
	return n, nil
}

func (h *adminAPI) listEvents(w http.ResponseWriter, r *http.Request, c *caller) error {
	after, err := eventCursor(r.URL.Query().Get("after"))
	if err != nil {
		return err
	}
	limit, err := queryLimit(r, 100)
	if err != nil {
		return err
	}
	t, err := h.team(r, c)
	if err != nil {
		return err
	}
	pg, err := h.adm.Changes(r.Context(), c.p, t.ID, after, limit)
	if err != nil {
		return err
	}
	out := roster.EventPage{
		Events:     make([]roster.Event, 0, len(pg.Changes)),
		NextCursor: strconv.FormatInt(pg.Next, 10),
		HasMore:    len(pg.Changes) == limit,
	}
	for _, ch := range pg.Changes {
		out.Events = append(out.Events, roster.Event{
			Cursor: strconv.FormatInt(ch.Seq, 10), Seq: ch.Seq, At: ch.At, Type: ch.Type,
			ResourceID: ch.ResourceID, Data: ch.Data,
		})
	}
	return ok(w, out)
}
