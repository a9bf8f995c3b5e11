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
  if ! (cd web && npm ci --no-audit --no-fund); then
    cat >&2 <<'EOF'
build: `npm ci` in web/ failed (the dashboard's packages, pinned by web/package-lock.json).
  If it could not reach the npm registry over TLS ("self-signed certificate in certificate chain"),
  the network intercepts TLS: add that CA to the system's store (a .crt file in
  /usr/local/share/ca-certificates, then update-ca-certificates; Debian's Node.js trusts that store)
  or point NODE_EXTRA_CA_CERTS at it. To build without the dashboard: configure with
  -DNFMETRICS_DASHBOARD=OFF (docs/dashboard.md).
EOF
    exit 1
  fi
fi

if [[ ! -f build/build.ninja ]]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$build_type" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON "${launcher[@]}"
fi
targets=()
for target in "$@"; do targets+=(--target "$target"); done
cmake --build build -j "${NFMETRICS_JOBS:-2}" "${targets[@]}"
