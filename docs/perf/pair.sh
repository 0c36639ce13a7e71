#!/bin/bash
# pair.sh: A/B runs of one scenario, each binary in turn on a fresh copy of the same seeded
# database (through run.sh), printing the server's CPU milliseconds per request and, on
# PostgreSQL, the PostgreSQL processes' CPU and transactions per request (pg_stat_database).
#
#   pair.sh SEEDED KEYFILE USERS SCENARIO ROUND BIN...
#   pair.sh sqlite:/tmp/p/db/s10k.db /tmp/p/db/s10k.key 10000 lookup 1 ./roster-old ./roster-new
#   pair.sh postgres:pg10k /tmp/p/db/pg10k.key 10000 import 1 ./roster-old ./roster-new
#
# DUR (default 8s) is the bench duration; RES (default ./res) holds the reports; extra bench
# flags go in EXTRA (default: --import 2000 --ceiling-duration 3s).
set -u
SEEDED=$1 KEY=$2 USERS=$3 sc=$4 r=$5; shift 5
here=$(cd "$(dirname "$0")" && pwd)
RES=${RES:-./res}; mkdir -p "$RES"
P="psql -h 127.0.0.1 -U postgres -Atq"
xacts() { $P -c "select xact_commit+xact_rollback from pg_stat_database where datname='roster_run'"; }
for bin in "$@"; do
	b=$(basename "$bin") out=$RES/pair-$sc-$b-$r
	# shellcheck disable=SC2086 # EXTRA is a list of flags
	BIN=$bin bash "$here/run.sh" "$b" "$SEEDED" "$KEY" "$USERS" "$sc" "${DUR:-8s}" "$out.json" \
		${EXTRA:---import 2000 --ceiling-duration 3s} >"$out.txt" 2>&1 &
	wait $!
	xact=""
	case $SEEDED in postgres:*) sleep 0.6; xact="xacts=$(xacts) pg_ticks=$(grep -o 'postgres CPU ticks: [0-9]*' "$out.txt" | awk '{print $4}')" ;; esac
	ticks=$(grep -o 'server CPU ticks: [0-9]*' "$out.txt" | awk '{print $4}')
	reqs=$(python3 -c "
import json;d=json.load(open('$out.json'))
print(sum(x.get('requests',0) for x in d['results'] if x['op']!='all requests' and x['scenario']!='ceiling'))")
	echo "$sc $b r$r ticks=$ticks reqs=$reqs cpu_ms_per_req=$(echo "scale=3; $ticks*10/$reqs" | bc) $xact $(grep 'load start' "$out.txt" | cut -c1-30)"
done
