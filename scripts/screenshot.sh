#!/usr/bin/env bash
# Regenerates docs/dashboard.png, README's picture of the dashboard: runs the browser test
# (tests/browser/run.sh: synthetic history with default/checkout's incident two hours before now,
# a real Prometheus, `nfmetrics serve`, headless Chromium) and copies the screenshot its step 6
# takes: default/checkout over 3h, p50 + p99, with the findings panel, the stage bar, and the chart
# filtered to the slow pod with its "slow since" marker (1400x900 viewport, full page).
# Builds first (scripts/build.sh); needs what the browser test needs (scripts/install-deps.sh).
# Usage: scripts/screenshot.sh [OUTPUT.png]   (default: docs/dashboard.png)
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:-docs/dashboard.png}
bash scripts/build.sh nfmetrics
out=build/screenshot
bash tests/browser/run.sh --nfmetrics build/nfmetrics --node-modules web/node_modules --out "$out"
cp "$out/dashboard.png" "$target"
echo "screenshot: $target (the pipeline view: $out/dashboard-pipeline.png, the Capacity view: $out/dashboard-capacity.png)"
