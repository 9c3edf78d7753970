#!/usr/bin/env bash
# Schemathesis (from PyPI, in a virtualenv) against the served /api/openapi.json, three times: with a
# recruiter's token, a candidate's token and no token. Checks: no server error (5xx), and every status
# code, content type and response body as the document declares them (issue 11).
#
#   scripts/schemathesis.sh     PORT=18391 EXAMD_PROFILE=debug|release MAX_EXAMPLES=15 MAX_TIME=150 KEEP=1
#
# Bounded: each run stops after MAX_TIME seconds (and is killed after MAX_TIME + 60); the virtualenv is
# kept in target/schemathesis-venv between runs. Traffic only to 127.0.0.1.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

port=${PORT:-18391}
max_examples=${MAX_EXAMPLES:-15}
max_time=${MAX_TIME:-150}
venv=${SCHEMATHESIS_VENV:-$ROOT/target/schemathesis-venv}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/examd-schemathesis.XXXXXX")
trap cleanup EXIT

if [[ ! -x "$venv/bin/schemathesis" ]]; then
  log "installing schemathesis into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'schemathesis>=4.32,<5'
fi
"$venv/bin/schemathesis" --version

ensure_binaries
# Login throttling stays on (429 is declared); argon2 is cheap so the fuzzing reaches more routes.
start_examd st "$port" "$WORK/examd.db" "$WORK" EXAMD_ARGON2_MEMORY_KIB=64 EXAMD_ARGON2_ITERATIONS=1
base="http://127.0.0.1:$port"

# api METHOD PATH TOKEN BODY: prints the JSON answer; fails on a status of 400 or more.
api() {
  local auth=()
  [[ -n "$3" ]] && auth=(-H "Authorization: Bearer $3")
  curl -fsS -X "$1" "$base/api/v1$2" "${auth[@]}" -H 'Content-Type: application/json' -d "${4:-{\}}"
}

log "seeding a recruiter, a published paper, an open exam, an invitation and a candidate"
admin=$(api POST /auth/login "" "{\"email\":\"$EXAMD_ADMIN_EMAIL\",\"password\":\"$EXAMD_ADMIN_PASSWORD\"}" | jq -r .access_token)
api POST /users "$admin" '{"email":"st-recruiter@example.com","password":"recruiter password","role":"recruiter"}' >/dev/null
recruiter=$(api POST /auth/login "" '{"email":"st-recruiter@example.com","password":"recruiter password"}' | jq -r .access_token)
paper=$(api POST /papers "$recruiter" '{"title":"Schemathesis","sections":[
  {"title":"Single","kind":"single_choice","points":2,"questions":[{"key":"q1","prompt":"Pick A",
   "options":[{"key":"A","text":"a"},{"key":"B","text":"b"}],"answer":"A"}]},
  {"title":"Essay","kind":"essay","points":5,"questions":[{"key":"q2","prompt":"Write"}]}]}' | jq -r .id)
api POST "/papers/$paper/publish" "$recruiter" >/dev/null
now=$(date -u +%s)
opens=$(date -u -d "@$((now - 60))" +%Y-%m-%dT%H:%M:%SZ)
closes=$(date -u -d "@$((now + 86400))" +%Y-%m-%dT%H:%M:%SZ)
exam=$(api POST /exams "$recruiter" "{\"paper_id\":\"$paper\",\"opens_at\":\"$opens\",\"closes_at\":\"$closes\",
  \"duration_seconds\":3600,\"grace_seconds\":30}" | jq -r .id)
code=$(api POST "/exams/$exam/invitations" "$recruiter" '{"candidates":[{"email":"st-candidate@example.com","name":"Candidate"}]}' |
  jq -r '.invitations[0].access_code')
candidate=$(api POST /auth/access "" "{\"code\":\"$code\"}" | jq -r .access_token)
api POST /attempts "$candidate" >/dev/null
[[ -n "$recruiter" && -n "$candidate" && "$candidate" != null ]] || die "seeding failed"

failed=()
# fuzz NAME [HEADER...]: one bounded schemathesis run.
fuzz() {
  local name=$1
  shift
  log "schemathesis as $name (at most $max_examples examples per operation, $max_time s)"
  if ! timeout --kill-after=10 $((max_time + 60)) "$venv/bin/schemathesis" run "$base/api/openapi.json" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "$max_examples" --max-time "$max_time" --seed 1 --workers 2 --request-timeout 10 \
    --suppress-health-check all --warnings off --no-color "$@" >"$WORK/$name.txt" 2>&1; then
    failed+=("$name")
    # The failing operations and how to reproduce them come before the summary.
    sed -n '/FAILURES/,/SUMMARY/p' "$WORK/$name.txt" | head -n 200
  fi
  tail -n 25 "$WORK/$name.txt"
  [[ -n "${KEEP:-}" ]] && cp "$WORK/$name.txt" "${TMPDIR:-/tmp}/schemathesis-$name.txt"
  kill -0 "${SERVER_PIDS[st]}" 2>/dev/null || die "examd died during the $name run; see $WORK/st.log"
}
fuzz recruiter -H "Authorization: Bearer $recruiter"
fuzz candidate -H "Authorization: Bearer $candidate"
fuzz anonymous

((${#failed[@]} == 0)) || die "schemathesis found failures as: ${failed[*]}"
log "schemathesis: no server error and no conformance failure as recruiter, candidate or anonymous"
