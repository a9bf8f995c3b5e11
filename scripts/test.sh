#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (unit, fault, integration against a real Prometheus).
# The last line printed is ctest's summary; a failing test makes this script exit non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh
cd build
ctest --output-on-failure --timeout 600 -j "${NFMETRICS_TEST_JOBS:-2}"
