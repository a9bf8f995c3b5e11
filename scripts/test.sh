#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (unit, fault, integration against a real Prometheus
# and VictoriaMetrics); then the same suites under AddressSanitizer + UndefinedBehaviorSanitizer and a
# short run of each fuzz harness (scripts/sanitize.sh; NFMETRICS_SANITIZE=0 skips that part).
# The last line printed is ctest's summary; a failing test makes this script exit non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh
(cd build && ctest --output-on-failure --timeout 600 -j "${NFMETRICS_TEST_JOBS:-2}")
if [[ "${NFMETRICS_SANITIZE:-1}" != 0 ]]; then
  echo "test: the suites again under ASan + UBSan, and the fuzz harnesses (build-asan/)"
  bash scripts/sanitize.sh
fi
