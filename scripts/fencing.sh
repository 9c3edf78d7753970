#!/usr/bin/env bash
# Marking leases carry a fencing token (issue 6). Two examd instances share one PostgreSQL database with
# 2-second leases. Marker 1 claims a task on instance A, then its process is frozen (SIGSTOP) on the way to
# scoring; the lease runs out; marker 2 claims the same task on instance B. Marker 1 is thawed and sends
# its score with the fence of its old claim: it must be refused (409 lease_lost), marker 2's score must
# stand, and the task must carry marker 2's mark.
#
#   scripts/fencing.sh        PORT=18381 (and PORT+1) EXAMD_PROFILE=debug|release KEEP=1
#
# Bounded: about 10 seconds; traffic only to 127.0.0.1.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

p1=${PORT:-18381}
p2=$((p1 + 1))
WORK=$(mktemp -d "${TMPDIR:-/tmp}/examd-fencing.XXXXXX")
trap cleanup EXIT

ensure_binaries
db="examd_fencing_$$"
make_pg_database "$db"
url="$PG_URL/$db"
start_examd a "$p1" "$url" "$WORK/a" EXAMD_MARKING_LEASE_SECONDS=2
start_examd b "$p2" "$url" "$WORK/b" EXAMD_MARKING_LEASE_SECONDS=2

log "one candidate sits the seed paper and submits: its open answers wait for markers"
"$EXAMD_LOAD_BIN" --target "http://127.0.0.1:$p1" --candidates 1 --saves 20 --fail-on-error >"$WORK/load.txt" 2>&1 ||
  { cat "$WORK/load.txt"; die "the candidate could not sit the paper"; }
exam=$(psql_run "$url" "SELECT exam_id FROM marking_tasks LIMIT 1")
[[ -n "$exam" ]] || die "no marking task was created"

# call PORT METHOD PATH TOKEN [BODY]: prints the body, then the status on a line of its own.
call() {
  local auth=()
  [[ -n "$4" ]] && auth=(-H "Authorization: Bearer $4")
  curl -sS -X "$2" "http://127.0.0.1:$1/api/v1$3" "${auth[@]}" -H 'Content-Type: application/json' \
    -d "${5:-{\}}" -w '\n%{http_code}\n'
}
body() { sed '$d'; }
status() { tail -n 1; }
login() { call "$1" POST /auth/login "" "{\"email\":\"$2\",\"password\":\"$3\"}" | body | jq -r .access_token; }

admin=$(login "$p1" "$EXAMD_ADMIN_EMAIL" "$EXAMD_ADMIN_PASSWORD")
ids=()
for m in 1 2; do
  ids+=("$(call "$p1" POST /users "$admin" "{\"email\":\"fence-marker$m@example.com\",\"password\":\"marker password $m\",\"role\":\"marker\"}" |
    body | jq -r .id)")
done
call "$p1" POST "/exams/$exam/markers" "$admin" "{\"user_ids\":[\"${ids[0]}\",\"${ids[1]}\"]}" | status | grep -qx 200 ||
  die "could not assign the markers"
m1=$(login "$p1" fence-marker1@example.com "marker password 1")
m2=$(login "$p2" fence-marker2@example.com "marker password 2")

claim1=$(call "$p1" POST /marking/claim "$m1" "{\"exam_id\":\"$exam\"}" | body)
task=$(jq -r .id <<<"$claim1")
fence1=$(jq -r .fence <<<"$claim1")
log "marker 1 holds task $task (fence $fence1) on instance A; its process freezes before it scores"
bash -c 'kill -STOP $$; exec "$@"' marker1 \
  curl -sS -X POST "http://127.0.0.1:$p1/api/v1/marking/tasks/$task/score" -H "Authorization: Bearer $m1" \
  -H 'Content-Type: application/json' -d "{\"points\":1,\"comment\":\"late\",\"fence\":$fence1}" \
  -o "$WORK/late.json" -w '%{http_code}' >"$WORK/late.status" &
paused=$!
sleep 3
claim2=$(call "$p2" POST /marking/claim "$m2" "{\"exam_id\":\"$exam\"}" | body)
[[ $(jq -r .id <<<"$claim2") == "$task" ]] || die "marker 2 did not get the task whose lease ran out: $claim2"
fence2=$(jq -r .fence <<<"$claim2")
log "the lease ran out; marker 2 took the task on instance B (fence $fence2); marker 1 thaws"
kill -CONT "$paused"
wait "$paused" || true
late=$(cat "$WORK/late.status")
[[ $late == 409 ]] || die "marker 1's stale score answered $late: $(cat "$WORK/late.json")"
jq -e '.code == "lease_lost"' "$WORK/late.json" >/dev/null || die "unexpected refusal: $(cat "$WORK/late.json")"
call "$p2" POST "/marking/tasks/$task/score" "$m2" "{\"points\":2,\"comment\":\"on time\",\"fence\":$fence2}" |
  status | grep -qx 200 || die "marker 2's score was refused"
stored=$(psql_run "$url" "SELECT points || ' ' || marked_by FROM marking_tasks WHERE id = '$task'")
[[ $stored == "200 ${ids[1]}" ]] || die "the task holds '$stored', not marker 2's mark"
log "fencing: the paused marker's score was refused (409 lease_lost); marker 2's mark stands"
