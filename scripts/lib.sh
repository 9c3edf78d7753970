# Shared by the scripts in this directory (sourced, not run): binaries, starting and stopping examd
# instances this script owns (by pid only), and throwaway PostgreSQL databases. Traffic stays on 127.0.0.1.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Which build to drive: EXAMD_PROFILE=release|debug (default debug, what `cargo test` already built),
# or give the binaries themselves with EXAMD_BIN and EXAMD_LOAD_BIN.
PROFILE="${EXAMD_PROFILE:-debug}"
EXAMD_BIN="${EXAMD_BIN:-$ROOT/target/$PROFILE/examd}"
EXAMD_LOAD_BIN="${EXAMD_LOAD_BIN:-$ROOT/target/$PROFILE/examd-load}"
PG_URL="${EXAMD_PG_URL:-postgres://postgres@127.0.0.1:5432}"
# Optional command the server runs under, e.g. SERVER_WRAP="taskset -c 0" (split on spaces on purpose).
SERVER_WRAP="${SERVER_WRAP:-}"

export EXAMD_ADMIN_EMAIL="${EXAMD_ADMIN_EMAIL:-load-admin@example.com}"
export EXAMD_ADMIN_PASSWORD="${EXAMD_ADMIN_PASSWORD:-load admin password}"
# One secret for every instance and restart, so candidate tokens stay valid across them.
export EXAMD_JWT_SECRET="${EXAMD_JWT_SECRET:-examd-load-scripts-secret-0123456789abcdef}"
export EXAMD_LOG_LEVEL="${EXAMD_LOG_LEVEL:-warn}"

declare -A SERVER_PIDS=()
PG_DATABASES=()

log() { printf '== %s\n' "$*"; }
die() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }

ensure_binaries() {
  if [[ ! -x "$EXAMD_BIN" || ! -x "$EXAMD_LOAD_BIN" ]]; then
    local flag=()
    [[ "$PROFILE" == release ]] && flag=(--release)
    log "building examd and examd-load ($PROFILE)"
    (cd "$ROOT" && cargo build "${flag[@]}" --bins)
  fi
}

# start_examd NAME PORT DATABASE_URL DATA_DIR [VAR=value...]: starts an instance, waits for /healthz.
start_examd() {
  local name=$1 port=$2 url=$3 dir=$4
  shift 4
  mkdir -p "$dir"
  env EXAMD_BIND="127.0.0.1:$port" EXAMD_DATABASE_URL="$url" EXAMD_DATA_DIR="$dir" "$@" \
    $SERVER_WRAP "$EXAMD_BIN" serve >>"$dir/$name.log" 2>&1 &
  SERVER_PIDS[$name]=$!
  # Out of the job table: bash then prints no "Killed" notice when the script kills it on purpose.
  disown "${SERVER_PIDS[$name]}"
  for _ in $(seq 1 300); do
    if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
      return 0
    fi
    kill -0 "${SERVER_PIDS[$name]}" 2>/dev/null || die "examd $name exited at start; see $dir/$name.log"
    sleep 0.1
  done
  die "examd $name did not answer /healthz within 30 s; see $dir/$name.log"
}

# kill_examd NAME [SIGNAL]: stops the instance this script started under NAME (SIGKILL after 10 s).
kill_examd() {
  local name=$1 signal=${2:-TERM} pid=${SERVER_PIDS[$1]:-}
  [[ -n "$pid" ]] || return 0
  kill "-$signal" "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  unset "SERVER_PIDS[$name]"
}

# saves_served PORT: how many answer saves the instance has answered (from its Prometheus metrics).
saves_served() {
  curl -fsS "http://127.0.0.1:$1/metrics" 2>/dev/null | grep '^http_requests_total' | grep 'answers' |
    awk '{ n += $NF } END { print n + 0 }'
}

psql_run() { PGOPTIONS="--client-min-messages=warning" psql "$1" -v ON_ERROR_STOP=1 -qtAc "$2"; }

# make_pg_database NAME: a fresh empty database, dropped by cleanup.
make_pg_database() {
  psql_run "$PG_URL/postgres" "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null
  psql_run "$PG_URL/postgres" "CREATE DATABASE $1" >/dev/null
  PG_DATABASES+=("$1")
}

cleanup() {
  local name db
  stop_watch
  for name in "${!SERVER_PIDS[@]}"; do kill_examd "$name" KILL; done
  for db in "${PG_DATABASES[@]}"; do
    psql_run "$PG_URL/postgres" "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  done
  if [[ -n "${WORK:-}" && -z "${KEEP:-}" ]]; then rm -rf "$WORK"; fi
}

# watch_healthz PORT FILE: until killed, asks /healthz every 50 ms on a fresh connection and appends
# "<status> <seconds>" per answer to FILE. Run it in the background; stop it with stop_watch.
watch_healthz() {
  while true; do
    curl -s -o /dev/null --max-time 2 -w '%{http_code} %{time_total}\n' "http://127.0.0.1:$1/healthz" >>"$2" || echo "000 2" >>"$2"
    sleep 0.05
  done
}
WATCH_PID=
start_watch() { watch_healthz "$1" "$2" & WATCH_PID=$!; }
stop_watch() { [[ -n "$WATCH_PID" ]] && kill "$WATCH_PID" 2>/dev/null; wait "$WATCH_PID" 2>/dev/null || true; WATCH_PID=; }

# check_watch FILE LIMIT_MS: every /healthz answer in FILE was a 200 within LIMIT_MS; prints the numbers.
check_watch() {
  awk -v limit="$2" '
    { n++; ms = $2 * 1000; if (ms > max) max = ms; if ($1 != 200 || ms > limit) bad++ }
    END {
      printf "healthz: %d answers, slowest %.1f ms, %d over %d ms or failed\n", n, max, bad, limit
      exit (n > 0 && bad == 0) ? 0 : 1
    }' "$1"
}
