#!/usr/bin/env bash
# The storewatch benchmark: ingest and report on the real-size replica, and
# report growth from generated data at 1x and 10x the real size.
#
#   bench/bench.sh            # replica + 1x/10x generated (10x needs ~3 GB disk, ~2 min)
#   bench/bench.sh --quick    # replica only
#
# Prints a Markdown table of wall time and peak memory (max RSS) per step.
# Needs ../shared/data/loop-2023 beside the repository (or STOREWATCH_SHARED).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
cargo build --release --quiet
bin="$PWD/target/release/storewatch"

echo "storewatch benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo
echo "| step | wall time | peak memory (max RSS) |"
echo "|---|---|---|"
db="sqlite://$work/replica.db"
ingest_all=(ingest --hours "$data/business_hours.csv" --timezones "$data/timezones.csv" --status "$data/store_status.csv.gz")
run "replica: ingest all three files into a new database" "$bin" --log error --database-url "$db" "${ingest_all[@]}"
run "replica: ingest the same files again" "$bin" --log error --database-url "$db" "${ingest_all[@]}"
for i in 1 2 3; do
  run "replica: report (run $i)" "$bin" --log error --database-url "$db" report --out "$work/replica.csv"
done
echo "| replica: report rows | $(($(wc -l <"$work/replica.csv") - 1)) | |"

# Special hours for a third of the replica's stores (every third id of the
# zones file), on the week's dates: closed days, short days, overnight and
# around-the-clock openings, written here since the replica has none.
awk -F, 'NR > 1 && NR % 3 == 0 {
  id = $1; k = NR % 4
  if (k == 0) print id ",2023-01-22,,"
  if (k == 1) { print id ",2023-01-20,10:00:00,14:00:00"; print id ",2023-01-20,17:00:00,21:00:00" }
  if (k == 2) print id ",2023-01-24,22:00:00,02:00:00"
  if (k == 3) { print id ",2023-01-21,05:00:00,05:00:00"; print id ",2023-01-25,,"}
}' "$data/timezones.csv" | { echo "store_id,date,start_time_local,end_time_local"; cat; } >"$work/special_hours.csv"
run "replica: ingest special hours ($(($(wc -l <"$work/special_hours.csv") - 1)) rows, a third of the stores)" "$bin" --log error --database-url "$db" ingest --special-hours "$work/special_hours.csv"
for i in 1 2 3; do
  run "replica + special hours: report (run $i)" "$bin" --log error --database-url "$db" report --out "$work/special.csv"
done
for i in 1 2 3; do
  run "replica + special hours: report --extended (run $i)" "$bin" --log error --database-url "$db" report --extended --out "$work/special-ext.csv"
done

[ "${1:-}" = "--quick" ] && exit 0

for scale in 1 10; do
  stores=$((14092 * scale))
  dir="$work/gen$scale"
  run "generated ${scale}x ($stores stores, 8 days): generate" "$bin" generate --out "$dir" --stores "$stores" --days 8
  polls=$(($(wc -l <"$dir/store_status.csv") - 1))
  db="sqlite://$work/gen$scale.db"
  run "generated ${scale}x ($polls polls): ingest" "$bin" --log error --database-url "$db" ingest --data-dir "$dir"
  rm -f "$dir/store_status.csv"
  for i in 1 2 3; do
    run "generated ${scale}x: report (run $i)" "$bin" --log error --database-url "$db" report --out "$work/gen$scale.csv"
  done
done
