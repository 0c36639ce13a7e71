package provision_test

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/rosterhq/roster/internal/provision"
	"github.com/rosterhq/roster/internal/provision/provisiontest"
	"github.com/rosterhq/roster/internal/scim"
)

// BenchmarkEncode measures the JSON encoding of the two hottest answers:
// one User (GET /Users/{id}, a filter hit) and a ListResponse page of 100
// Users (an IdP import walk). The resources are read once; only WriteJSON
// is timed.
//
//	go test -run '^$' -bench BenchmarkEncode -benchmem ./internal/provision/
func BenchmarkEncode(b *testing.B) {
	st := provisiontest.OpenSQLite(b)
	env := provisiontest.New(b, st)
	svc := provision.New(st, provision.Config{Quirks: scim.DefaultQuirks()})
	ctx := context.Background()
	caller, err := svc.Authenticate(ctx, "Bearer "+env.Key)
	if err != nil {
		b.Fatal(err)
	}
	var id string
	for i := range 100 {
		body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bench%03d@example.com",
			"name":{"givenName":"Bench","familyName":"User %d"},"emails":[{"primary":true,"value":"bench%03d@example.com","type":"work"}],
			"displayName":"Bench User","locale":"en-US","externalId":"00u%d","active":true}`, i, i, i, i)
		r, err := svc.CreateUser(ctx, caller, []byte(body), provision.Options{})
		if err != nil {
			b.Fatal(err)
		}
		id = r.ID()
	}
	const base = "https://roster.example.com/scim/v2"
	b.Run("User", func(b *testing.B) {
		r, err := svc.GetUser(ctx, caller, id, provision.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := r.WriteJSON(ctx, io.Discard, base); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ListResponse100", func(b *testing.B) {
		start, count := 1, 100
		l, err := svc.ListUsers(ctx, caller, scim.SearchRequest{StartIndex: &start, Count: &count})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := l.WriteJSON(ctx, io.Discard, base); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkAuthenticate measures the per-request SCIM key check on each
// backend: the full Authenticate (parse, one indexed read of the key and
// its team, hash verification), and the store reads alone, in one query
// (KeyWithTeam) and in the two it replaced (KeyByPrefix, then Team).
//
//	go test -run '^$' -bench BenchmarkAuthenticate -benchmem ./internal/provision/
func BenchmarkAuthenticate(b *testing.B) {
	for _, be := range provisiontest.Backends(b) {
		b.Run(be.Name, func(b *testing.B) {
			st := be.Open(b)
			env := provisiontest.New(b, st)
			svc := provision.New(st, provision.Config{Quirks: scim.DefaultQuirks()})
			ctx := context.Background()
			caller, err := svc.Authenticate(ctx, "Bearer "+env.Key)
			if err != nil {
				b.Fatal(err)
			}
			prefix := caller.KeyPrefix
			b.Run("Authenticate", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := svc.Authenticate(ctx, "Bearer "+env.Key); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("KeyWithTeam", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, _, err := st.KeyWithTeam(ctx, prefix); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("KeyByPrefix+Team", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					k, err := st.KeyByPrefix(ctx, prefix)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := st.Team(ctx, k.TeamID); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
