#!/usr/bin/env bash
# Two builds of storewatch, interleaved on the loop-2023 replica: ingest
# (new database, then again), the week's report and a 28-day period report,
# each timed with /usr/bin/time, and the reports of both compared byte for
# byte. For a change that must not slow anything down or change a report.
#
#   bench/compare.sh OLD_BINARY NEW_BINARY [ROUNDS]
#
# Prints a Markdown table: step, then wall time and peak memory of each.
set -euo pipefail
old="$1"; new="$2"; rounds="${3:-3}"
shared="${STOREWATCH_SHARED:-$(dirname "$0")/../../shared}"
data="$shared/data/loop-2023"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run NAME BIN ARGS…: one timed run; prints "secs MiB".
run() {
  local name="$1" bin="$2"; shift 2
  /usr/bin/time -f "%e %M" -o "$work/time" "$bin" --log error "$@" >/dev/null 2>"$work/err" \
    || { cat "$work/err" >&2; exit 1; }
  read -r secs kb <"$work/time"
  echo "$secs $((kb / 1024))"
}

echo "storewatch compare, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores"
echo
echo "| step | round | old: s, MiB | new: s, MiB |"
echo "|---|---|---|---|"
for round in $(seq "$rounds"); do
  for step in ingest again report period; do
    row="| $step | $round"
    for which in old new; do
      bin=${!which}
      db="sqlite://$work/$which-$round.db"
      case $step in
        ingest|again) r=$(run "$step" "$bin" --database-url "$db" ingest --hours "$data/business_hours.csv" \
                          --timezones "$data/timezones.csv" --status "$data/store_status.csv.gz") ;;
        report) r=$(run "$step" "$bin" --database-url "$db" report --extended --out "$work/$which-week.csv") ;;
        period) r=$(run "$step" "$bin" --database-url "$db" report --kind daily --days 28 --out "$work/$which-daily.csv") ;;
      esac
      row="$row | $r"
    done
    echo "$row |"
  done
done
for kind in week daily; do
  if cmp -s "$work/old-$kind.csv" "$work/new-$kind.csv"; then
    echo "$kind report: byte-identical ($(wc -l <"$work/new-$kind.csv") lines)"
  else
    echo "$kind report: DIFFERENT" && exit 1
  fi
done
