#!/usr/bin/env sh
# Runs every fuzz target for SECONDS each (default 60), one after another.
#
#   scripts/fuzz.sh [seconds]
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). cargo-fuzz passes nightly
# flags (-Zsanitizer); on a stable toolchain RUSTC_BOOTSTRAP=1 allows them.
# Crashing inputs land in fuzz/artifacts/TARGET/; reproduce one with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run TARGET fuzz/artifacts/TARGET/crash-...
# and keep it as a case in tests/hostile.rs once fixed.
set -eu
seconds="${1:-60}"
cd "$(dirname "$0")/../fuzz"
export RUSTC_BOOTSTRAP=1
status=0
for target in config_parse csv_input read_outcomes; do
    mkdir -p "corpus/$target"
    if [ -d "seeds/$target" ]; then
        cp -n seeds/"$target"/* "corpus/$target/" 2>/dev/null || true
    fi
    echo "== $target for ${seconds}s"
    if ! cargo fuzz run "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048; then
        echo "!! $target found a crash: see fuzz/artifacts/$target/"
        status=1
    fi
done
exit "$status"
