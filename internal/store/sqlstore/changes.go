package sqlstore

import (
	"context"

	"github.com/rosterhq/roster/internal/core"
)

const changeCols = "team_id, seq, at, type, resource_id, data"

// Changes implements store.AdminReader.
func (s *base) Changes(ctx context.Context, teamID string, afterSeq int64, limit int) ([]core.Change, error) {
	b := NewBuilder(s.d).SQL("SELECT " + changeCols + " FROM change_feed WHERE team_id = ").Arg(teamID).
		SQL(" AND seq > ").Arg(afterSeq).SQL(" ORDER BY seq LIMIT ").Arg(adminLimit(limit))
	rows, err := s.q.QueryContext(ctx, b.String(), b.Args()...)
	if err != nil {
		return nil, s.wrapErr("changes", err)
	}
	defer rows.Close()
	var out []core.Change
	for rows.Next() {
		var c core.Change
		if err := rows.Scan(&c.TeamID, &c.Seq, scanTime(&c.At), &c.Type, &c.ResourceID, objectScan{&c.Data}); err != nil {
			return nil, s.wrapErr("changes", err)
		}
		out = append(out, c)
	}
	return out, s.wrapErr("changes", rows.Err())
}

// AppendChange implements store.AdminTx. The number comes from the team's
// counter row (change_counters), incremented by an upsert in this
// transaction: the row lock it takes makes every other transaction that
// appends to the same team wait until this one ends (or, under
// SERIALIZABLE, fail and be retried by InTx), so numbers are given out in
// commit order, and a rolled-back transaction gives its number back. No
// sequence, no advisory lock: CockroachDB and YugabyteDB run it as is. An
// unknown team is KindNotFound.
func (t *Tx) AppendChange(ctx context.Context, c *core.Change) error {
	if c.TeamID == "" || c.Type == "" {
		return invalid("invalidValue", "a change needs a team and a type")
	}
	data, err := encodeObject(c.Data)
	if err != nil {
		return err
	}
	var seq int64
	if d, ok := t.d.(modifyingCTEs); ok && d.ModifyingCTEs() {
		// One statement, one round trip: the counter row's lock is then
		// held only through this statement and the COMMIT.
		b := NewBuilder(t.d).SQL("WITH c AS (INSERT INTO change_counters (team_id, seq) VALUES (").Arg(c.TeamID).
			SQL(", 1) ON CONFLICT (team_id) DO UPDATE SET seq = change_counters.seq + 1 RETURNING seq) INSERT INTO change_feed (" + changeCols + ") VALUES (").
			Arg(c.TeamID).SQL(", (SELECT seq FROM c), ").Arg(t.timeArg(c.At)).SQL(", ").Arg(c.Type).SQL(", ").
			Arg(c.ResourceID).SQL(", ").JSONArg(data).SQL(") RETURNING seq")
		if err := t.q.QueryRowContext(ctx, b.String(), b.Args()...).Scan(&seq); err != nil {
			return t.writeErr("append change", "team", err)
		}
		c.Seq = seq
		return nil
	}
	b := NewBuilder(t.d).SQL("INSERT INTO change_counters (team_id, seq) VALUES (").Arg(c.TeamID).
		SQL(", 1) ON CONFLICT (team_id) DO UPDATE SET seq = change_counters.seq + 1 RETURNING seq")
	if err := t.q.QueryRowContext(ctx, b.String(), b.Args()...).Scan(&seq); err != nil {
		return t.writeErr("append change", "team", err)
	}
	b = NewBuilder(t.d).SQL("INSERT INTO change_feed (" + changeCols + ") VALUES (").
		Arg(c.TeamID).SQL(", ").Arg(seq).SQL(", ").Arg(t.timeArg(c.At)).SQL(", ").Arg(c.Type).SQL(", ").
		Arg(c.ResourceID).SQL(", ").JSONArg(data).SQL(")")
	if _, err := t.exec(ctx, b); err != nil {
		return t.writeErr("append change", "team", err)
	}
	c.Seq = seq
	return nil
}

// modifyingCTEs is implemented by a Dialect whose database runs INSERTs
// inside WITH (PostgreSQL, CockroachDB; not SQLite), so that dependent
// writes can go in one statement and one round trip.
type modifyingCTEs interface {
	ModifyingCTEs() bool
}
