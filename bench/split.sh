#!/usr/bin/env bash
# Split reports (issue 11): one report over 100,000 generated stores (8 days
# of polls, ~13 M), triggered on `storewatch serve` and timed from the
# trigger to Complete, whole and cut into shards of N stores; on SQLite with
# one instance, and on PostgreSQL with one and with two instances sharing
# the shards.
#
#   bench/split.sh                              # SQLite, then PostgreSQL
#   PG= bench/split.sh                          # SQLite only
#   SIZES="1000000 25000" bench/split.sh        # these shard sizes only
#
# Prints a Markdown table: seconds from trigger to Complete (median of 3),
# and the peak memory (max RSS) of each serve process.
set -euo pipefail
cd "$(dirname "$0")/.."
work="${BENCH_DIR:-$(mktemp -d)}"
mkdir -p "$work"
cargo build --release --quiet
bin="$PWD/target/release/storewatch"
stores="${STORES:-100000}"
sizes="${SIZES:-1000000 50000 25000 10000}"
pg_admin="${PG-postgres://postgres@127.0.0.1/postgres}"

[ -d "$work/gen$stores" ] || "$bin" generate --out "$work/gen$stores" --stores "$stores" --days 8 >/dev/null 2>&1

# Starts N serve processes on database $1 with shard size $2 (ports 18181…),
# runs three reports, prints the median seconds and each process's max RSS.
bench() {
  local db="$1" per="$2" n="$3" pids=() i
  # No report left over from an earlier run queues before ours.
  rm -f "$work/split$stores.jobs.db"*
  for i in $(seq 1 "$n"); do
    /usr/bin/time -f "%M" -o "$work/rss$i" "$bin" --log error --database-url "$db" serve \
      --report-shard-stores "$per" --listen "127.0.0.1:$((18180 + i))" >/dev/null 2>&1 &
    pids+=($!)
  done
  for i in $(seq 1 "$n"); do
    until curl -sf "http://127.0.0.1:$((18180 + i))/healthz" >/dev/null; do sleep 0.1; done
  done
  local times=()
  for run in 1 2 3; do
    local start id status
    start=$(date +%s.%N)
    id=$(curl -sf -X POST "http://127.0.0.1:18181/trigger_report" | sed 's/.*"report_id":"\([0-9a-f]*\)".*/\1/')
    while :; do
      status=$(curl -sf "http://127.0.0.1:18181/get_report?report_id=$id" | grep -o '"status":"[A-Za-z]*"')
      case "$status" in *Running*) sleep 0.01 ;; *Complete*) break ;; *) echo "report $id: $status" >&2; exit 1 ;; esac
    done
    times+=("$(echo "$(date +%s.%N) - $start" | bc)")
  done
  for pid in "${pids[@]}"; do pkill -TERM -P "$pid"; done
  wait 2>/dev/null || true
  local median rss=""
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
  for i in $(seq 1 "$n"); do rss="$rss $(( $(cat "$work/rss$i") / 1024 ))"; done
  printf '| %s | %s | %s | %.2f s (%s) | %s MiB |\n' "$4" "$( [ "$per" -ge "$stores" ] && echo whole || echo "$per")" "$n" "$median" "$(printf '%.2f ' "${times[@]}")" "$(echo $rss | tr ' ' '/')"
}

echo "storewatch split-report benchmark, $stores stores, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo
echo "| backend | stores per shard | instances | trigger to Complete, median of 3 (runs) | peak memory per instance |"
echo "|---|---|---|---|---|"
sqlite="sqlite://$work/split$stores.db"
[ -f "$work/split$stores.db" ] || "$bin" --log error --database-url "$sqlite" ingest --data-dir "$work/gen$stores" >/dev/null
[ -n "${SKIP_SQLITE:-}" ] || for per in $sizes; do bench "$sqlite" "$per" 1 SQLite; done

if [ -n "$pg_admin" ] && command -v psql >/dev/null 2>&1; then
  name="storewatch_split_bench"
  psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null 2>&1
  pg="${pg_admin%/*}/$name?sslmode=disable"
  "$bin" --log error --database-url "$pg" ingest --data-dir "$work/gen$stores" >/dev/null
  for per in $sizes; do
    bench "$pg" "$per" 1 PostgreSQL
    [ "$per" -lt "$stores" ] && bench "$pg" "$per" 2 PostgreSQL
  done
  psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $name" >/dev/null 2>&1
fi
