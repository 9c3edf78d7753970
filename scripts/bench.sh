#!/usr/bin/env bash
# The measurements of docs/benchmarks.md, reproducibly: each scenario on a fresh database, examd pinned to
# one core and examd-load to the other (SERVER_CPU=0, LOAD_CPU=1), release build, server defaults
# (SQLite synchronous=full) but EXAMD_LOG_LEVEL=warn. Reports (text and JSON) go to OUT (default
# ./bench-out). About five minutes; traffic only to 127.0.0.1.
#
#   scripts/bench.sh [sqlite-save|pg-save|storm|all]
set -euo pipefail
export EXAMD_PROFILE=${EXAMD_PROFILE:-release}
source "$(dirname "$0")/lib.sh"

what=${1:-all}
SERVER_WRAP="taskset -c ${SERVER_CPU:-0}"
load_cpu=${LOAD_CPU:-1}
OUT=${OUT:-$PWD/bench-out}
port=${PORT:-18090}
target="http://127.0.0.1:$port"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/examd-bench.XXXXXX")
trap cleanup EXIT
mkdir -p "$OUT"
ensure_binaries

# scenario NAME URL [examd-load flags...]: a fresh server on URL, one load, the report kept in OUT.
scenario() {
  local name=$1 url=$2
  shift 2
  log "$name: examd-load $*  (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
  start_examd "$name" "$port" "$url" "$WORK/$name"
  timeout 300 taskset -c "$load_cpu" "$EXAMD_LOAD_BIN" --target "$target" --json "$OUT/$name.json" "$@" |
    tee "$OUT/$name.txt"
  kill_examd "$name"
}


if [[ $what == sqlite-save || $what == all ]]; then
  scenario sqlite-burst "$WORK/burst.db" --candidates 1000 --connections 64 --duration 30 --baseline
  scenario sqlite-rate2k "$WORK/rate2k.db" --candidates 1000 --connections 64 --rate 2000 --duration 20
  scenario sqlite-rate10k "$WORK/rate10k.db" --candidates 1000 --connections 64 --rate 10000 --duration 10
fi
if [[ $what == pg-save || $what == all ]]; then
  make_pg_database "examd_bench_burst_$$"
  make_pg_database "examd_bench_rate_$$"
  scenario pg-burst "$PG_URL/examd_bench_burst_$$" --candidates 1000 --connections 64 --duration 30 --baseline
  scenario pg-rate10k "$PG_URL/examd_bench_rate_$$" --candidates 1000 --connections 64 --rate 10000 --duration 10
fi
if [[ $what == storm || $what == all ]]; then
  scenario sqlite-storm "$WORK/storm.db" --candidates 5000 --connections 128 --start-within 10 --saves 1
  scenario sqlite-access-burst "$WORK/access.db" --candidates 5000 --connections 128 --saves 1
fi
log "reports in $OUT"
