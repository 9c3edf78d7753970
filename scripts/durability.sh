#!/usr/bin/env bash
# Durability under kill -9 (issue 6). Each cycle drives candidates with examd-load recording every save the
# server acknowledged, kills examd with SIGKILL in the middle of the saves and restarts it at once (the
# load carries on against the new process), kills it again right after the submits, restarts, and then
# checks through the API that every acknowledged save of every cycle so far is stored with at least its
# sequence number and every acknowledged submit still holds. Exits non-zero on any loss.
#
#   scripts/durability.sh [sqlite|postgres]       CYCLES=3 PORT=18181 EXAMD_PROFILE=debug|release KEEP=1
#
# Bounded: each load runs for LOAD_SECONDS (default 12) under `timeout`; the whole script takes about
# CYCLES × (LOAD_SECONDS + 10) seconds. SQLite runs with the server's default synchronous=full.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

engine=${1:-sqlite}
cycles=${CYCLES:-3}
port=${PORT:-18181}
seconds=${LOAD_SECONDS:-12}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/examd-durability.XXXXXX")
trap cleanup EXIT

ensure_binaries
case "$engine" in
  sqlite) url="$WORK/examd.db" ;;
  postgres)
    db="examd_durability_$$"
    make_pg_database "$db"
    url="$PG_URL/$db"
    ;;
  *) die "usage: $0 [sqlite|postgres]" ;;
esac
target="http://127.0.0.1:$port"
log "durability on $engine: $cycles cycles, examd $EXAMD_BIN, work dir $WORK"
start_examd server "$port" "$url" "$WORK"

logs=()
for cycle in $(seq 1 "$cycles"); do
  ack="$WORK/acks-$cycle.jsonl"
  logs+=(--ack-log "$ack")
  at=$((2 + 2 * ((cycle - 1) % 5)))
  log "cycle $cycle: load for ${seconds}s, kill -9 ${at}s into the saves"
  timeout $((seconds + 60)) "$EXAMD_LOAD_BIN" --target "$target" --candidates 100 --connections 32 \
    --rate 400 --duration "$seconds" --timeout 5 --ack-log "$ack" --json "$WORK/report-$cycle.json" \
    >"$WORK/load-$cycle.txt" 2>&1 &
  load=$!
  # The saves have begun once the server counts one; then a different point of them each cycle.
  for _ in $(seq 1 300); do
    [[ $(saves_served "$port") -gt 0 ]] && break
    kill -0 "$load" 2>/dev/null || break
    sleep 0.1
  done
  sleep "$at"
  kill_examd server KILL
  start_examd server "$port" "$url" "$WORK"
  wait "$load" || { cat "$WORK/load-$cycle.txt"; die "examd-load failed in cycle $cycle"; }
  sed 's/^/   /' "$WORK/load-$cycle.txt"
  grep -q '"t":"closed"' "$ack" || die "cycle $cycle: no submit was acknowledged, so none was checked"
  # Right after the submits: they must survive a crash too.
  kill_examd server KILL
  start_examd server "$port" "$url" "$WORK"
  "$EXAMD_LOAD_BIN" verify "${logs[@]}" || die "acknowledged data lost after cycle $cycle (KEEP=1 keeps the logs)"
done
log "durability on $engine: no acknowledged save or submit lost over $cycles kill -9 cycles"
