#!/usr/bin/env bash
# The unit, fault and integration suites again, built with clang under AddressSanitizer and
# UndefinedBehaviorSanitizer (build-asan/, separate from build/), plus each libFuzzer harness for
# a short run from its seeds (ctest entries fuzz_smoke_*). Any sanitizer finding fails its test.
# Usage: scripts/sanitize.sh   (NFMETRICS_FUZZ_SMOKE_SECONDS: seconds per harness, default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

bash scripts/install-deps.sh --fuzz
configure_sanitized_build
cmake -B build-asan -DNFMETRICS_FUZZ_SMOKE_SECONDS="${NFMETRICS_FUZZ_SMOKE_SECONDS:-10}" >/dev/null
cmake --build build-asan -j "${NFMETRICS_JOBS:-2}"
cd build-asan
ctest --output-on-failure --timeout 900 -j "${NFMETRICS_TEST_JOBS:-2}"
