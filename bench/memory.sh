#!/usr/bin/env bash
# Peak memory of `storewatch serve` under single requests (issue 9): each
# request goes to a fresh server on an empty SQLite database, and the
# server's peak resident memory (VmHWM in /proc/PID/status) is read after the
# answer. The bodies are made from the loop-2023 replica in a temporary
# directory (about 1.3 GB of disk while it runs).
#
# The bodies are as large as the defaults allow (128 MiB, the gzip bomb just
# past that); SIZE_MIB=512 bench/memory.sh --max-body-mib 512 --max-inflated-mib 512
# measures larger caps.
#
#   [SIZE_MIB=128] bench/memory.sh [SERVE FLAGS…]
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${STOREWATCH_SHARED:-../shared}"
data="$shared/data/loop-2023"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet --bin storewatch
bin="$PWD/target/release/storewatch"

echo "storewatch memory per request, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, serve flags: ${*:-(defaults)}"
# The bodies.
zcat "$data/store_status.csv.gz" >"$work/replica.csv"
size="${SIZE_MIB:-128}"
python3 - "$work" "$size" "$data" <<'EOF'
import gzip, sys
work, size = sys.argv[1], int(sys.argv[2])
def fill(name, size, row, source=f"{work}/replica.csv"):
    """`size` bytes of CSV: source's header, then rows made by row(line, copy)
    from source's lines, again and again."""
    head, body = open(source, "rb").read().split(b"\n", 1)
    lines = body.splitlines(keepends=True)
    with open(f"{work}/{name}", "wb") as out:
        out.write(head + b"\n")
        n, copy = len(head) + 1, 0
        while True:
            for line in lines:
                r = row(line, copy)
                if n + len(r) > size:
                    return
                out.write(r)
                n += len(r)
            copy += 1
MiB = 1024 * 1024
# Valid polls: the replica's rows again and again, each copy under other store ids.
fill("valid.csv", size * MiB, lambda l, k: l.replace(b",", b"%d," % k, 1) if k else l)
# Business hours, special hours and time zones the same way, a quarter of the
# size (their cap).
fill("hours.csv", size * MiB // 4, lambda l, k: l.replace(b",", b"%d," % k, 1) if k else l,
     f"{sys.argv[3]}/business_hours.csv")
with open(f"{work}/special-seed.csv", "w") as out:
    out.write("store_id,date,start_time_local,end_time_local\n")
    for i in range(10000):
        out.write(f"{i},2023-12-{1 + i % 28:02},10:00:00,14:00:00\n" if i % 3 else f"{i},2023-12-25,,\n")
fill("special.csv", size * MiB // 4, lambda l, k: l.replace(b",", b"x%d," % k, 1) if k else l,
     f"{work}/special-seed.csv")
fill("zones.csv", size * MiB // 4, lambda l, k: l.replace(b",", b"%d," % k, 1) if k else l,
     f"{sys.argv[3]}/timezones.csv")
# Invalid rows: the status misspelt.
fill("invalid.csv", size * MiB, lambda l, k: l.replace(b"active", b"actve", 1))
# A gzip bomb: one row repeated, inflating a little past the size.
with gzip.open(f"{work}/bomb.csv.gz", "wb", compresslevel=9) as out:
    out.write(b"store_id,status,timestamp_utc\n")
    row = b"1,active,2023-01-25 12:00:00 UTC\n"
    chunk = row * (MiB // len(row))
    for _ in range(size):
        out.write(chunk)
    out.write(b"x" * MiB)
EOF

measure() { # label, curl arguments…
  local label=$1; shift
  local port db server hwm idle answer
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  db="sqlite://$work/m-$RANDOM.db"
  "$bin" --log error --database-url "$db" serve --listen "127.0.0.1:$port" "${SERVE_FLAGS[@]}" 2>>"$work/serve.log" &
  server=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  idle=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/$server/status")
  answer=$(curl -s -o "$work/answer" -w '%{http_code} %{size_download}' -H 'content-type: text/csv' "$@" "http://127.0.0.1:$port$URL_PATH")
  hwm=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/$server/status")
  kill $server; wait $server 2>/dev/null || true
  rm -f "${db#sqlite://}"*
  printf '| %s | %s (%s bytes) | %s MiB | %s MiB | %s MiB |\n' "$label" "${answer% *}" "${answer#* }" "$idle" "$hwm" "$((hwm - idle))"
}
SERVE_FLAGS=("$@")
echo "| request | answer (size) | idle | peak | above idle |"
echo "|---|---|---|---|---|"
URL_PATH=/api/ingest/polls
measure "replica, gzip (35 MB, 1.82 M polls)" -X POST -T "$data/store_status.csv.gz"
measure "replica, plain (105 MB, 1.82 M polls)" -X POST -T "$work/replica.csv"
measure "$size MiB of valid polls" -X POST -T "$work/valid.csv"
measure "gzip bomb inflating past $size MiB" -X POST -T "$work/bomb.csv.gz"
URL_PATH="/api/ingest/polls?lenient=true"
measure "lenient, $size MiB of invalid rows" -X POST -T "$work/invalid.csv"
URL_PATH=/api/ingest/polls
measure "strict, $size MiB of invalid rows" -X POST -T "$work/invalid.csv"
URL_PATH=/api/ingest/business_hours
measure "$((size / 4)) MiB of valid business hours" -X POST -T "$work/hours.csv"
URL_PATH=/api/ingest/timezones
measure "$((size / 4)) MiB of valid time zones" -X POST -T "$work/zones.csv"
URL_PATH=/api/ingest/special_hours
measure "$((size / 4)) MiB of valid special hours" -X POST -T "$work/special.csv"
