#!/bin/bash
# pair.sh SCENARIO ROUND BIN... : paired single-scenario runs (round 3 of docs/performance.md), each
# binary in turn on a fresh copy of the seeded 10k database, through ab.sh, printing the server's
# CPU milliseconds per request (and, on PostgreSQL, transactions per request from pg_stat_database).
#   SQLite:     WORK=/tmp/h6 (holds db/s10k.db, db/s10k.key)            pair.sh lookup 1 ./roster-old ./roster-new
#   PostgreSQL: PG_TEMPLATE=h4_b10000 KEY=/tmp/h4/db/pg10k.key       pair.sh import 1 ./roster-old ./roster-new
# DUR (default 8s) is the bench duration; PMC sets pool_max_conns on PostgreSQL.
sc=$1; r=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
WORK=${WORK:-/tmp/h6}; mkdir -p "$WORK/res"; cd "$WORK" || exit 1
P="psql -h 127.0.0.1 -U postgres -Atq"
for bin in "$@"; do b=$(basename "$bin")
  if [ -n "$PG_TEMPLATE" ]; then
    $P -c "DROP DATABASE IF EXISTS roster_pair" -c "CREATE DATABASE roster_pair TEMPLATE $PG_TEMPLATE"
    dsn="postgres://postgres@127.0.0.1:5432/roster_pair?sslmode=disable&pool_max_conns=${PMC:-4}"; key=${KEY:?}
    x0=$($P -c "select xact_commit+xact_rollback from pg_stat_database where datname='roster_pair'")
  else
    cp db/s10k.db db/w.db && rm -f db/w.db-wal db/w.db-shm
    dsn="sqlite:$WORK/db/w.db"; key=db/s10k.key
  fi
  out=res/pair-$sc-$b-$r.txt
  EXTRA="--import 2000 --ceiling-duration 3s --label $b" PORT=${PORT:-18281} bash "$here/ab.sh" "$bin" "$dsn" "$key" 10000 "$sc" "${DUR:-8s}" "res/pair-$sc-$b-$r.json" > "$out" 2>&1
  xact=""
  if [ -n "$PG_TEMPLATE" ]; then sleep 0.6
    x1=$($P -c "select xact_commit+xact_rollback from pg_stat_database where datname='roster_pair'"); xact="xacts=$((x1-x0))"
  fi
  ticks=$(grep "server CPU ticks" "$out" | awk '{print $4}')
  reqs=$(python3 -c "
import json;d=json.load(open('res/pair-$sc-$b-$r.json'))
print(sum(x.get('requests',0) for x in d['results'] if x['op']!='all requests'))")
  echo "$sc $b r$r ticks=$ticks reqs=$reqs cpu_ms_per_req=$(echo "scale=3; $ticks*10/$reqs" | bc) $xact $(grep -E 'load start' "$out" | cut -c1-30)"
done
