#!/usr/bin/env bash
# Nested YAML (issue 11, finding 2). A recruiter POSTs /papers with `title: [[[[…]]]]` 40,000 deep (80 KB)
# as application/yaml. The answer must be a refusal (4xx) within a second, and /healthz, asked every
# 50 ms meanwhile, must answer within 100 ms: parsing must neither stall the async workers nor take long.
#
#   scripts/nested-yaml.sh     PORT=18411 DEPTH=40000 EXAMD_PROFILE=debug|release KEEP=1
#
# Bounded: the POST is given 30 seconds at most; traffic only to 127.0.0.1.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

port=${PORT:-18411}
depth=${DEPTH:-40000}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/examd-nested-yaml.XXXXXX")
trap cleanup EXIT

ensure_binaries
start_examd yaml "$port" "$WORK/examd.db" "$WORK" EXAMD_ARGON2_MEMORY_KIB=64 EXAMD_ARGON2_ITERATIONS=1
base="http://127.0.0.1:$port/api/v1"
login() {
  curl -fsS "$base/auth/login" -H 'Content-Type: application/json' -d "{\"email\":\"$1\",\"password\":\"$2\"}" |
    jq -r .access_token
}
admin=$(login "$EXAMD_ADMIN_EMAIL" "$EXAMD_ADMIN_PASSWORD")
curl -fsS "$base/users" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
  -d '{"email":"yaml-recruiter@example.com","password":"recruiter password","role":"recruiter"}' >/dev/null
recruiter=$(login yaml-recruiter@example.com "recruiter password")

python3 -c "import sys; d = int(sys.argv[1]); sys.stdout.write('title: ' + '[' * d + ']' * d + '\n')" "$depth" \
  >"$WORK/nested.yaml"
log "POST /papers with a $depth-deep YAML document ($(wc -c <"$WORK/nested.yaml") bytes)"
start_watch "$port" "$WORK/healthz.txt"
sleep 0.2
read -r status seconds < <(curl -sS -o "$WORK/reply.json" --max-time 30 -w '%{http_code} %{time_total}\n' \
  "$base/papers" -H "Authorization: Bearer $recruiter" -H 'Content-Type: application/yaml' \
  --data-binary "@$WORK/nested.yaml" || echo "000 30")
sleep 0.2
stop_watch
log "answered $status in $seconds s: $(head -c 300 "$WORK/reply.json" 2>/dev/null)"
healthy=0
check_watch "$WORK/healthz.txt" 100 || healthy=1
[[ $status == 4?? ]] || die "the nested document was not refused (status $status)"
awk -v s="$seconds" 'BEGIN { exit (s < 1.0) ? 0 : 1 }' || die "the refusal took $seconds s (at most 1 s)"
((healthy == 0)) || die "/healthz was slow or failed while the document was parsed"
log "nested YAML: refused in $seconds s; /healthz kept answering"
