#!/usr/bin/env bash
# Alerts (issue 22) on the loop-2023 replica, release build:
#  1. what working out the statuses adds to an hourly push of 14,092
#     stores' polls: the push timed with no subscription, with one of
#     every store and with one of 50 stores, interleaved, five times each;
#  2. how fast queued events go out: 10,000 store.offline events (a push
#     of 10,000 new stores, all inactive, `after` 0s) delivered to a local
#     receiver (Python's threading HTTP server, keep-alive).
# Usage: bash bench/alerts.sh   (from the repository's root)
set -euo pipefail
. bench/lib.sh
bin="${STOREWATCH_BIN:-target/release/storewatch}"
db="sqlite://$work/alerts.db"
port=18093; hook=18094
"$bin" --database-url "$db" ingest --data-dir "$data" >/dev/null

cat >"$work/receiver.py" <<'PY'
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(204); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
python3 "$work/receiver.py" $hook >"$work/receiver.log" 2>&1 &
receiver=$!
"$bin" --database-url "$db" serve --listen 127.0.0.1:$port --allow-private-webhooks 2>"$work/serve.log" &
server=$!
trap 'kill $server $receiver 2>/dev/null; [ -z "${BENCH_DIR:-}" ] && rm -rf "$work"' EXIT
until curl -sf localhost:$port/healthz >/dev/null; do sleep 0.2; done

newest=$(curl -sf "localhost:$port/api/stores?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["as_of"])')
python3 - "$work/alerts.db" >"$work/stores.txt" <<'PY'
import sqlite3, sys
for (s,) in sqlite3.connect(sys.argv[1]).execute("SELECT store_id FROM stores"):
    print(s)
PY
push() { # $1: hours after the newest poll; times the push
  python3 - "$newest" "$1" "$work/stores.txt" >"$work/push.csv" <<'PY'
import sys, datetime, random
t = datetime.datetime.fromisoformat(sys.argv[1].replace("Z", "+00:00")) + datetime.timedelta(hours=int(sys.argv[2]))
print("store_id,status,timestamp_utc")
random.seed(int(sys.argv[2]))
for s in open(sys.argv[3]).read().split():
    st = "active" if random.random() < 0.9 else "inactive"
    print(f"{s},{st},{t.strftime('%Y-%m-%d %H:%M:%S')} UTC")
PY
  curl -sf -o /dev/null -w '%{time_total}\n' -H 'content-type: text/csv' --data-binary @"$work/push.csv" "localhost:$port/api/ingest/polls"
}
subscribe() { # $1: after; $2: a JSON list of store ids (default every store)
  curl -sf -H 'content-type: application/json' -d "{\"url\": \"http://127.0.0.1:$hook/hook\", \"secret\": \"bench\", \"after\": \"$1\", \"stores\": ${2:-null}}" \
    "localhost:$port/api/alerts/subscriptions" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
fifty=$(head -50 "$work/stores.txt" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read().split()))')
echo "| hourly push of $(wc -l <"$work/stores.txt") stores' polls | without a subscription | with one of every store | with one of 50 stores |"
echo "|---|---|---|---|"
# A second between the steps: each push makes the live-status count for the
# metrics run after it, which takes the turn the statuses take (an hourly
# push does not meet the last one's).
for i in 1 2 3 4 5; do
  without=$(push $((3 * i - 2)))
  sleep 1
  sub=$(subscribe 30m)
  with=$(push $((3 * i - 1)))
  sleep 1
  curl -sf -X DELETE "localhost:$port/api/alerts/subscriptions/$sub"
  sub=$(subscribe 30m "$fifty")
  owner=$(push $((3 * i)))
  sleep 1
  curl -sf -X DELETE "localhost:$port/api/alerts/subscriptions/$sub"
  echo "| run $i | ${without} s | ${with} s | ${owner} s |"
done

# 2. 10,000 events: 10,000 new stores, all inactive, alerted at once.
delivered() { curl -sf "localhost:$port/metrics" | awk '/alert_deliveries_total\{result="delivered"\}/ {print $2}'; }
# The hourly pushes' events out of the way first.
sleep 5
before=$(delivered)
sub=$(subscribe 0s)
python3 - "$newest" >"$work/many.csv" <<'PY'
import sys, datetime
t = datetime.datetime.fromisoformat(sys.argv[1].replace("Z", "+00:00")) + datetime.timedelta(hours=30)
print("store_id,status,timestamp_utc")
for i in range(10000):
    print(f"bench-{i:05},inactive,{t.strftime('%Y-%m-%d %H:%M:%S')} UTC")
PY
start=$(date +%s.%N)
curl -sf -o /dev/null -H 'content-type: text/csv' --data-binary @"$work/many.csv" "localhost:$port/api/ingest/polls"
acked=$(date +%s.%N)
until [ "$(delivered)" -ge $((before + 10000)) ]; do sleep 0.05; done
done_at=$(date +%s.%N)
python3 - "$start" "$acked" "$done_at" <<'PY'
import sys
start, acked, done = map(float, sys.argv[1:])
print(f"| 10,000 stores go offline at once | push with its events acknowledged in {acked - start:.2f} s | all 10,000 delivered {done - acked:.2f} s later: {10000 / (done - acked):.0f} events/s |")
PY
