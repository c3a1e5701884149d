#!/usr/bin/env bash
# Benchmark of `pilot analyze`: 1M customers, 10M outcome rows, 4 metrics,
# against the csv crate alone reading the same outcome file.
#
#   benches/analyze.sh [customers] [rows] [rounds]
#
# Runs the plain read and the analysis alternately (so that both see the
# same machine: on shared or virtual machines speed drifts over minutes),
# and prints for each the best wall time, its CPU time and peak memory
# (GNU time), and the ratio of the best times.
set -euo pipefail
cd "$(dirname "$0")/.."
customers=${1:-1000000}
rows=${2:-10000000}
rounds=${3:-7}
dir=target/bench
cargo build --release --quiet --bin pilot --example bench_data --example csv_read_baseline
if [ ! -f "$dir/outcomes.csv" ] || [ "$(wc -l < "$dir/assignments.csv")" -ne $((customers + 1)) ]; then
  target/release/examples/bench_data "$customers" "$rows" "$dir"
fi
ls -l "$dir/outcomes.csv" | awk '{printf "outcome file: %.0f MB\n", $5 / 1e6}'

plain=(target/release/examples/csv_read_baseline "$dir/outcomes.csv")
analyze=(target/release/pilot analyze "$dir/bench.toml" --format json --no-history)
: > "$dir/plain.txt"
: > "$dir/analyze.txt"
for _ in $(seq "$rounds"); do
  /usr/bin/time -f "%e %U %S %M" -a -o "$dir/plain.txt" "${plain[@]}" > /dev/null
  /usr/bin/time -f "%e %U %S %M" -a -o "$dir/analyze.txt" "${analyze[@]}" > /dev/null
done

best() { sort -n "$1" | head -1; }
report() {
  read -r secs user sys kb <<< "$(best "$2")"
  printf '%-24s %6.2f s wall  %5.2f s CPU  %5.0f MB peak\n' "$1" "$secs" "$(echo "$user + $sys" | bc)" "$((kb / 1024))"
}
report "csv crate, plain read" "$dir/plain.txt"
report "pilot analyze (json)" "$dir/analyze.txt"
paste -d' ' "$dir/plain.txt" "$dir/analyze.txt" | awk '{print $5 / $1}' | sort -n |
  awk '{r[NR] = $1} END {printf "analyze / plain read: best %.2f, median %.2f over %d rounds\n", r[1], r[int((NR + 1) / 2)], NR}'
awk -v a="$(best "$dir/analyze.txt" | cut -d' ' -f1)" -v p="$(best "$dir/plain.txt" | cut -d' ' -f1)" \
  'BEGIN {printf "best analyze / best plain read: %.2f\n", a / p}'
