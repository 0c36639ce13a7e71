#!/bin/bash
# run.sh: the wrapper every figure in docs/performance.md went through.
#
#   run.sh LABEL SEEDED KEYFILE USERS SCENARIOS DURATION OUT.json [roster bench flags...]
#
# SEEDED is the seeded database the run starts from, never written to:
#   sqlite:/path/seed.db      copied to /path/seed.db.run (WAL files removed) for this run
#   postgres:TEMPLATE         copied with CREATE DATABASE roster_run TEMPLATE TEMPLATE
# The script starts `roster serve` on the copy (--no-rate-limit: the per-key limiter
# would answer the load generator with 429s), times exec -> first /healthz 200, runs
# `roster bench` at C=16 with the ceiling measured in the same run, then prints the
# server's CPU ticks (utime+stime from /proc/PID/stat, 10 ms each), the PostgreSQL
# processes' CPU ticks, the server's VmHWM/VmRSS and the load average, and stops it.
#
# Environment: BIN (default: roster on PATH), PORT (18181), CONCURRENCY (16),
# SERVE_LOG (/tmp/roster-serve-LABEL.log), PGHOST_URL (postgres://postgres@127.0.0.1:5432),
# PGPARAMS (extra DSN parameters, e.g. synchronous_commit=off or pool_max_conns=8).
# PROFILE=SECONDS PROFILE_OUT=FILE [PDELAY=SECONDS, default 10: after the ceiling] also
# fetch a CPU profile from a measuring build (go build -tags pprof ./cmd/roster), which
# serves net/http/pprof on $ROSTER_PPROF.
set -u
LABEL=$1 SEEDED=$2 KEY=$3 USERS=$4 SC=$5 DUR=$6 OUT=$7; shift 7
BIN=${BIN:-roster} PORT=${PORT:-18181} PGHOST_URL=${PGHOST_URL:-postgres://postgres@127.0.0.1:5432}
P="psql -h 127.0.0.1 -U postgres -Atq"
case $SEEDED in
sqlite:*)
	src=${SEEDED#sqlite:}
	cp "$src" "$src.run" && rm -f "$src.run-wal" "$src.run-shm" || exit 1
	DSN="sqlite:$src.run" ;;
postgres:*)
	$P -c "DROP DATABASE IF EXISTS roster_run" -c "CREATE DATABASE roster_run TEMPLATE ${SEEDED#postgres:}" || exit 1
	DSN="$PGHOST_URL/roster_run?sslmode=disable${PGPARAMS:+&$PGPARAMS}" ;;
*) echo "run.sh: SEEDED must be sqlite:PATH or postgres:TEMPLATE" >&2; exit 2 ;;
esac
pgticks() { # total CPU ticks of every postgres process
	local tot=0 p t
	for p in $(pgrep -x postgres); do
		t=$(awk '{print $14+$15}' /proc/"$p"/stat 2>/dev/null)
		tot=$((tot + ${t:-0}))
	done
	echo $tot
}
sync
ROSTER_PPROF=127.0.0.1:16060 $BIN serve --db "$DSN" --addr 127.0.0.1:"$PORT" --no-rate-limit \
	>"${SERVE_LOG:-/tmp/roster-serve-$LABEL.log}" 2>&1 &
SP=$!
t0=$(date +%s.%N)
for _ in $(seq 1 6000); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.01; done
t1=$(date +%s.%N)
echo "startup: $(echo "$t1 - $t0" | bc) s"
read -r u0 s0 < <(awk '{print $14, $15}' /proc/$SP/stat)
pg0=$(pgticks)
echo "load start: $(cat /proc/loadavg)"
if [ -n "${PROFILE:-}" ]; then
	(sleep "${PDELAY:-10}"; curl -s "http://127.0.0.1:16060/debug/pprof/profile?seconds=$PROFILE" -o "${PROFILE_OUT:?}") &
	PP=$!
fi
$BIN bench --base "http://127.0.0.1:$PORT/scim/v2" --token "$(cat "$KEY")" --scenario "$SC" --users "$USERS" \
	--duration "$DUR" --concurrency "${CONCURRENCY:-16}" --label "$LABEL" --json "$OUT" "$@" 2>/dev/null
rc=$?
[ -n "${PP:-}" ] && wait "$PP"
echo "load end: $(cat /proc/loadavg)"
read -r u1 s1 < <(awk '{print $14, $15}' /proc/$SP/stat)
pg1=$(pgticks)
echo "server CPU ticks: $(((u1 - u0) + (s1 - s0)))  postgres CPU ticks: $((pg1 - pg0))"
grep -E "VmHWM|VmRSS" /proc/$SP/status
kill $SP
wait $SP 2>/dev/null
echo rc=$rc
exit $rc
