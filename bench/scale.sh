#!/usr/bin/env bash
# How storewatch's cost grows with the data (issue 11): generated data from 1x
# to 10x the real data set's stores (8 days of polls each), ingested into a new
# SQLite database and reported on; the polls file of the largest alone; and
# the replica on PostgreSQL.
#
#   bench/scale.sh                 # 1x, 3x, 100,000 stores, 10x (~3 GB disk, ~5 min)
#   SCALES="1 10" bench/scale.sh   # just these multiples of 14,092 stores
#   PG=postgres://postgres@127.0.0.1/postgres bench/scale.sh   # PostgreSQL server to use
#
# Prints a Markdown table of wall time and peak memory (max RSS) per step.
# PostgreSQL runs on loopback without TLS (?sslmode=disable): each TLS
# handshake with the local server costs about 50 ms, a fixed cost per
# connection, not the database's work.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
cargo build --release --quiet
bin="$PWD/target/release/storewatch"

echo "storewatch scaling benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo
echo "| step | wall time | peak memory (max RSS) |"
echo "|---|---|---|"
for stores in ${STORES:-14092 42276 100000 140920}; do
  dir="$work/gen$stores"
  "$bin" generate --out "$dir" --stores "$stores" --days 8 >/dev/null 2>&1
  polls=$(($(wc -l <"$dir/store_status.csv") - 1))
  db="sqlite://$work/gen$stores.db"
  run "$stores stores, $polls polls: ingest all four files" "$bin" --log error --database-url "$db" ingest --data-dir "$dir"
  for i in 1 2; do
    run "$stores stores: report (run $i)" "$bin" --log error --database-url "$db" report --out "$work/gen$stores.csv"
  done
  last="$dir"
done
# The largest polls file alone, into a new database, then again.
polls=$(($(wc -l <"$last/store_status.csv") - 1))
rm -f "$work/polls-only.db"*
run "$polls polls (the largest file alone): ingest" "$bin" --log error --database-url "sqlite://$work/polls-only.db" ingest --status "$last/store_status.csv"
run "$polls polls: ingest the same file again" "$bin" --log error --database-url "sqlite://$work/polls-only.db" ingest --status "$last/store_status.csv"
rm -rf "$work"/gen*

if [ -f "$data/store_status.csv.gz" ] && command -v psql >/dev/null 2>&1; then
  admin="${PG:-postgres://postgres@127.0.0.1/postgres}"
  name="storewatch_scale_bench"
  psql "$admin" -qc "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null 2>&1
  pg="${admin%/*}/$name?sslmode=disable"
  ingest_all=(ingest --hours "$data/business_hours.csv" --timezones "$data/timezones.csv" --status "$data/store_status.csv.gz")
  run "PostgreSQL replica: ingest all three files into a new database" "$bin" --log error --database-url "$pg" "${ingest_all[@]}"
  run "PostgreSQL replica: ingest the same files again" "$bin" --log error --database-url "$pg" "${ingest_all[@]}"
  for i in 1 2 3; do
    run "PostgreSQL replica: report (run $i)" "$bin" --log error --database-url "$pg" report --out "$work/pg.csv"
  done
  psql "$admin" -qc "DROP DATABASE IF EXISTS $name" >/dev/null 2>&1
fi
