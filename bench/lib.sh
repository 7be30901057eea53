# Sourced by the benchmarks (from the repository's root): where the
# loop-2023 replica is, a work folder (BENCH_DIR, kept; otherwise a new one
# removed at the end), and `run`, which times one command as a table row.
shared="${STOREWATCH_SHARED:-../shared}"
data="$shared/data/loop-2023"
[ -f "$data/store_status.csv.gz" ] || { echo "bench: $data/store_status.csv.gz not found" >&2; exit 1; }
work="${BENCH_DIR:-$(mktemp -d)}"
mkdir -p "$work"
trap '[ -z "${BENCH_DIR:-}" ] && rm -rf "$work"' EXIT

# run LABEL CMD…: one timed run, printing a table row.
run() {
  local label="$1"; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
  read -r secs kb <"$work/time"
  printf '| %s | %s s | %s MiB |\n' "$label" "$secs" "$((kb / 1024))"
}
