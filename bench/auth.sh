#!/usr/bin/env bash
# What access control costs (issue 8): the service benchmark on the loop-2023
# replica, first with no key in the database (the open service), then with
# keys: every request sends a viewer key, and an owner key of 20 stores times
# its reports. With BASELINE=/path/to/an/older/storewatch, that binary (one
# without access control) is measured first in each round too. Repeated
# ROUNDS times, alternating.
#
#   [BASELINE=…] bench/auth.sh [SECONDS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
cargo build --release --quiet --bin storewatch --example serve_bench
bin="$PWD/target/release/storewatch"
bench="$PWD/target/release/examples/serve_bench"
seconds="${1:-5}"
rounds="${2:-2}"
echo "storewatch access-control benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, replica data (1,822,080 polls, 14,092 stores)"
modes="open keys"
if [ -n "${BASELINE:-}" ]; then modes="baseline $modes"; fi
for round in $(seq "$rounds"); do
  for mode in $modes; do
    server_bin="$bin"
    if [ "$mode" = baseline ]; then server_bin="$BASELINE"; fi
    db="sqlite://$work/bench-$round-$mode.db"
    "$server_bin" --log error --database-url "$db" ingest --hours "$data/business_hours.csv" --timezones "$data/timezones.csv" --status "$data/store_status.csv.gz" >/dev/null
    if [ "$mode" = keys ]; then
      viewer=$("$bin" --log error --database-url "$db" keys create --name bench --role viewer 2>/dev/null)
      stores=$(sed -n "2,21p" "$data/timezones.csv" | cut -d, -f1 | paste -sd,)
      owner=$("$bin" --log error --database-url "$db" keys create --name owner --role viewer --stores "$stores" 2>/dev/null)
    fi
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "$server_bin" --log warn --database-url "$db" serve --listen "127.0.0.1:$port" 2>"$work/serve.log" &
    server=$!
    trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
    echo "--- round $round, $mode"
    if [ "$mode" = keys ]; then
      BENCH_KEY="$viewer" BENCH_OWNER_KEY="$owner" "$bench" "http://127.0.0.1:$port" "$seconds" 4
    else
      "$bench" "http://127.0.0.1:$port" "$seconds" 4
    fi
    kill $server; wait $server 2>/dev/null || true
  done
done
