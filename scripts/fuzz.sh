#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, AddressSanitizer + UndefinedBehaviorSanitizer) into
# build-asan/ (shared with scripts/sanitize.sh) and runs each for SECONDS from its seed corpus in
# fuzz/corpus/<harness>; new inputs found go to build-asan/corpus/<harness>, crashes to
# build-asan/crashes/. Fails on the first crash.
# Usage: scripts/fuzz.sh [SECONDS]   (default 60 per harness)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || {
  echo "usage: scripts/fuzz.sh [SECONDS]" >&2
  exit 2
}

source scripts/lib.sh
bash scripts/install-deps.sh --fuzz
configure_sanitized_build
harnesses=(query_string time request prometheus_json)
targets=()
for h in "${harnesses[@]}"; do targets+=(--target "fuzz_$h"); done
cmake --build build-asan -j "${NFMETRICS_JOBS:-2}" "${targets[@]}"

mkdir -p build-asan/crashes
failed=0
for h in "${harnesses[@]}"; do
  mkdir -p "build-asan/corpus/$h"
  echo "fuzz: $h for ${seconds}s"
  if ! build-asan/fuzz/"fuzz_$h" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
    -rss_limit_mb=2048 -artifact_prefix="build-asan/crashes/$h-" -print_final_stats=1 \
    "build-asan/corpus/$h" "fuzz/corpus/$h" 2>"build-asan/fuzz-$h.log"; then
    echo "fuzz: $h FAILED; see build-asan/fuzz-$h.log and build-asan/crashes/" >&2
    tail -n 40 "build-asan/fuzz-$h.log" >&2
    failed=$((failed + 1))
  else
    grep -E '^stat::number_of_executed_units|^stat::new_units_added' "build-asan/fuzz-$h.log" |
      sed "s/^/fuzz: $h /"
  fi
done
echo "$(( ${#harnesses[@]} - failed )) passed, $failed failed"
((failed == 0))
