# Shared by the scripts: sourced, not run.

# Configures build-asan/ once: clang with AddressSanitizer, UndefinedBehaviorSanitizer (any finding
# aborts) and libFuzzer's coverage hooks, tests and fuzz harnesses on, benchmarks off. Used by
# scripts/sanitize.sh (the suites and a short fuzz run, in CI) and scripts/fuzz.sh (long runs), so
# the libraries are compiled once for both.
# clang 14's -fsanitize=function emits prologue data the assembler cannot place in the split
# functions of coroutines ("Cannot represent a difference across sections"): the rest of UBSan stays.
# pointer-overflow is recoverable only so that scripts/ubsan.supp can silence rapidjson's (below).
configure_sanitized_build() {
  local launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  local flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=function -fno-sanitize-recover=undefined -fsanitize-recover=pointer-overflow -fno-omit-frame-pointer"
  if [[ ! -f build-asan/build.ninja ]] || ! grep -qF -- "CMAKE_CXX_FLAGS:STRING=$flags" build-asan/CMakeCache.txt; then
    cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
      -DCMAKE_CXX_FLAGS="$flags" \
      -DNFMETRICS_BUILD_TESTS=ON -DNFMETRICS_BUILD_BENCH=OFF -DNFMETRICS_BUILD_FUZZ=ON "${launcher[@]}"
  fi
}

# What the sanitizers do on a finding: stop with a stack trace, so the test fails.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:halt_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}
scripts_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$scripts_dir/ubsan.supp}
