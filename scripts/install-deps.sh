#!/usr/bin/env bash
# Installs the Debian 12 packages nfmetrics needs to build, test and run its demo (the front end's npm
# packages are installed by scripts/build.sh with `npm ci`).
# Idempotent: apt-get runs only when a package is missing.
# Usage: scripts/install-deps.sh [--bench|--fuzz]
#   --bench: also what bench/run.sh compares against; --fuzz: clang and its libFuzzer and
#   sanitizer runtimes, for scripts/fuzz.sh
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config
  # libraries
  libboost1.81-dev libboost-url1.81-dev libboost-json1.81-dev libsimdjson-dev rapidjson-dev libyaml-cpp-dev
  libcli11-dev libhowardhinnant-date-dev libspdlog-dev libfmt-dev zlib1g-dev libssl-dev
  prometheus-cpp-dev  # self-metrics: its registry and text format (GET /metrics)
  libjwt-dev  # JWT signatures (its OpenSSL build; libjwt-gnutls-dev is the GnuTLS one)
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev wrk
  # the real backends used by tests (both) and the demo (prometheus); the shared results cache
  prometheus victoria-metrics redis-server libhiredis-dev
  # demo
  curl jq ca-certificates procps
  # the dashboard's browser test: headless Chromium driven by playwright-core, and a font to render text
  chromium fonts-dejavu-core
)
# Node.js and npm build the dashboard (web/). Debian's nodejs and npm are installed only when no
# node/npm is on PATH, so a newer Node.js already on the machine is used as it is.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
if [[ "${1:-}" == "--fuzz" ]]; then
  packages+=(clang libclang-rt-14-dev)
fi
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(nginx-light)  # serves the same answer as a static file, the bench's upper bound
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
