#!/bin/bash
# gobench.sh DIR: the Go benchmarks of docs/performance.md, run in the checkout DIR (PostgreSQL rows need the local server)
cd $1
export ROSTER_TEST_POSTGRES_DSN="postgres://postgres@127.0.0.1:5432/roster_test?sslmode=disable"
go test -run '^$' -bench 'BenchmarkFilterSQL|BenchmarkInTxParallel|GroupMembers100' -benchmem -benchtime 2000x ./internal/store/sqlite/
go test -run '^$' -bench 'BenchmarkEncode|BenchmarkAuthenticate' -benchmem ./internal/provision/
go test -run '^$' -bench 'BenchmarkApply|BenchmarkSplitMembers' -benchmem ./internal/scim/patch/
go test -run '^$' -bench . -benchmem ./internal/scim/filter/
go test -run '^$' -bench BenchmarkVerifyKey -benchmem ./internal/core/
go test -run '^$' -bench BenchmarkDecodeOktaCreate -benchmem ./internal/scim/
go test -run '^$' -bench BenchmarkActivityBody -benchmem ./internal/httpapi/
