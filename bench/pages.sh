#!/usr/bin/env bash
# The dashboard's answer times (issue 10) on the loop-2023 replica: a store
# page, its timeline JSON and the start page, each requested N times one
# after another while full reports run back to back in the background;
# prints p50, p99 and max per route (curl's time_total, on loopback).
#
#   bench/pages.sh [N=200]
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${STOREWATCH_SHARED:-../shared}"
data="$shared/data/loop-2023"
work=$(mktemp -d)
cargo build --release --quiet --bin storewatch
bin="$PWD/target/release/storewatch"
n="${1:-200}"
db="sqlite://$work/pages.db"
"$bin" --log error --database-url "$db" ingest --hours "$data/business_hours.csv" --timezones "$data/timezones.csv" --status "$data/store_status.csv.gz" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" --log warn --database-url "$db" serve --listen "127.0.0.1:$port" 2>"$work/serve.log" &
server=$!
trap 'kill $server $reports 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
base="http://127.0.0.1:$port"
store=$(sed -n 2p "$data/timezones.csv" | cut -d, -f1)
# Full reports, one after another, for as long as the measurement lasts.
( while true; do
    id=$(curl -s -X POST "$base/trigger_report" | sed 's/.*"report_id":"\([0-9a-f]*\)".*/\1/')
    while curl -s "$base/api/reports/$id" | grep -q '"Running"'; do sleep 0.05; done
  done ) &
reports=$!
sleep 1
echo "storewatch pages, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, replica (14,092 stores, 1.82 M polls), $n requests each while reports run"
for path in "/stores/$store" "/api/stores/$store/timeline" "/"; do
  for _ in $(seq "$n"); do curl -s -o /dev/null -w '%{time_total}\n' "$base$path"; done |
    sort -n | awk -v path="$path" '{t[NR]=$1*1000} END {printf "%-45s p50 %.2f ms  p99 %.2f ms  max %.2f ms\n", path, t[int(NR*0.5)], t[int(NR*0.99)], t[NR]}'
done
reports_done=$(curl -s "$base/api/reports?limit=500" | grep -o '"state":"complete"' | wc -l)
echo "reports completed meanwhile: $reports_done"
