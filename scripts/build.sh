#!/usr/bin/env bash
# Configures and builds nfmetrics into build/ (Ninja, ccache when present). Used by test.sh and demo.sh.
# Usage: scripts/build.sh [TARGET...]   (default: everything, tests and benchmarks included)
set -euo pipefail
cd "$(dirname "$0")/.."

build_type=${NFMETRICS_BUILD_TYPE:-RelWithDebInfo}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

# The dashboard's npm packages (web/package-lock.json), installed again only when the lock file changed.
if [[ web/package-lock.json -nt web/node_modules/.package-lock.json ]]; then
  (cd web && npm ci --no-audit --no-fund)
fi

if [[ ! -f build/build.ninja ]]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$build_type" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON "${launcher[@]}"
fi
targets=()
for target in "$@"; do targets+=(--target "$target"); done
cmake --build build -j "${NFMETRICS_JOBS:-2}" "${targets[@]}"
