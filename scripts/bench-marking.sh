#!/usr/bin/env bash
# Marking throughput (issue 6): 600 candidates sit the seed paper (6,000 open answers), then 16 markers
# claim and score until the queue is empty; once on SQLite, once on PostgreSQL. Server on core 0, load on
# core 1, release build. About a minute; traffic only to 127.0.0.1.
set -euo pipefail
export EXAMD_PROFILE=release
source "$(dirname "$0")/lib.sh"
WORK=$(mktemp -d /tmp/markbench.XXXXXX)
trap cleanup EXIT
port=18400
run() {
  local name=$1 url=$2
  start_examd "$name" "$port" "$url" "$WORK/$name"
  taskset -c 1 "$EXAMD_LOAD_BIN" --target "http://127.0.0.1:$port" --candidates 600 --connections 32 --saves 20 --markers 16 --marking-seconds 120 --fail-on-error | grep -E "claim|score|error|candidates"
  kill_examd "$name"
}
SERVER_WRAP="taskset -c 0"
log "SQLite"; run sqlite "$WORK/m.db"
make_pg_database "examd_markbench_$$"
log "PostgreSQL"; run pg "$PG_URL/examd_markbench_$$"
