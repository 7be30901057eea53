#!/usr/bin/env bash
# The service benchmark: a server on the loop-2023 replica, then the load
# generator (crates/storewatch/examples/serve_bench.rs) on loopback.
#
#   bench/serve.sh [SECONDS] [POLLERS]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
cargo build --release --quiet --bin storewatch --example serve_bench
# STOREWATCH_BIN: another build of storewatch to measure (bench/compare.sh).
bin="${STOREWATCH_BIN:-$PWD/target/release/storewatch}"
db="sqlite://$work/bench.db"
"$bin" --log error --database-url "$db" ingest --hours "$data/business_hours.csv" --timezones "$data/timezones.csv" --status "$data/store_status.csv.gz" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" --log warn --database-url "$db" serve --listen "127.0.0.1:$port" 2>"$work/serve.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
echo "storewatch service benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, replica data (1,822,080 polls, 14,092 stores)"
"$PWD/target/release/examples/serve_bench" "http://127.0.0.1:$port" "${1:-10}" "${2:-4}"
