#!/bin/bash
# cpuab.sh SCENARIO ROUND: a paired run (before binary, then after) of one scenario on a fresh
# copy of the 10k SQLite file, printing server CPU milliseconds per request (docs/performance.md).
sc=$1; r=$2 # expects ./roster-prof0 (before), ./roster-final (after), ./ab.sh, db/s10k.db and db/s10k.key here
for b in base final; do bin=./roster-$b; [ $b = base ] && bin=./roster-prof0
  cp db/s10k.db db/w.db && rm -f db/w.db-wal db/w.db-shm
  out=res/cpu-$sc-$b-$r.txt
  EXTRA="--import 2000 --ceiling-duration 3s --label $b" ./ab.sh $bin sqlite:/tmp/h4/db/w.db db/s10k.key 10000 $sc 8s res/cpu-$sc-$b-$r.json > $out 2>&1
  ticks=$(grep "server CPU ticks" $out | awk '{print $4}')
  reqs=$(python3 -c "
import json;d=json.load(open('res/cpu-$sc-$b-$r.json'))
print(sum(x.get('requests',0) for x in d['results'] if x['op']!='all requests'))")
  echo "$sc $b r$r ticks=$ticks reqs=$reqs cpu_ms_per_req=$(echo "scale=3; $ticks*10/$reqs" | bc) $(grep -E 'load start' $out) :: $(grep -E 'all requests|user \(filter|PATCH add|ceiling' $out | awk '{printf "%s %s %s %s | ", $1,$2,$3,$4}')"
done
