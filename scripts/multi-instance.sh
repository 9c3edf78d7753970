#!/usr/bin/env bash
# Two examd instances on one PostgreSQL database (issue 6), with candidates and markers dealt over both:
#  - one exam whose attempts expire in the middle of the run (both instances' sweepers race to close them),
#  - one exam whose candidates submit in time, followed by markers on both instances.
# Checks: no acknowledged save lost and no submit reopened (examd-load verify), every attempt closed
# exactly once (the audit trail holds at most one attempt.expire/attempt.submit per attempt, and some
# expired), no marking task handed to two markers (examd-load exits 3 if one was), both instances served.
#
#   scripts/multi-instance.sh        PORT=18281 (and PORT+1) EXAMD_PROFILE=debug|release KEEP=1
#
# Bounded: the loads run under `timeout`; the script takes under a minute.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

p1=${PORT:-18281}
p2=$((p1 + 1))
WORK=$(mktemp -d "${TMPDIR:-/tmp}/examd-multi.XXXXXX")
trap cleanup EXIT

ensure_binaries
db="examd_multi_$$"
make_pg_database "$db"
url="$PG_URL/$db"
log "two instances on $url (ports $p1, $p2), work dir $WORK"
# The first start migrates; the second then finds the schema in place.
start_examd a "$p1" "$url" "$WORK/a" EXAMD_EXPIRY_SWEEP_SECONDS=1
start_examd b "$p2" "$url" "$WORK/b" EXAMD_EXPIRY_SWEEP_SECONDS=1
targets=(--target "http://127.0.0.1:$p1" --target "http://127.0.0.1:$p2")

log "load X: 8-second attempts saving for 20 s (they expire mid-run); load Y: submits, then 4 markers"
timeout 120 "$EXAMD_LOAD_BIN" "${targets[@]}" --candidates 200 --connections 24 --rate 300 --duration 20 \
  --exam-duration 8 --grace 1 --timeout 10 --ack-log "$WORK/x.jsonl" --json "$WORK/x.json" >"$WORK/x.txt" 2>&1 &
x=$!
timeout 180 "$EXAMD_LOAD_BIN" "${targets[@]}" --candidates 200 --connections 24 --rate 300 --duration 10 \
  --markers 4 --marking-seconds 60 --timeout 10 --fail-on-error --ack-log "$WORK/y.jsonl" --json "$WORK/y.json" \
  >"$WORK/y.txt" 2>&1 &
y=$!
x_status=0 y_status=0
wait "$x" || x_status=$?
wait "$y" || y_status=$?
for run in x y; do log "load ${run^^}"; sed 's/^/   /' "$WORK/$run.txt"; done
[[ $x_status -eq 0 ]] || die "load X exited with $x_status"
case $y_status in
  0) ;;
  3) die "a marking task was handed to two markers" ;;
  *) die "load Y exited with $y_status (2: some request failed)" ;;
esac
grep -q 'attempt_closed' "$WORK/x.txt" || die "no save was refused after a deadline: the expiry was not exercised"

log "verify every acknowledged save and submit of both loads"
"$EXAMD_LOAD_BIN" verify --ack-log "$WORK/x.jsonl" --ack-log "$WORK/y.jsonl" || die "acknowledged data lost"

# Give the sweepers a moment for anything still open, then read the audit trail.
sleep 3
q() { psql_run "$url" "$1"; }
expired=$(q "SELECT count(*) FROM audit_events WHERE action = 'attempt.expire'")
submitted=$(q "SELECT count(*) FROM audit_events WHERE action = 'attempt.submit'")
twice=$(q "SELECT count(*) FROM (SELECT subject FROM audit_events WHERE action IN ('attempt.expire', 'attempt.submit')
           GROUP BY subject HAVING count(*) > 1) AS closed_twice")
open=$(q "SELECT count(*) FROM attempts WHERE state = 'in_progress'")
log "audit: $expired attempts expired, $submitted submitted, $twice closed more than once; $open still open"
[[ $expired -gt 0 ]] || die "no attempt expired"
[[ $twice -eq 0 ]] || die "$twice attempts were closed more than once"
[[ $open -eq 0 ]] || die "$open attempts are still open after their deadline"

for port in "$p1" "$p2"; do
  saves=$(saves_served "$port")
  log "instance :$port answered $saves save requests"
  [[ $saves -gt 0 ]] || die "instance :$port got no saves: the candidates were not spread"
done
log "multi-instance: no lost save, every attempt closed once, no double claim"
