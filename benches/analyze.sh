#!/usr/bin/env bash
# Benchmark of `pilot analyze`: 1M customers, 10M outcome rows, 4 metrics,
# against the csv crate alone reading the same outcome file.
#
#   benches/analyze.sh [customers] [rows]
#
# Prints wall time and peak memory (GNU time) of each, best of 3 runs.
set -euo pipefail
cd "$(dirname "$0")/.."
customers=${1:-1000000}
rows=${2:-10000000}
dir=target/bench
cargo build --release --quiet --bin pilot --example bench_data --example csv_read_baseline
if [ ! -f "$dir/outcomes.csv" ] || [ "$(wc -l < "$dir/assignments.csv")" -ne $((customers + 1)) ]; then
  target/release/examples/bench_data "$customers" "$rows" "$dir"
fi
ls -l "$dir/outcomes.csv" | awk '{printf "outcome file: %.0f MB\n", $5 / 1e6}'

measure() {
  local label=$1; shift
  local best=""
  for _ in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$dir/time.txt" "$@" > /dev/null
    read -r secs kb < "$dir/time.txt"
    if [ -z "$best" ] || awk "BEGIN{exit !($secs < ${best%% *})}"; then best="$secs $kb"; fi
  done
  read -r secs kb <<< "$best"
  printf '%-28s %6.2f s  %6.0f MB peak\n' "$label" "$secs" "$((kb / 1024))"
}

measure "csv crate, plain read" target/release/examples/csv_read_baseline "$dir/outcomes.csv"
measure "pilot analyze (json)" target/release/pilot analyze "$dir/bench.toml" --format json --no-history
