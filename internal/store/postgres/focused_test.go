package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim/filter"
	"github.com/rosterhq/roster/internal/store"
)

// TestRetry: InTx runs fn again after a serialization failure or a
// deadlock, a bounded number of times, and passes other errors through.
func TestRetry(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t, WithMaxAttempts(4))
	for _, code := range []string{"40001", "40P01"} {
		calls := 0
		err := s.InTx(ctx, func(store.Tx) error {
			calls++
			if calls < 3 {
				return fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: code})
			}
			return nil
		})
		if err != nil || calls != 3 {
			t.Errorf("SQLSTATE %s: InTx = %v after %d calls; want success after 3", code, err, calls)
		}
	}
	calls := 0
	err := s.InTx(ctx, func(store.Tx) error {
		calls++
		return &pgconn.PgError{Code: "40001"}
	})
	if calls != 4 || !core.IsKind(err, core.KindUnavailable) {
		t.Errorf("persistent serialization failure: %d calls, %v; want 4 calls and KindUnavailable", calls, err)
	}
	calls = 0
	boom := errors.New("boom")
	err = s.InTx(ctx, func(store.Tx) error { calls++; return boom })
	if calls != 1 || !errors.Is(err, boom) {
		t.Errorf("other error: %d calls, %v", calls, err)
	}
}

// TestRealSerializationFailure provokes a real 40001 under SERIALIZABLE
// from a second connection and checks that InTx's retry absorbs it.
func TestRealSerializationFailure(t *testing.T) {
	ctx := context.Background()
	dsn := testDSN(t)
	schema := freshSchema(t, dsn)
	s, err := Open(ctx, dsn, WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	gen := core.NewIDGen(nil, nil)
	now := time.Now()
	team := core.Team{ID: gen(), Slug: "ser", Name: "before", CreatedAt: now, UpdatedAt: now}
	if err := s.InTx(ctx, func(tx store.Tx) error { return tx.CreateTeam(ctx, team) }); err != nil {
		t.Fatal(err)
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams["search_path"] = schema
	cfg.RuntimeParams["default_transaction_isolation"] = "serializable"
	other, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	// A store whose transactions are serializable, to provoke 40001.
	ser, err := Open(ctx, dsn, WithSchema(schema), withRuntimeParam("default_transaction_isolation", "serializable"))
	if err != nil {
		t.Fatal(err)
	}
	defer ser.Close()
	calls := 0
	err = ser.InTx(ctx, func(tx store.Tx) error {
		calls++
		got, err := tx.Team(ctx, team.ID)
		if err != nil {
			return err
		}
		if calls == 1 {
			// Another transaction changes the row after this one read it.
			if _, err := other.Exec(ctx, "UPDATE teams SET name = 'other' WHERE id = $1", team.ID); err != nil {
				return err
			}
		}
		got.Name = got.Name + "+mine"
		return tx.UpdateTeam(ctx, got)
	})
	if err != nil {
		t.Fatalf("InTx: %v", err)
	}
	if calls < 2 {
		t.Errorf("fn ran %d times; the serialization failure was not retried", calls)
	}
	got, err := s.Team(ctx, team.ID)
	if err != nil || got.Name != "other+mine" {
		t.Errorf("team name %q (%v), want %q", got.Name, err, "other+mine")
	}
}

// TestConcurrentOpen: instances starting at once on an empty schema all
// succeed; goose's table lock lets one migrate.
func TestConcurrentOpen(t *testing.T) {
	ctx := context.Background()
	dsn := testDSN(t)
	schema := freshSchema(t, dsn)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(ctx, dsn, WithSchema(schema))
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open %d: %v", i, err)
		}
	}
}

// TestQueryPlans checks that the lookups identity providers make use
// indexes (with sequential scans disabled, the planner's choice on tiny
// tables says nothing otherwise). Run with -v to see the plans.
func TestQueryPlans(t *testing.T) {
	ctx := context.Background()
	dsn := testDSN(t)
	schema := freshSchema(t, dsn)
	s, err := Open(ctx, dsn, WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Several teams, each with members, emails, groups and memberships, so
	// that the planner's statistics look like a real directory's.
	gen := core.NewIDGen(nil, nil)
	now := time.Now()
	var teamID, first string
	for team := range 5 {
		id := gen()
		err = s.InTx(ctx, func(tx store.Tx) error {
			if err := tx.CreateTeam(ctx, core.Team{ID: id, Slug: fmt.Sprintf("plans%d", team), CreatedAt: now, UpdatedAt: now}); err != nil {
				return err
			}
			var refs []core.GroupMember
			for i := range 400 {
				m := core.Member{ID: gen(), TeamID: id, UserName: fmt.Sprintf("user%03d@example.com", i), Active: i%7 != 0,
					Version: 1, CreatedAt: now, UpdatedAt: now, ExternalID: fmt.Sprintf("ext%03d", i),
					Doc: map[string]any{"emails": []any{
						map[string]any{"value": fmt.Sprintf("user%03d@example.com", i), "type": "work"},
						map[string]any{"value": fmt.Sprintf("home%03d@example.org", i), "type": "home"},
					}}}
				if first == "" {
					first = m.ID
				}
				if err := tx.CreateMember(ctx, m); err != nil {
					return err
				}
				refs = append(refs, core.GroupMember{Value: m.ID, Type: "User"})
			}
			for g := range 40 {
				gr := core.Group{ID: gen(), TeamID: id, DisplayName: fmt.Sprintf("G%02d", g), Version: 1, CreatedAt: now, UpdatedAt: now}
				if err := tx.CreateGroup(ctx, gr); err != nil {
					return err
				}
				if _, _, err := tx.AddGroupMembers(ctx, id, gr.ID, refs[g*10:g*10+25]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if team == 0 {
			teamID = id
		}
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams["search_path"] = schema
	cfg.RuntimeParams["enable_seqscan"] = "off"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "ANALYZE"); err != nil {
		t.Fatal(err)
	}
	parse := func(s string) filter.Expr {
		e, err := filter.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	for _, tc := range []struct {
		name, resource string
		q              store.Query
		want           string
	}{
		{"userName eq", "User", store.Query{Filter: parse(`userName eq "USER007@example.com"`), Count: 100}, "members_user_name"},
		{"externalId eq", "User", store.Query{Filter: parse(`externalId eq "ext007"`), Count: 100}, "members_external_id"},
		{"emails.value eq", "User", store.Query{Filter: parse(`emails.value eq "user007@example.com"`), Count: 100}, "member_emails_value"},
		{"emails[type eq work].value eq", "User", store.Query{Filter: parse(`emails[type eq "work"].value eq "user007@example.com"`), Count: 100}, "member_emails_value"},
		{"keyset page", "User", store.Query{After: first, Count: 100}, "members_pkey"},
		{"offset page", "User", store.Query{Offset: 100, Count: 100}, "members_pkey"},
		{"members.value eq (groups)", "Group", store.Query{Filter: parse(`members.value eq "` + first + `"`), Count: 100}, "group_members_member"},
		{"displayName eq (groups)", "Group", store.Query{Filter: parse(`displayName eq "g07"`), Count: 100}, "groups_display_name"},
	} {
		query, args, err := s.ListSQL(tc.resource, teamID, tc.q)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := conn.Query(ctx, "EXPLAIN "+query, args...)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		plan := strings.Join(lines, "\n")
		t.Logf("%s\n  SQL: %s\n  plan:\n    %s", tc.name, query, strings.ReplaceAll(plan, "\n", "\n    "))
		if !strings.Contains(plan, tc.want) {
			t.Errorf("%s: plan does not use %s", tc.name, tc.want)
		}
		if strings.Contains(plan, "Seq Scan on members") || strings.Contains(plan, "Seq Scan on member_emails") || strings.Contains(plan, "Seq Scan on group_members") {
			t.Errorf("%s: plan scans a table", tc.name)
		}
	}
}

// TestAnalyze: Analyze gives the planner the tables' real sizes (what
// roster seed runs after a bulk load; autovacuum may be off).
func TestAnalyze(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	err := s.InTx(ctx, func(tx store.Tx) error {
		now := time.Now().UTC()
		for i := range 300 {
			if err := tx.CreateTeam(ctx, core.Team{ID: fmt.Sprintf("t%03d", i), Slug: fmt.Sprintf("s%03d", i), Name: "x", CreatedAt: now, UpdatedAt: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Analyze(ctx); err != nil {
		t.Fatal(err)
	}
	var n float64
	if err := s.pool.QueryRow(ctx, "SELECT reltuples FROM pg_class WHERE oid = 'teams'::regclass").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 300 {
		t.Errorf("teams reltuples = %v after Analyze, want 300", n)
	}
}
