#!/usr/bin/env bash
# Memory of single requests at a very large number of stores (issue 19):
#
#  1. one push of STORES distinct store ids (default 2,500,000; one inactive
#     poll each, about 119 MiB of CSV, under the default body cap) into a
#     fresh server on an empty SQLite database;
#  2. GET /api/stores?offline_now=true on a fresh server over that database
#     (every store is open around the clock and offline at the newest poll);
#  3. a report of REPORT_STORES stores (default 1,000,000, a database of its
#     own), then its page /reports/{id} (sorted by downtime) on a fresh
#     server, and sorted by store id.
#
# Each figure is the server's peak resident memory (VmHWM) above its idle
# peak, read after the answer. About 1 GB of disk in a temporary directory.
#
#   [STORES=2500000] [REPORT_STORES=1000000] bench/many_stores.sh [BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
if [ $# -ge 1 ]; then
  bin=$1
else
  cargo build --release --quiet --bin storewatch
  bin="$PWD/target/release/storewatch"
fi
stores="${STORES:-2500000}"
report_stores="${REPORT_STORES:-1000000}"

echo "storewatch memory at many stores, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $bin"
python3 - "$work" "$stores" "$report_stores" <<'EOF'
import sys
work, stores, report_stores = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def write(name, n):
    with open(f"{work}/{name}", "w") as out:
        out.write("store_id,status,timestamp_utc\n")
        for i in range(n):
            # 19 digits, as the real ids; a poll an hour before the newest.
            out.write(f"{8419537941919820732 - i * 7919},inactive,2023-01-25T1{i % 2}:00:00Z\n")
write("many.csv", stores)
write("report.csv", report_stores)
EOF
echo "many.csv: $(du -m "$work/many.csv" | cut -f1) MiB, $stores stores; report.csv: $report_stores stores"

start() { # database → sets port, server, idle
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$bin" --log error --database-url "sqlite://$1" serve --listen "127.0.0.1:$port" 2>>"$work/serve.log" &
  server=$!
  for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  idle=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/$server/status")
}
stop() {
  hwm=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/$server/status")
  # Of the resident memory after the answer: the process's own (anonymous)
  # and the database file's pages mapped in (SQLite reads through mmap).
  anon=$(awk '/RssAnon/ {print int($2/1024)}' "/proc/$server/status")
  file=$(awk '/RssFile/ {print int($2/1024)}' "/proc/$server/status")
  kill "$server"; wait "$server" 2>/dev/null || true
}
row() { printf '| %s | %s | %s MiB | %s MiB | %s MiB | %s / %s MiB |\n' "$1" "$2" "$idle" "$hwm" "$((hwm - idle))" "$anon" "$file"; }

echo "| request | answer | idle | peak | above idle | after: own / file-mapped |"
echo "|---|---|---|---|---|---|"
start "$work/many.db"
answer=$(curl -s -w ' %{http_code} %{time_total}s' -H 'content-type: text/csv' --data-binary "@$work/many.csv" "http://127.0.0.1:$port/api/ingest/polls")
stop
row "push of $stores distinct stores" "${answer##*\} }"

start "$work/many.db"
answer=$(curl -s -o /dev/null -w '%{http_code} %{time_total}s' "http://127.0.0.1:$port/api/stores?offline_now=true&limit=500")
stop
row "offline list over $stores stores (limit 500)" "$answer"

start "$work/report.db"
curl -s -o /dev/null -H 'content-type: text/csv' --data-binary "@$work/report.csv" "http://127.0.0.1:$port/api/ingest/polls"
id=$(curl -s -X POST "http://127.0.0.1:$port/trigger_report" | sed 's/.*"report_id":"\([0-9a-f]*\)".*/\1/')
while curl -s "http://127.0.0.1:$port/api/reports/$id" | grep -q '"Running"'; do sleep 0.5; done
stop
for sort in downtime_last_week store_id; do
  start "$work/report.db"
  answer=$(curl -s -o /dev/null -w '%{http_code} %{time_total}s' "http://127.0.0.1:$port/reports/$id?sort=$sort")
  stop
  row "report page, $report_stores rows, by $sort" "$answer"
done
