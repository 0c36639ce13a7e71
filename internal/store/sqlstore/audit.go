package sqlstore

import (
	"context"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

const auditCols = "team_id, id, at, actor_kind, actor_id, actor_name, ip, user_agent, action, target_type, target_id, summary"

// Audit implements store.AdminReader: one page of the team's events in id
// (UUIDv7, so time) order, ascending or descending. Each filter is served
// by an index that starts with (team_id, column) and ends with id, so a
// page costs its size.
func (s *base) Audit(ctx context.Context, teamID string, q store.AuditQuery) ([]core.AuditEvent, error) {
	b := NewBuilder(s.d).SQL("SELECT " + auditCols + " FROM audit_events WHERE team_id = ").Arg(teamID)
	if q.ActorID != "" {
		b.SQL(" AND actor_id = ").Arg(q.ActorID)
	}
	if q.Action != "" {
		b.SQL(" AND action = ").Arg(q.Action)
	}
	if q.TargetID != "" {
		b.SQL(" AND target_id = ").Arg(q.TargetID)
	}
	if !q.Since.IsZero() {
		b.SQL(" AND at >= ").Arg(s.timeArg(q.Since))
	}
	if !q.Until.IsZero() {
		b.SQL(" AND at < ").Arg(s.timeArg(q.Until))
	}
	order := " ORDER BY id"
	if q.Descending {
		order = " ORDER BY id DESC"
		if q.After != "" {
			b.SQL(" AND id < ").Arg(q.After)
		}
	} else if q.After != "" {
		b.SQL(" AND id > ").Arg(q.After)
	}
	b.SQL(order + " LIMIT ").Arg(adminLimit(q.Limit))
	rows, err := s.q.QueryContext(ctx, b.String(), b.Args()...)
	if err != nil {
		return nil, s.wrapErr("audit", err)
	}
	defer rows.Close()
	var out []core.AuditEvent
	for rows.Next() {
		var e core.AuditEvent
		if err := rows.Scan(&e.TeamID, &e.ID, scanTime(&e.At), &e.Actor.Kind, &e.Actor.ID, &e.Actor.Name, &e.IP, &e.UserAgent,
			&e.Action, &e.TargetType, &e.TargetID, objectScan{&e.Summary}); err != nil {
			return nil, s.wrapErr("audit", err)
		}
		out = append(out, e)
	}
	return out, s.wrapErr("audit", rows.Err())
}

// AppendAudit implements store.AdminTx. An id the team already used is
// KindConflict; an unknown team is KindNotFound.
func (t *Tx) AppendAudit(ctx context.Context, e core.AuditEvent) error {
	if e.ID == "" || e.TeamID == "" || e.Action == "" {
		return invalid("invalidValue", "an audit event needs an id, a team and an action")
	}
	summary, err := encodeObject(e.Summary)
	if err != nil {
		return err
	}
	b := NewBuilder(t.d).SQL("INSERT INTO audit_events (" + auditCols + ") VALUES (").
		Arg(e.TeamID).SQL(", ").Arg(e.ID).SQL(", ").Arg(t.timeArg(e.At)).SQL(", ").
		Arg(e.Actor.Kind).SQL(", ").Arg(e.Actor.ID).SQL(", ").Arg(e.Actor.Name).SQL(", ").
		Arg(e.IP).SQL(", ").Arg(e.UserAgent).SQL(", ").Arg(e.Action).SQL(", ").
		Arg(e.TargetType).SQL(", ").Arg(e.TargetID).SQL(", ").JSONArg(summary).SQL(")")
	_, err = t.exec(ctx, b)
	return t.writeErr("append audit", "team", err)
}
