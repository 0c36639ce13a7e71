package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ncruces/go-sqlite3/driver"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

// writeCostDB opens a migrated database with one team, and a raw
// connection to it without fsync (these benchmarks measure the CPU of the
// statements in this WebAssembly build of SQLite, not the disk).
func writeCostDB(b *testing.B) (*sql.DB, string) {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "cost.db")
	s, err := Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	teamID := core.NewIDGen(nil, nil)()
	now := time.Now()
	err = s.InTx(ctx, func(tx store.Tx) error {
		return tx.CreateTeam(ctx, core.Team{ID: teamID, Slug: "cost", Name: "Cost", CreatedAt: now, UpdatedAt: now})
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	db, err := driver.Open(dsn(path, nil), registerFunctions)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, "PRAGMA synchronous=OFF"); err != nil {
		b.Fatal(err)
	}
	return db, teamID
}

// BenchmarkAuditRowsPerBatch compares two ways for a group-commit batch
// of 32 writes to store its 32 audit rows: one prepared single-row INSERT
// run 32 times, or one prepared 32-row INSERT (both prepared once and
// reused, as the writer's statement cache does). Reported per row.
//
//	go test -run '^$' -bench BenchmarkAuditRowsPerBatch -benchmem -count 5 ./internal/store/sqlite/
func BenchmarkAuditRowsPerBatch(b *testing.B) {
	const rows = 32
	const cols = "team_id, id, at, actor_kind, actor_id, actor_name, ip, user_agent, action, target_type, target_id, summary"
	one := "INSERT INTO audit_events (" + cols + ") VALUES (?, ?, ?, 'scim_key', 'k', 'Okta', '127.0.0.1', 'Okta SCIM', 'user.created', 'user', ?, ?)"
	var multi strings.Builder
	multi.WriteString("INSERT INTO audit_events (" + cols + ") VALUES ")
	for i := range rows {
		if i > 0 {
			multi.WriteString(", ")
		}
		multi.WriteString("(?, ?, ?, 'scim_key', 'k', 'Okta', '127.0.0.1', 'Okta SCIM', 'user.created', 'user', ?, ?)")
	}
	ids := core.NewIDGen(nil, nil)
	summary := `{"userName":"user0001234@seed.example","status":"active","email":"user0001234@seed.example"}`
	run := func(b *testing.B, multiRow bool) {
		db, teamID := writeCostDB(b)
		ctx := context.Background()
		text := one
		if multiRow {
			text = multi.String()
		}
		prep, err := db.PrepareContext(ctx, text) // prepared once, as the writer's statement cache does
		if err != nil {
			b.Fatal(err)
		}
		defer prep.Close()
		batch := func() {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				b.Fatal(err)
			}
			st := tx.StmtContext(ctx, prep)
			defer st.Close()
			at := time.Now().UTC().Format(time.RFC3339Nano)
			if multiRow {
				args := make([]any, 0, rows*5)
				for range rows {
					args = append(args, teamID, ids(), at, ids(), summary)
				}
				if _, err := st.ExecContext(ctx, args...); err != nil {
					b.Fatal(err)
				}
			} else {
				for range rows {
					if _, err := st.ExecContext(ctx, teamID, ids(), at, ids(), summary); err != nil {
						b.Fatal(err)
					}
				}
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		for b.Loop() {
			batch()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
	}
	b.Run("prepared-single-row", func(b *testing.B) { run(b, false) })
	b.Run("multi-row-32", func(b *testing.B) { run(b, true) })
}

// BenchmarkMemberInsertIndexes measures one member INSERT (a 10k-member
// team, transactions of 32) with every index, and with each index of
// migration 00003 dropped, so that each index's cost per insert is the
// difference.
//
//	go test -run '^$' -bench BenchmarkMemberInsertIndexes -benchmem -count 5 ./internal/store/sqlite/
func BenchmarkMemberInsertIndexes(b *testing.B) {
	const ins = "INSERT INTO members (team_id, id, account_id, user_name, user_name_key, external_id, display_name, display_name_key, email, active, status, role, scim_managed, doc, version, created_at, updated_at) " +
		"VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, 1, 'active', 'developer', 1, ?, 1, ?, ?)"
	doc := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"name":{"givenName":"Ada","familyName":"Lovelace"},"displayName":"Ada Lovelace","emails":[{"value":"x@seed.example","type":"work","primary":true}],"active":true}`
	ids := core.NewIDGen(nil, nil)
	for _, drop := range []string{"", "members_search", "members_role", "members_status", "members_search,members_role,members_status"} {
		name := "all"
		if drop != "" {
			name = "without-" + strings.ReplaceAll(drop, ",", "+")
		}
		b.Run(name, func(b *testing.B) {
			db, teamID := writeCostDB(b)
			ctx := context.Background()
			for ix := range strings.SplitSeq(drop, ",") {
				if ix == "" {
					continue
				}
				if _, err := db.ExecContext(ctx, "DROP INDEX "+ix); err != nil {
					b.Fatal(err)
				}
			}
			n := 0
			insert := func(st *sql.Stmt) {
				n++
				u := fmt.Sprintf("user%07d@seed.example", n)
				now := time.Now().UTC().Format(time.RFC3339Nano)
				if _, err := st.ExecContext(ctx, teamID, ids(), u, u, fmt.Sprintf("00u%07d", n), "Ada Lovelace", "ada lovelace", u, doc, now, now); err != nil {
					b.Fatal(err)
				}
			}
			prep, err := db.PrepareContext(ctx, ins)
			if err != nil {
				b.Fatal(err)
			}
			defer prep.Close()
			batch := func(k int) {
				tx, err := db.BeginTx(ctx, nil)
				if err != nil {
					b.Fatal(err)
				}
				st := tx.StmtContext(ctx, prep)
				defer st.Close()
				for range k {
					insert(st)
				}
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
			}
			for range 10000 / 100 { // a 10k-member team first
				batch(100)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				batch(32)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*32), "ns/insert")
		})
	}
}
