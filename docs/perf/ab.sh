#!/bin/bash
# ab.sh: the wrapper every figure in docs/performance.md went through (see "Commands").
# It starts `roster serve` on DSN, times exec -> /healthz, runs `roster bench`, and prints
# the server's CPU ticks (10 ms each) and VmHWM/VmRSS. With PROFILE_SECONDS it also fetches
# a CPU profile from a measuring build that serves net/http/pprof on $ROSTER_PPROF (go build -tags pprof).
# Extra bench flags go in $EXTRA; PDELAY is the delay before the profile starts.
BIN=$1 DSN=$2 KEY=$3 USERS=$4 SC=$5 DUR=$6 JSON=$7 PSEC=$8 POUT=$9
PORT=${PORT:-18181}
ROSTER_PPROF=127.0.0.1:16060 $BIN serve --db "$DSN" --addr 127.0.0.1:$PORT --no-rate-limit --log-format text >"${SERVE_LOG:-/tmp/roster-serve.log}" 2>&1 &
SP=$!
t0=$(date +%s.%N)
for i in $(seq 1 4800); do curl -fs http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.025; done
t1=$(date +%s.%N)
echo "startup: $(echo "$t1 - $t0" | bc) s"
read -r u0 s0 < <(awk '{print $14, $15}' /proc/$SP/stat)
echo "load start: $(cat /proc/loadavg)"
if [ -n "$PSEC" ]; then (sleep ${PDELAY:-2}; curl -s "http://127.0.0.1:16060/debug/pprof/profile?seconds=$PSEC" -o $POUT) & fi
$BIN bench --base http://127.0.0.1:$PORT/scim/v2 --token "$(cat $KEY)" --scenario $SC --users $USERS --duration $DUR --concurrency 16 --json $JSON $EXTRA 2>/dev/null
rc=$?
wait %2 2>/dev/null
echo "load end: $(cat /proc/loadavg)"
read -r u1 s1 < <(awk '{print $14, $15}' /proc/$SP/stat)
echo "server CPU ticks: $(( (u1-u0)+(s1-s0) ))"
grep -E "VmHWM|VmRSS" /proc/$SP/status
kill $SP; wait $SP 2>/dev/null
echo rc=$rc
