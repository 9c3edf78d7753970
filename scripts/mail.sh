#!/usr/bin/env bash
# Mail delivery against a real SMTP server (scripts/smtp_sink.py, aiosmtpd) — issue 17.
#
#   scripts/mail.sh            kill -9 while mails are queued: N=300 invitations with send_email at
#                              RATE=50 mails/s; examd is killed with SIGKILL after KILL_AFTER=2 s and
#                              started again; every candidate must then have a mail, none of those still
#                              queued at the kill twice (only one in flight at the kill may repeat), and no
#                              access code may appear in examd's log (run at log level debug).
#   BENCH=1 N=10000 scripts/mail.sh
#                              the benchmark: time to accept the invitation request, and until the
#                              SMTP server has every mail (RATE=100000: the limit out of the way).
#
# Bounded: waits at most WAIT=600 s for the mails. Traffic only to 127.0.0.1.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

n=${N:-300}
rate=${RATE:-50}
port=${PORT:-18481}
bench=${BENCH:-0}
[[ "$bench" == 1 ]] && rate=${RATE:-100000}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/examd-mail.XXXXXX")
SINK_PID=
mail_cleanup() { [[ -n "$SINK_PID" ]] && kill "$SINK_PID" 2>/dev/null; cleanup; }
trap mail_cleanup EXIT

python=$("$ROOT/scripts/smtp-venv.sh")
ensure_binaries
"$python" "$ROOT/scripts/smtp_sink.py" "$WORK/mails" 0 >"$WORK/sink.port" &
SINK_PID=$!
for _ in $(seq 1 100); do [[ -s "$WORK/sink.port" ]] && break; sleep 0.1; done
smtp_port=$(awk '{print $2}' "$WORK/sink.port")
[[ -n "$smtp_port" ]] || die "the SMTP sink did not start"

mail_env=(EXAMD_SMTP_URL="smtp://127.0.0.1:$smtp_port" EXAMD_MAIL_FROM="examd <exam@example.com>"
  EXAMD_SMTP_MAX_PER_SECOND="$rate" EXAMD_MAIL_LEASE_SECONDS=4 EXAMD_PUBLIC_URL="https://exam.example.com"
  EXAMD_ARGON2_MEMORY_KIB=64 EXAMD_ARGON2_ITERATIONS=1 EXAMD_LOG_LEVEL="info,examd=debug")
start_examd mail "$port" "$WORK/examd.db" "$WORK" "${mail_env[@]}"
base="http://127.0.0.1:$port"
api() {
  local auth=()
  [[ -n "$3" ]] && auth=(-H "Authorization: Bearer $3")
  curl -fsS -X "$1" "$base/api/v1$2" "${auth[@]}" -H 'Content-Type: application/json' --data-binary "${4:-{\}}"
}
admin=$(api POST /auth/login "" "{\"email\":\"$EXAMD_ADMIN_EMAIL\",\"password\":\"$EXAMD_ADMIN_PASSWORD\"}" | jq -r .access_token)
api POST /users "$admin" '{"email":"mail-recruiter@example.com","password":"recruiter password","role":"recruiter"}' >/dev/null
recruiter=$(api POST /auth/login "" '{"email":"mail-recruiter@example.com","password":"recruiter password"}' | jq -r .access_token)
paper=$(api POST /papers "$recruiter" '{"title":"Mail","sections":[{"title":"S","kind":"single_choice","points":1,
  "questions":[{"key":"q1","prompt":"Pick A","options":[{"key":"A","text":"a"},{"key":"B","text":"b"}],"answer":"A"}]}]}' | jq -r .id)
api POST "/papers/$paper/publish" "$recruiter" >/dev/null
now=$(date -u +%s)
exam=$(api POST /exams "$recruiter" "{\"paper_id\":\"$paper\",\"opens_at\":\"$(date -u -d "@$((now - 60))" +%FT%TZ)\",
  \"closes_at\":\"$(date -u -d "@$((now + 86400))" +%FT%TZ)\",\"duration_seconds\":3600,\"language\":\"en\"}" | jq -r .id)
python3 -c "import json,sys; print(json.dumps({'send_email': True, 'candidates': [{'email': f'c{i}@example.com', 'name': f'Candidate {i}'} for i in range($n)]}))" >"$WORK/invite.json"

log "inviting $n candidates with send_email (rate $rate/s)"
t0=$(date +%s.%N)
api POST "/exams/$exam/invitations" "$recruiter" "@$WORK/invite.json" >"$WORK/issued.json"
t1=$(date +%s.%N)
jq -r '.invitations[].access_code' "$WORK/issued.json" >"$WORK/codes"
[[ $(wc -l <"$WORK/codes") -eq "$n" ]] || die "expected $n codes"

received() { find "$WORK/mails" -name '*.json' | wc -l; }
if [[ "$bench" != 1 ]]; then
  sleep "${KILL_AFTER:-2}"
  before=$(received)
  log "kill -9 with $before of $n mails received"
  kill_examd mail KILL
  [[ "$before" -lt "$n" ]] || die "every mail went before the kill; raise N or lower RATE"
  start_examd mail "$port" "$WORK/examd.db" "$WORK" "${mail_env[@]}"
fi
for _ in $(seq 1 $((${WAIT:-600} * 10))); do
  [[ $(received) -ge "$n" ]] && break
  sleep 0.1
done
t2=$(date +%s.%N)
sleep 3 # anything sent twice would arrive now
got=$(received)
dups=$(cat "$WORK"/mails/*.json | jq -r '.to[0]' | sort | uniq -d | wc -l)
distinct=$(cat "$WORK"/mails/*.json | jq -r '.to[0]' | sort -u | wc -l)
log "received $got mails for $distinct candidates; $dups candidates had more than one"
[[ "$distinct" -eq "$n" ]] || die "a candidate got no mail"
# A mail the SMTP server accepted in the milliseconds before its outcome committed is sent again after
# the restart (SMTP cannot be asked what it already took); at most the mails in flight at the kill (4).
[[ "$dups" -le 4 ]] || die "$dups candidates had a mail twice: more than were in flight at the kill"
[[ "$bench" == 1 && "$got" -ne "$n" ]] && die "the benchmark got $got mails for $n candidates"
if grep -F -f "$WORK/codes" "$WORK"/*.log >/dev/null; then die "an access code appears in examd's log"; fi
log "no access code in examd's log ($(wc -l <"$WORK/mail.log") lines)"
printf 'accepted in %.2f s; all %d mails at the SMTP server after %.2f s\n' "$(echo "$t1 - $t0" | bc)" "$n" "$(echo "$t2 - $t0" | bc)"
echo "mail: 1 passed, 0 failed"
