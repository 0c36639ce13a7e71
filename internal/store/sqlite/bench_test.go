package sqlite

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/rosterhq/roster/internal/scim/filter"
	"github.com/rosterhq/roster/internal/store"
)

// BenchmarkFilterSQL measures compiling a parsed filter to SQL (the
// store's half of every filtered list): Okta's userName lookup, Entra's
// and-ed matching attributes, and a value-path filter.
//
//	go test -run '^$' -bench BenchmarkFilterSQL -benchmem ./internal/store/sqlite/
func BenchmarkFilterSQL(b *testing.B) {
	s, err := Open(context.Background(), b.TempDir()+"/bench.db")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for _, tc := range []struct{ name, f string }{
		{"okta-userName-eq", `userName eq "user0000001@seed.example"`},
		{"entra-and", `externalId eq "0b1c" and emails[type eq "work"].value eq "a@b.example"`},
		{"complex", `(title co "eng" or name.familyName sw "A") and not (active eq false) and meta.lastModified gt "2026-01-01T00:00:00Z"`},
	} {
		e, err := filter.Parse(tc.f)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := s.ListSQL("User", "team", store.Query{Filter: e, Count: 100}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkInTxParallel measures small durable write transactions from
// many goroutines, with group commit (the default) and without (a batch
// bound of 1: one COMMIT, one fsync per call). It reports the calls per
// COMMIT.
//
//	go test -run '^$' -bench BenchmarkInTxParallel -benchtime 2000x ./internal/store/sqlite/
func BenchmarkInTxParallel(b *testing.B) {
	for _, bound := range []int{1, DefaultGroupCommit} {
		b.Run(fmt.Sprintf("batch=%d", bound), func(b *testing.B) {
			s, err := Open(context.Background(), b.TempDir()+"/bench.db", WithGroupCommit(bound))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			var n atomic.Int64
			before := s.TxStats()
			b.SetParallelism(8) // 8 x GOMAXPROCS writers
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					err := s.InTx(ctx, func(tx store.Tx) error {
						return tx.CreateTeam(ctx, newTeam(fmt.Sprintf("b%d", i)))
					})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			st := s.TxStats()
			if c := st.Commits - before.Commits; c > 0 {
				b.ReportMetric(float64(st.Txs-before.Txs)/float64(c), "calls/commit")
			}
		})
	}
}
