#!/usr/bin/env bash
# Browser test of the dashboard: generates 7 h of synthetic NumaFlow history and a small fleet over
# 9 whole days (the Capacity view's), backfills them into a real Prometheus that also scrapes the live synthetic exporter (new samples for Live's new
# points), starts `nfmetrics serve` in front of it and drives the dashboard with Chromium through
# playwright-core (tests/browser/dashboard.test.mjs). Stops everything it started on any exit, also
# on failure and on its own deadline.
#
# Usage: run.sh --nfmetrics BIN --node-modules DIR --out DIR
#   or the environment: NFMETRICS_BIN, NFMETRICS_NODE_MODULES (web/node_modules, holding
#   playwright-core), NFMETRICS_BROWSER_OUT (data, logs and dashboard.png go there).
#   CHROMIUM (default /usr/bin/chromium), NFMETRICS_BROWSER_TIMEOUT (seconds, default 240).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
nfmetrics=${NFMETRICS_BIN:-}
node_modules=${NFMETRICS_NODE_MODULES:-$here/../../web/node_modules}
out=${NFMETRICS_BROWSER_OUT:-}
chromium=${CHROMIUM:-/usr/bin/chromium}
budget=${NFMETRICS_BROWSER_TIMEOUT:-240}

while (($# > 0)); do
  case $1 in
    --nfmetrics) nfmetrics=$2; shift 2 ;;
    --node-modules) node_modules=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "browser test: unknown argument $1" >&2; exit 2 ;;
  esac
done

fail() {
  printf 'browser test: FAILED: %s\n' "$*" >&2
  exit 1
}

# What a fresh machine may lack: a clear failure, never a skip (scripts/test.sh installs them).
[[ -n "$nfmetrics" && -x "$nfmetrics" ]] || fail "no nfmetrics binary (--nfmetrics or NFMETRICS_BIN): '$nfmetrics'"
[[ -n "$out" ]] || fail "no output directory (--out or NFMETRICS_BROWSER_OUT)"
command -v node >/dev/null || fail "node is not installed: run scripts/install-deps.sh (Debian package nodejs)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
((node_major >= 18)) || fail "node $(node --version) is too old: 18 or newer is needed"
[[ -x "$chromium" ]] || fail "$chromium is missing: run scripts/install-deps.sh (Debian package chromium)"
[[ -f "$node_modules/playwright-core/package.json" ]] ||
  fail "no playwright-core in $node_modules: run 'npm ci' in web/ (scripts/build.sh does)"
# Absolute: format.test.mjs resolves esbuild from it (a relative path such as web/node_modules, as
# in docs/testing.md, made createRequire throw).
node_modules=$(cd "$node_modules" && pwd)
for tool in promtool prometheus setsid; do
  command -v "$tool" >/dev/null || fail "$tool is not installed: run scripts/install-deps.sh"
done

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$out/run
rm -rf "$work" "$out/dashboard.png" "$out/dashboard-pipeline.png" "$out/failure.png" "$out/browser-summary.txt"
mkdir -p "$work/data" "$work/tmp"
logs=$work
pids=()
names=()
running=''    # the foreground step while it runs (cleared once waited for: its PID may be reused)
test_group='' # the browser test's process group (node, started with setsid) while it runs
# Written by dashboard.test.mjs once Chromium runs, removed by it once Chromium is closed: while it
# exists, Chromium (the leader of its own process group) may still run, also after node died.
chromium_pidfile=$work/chromium.pid

# Stops every child: SIGTERM, up to 5 s grace, then SIGKILL; prints the logs' tails on failure.
# Targets are PIDs and, for the browser test, process groups ("-PGID"): node's, and Chromium's
# (playwright starts Chromium in a session of its own, so node's group does not hold it).
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  exec 1>&8 2>&9 # a trap may fire inside a step whose output goes to a log
  [[ -n "${watchdog:-}" ]] && { kill "$watchdog" 2>/dev/null || true; }
  local targets=("${pids[@]}")
  [[ -n "$running" ]] && targets+=("$running") # the foreground step, if it still runs
  [[ -n "$test_group" ]] && targets+=("-$test_group")
  local browser_pid=''
  [[ -s "$chromium_pidfile" ]] && browser_pid=$(<"$chromium_pidfile")
  [[ "$browser_pid" =~ ^[0-9]+$ ]] && targets+=("-$browser_pid")
  local target
  for target in "${targets[@]}"; do kill -TERM -- "$target" 2>/dev/null || true; done
  for _ in $(seq 50); do
    local alive=0
    for target in "${targets[@]}"; do kill -0 -- "$target" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.1
  done
  for target in "${targets[@]}"; do kill -KILL -- "$target" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if ((status != 0)); then
    local log
    for log in "$logs"/*.log; do
      [[ -s "$log" ]] || continue
      printf '\n--- last lines of %s ---\n' "$log" >&2
      tail -n 25 "$log" >&2
    done
    printf 'browser test: FAILED (exit %s); data and logs kept in %s\n' "$status" "$work" >&2
  else
    rm -rf "$work/data" "$work/tmp"
  fi
  exit "$status"
}
exec 8>&1 9>&2
trap cleanup EXIT
trap 'echo "browser test: interrupted" >&9; exit 130' INT
trap 'echo "browser test: stopped (deadline of ${budget}s, or SIGTERM)" >&9; exit 124' TERM

# Our own deadline, below ctest's TIMEOUT, so that the trap (not a SIGKILL) stops the children.
# A builtin read with a timeout on a FIFO nobody writes: no child process outlives the script.
mkfifo "$work/watchdog.fifo"
(
  exec 3<>"$work/watchdog.fifo"
  read -r -t "$budget" -u 3 _ || kill -TERM $$
) >/dev/null 2>&1 &
watchdog=$!

# start NAME COMMAND...: runs COMMAND in the background, output to $logs/NAME.log.
start() {
  local name=$1
  shift
  "$@" </dev/null >"$logs/$name.log" 2>&1 &
  pids+=($!)
  names+=("$name")
}

# Runs a foreground step in the background and waits for it, so that the TERM trap fires at once.
run() {
  local rc=0
  "$@" &
  running=$!
  wait "$running" || rc=$?
  running=''
  return "$rc"
}

util() { node "$here/util.mjs" "$@"; }

# 1. Data: 7 h ending now (the dashboard's 6h preset must be covered), backfilled with promtool.
# The incident (default/checkout's slow sink, shop/out's backlog) starts 2 h before the end, given
# explicitly so that the test knows its onset.
end=$(date +%s)
incident_at=$((end - 2 * 3600))
echo "browser test: generating 7h of synthetic history ending at $end, incident at $incident_at"
run "$nfmetrics" synth openmetrics --end "$end" --duration 7h --interval 15s \
  --incident-at "$incident_at" --out "$work/history.om" 2>"$logs/synth.log"
run promtool tsdb create-blocks-from openmetrics --quiet "$work/history.om" "$work/data" \
  >"$logs/promtool.log" 2>&1 || fail "promtool backfill failed"
rm -f "$work/history.om"
# The Capacity view's days: MonoVertex bench/fleet, 3 pods over the 9 whole UTC days before today's
# midnight (and today), at 60 s, only the families its queries read. Blocks of up to 10 days: at
# promtool's default 2 h the backfill takes minutes, not seconds.
echo "browser test: generating 9 days of a 3-pod fleet (bench/fleet)"
run "$nfmetrics" synth openmetrics --end "$end" --fleet-pods 3 --days 9 --interval 60s \
  --families monovtx_read_total,monovtx_sink_time,monovtx_processing_time \
  --out "$work/fleet.om" 2>"$logs/synth-fleet.log"
run promtool tsdb create-blocks-from openmetrics --quiet --max-block-duration=240h "$work/fleet.om" \
  "$work/data" >"$logs/promtool-fleet.log" 2>&1 || fail "promtool backfill of the fleet failed"
rm -f "$work/fleet.om"

# 2. The live exporter, continuing the history's series (as in scripts/demo.sh: the same model and
# incident, counters that are functions of absolute time, job and instance dropped so that the
# scraped samples extend the backfilled series). Live's new points (test steps 11-12) are its
# samples.
for attempt in 1 2 3; do
  exporter_port=$(util free-port)
  start exporter "$nfmetrics" synth exporter --listen "127.0.0.1:$exporter_port" --incident-at "$incident_at"
  if run util wait "http://127.0.0.1:$exporter_port/metrics" 30 "${pids[-1]}"; then break; fi
  if ((attempt == 3)) || ! grep -qi 'address already in use' "$logs/exporter.log"; then
    fail "the synthetic exporter did not come up"
  fi
done
cat >"$work/prometheus.yml" <<EOF
# The backfilled history, then the exporter's samples every 5 s.
global:
  scrape_interval: 5s
scrape_configs:
  - job_name: nfmetrics-synth
    static_configs:
      - targets: ["127.0.0.1:$exporter_port"]
    metric_relabel_configs:
      - action: labeldrop
        regex: job|instance
EOF

# 3. Prometheus on a free loopback port; a lost race for the port is retried.
for attempt in 1 2 3; do
  prometheus_port=$(util free-port)
  start prometheus prometheus --config.file="$work/prometheus.yml" \
    --storage.tsdb.path="$work/data" --web.listen-address="127.0.0.1:$prometheus_port" \
    --storage.tsdb.retention.time=30d --log.level=warn \
    --web.console.templates="$work" --web.console.libraries="$work"
  prometheus_url=http://127.0.0.1:$prometheus_port
  # Ready, and the backfilled blocks visible.
  if run util wait "$prometheus_url/api/v1/query?query=count(monovtx_sink_time_count)" 60 \
    "${pids[-1]}" '"result":[{'; then
    break
  fi
  if ((attempt == 3)) || ! grep -qi 'address already in use' "$logs/prometheus.log"; then
    fail "Prometheus did not come up"
  fi
done
prometheus_pid=${pids[-1]} # the test's last step stops it: Live's error events
echo "browser test: Prometheus at $prometheus_url"

# 4. nfmetrics serve in front of it.
for attempt in 1 2 3; do
  api_port=$(util free-port)
  start nfmetrics "$nfmetrics" serve --listen "127.0.0.1:$api_port" --prometheus-url "$prometheus_url"
  api_url=http://127.0.0.1:$api_port
  if run util wait "$api_url/readyz" 30 "${pids[-1]}"; then break; fi
  if ((attempt == 3)) || ! grep -qi 'address already in use' "$logs/nfmetrics.log"; then
    fail "nfmetrics serve did not come up"
  fi
done
echo "browser test: nfmetrics serve at $api_url"

# 5. The unit tests of web/src/format.ts, of Live's modules (sse.ts, live.ts, stream.ts) and of the
# Capacity view's numbers (capacity_math.ts), bundled by esbuild into $work/format, $work/live and
# $work/capacity.
run env NFMETRICS_NODE_MODULES="$node_modules" NFMETRICS_FORMAT_OUT="$work/format" \
  node "$here/format.test.mjs" >"$logs/format-test.log" 2>&1 ||
  fail "format.test.mjs failed; see $logs/format-test.log"
echo "browser test: format.test.mjs passed ($(grep -c '^ok ' "$logs/format-test.log") tests)"
run env NFMETRICS_NODE_MODULES="$node_modules" NFMETRICS_LIVE_OUT="$work/live" \
  node "$here/live.test.mjs" >"$logs/live-test.log" 2>&1 ||
  fail "live.test.mjs failed; see $logs/live-test.log"
echo "browser test: live.test.mjs passed ($(grep -c '^ok ' "$logs/live-test.log") tests)"
run env NFMETRICS_NODE_MODULES="$node_modules" NFMETRICS_CAPACITY_OUT="$work/capacity" \
  node "$here/capacity.test.mjs" >"$logs/capacity-test.log" 2>&1 ||
  fail "capacity.test.mjs failed; see $logs/capacity-test.log"
echo "browser test: capacity.test.mjs passed ($(grep -c '^ok ' "$logs/capacity-test.log") tests)"

# 6. The browser test itself. Its temporary files (Chromium's profile) stay under $work/tmp.
# node leads a process group of its own (setsid: a background job of this non-interactive shell
# is no group leader, so setsid does not fork and $! is node's PID and group), and records
# Chromium's PID: cleanup stops both groups even when node has to be SIGKILLed.
export NFMETRICS_URL=$api_url NFMETRICS_INCIDENT_AT=$incident_at NFMETRICS_PLAYWRIGHT="$node_modules/playwright-core" \
  NFMETRICS_BROWSER_OUT=$out CHROMIUM=$chromium TMPDIR=$work/tmp \
  NFMETRICS_CHROMIUM_PIDFILE=$chromium_pidfile NFMETRICS_PROMETHEUS_PID=$prometheus_pid
setsid node "$here/dashboard.test.mjs" > >(tee "$work/test.out") 2>&1 &
test_group=$!
status=0
wait "$test_group" || status=$?
test_group='' # node has ended; a Chromium it left (killed before closing it) is in the pidfile
((status == 0)) || fail "dashboard.test.mjs failed (exit $status); its output is above and in $work/test.out"
echo "browser test: passed; screenshot: $out/dashboard.png"
