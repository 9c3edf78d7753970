#!/usr/bin/env bash
# Slow bodies (issue 11, finding 3). 2,000 connections send headers promising `Content-Length: 100` and
# one byte of body, spread over ten loopback addresses (127.0.0.2–11, 200 each, under the per-address
# cap); 300 more come from one address (127.0.0.12) to meet the cap of 256. Meanwhile /healthz, asked
# from 127.0.0.1 every 50 ms, must answer within 100 ms; every slow connection must be answered 408 (or
# 503 over the cap) and closed by the server soon after its body deadline.
#
#   scripts/slow-body.sh     PORT=18401 CONNECTIONS=2000 EXAMD_PROFILE=debug|release KEEP=1
#
# Bounded: about 15 seconds and CONNECTIONS + 300 sockets; traffic only to 127.0.0.1 (from 127.0.0.0/8,
# all loopback on Linux).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

port=${PORT:-18401}
connections=${CONNECTIONS:-2000}
timeout_ms=3000
WORK=$(mktemp -d "${TMPDIR:-/tmp}/examd-slow-body.XXXXXX")
trap cleanup EXIT
# Two sockets per connection on this machine (ours and the server's), plus headroom.
ulimit -n $((connections * 2 + 2048)) 2>/dev/null || ulimit -n "$(ulimit -Hn)"

ensure_binaries
start_examd slow "$port" "$WORK/examd.db" "$WORK" EXAMD_BODY_READ_TIMEOUT_MS=$timeout_ms \
  EXAMD_MAX_CONNECTIONS_PER_IP=256
start_watch "$port" "$WORK/healthz.txt"

log "opening $connections slow-body connections (+300 from one address), body deadline $timeout_ms ms"
python3 - "$port" "$connections" "$timeout_ms" <<'PY' || { stop_watch; check_watch "$WORK/healthz.txt" 100 || true; die "slow connections were not cut off"; }
import selectors, socket, sys, time

port, total, timeout_ms = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
head = (b"POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100\r\n\r\n{")
plan = [f"127.0.0.{2 + i % 10}" for i in range(total)] + ["127.0.0.12"] * 300
sel = selectors.DefaultSelector()
conns = []
opened = time.monotonic()
for source in plan:
    # Opened over about two seconds, as clients arrive, so their deadlines do not all fall in one
    # instant either.
    time.sleep(0.001)
    s = socket.socket()
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    s.sendall(head)
    s.setblocking(False)
    conn = {"source": source, "reply": b"", "closed_at": None}
    conns.append(conn)
    sel.register(s, selectors.EVENT_READ, conn)
print(f"opened {len(plan)} connections in {time.monotonic() - opened:.2f} s")

left = len(conns)
limit = opened + timeout_ms / 1000 + 10
while left and time.monotonic() < limit:
    for key, _ in sel.select(timeout=0.5):
        try:
            chunk = key.fileobj.recv(4096)
        except (ConnectionResetError, BlockingIOError):
            chunk = b""
        if chunk:
            key.data["reply"] += chunk
            continue
        key.data["closed_at"] = time.monotonic() - opened
        sel.unregister(key.fileobj)
        key.fileobj.close()
        left -= 1

def status(c):
    return c["reply"][9:12].decode() if c["reply"].startswith(b"HTTP/1.1 ") else "none"

counts = {}
for c in conns:
    counts[status(c)] = counts.get(status(c), 0) + 1
closed = [c["closed_at"] for c in conns if c["closed_at"] is not None]
print("answers:", ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
print(f"closed by the server: {len(closed)} of {len(conns)}, the last {max(closed, default=0):.2f} s after the first opened")
spread = [c for c in conns if c["source"] != "127.0.0.12"]
capped = [c for c in conns if c["source"] == "127.0.0.12"]
ok = (left == 0
      and all(status(c) == "408" for c in spread)
      and sum(status(c) == "503" for c in capped) >= len(capped) - 256
      and all(status(c) in ("408", "503") for c in capped))
sys.exit(0 if ok else 1)
PY
stop_watch
check_watch "$WORK/healthz.txt" 100 || die "/healthz was slow or failed while the slow connections were open"
log "slow bodies: every slow connection was cut off at its deadline; /healthz kept answering"
