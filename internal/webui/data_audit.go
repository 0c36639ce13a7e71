package webui

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	roster "github.com/rosterhq/roster"
)

// auditData is the audit log page.
type auditData struct {
	// The filters as typed.
	Actor, Action, Since, Until string
	Rows                        []auditRow
	Pager                       Pager
	// ExportCSV and ExportJSONL are the export links of the current filter.
	ExportCSV, ExportJSONL string
	// FilterError explains a filter that could not be read.
	FilterError string
}

// auditRow is an audit event as the table shows it.
type auditRow struct {
	roster.AuditEvent
	When, Actor, Target, Summary string
	// TargetName names the target (an email, a group or key name) when
	// the event carries it, else "" and the page shows a short id.
	TargetName string
}

// targetNameKeys are the summary fields that name an event's target, in
// order of preference.
var targetNameKeys = []string{"email", "userName", "displayName", "name"}

// targetName names an event's target from what the event carries: the
// actor for their own account, else the first naming field of its
// summary ("" when it has none).
func targetName(ev roster.AuditEvent) string {
	if ev.TargetID != "" && ev.TargetID == ev.Actor.ID && ev.Actor.Name != "" {
		return ev.Actor.Name
	}
	for _, k := range targetNameKeys {
		if s, ok := ev.Summary[k].(string); ok && strings.TrimSpace(s) != "" {
			return clip(strings.TrimSpace(s), 80)
		}
	}
	return ""
}

// parseDay reads a filter time: a date (YYYY-MM-DD, the date input's
// value: midnight UTC; endOfDay moves it to the next midnight so that the
// day is included) or an RFC 3339 time.
func parseDay(s string, endOfDay bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		if endOfDay {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date (YYYY-MM-DD)", clip(s, 40))
	}
	return t, nil
}

// auditQuery reads the audit filters of the page's URL. An actor written
// as an email is looked up among the team's members (the audit log names
// people by account id).
func (p *page) auditQuery() (roster.AuditQuery, auditData, error) {
	v := p.r.URL.Query()
	d := auditData{Actor: strings.TrimSpace(v.Get("actor")), Action: strings.TrimSpace(v.Get("action")),
		Since: strings.TrimSpace(v.Get("since")), Until: strings.TrimSpace(v.Get("until"))}
	q := roster.AuditQuery{Actor: d.Actor, Action: d.Action, Cursor: v.Get("cursor"), Limit: auditPageSize}
	var err error
	if q.Since, err = parseDay(d.Since, false); err != nil {
		return q, d, err
	}
	if q.Until, err = parseDay(d.Until, true); err != nil {
		return q, d, err
	}
	if strings.Contains(d.Actor, "@") {
		pg, err := p.API.SearchMembers(p.ctx(), p.Team.Slug, roster.MemberQuery{Q: d.Actor, Limit: 10})
		if err != nil {
			return q, d, err
		}
		for _, m := range pg.Members {
			if strings.EqualFold(m.Email, d.Actor) {
				q.Actor = m.AccountID
			}
		}
	}
	return q, d, nil
}

func (u *UI) auditPage(p *page) error {
	q, d, err := p.auditQuery()
	if err != nil {
		d.FilterError = sentence(err.Error())
		return p.renderStatus(http.StatusBadRequest, "data_audit", "Audit log", "audit", d)
	}
	pg, err := p.API.Audit(p.ctx(), p.Team.Slug, q)
	if err != nil {
		var e *roster.Error
		if asAPIError(err, &e) && e.Status == http.StatusBadRequest {
			d.FilterError = sentence(e.Message)
			return p.renderStatus(http.StatusBadRequest, "data_audit", "Audit log", "audit", d)
		}
		return err
	}
	for _, ev := range pg.Events {
		r := auditRow{AuditEvent: ev, When: when(ev.At), Actor: ev.Actor.Name, Summary: summarize(ev.Summary)}
		if r.Actor == "" {
			r.Actor = ev.Actor.ID
		}
		if r.Actor == "" {
			r.Actor = ev.Actor.Kind
		}
		if ev.TargetType != "" || ev.TargetID != "" {
			r.Target = strings.TrimSpace(ev.TargetType + " " + ev.TargetID)
			r.TargetName = targetName(ev)
		}
		d.Rows = append(d.Rows, r)
	}
	d.Pager = pager(p.r, pg.NextCursor)
	ex := url.Values{}
	for k, x := range map[string]string{"actor": d.Actor, "action": d.Action, "since": d.Since, "until": d.Until} {
		if x != "" {
			ex.Set(k, x)
		}
	}
	ex.Set("format", "csv")
	d.ExportCSV = p.teamPath("/audit/export") + "?" + ex.Encode()
	ex.Set("format", "jsonl")
	d.ExportJSONL = p.teamPath("/audit/export") + "?" + ex.Encode()
	return p.render("data_audit", "Audit log", "audit", d)
}

// summarize writes an audit summary as "key: value" pairs in key order.
func summarize(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s: %v", k, m[k]))
	}
	return clip(strings.Join(parts, ", "), 300)
}

// auditExport streams the audit log export of the current filter.
func (u *UI) auditExport(p *page) error {
	format := p.r.URL.Query().Get("format")
	if format != roster.ExportCSV && format != roster.ExportJSON {
		format = roster.ExportCSV
	}
	q, _, err := p.auditQuery()
	if err != nil {
		return &roster.Error{Status: http.StatusBadRequest, Code: "invalidTime", Message: err.Error()}
	}
	rc, err := p.API.ExportAudit(p.ctx(), p.Team.Slug, format, q)
	if err != nil {
		return err
	}
	defer rc.Close()
	h := p.w.Header()
	ext, ct := "csv", "text/csv; charset=utf-8"
	if format == roster.ExportJSON {
		ext, ct = "jsonl", "application/jsonl; charset=utf-8"
	}
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="roster-audit-%s.%s"`, p.Team.Slug, ext))
	p.w.WriteHeader(http.StatusOK)
	_, err = io.Copy(p.w, rc)
	if err != nil {
		p.ui.log.Warn("admin page: audit export interrupted", "err", err)
	}
	return nil
}
