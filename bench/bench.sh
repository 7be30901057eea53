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
shared="${STOREWATCH_SHARED:-../shared}"
data="$shared/data/loop-2023"
[ -f "$data/store_status.csv.gz" ] || { echo "bench: $data/store_status.csv.gz not found" >&2; exit 1; }
work="${BENCH_DIR:-$(mktemp -d)}"
mkdir -p "$work"
trap '[ -z "${BENCH_DIR:-}" ] && rm -rf "$work"' EXIT

cargo build --release --quiet
bin="$PWD/target/release/storewatch"

# run LABEL CMD… : one timed run, printing a table row.
run() {
  local label="$1"; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
  read -r secs kb <"$work/time"
  printf '| %s | %s s | %s MiB |\n' "$label" "$secs" "$((kb / 1024))"
}

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
