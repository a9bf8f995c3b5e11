#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, AddressSanitizer + UndefinedBehaviorSanitizer) into
# build-fuzz/ and runs each for SECONDS from its seed corpus in fuzz/corpus/<harness>; new inputs
# found go to build-fuzz/corpus/<harness>, crashes to build-fuzz/crashes/. Fails on the first crash.
# Usage: scripts/fuzz.sh [SECONDS]   (default 60 per harness)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || {
  echo "usage: scripts/fuzz.sh [SECONDS]" >&2
  exit 2
}

bash scripts/install-deps.sh --fuzz
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# clang 14's -fsanitize=function emits prologue data the assembler cannot place in the split
# functions of coroutines ("Cannot represent a difference across sections"): the rest of UBSan stays.
if [[ ! -f build-fuzz/build.ninja ]]; then
  cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=function -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
    -DNFMETRICS_BUILD_TESTS=OFF -DNFMETRICS_BUILD_BENCH=OFF -DNFMETRICS_BUILD_FUZZ=ON "${launcher[@]}"
fi
harnesses=(query_string time request prometheus_json)
targets=()
for h in "${harnesses[@]}"; do targets+=(--target "fuzz_$h"); done
cmake --build build-fuzz -j "${NFMETRICS_JOBS:-2}" "${targets[@]}"

mkdir -p build-fuzz/crashes
failed=0
for h in "${harnesses[@]}"; do
  mkdir -p "build-fuzz/corpus/$h"
  echo "fuzz: $h for ${seconds}s"
  if ! build-fuzz/fuzz/"fuzz_$h" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
    -rss_limit_mb=2048 -artifact_prefix="build-fuzz/crashes/$h-" -print_final_stats=1 \
    "build-fuzz/corpus/$h" "fuzz/corpus/$h" 2>"build-fuzz/fuzz-$h.log"; then
    echo "fuzz: $h FAILED; see build-fuzz/fuzz-$h.log and build-fuzz/crashes/" >&2
    tail -n 40 "build-fuzz/fuzz-$h.log" >&2
    failed=$((failed + 1))
  else
    grep -E '^stat::number_of_executed_units|^stat::new_units_added' "build-fuzz/fuzz-$h.log" |
      sed "s/^/fuzz: $h /"
  fi
done
echo "$(( ${#harnesses[@]} - failed )) passed, $failed failed"
((failed == 0))
