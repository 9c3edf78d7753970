#!/usr/bin/env bash
# Results at scale (issue 14), reproducibly: an exam of N graded attempts (default 50,000) built through
# the real API by examd-load on a choice-only paper (graded at submit), then the recruiter's reads timed
# with curl and the server's memory read from /proc; a key correction over every attempt while a
# candidate of another exam saves every 100 ms; 10,000 invitations in one call. Release build, traffic
# only to 127.0.0.1. The numbers go to docs/benchmarks.md by hand.
#
#   scripts/bench-results.sh [sqlite|postgres]        N=50000 OUT=./bench-out
set -euo pipefail
export EXAMD_PROFILE=${EXAMD_PROFILE:-release}
source "$(dirname "$0")/lib.sh"

engine=${1:-sqlite}
N=${N:-50000}
port=${PORT:-18190}
OUT=${OUT:-$PWD/bench-out}
api="http://127.0.0.1:$port/api/v1"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/examd-bench-results.XXXXXX")
trap cleanup EXIT
mkdir -p "$OUT"
report="$OUT/results-$engine.txt"
: >"$report"
say() { printf '%s\n' "$*" | tee -a "$report"; }
ensure_binaries
for tool in curl jq python3; do command -v "$tool" >/dev/null || die "$tool is needed"; done

case $engine in
  sqlite) url="$WORK/results.db" ;;
  postgres) make_pg_database "examd_bench_results_$$" && url="$PG_URL/examd_bench_results_$$" ;;
  *) die "engine is sqlite or postgres" ;;
esac
start_examd results "$port" "$url" "$WORK/data"
pid=${SERVER_PIDS[results]}
rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$pid/status"; }

say "== $engine, $N graded attempts (load average $(cut -d' ' -f1-3 /proc/loadavg))"
started=$(date +%s.%N)
"$EXAMD_LOAD_BIN" --target "http://127.0.0.1:$port" --paper "$ROOT/scripts/fixtures/choice-only.txt" \
  --candidates "$N" --saves 4 --connections 64 --invite-batch 10000 --fail-on-error >"$WORK/build.txt" ||
  { cat "$WORK/build.txt"; die "building the data set failed"; }
say "data set built in $(python3 -c "import time; print(round(time.time() - $started, 1))") s"

admin=$(curl -fsS "$api/auth/login" -H 'content-type: application/json' \
  -d "{\"email\":\"$EXAMD_ADMIN_EMAIL\",\"password\":\"$EXAMD_ADMIN_PASSWORD\"}" | jq -r .access_token)
auth=(-H "Authorization: Bearer $admin")
exam=$(curl -fsS "${auth[@]}" "$api/exams" | jq -r '.[0].id')
paper=$(curl -fsS "${auth[@]}" "$api/exams/$exam" | jq -r .paper_id)

# timed NAME PATH: status, time to first byte, total time and bytes of one GET.
timed() {
  local line
  line=$(curl -sS -o "$WORK/body" -w '%{http_code} %{time_starttransfer} %{time_total} %{size_download}' "${auth[@]}" "$api$2")
  read -r code first total bytes <<<"$line"
  [[ $code == 200 ]] || die "$1 answered $code: $(head -c 300 "$WORK/body")"
  say "$(printf '%-34s first byte %7.1f ms, total %8.1f ms, %10d bytes' "$1" "$(bc_ms "$first")" "$(bc_ms "$total")" "$bytes")"
}
bc_ms() { python3 -c "print($1 * 1000)"; }

rss_before=$(rss_kib)
timed "results, first page (100 rows)" "/exams/$exam/results"
timed "results, sorted by total, desc" "/exams/$exam/results?sort=total&order=desc"
timed "results, a filter matching none" "/exams/$exam/results?state=in_progress"
timed "results.csv, every row" "/exams/$exam/results.csv"
rows=$(($(wc -l <"$WORK/body") - 1))
[[ $rows == "$N" ]] || die "the CSV has $rows rows, not $N"
say "$(python3 -c "print(f'csv: {$rows} rows at {$rows / $total:,.0f} rows/s')")"
timed "statistics" "/exams/$exam/statistics"
timed "marking overview" "/exams/$exam/marking"
rss_after=$(rss_kib)
say "server RSS before the reads $((rss_before / 1024)) MiB, after $((rss_after / 1024)) MiB (grew $(((rss_after - rss_before) / 1024)) MiB)"

# A candidate of another exam saves every 100 ms through the key correction.
"$EXAMD_LOAD_BIN" --target "http://127.0.0.1:$port" --candidates 1 --connections 1 --rate 10 --duration 25 \
  --json "$WORK/saver.json" >"$WORK/saver.txt" 2>&1 &
saver=$!
sleep 8
key=$(curl -fsS "${auth[@]}" "$api/papers/$paper" | jq -r '.sections[0].questions[0].key')
old=$(curl -fsS "${auth[@]}" "$api/papers/$paper" | jq -r '.sections[0].questions[0].answer')
new=A
[[ $old == A ]] && new=B
line=$(curl -sS -o "$WORK/body" -w '%{http_code} %{time_total}' "${auth[@]}" -X PUT -H 'content-type: application/json' \
  -d "{\"answer\":\"$new\"}" "$api/papers/$paper/questions/$key/key")
read -r code total <<<"$line"
[[ $code == 200 ]] || die "the key correction answered $code: $(head -c 300 "$WORK/body")"
say "key correction over $(jq .regraded "$WORK/body") attempts ($(jq .changed_count "$WORK/body") changed): $(bc_ms "$total") ms"
wait "$saver" || true
say "the other exam's saves meanwhile: $(grep -iE 'save' "$WORK/saver.txt" | head -n 3 | tr -s ' ' | paste -sd ';' -)"

python3 - "$WORK/invite.json" <<'EOF'
import json, sys
json.dump({"candidates": [{"email": f"bulk{i}@example.com", "name": f"候选人{i}"} for i in range(10_000)]}, open(sys.argv[1], "w"))
EOF
line=$(curl -sS -o "$WORK/body" -w '%{http_code} %{time_total}' "${auth[@]}" -H 'content-type: application/json' \
  --data-binary "@$WORK/invite.json" "$api/exams/$exam/invitations")
read -r code total <<<"$line"
[[ $code == 201 ]] || die "inviting 10,000 answered $code: $(head -c 300 "$WORK/body")"
say "10,000 invitations in one call: $(bc_ms "$total") ms"
log "report in $report"
