package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

const activityCols = "team_id, id, at, key_id, method, path, status, scim_type, detail, latency_ms, request_body, response_body"

// activityInsertRows is how many records one INSERT of AppendActivity
// carries (12 bound values each, far below both databases' limits).
const activityInsertRows = 100

// PruneActivityBatch bounds the rows one PruneActivity call deletes, so
// that pruning a large backlog never holds the writer for long: a caller
// that gets PruneActivityBatch back calls again.
const PruneActivityBatch = 5000

// Activity implements store.AdminReader: newest first (id order, UUIDv7).
func (s *base) Activity(ctx context.Context, teamID string, q store.ActivityQuery) ([]core.Activity, error) {
	b := NewBuilder(s.d).SQL("SELECT " + activityCols + " FROM scim_activity WHERE team_id = ").Arg(teamID)
	if q.FailuresOnly {
		b.SQL(" AND status >= 400")
	}
	if q.KeyID != "" {
		b.SQL(" AND key_id = ").Arg(q.KeyID)
	}
	if !q.Since.IsZero() {
		b.SQL(" AND at >= ").Arg(s.timeArg(q.Since))
	}
	if q.Before != "" {
		b.SQL(" AND id < ").Arg(q.Before)
	}
	b.SQL(" ORDER BY id DESC LIMIT ").Arg(adminLimit(q.Limit))
	rows, err := s.q.QueryContext(ctx, b.String(), b.Args()...)
	if err != nil {
		return nil, s.wrapErr("activity", err)
	}
	defer rows.Close()
	var out []core.Activity
	for rows.Next() {
		var a core.Activity
		if err := rows.Scan(&a.TeamID, &a.ID, scanTime(&a.At), &a.KeyID, &a.Method, &a.Path, &a.Status, &a.SCIMType,
			&a.Detail, &a.LatencyMS, &a.RequestBody, &a.ResponseBody); err != nil {
			return nil, s.wrapErr("activity", err)
		}
		out = append(out, a)
	}
	return out, s.wrapErr("activity", rows.Err())
}

// AppendActivity implements store.AdminTx: multi-row INSERTs of up to
// activityInsertRows records each, records of any teams mixed. A record
// whose (team, id) is already stored is skipped, so a writer that retries
// a batch does not duplicate it.
func (t *Tx) AppendActivity(ctx context.Context, as []core.Activity) error {
	for _, a := range as {
		if a.ID == "" || a.TeamID == "" {
			return invalid("invalidValue", "an activity record needs an id and a team")
		}
	}
	for len(as) > 0 {
		chunk := as[:min(len(as), activityInsertRows)]
		as = as[len(chunk):]
		b := NewBuilder(t.d).SQL("INSERT INTO scim_activity (" + activityCols + ") VALUES ")
		for i, a := range chunk {
			if i > 0 {
				b.SQL(", ")
			}
			b.SQL("(").Arg(a.TeamID).SQL(", ").Arg(a.ID).SQL(", ").Arg(t.timeArg(a.At)).SQL(", ").Arg(a.KeyID).SQL(", ").
				Arg(a.Method).SQL(", ").Arg(a.Path).SQL(", ").Arg(a.Status).SQL(", ").Arg(a.SCIMType).SQL(", ").
				Arg(a.Detail).SQL(", ").Arg(a.LatencyMS).SQL(", ").Arg(a.RequestBody).SQL(", ").Arg(a.ResponseBody).SQL(")")
		}
		b.SQL(" ON CONFLICT (team_id, id) DO NOTHING")
		if _, err := t.exec(ctx, b); err != nil {
			return t.writeErr("append activity", "team", err)
		}
	}
	return nil
}

// PruneActivity implements store.AdminTx: it deletes the team's records
// older than before (a zero before bounds nothing) and those beyond the
// newest keep (keep <= 0 bounds nothing), at most PruneActivityBatch of
// them, oldest first, and returns how many it deleted.
func (t *Tx) PruneActivity(ctx context.Context, teamID string, before time.Time, keep int) (int, error) {
	var cutoff string
	if keep > 0 {
		b := NewBuilder(t.d).SQL("SELECT id FROM scim_activity WHERE team_id = ").Arg(teamID).
			SQL(" ORDER BY id DESC LIMIT 1 OFFSET ").Arg(keep)
		err := t.q.QueryRowContext(ctx, b.String(), b.Args()...).Scan(&cutoff)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return 0, t.wrapErr("prune activity", err)
		}
	}
	if before.IsZero() && cutoff == "" {
		return 0, nil
	}
	b := NewBuilder(t.d).SQL("DELETE FROM scim_activity WHERE team_id = ").Arg(teamID).
		SQL(" AND id IN (SELECT id FROM scim_activity WHERE team_id = ").Arg(teamID).SQL(" AND (")
	switch {
	case before.IsZero():
		b.SQL("id <= ").Arg(cutoff)
	case cutoff == "":
		b.SQL("at < ").Arg(t.timeArg(before))
	default:
		b.SQL("at < ").Arg(t.timeArg(before)).SQL(" OR id <= ").Arg(cutoff)
	}
	b.SQL(") ORDER BY id LIMIT ").Arg(PruneActivityBatch).SQL(")")
	n, err := t.exec(ctx, b)
	if err != nil {
		return 0, t.wrapErr("prune activity", err)
	}
	if !before.IsZero() {
		// At most the minutes since the last prune: a few rows.
		tb := NewBuilder(t.d).SQL("DELETE FROM scim_traffic WHERE team_id = ").Arg(teamID).
			SQL(" AND minute < ").Arg(t.timeArg(before.Truncate(time.Minute)))
		if _, err := t.exec(ctx, tb); err != nil {
			return 0, t.wrapErr("prune traffic", err)
		}
	}
	return int(n), nil
}

// trafficInsertRows is how many minutes one upsert of AddActivityTraffic
// carries.
const trafficInsertRows = 200

// AddActivityTraffic implements store.AdminTx: multi-row upserts that add
// to the minutes already counted.
func (t *Tx) AddActivityTraffic(ctx context.Context, ts []store.ActivityTraffic) error {
	for _, x := range ts {
		if x.TeamID == "" || x.Requests < 0 || x.Failures < 0 || x.Failures > x.Requests {
			return invalid("invalidValue", "a traffic count needs a team and 0 <= failures <= requests")
		}
	}
	for len(ts) > 0 {
		chunk := ts[:min(len(ts), trafficInsertRows)]
		ts = ts[len(chunk):]
		b := NewBuilder(t.d).SQL("INSERT INTO scim_traffic (team_id, minute, requests, failures) VALUES ")
		for i, x := range chunk {
			if i > 0 {
				b.SQL(", ")
			}
			b.SQL("(").Arg(x.TeamID).SQL(", ").Arg(t.timeArg(x.Minute.UTC().Truncate(time.Minute))).SQL(", ").
				Arg(x.Requests).SQL(", ").Arg(x.Failures).SQL(")")
		}
		b.SQL(" ON CONFLICT (team_id, minute) DO UPDATE SET requests = scim_traffic.requests + excluded.requests," +
			" failures = scim_traffic.failures + excluded.failures")
		if _, err := t.exec(ctx, b); err != nil {
			return t.wrapErr("add traffic", err)
		}
	}
	return nil
}
