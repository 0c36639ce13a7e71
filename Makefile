# Roster developer tasks. `make run` starts the server on SQLite; `make test`
# runs every test (PostgreSQL tests run when a server answers at
# ROSTER_TEST_POSTGRES_DSN, and must run when ROSTER_TEST_REQUIRE_POSTGRES=1).
GO ?= go
FUZZTIME ?= 30s

.PHONY: run build test test-pg check fuzz fuzz-long bench lint screenshots

run:
	$(GO) run ./cmd/roster serve

build:
	CGO_ENABLED=0 $(GO) build -o roster ./cmd/roster

test:
	$(GO) test -count=1 ./...

test-pg:
	ROSTER_TEST_REQUIRE_POSTGRES=1 \
	ROSTER_TEST_POSTGRES_DSN=$${ROSTER_TEST_POSTGRES_DSN:-postgres://postgres@127.0.0.1:5432/roster_test?sslmode=disable} \
	$(GO) test -count=1 ./...

lint:
	golangci-lint run ./...

# The admin web page's browser tests in headless Chromium (.ci/browser-deps
# installs it); they save every page at desktop and phone widths under
# artifacts/screenshots and refresh the images the docs show (docs/img).
screenshots:
	bash .ci/browser-deps
	ROSTER_TEST_REQUIRE_BROWSER=1 ROSTER_UPDATE_DOC_IMAGES=1 \
	$(GO) test -count=1 -run '^TestBrowser' ./cmd/roster

check:
	bash .ci/run

fuzz:
	FUZZTIME=$(FUZZTIME) bash .ci/fuzz

# Long fuzzing for release checks: every target for FUZZTIME_LONG (default 1h).
fuzz-long:
	FUZZTIME=$${FUZZTIME_LONG:-1h} bash .ci/fuzz

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
