#!/usr/bin/env bash
# Runs nfmetrics end to end on this machine: 7 h of synthetic NumaFlow history (and the same 7 h one
# day and seven days earlier, for `offset 1d` / `offset 7d`) and 30 days of a growing fleet (for
# capacity planning) backfilled into a real Prometheus, a
# live exporter that continues the same series, and `nfmetrics serve` in front. The incident
# (default/checkout's replica 2 writes 9x slower, its pods fail sink writes 75-90 min later,
# default/shop's `out` backs up) starts 2 h before the history ends, in the history and the
# exporter alike.
# Prints a real answer and ready-to-paste curl commands, then runs until Ctrl-C (or SIGTERM) and
# stops everything it started. Logs: .demo/logs/. Needs the ports 9090, 9091 and 8080 free.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

readonly demo_dir=.demo
readonly log_dir=$demo_dir/logs
readonly data_dir=$demo_dir/prometheus-data
readonly prometheus_port=9090 exporter_port=9091 api_port=8080
readonly prometheus_url=http://127.0.0.1:$prometheus_port
readonly api_url=http://127.0.0.1:$api_port
readonly history=7h

names=()  # of the children, for messages

say() { printf '\033[1mdemo:\033[0m %s\n' "$*"; }
die() {
  printf 'demo: error: %s\n' "$*" >&2
  exit 1
}

# Stops every child we started (SIGTERM, up to 5 s grace, then SIGKILL). Runs once, on any exit.
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if ((${#child_pids[@]} > 0)); then
    say "stopping ${names[*]}"
    stop_children
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start NAME LOG COMMAND...: start_child, remembering NAME for messages.
start() {
  names+=("$1")
  start_child "${@:2}"
}

# up NAME URL SECONDS LOG: waits until URL answers 2xx, else stops the demo naming what failed.
up() { wait_http "$2" "$3" "$4" || die "$1 did not come up ($2)"; }

# prom_query PROMQL: the first value of an instant query, or "" when there is none.
prom_query() {
  curl -fsS --max-time 5 "$prometheus_url/api/v1/query" --data-urlencode "query=$1" |
    jq -r '.data.result[0].value[1] // ""'
}

for entry in "$prometheus_port:Prometheus" "$exporter_port:the synthetic exporter" \
  "$api_port:nfmetrics serve"; do
  port=${entry%%:*}
  if port_in_use "$port"; then
    die "port $port (needed for ${entry#*:}) is already in use on 127.0.0.1; stop whatever listens there (e.g. a previous demo) and retry"
  fi
done

bash scripts/install-deps.sh
bash scripts/build.sh nfmetrics  # the binary only; scripts/test.sh builds the tests

rm -rf "$data_dir" "$demo_dir/history.om"
mkdir -p "$log_dir" "$data_dir"

say "generating $history of synthetic NumaFlow history ending now"
history_end=$(date +%s)
incident_at=$((history_end - 2 * 3600))
build/nfmetrics synth openmetrics --end "$history_end" --duration "$history" --interval 15s \
  --incident-at "$incident_at" --baseline-days 1,7 \
  --out "$demo_dir/history.om" 2>"$log_dir/synth-openmetrics.log"
say "backfilling it into $data_dir with promtool"
# Windows a week apart: blocks of up to 162 h, or promtool reads the input once per 2 h of the span.
# The retention below (40d) keeps the 7-day-old blocks and the fleet's 30 days.
promtool tsdb create-blocks-from openmetrics --max-block-duration=200h "$demo_dir/history.om" \
  "$data_dir" \
  >"$log_dir/promtool.log" 2>&1 || {
  tail -n 20 "$log_dir/promtool.log" >&2
  die "promtool backfill failed (see $log_dir/promtool.log)"
}
rm -f "$demo_dir/history.om"

# For capacity planning (GET /api/v1/capacity, the dashboard's Capacity view, nfmetrics capacity):
# MonoVertex bench/fleet, 3 pods over the 30 whole UTC days before today and today so far, growing
# 2%/day with quieter weekends; only the three families the capacity queries read (~80 MB of blocks'
# worth of text, a few seconds).
say "generating 30 days of a growing fleet (bench/fleet, 3 pods) for capacity planning"
build/nfmetrics synth openmetrics --fleet-pods 3 --days 30 --end "$history_end" --interval 60s \
  --families monovtx_read_total,monovtx_sink_time,monovtx_processing_time \
  --out "$demo_dir/fleet.om" 2>"$log_dir/synth-fleet.log"
promtool tsdb create-blocks-from openmetrics --max-block-duration=800h "$demo_dir/fleet.om" \
  "$data_dir" >"$log_dir/promtool-fleet.log" 2>&1 || {
  tail -n 20 "$log_dir/promtool-fleet.log" >&2
  die "promtool backfill of the fleet failed (see $log_dir/promtool-fleet.log)"
}
rm -f "$demo_dir/fleet.om"

# The exporter's series carry the same labels as the backfilled ones (namespace, pod, mvtx_name,
# mvtx_replica, le). Prometheus would add job and instance to every scraped sample, which would make
# them new series; dropping those two labels makes live samples continue the history's series.
# Counters are functions of absolute time, so the first scrape continues the last backfilled value.
write_scrape_config "$demo_dir/prometheus.yml" "127.0.0.1:$exporter_port" 15s

say "starting the synthetic exporter on 127.0.0.1:$exporter_port"
start exporter "$log_dir/exporter.log" \
  build/nfmetrics synth exporter --listen "127.0.0.1:$exporter_port" --incident-at "$incident_at"
up exporter "http://127.0.0.1:$exporter_port/metrics" 10 "$log_dir/exporter.log"

say "starting Prometheus on 127.0.0.1:$prometheus_port"
start prometheus "$log_dir/prometheus.log" \
  prometheus --config.file="$demo_dir/prometheus.yml" --storage.tsdb.path="$data_dir" \
  --web.listen-address="127.0.0.1:$prometheus_port" --storage.tsdb.retention.time=40d \
  --web.console.templates=/etc/prometheus/consoles \
  --web.console.libraries=/etc/prometheus/console_libraries
up prometheus "$prometheus_url/-/ready" 60 "$log_dir/prometheus.log"

say "waiting for the first live scrape to join the history"
deadline=$((SECONDS + 45))
live=""
while ((SECONDS < deadline)); do
  live=$(prom_query "max(timestamp(monovtx_sink_time_count)) > $history_end" || true)
  [[ -n "$live" ]] && break
  sleep 1
done
if [[ -z "$live" ]]; then
  say "warning: no live sample after 45 s; see $log_dir/prometheus.log and $prometheus_url/targets"
else
  series=$(prom_query 'count(last_over_time(monovtx_sink_time_count[8h]))')
  resets=$(prom_query 'sum(resets(monovtx_sink_time_count[8h]))')
  say "history and live data joined: $series sink-time series over 8h (no duplicates), $resets counter resets"
fi

say "starting nfmetrics serve on 127.0.0.1:$api_port"
start nfmetrics "$log_dir/nfmetrics.log" \
  build/nfmetrics serve --listen "127.0.0.1:$api_port" --prometheus-url "$prometheus_url"
up "nfmetrics serve" "$api_url/healthz" 30 "$log_dir/nfmetrics.log"

pods=$(curl -fsS "$prometheus_url/api/v1/series" \
  --data-urlencode 'match[]=monovtx_sink_time_count{namespace="default",mvtx_name="orders"}' |
  jq -r '[.data[].pod] | unique | .[]')
pod1=$(sed -n 1p <<<"$pods")
pod2=$(sed -n 2p <<<"$pods")
start_time=$(date -u -d '-3 hours' +%Y-%m-%dT%H:%M:%SZ)
end_time=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)
latency=$api_url/api/v1/metrics/sink-latency

echo
say "sink latency of default/orders per pod (points cut to the first 2):"
echo "\$ curl -s '$latency?namespace=default&mvtx=orders&group_by=pod' | jq ."
if ! curl -sS --max-time 30 "$latency?namespace=default&mvtx=orders&group_by=pod" |
  jq 'walk(if type == "array" and length > 3 and (.[0] | type) == "array"
    then .[:2] + ["... \(length) points in all"] else . end)'; then
  say "warning: the example query failed; see $log_dir/nfmetrics.log"
fi

api=$api_url/api/v1
echo
say "diagnosis of default/checkout from 30 minutes before the incident (findings, stage shares, pods):"
echo "\$ curl -s '$api/diagnosis?namespace=default&mvtx=checkout&start=$((incident_at - 1800))' | jq ..."
if ! curl -sS --max-time 30 "$api/diagnosis?namespace=default&mvtx=checkout&start=$((incident_at - 1800))" |
  jq '{findings: [.data.findings[] | "\(.severity): \(.message)"],
       stages: [.data.stages[] | "\(.stage) \(.share * 100 | round)%"],
       pods: [.data.pods[] | {pod, quantile_seconds, outlier, since}]}'; then
  say "warning: the diagnosis failed; see $log_dir/nfmetrics.log"
fi

cat <<EOF

Dashboard: $api_url/?namespace=default&mvtx=orders&metric=sink-latency&quantile=0.5,0.99&group_by=pod&range=1h
Diagnosis: build/nfmetrics diagnose --url $api_url --namespace default --mvtx checkout --since 3h
Terminal:  build/nfmetrics query sink-latency --url $api_url --namespace default --mvtx orders --group-by pod --quantile 0.5,0.99

Try these (MonoVertices: default/orders, default/orders-sink, default/clicks, default/checkout,
payments/orders, payments/refunds; pipeline default/shop with vertices in, enrich, out; the
incident began at $(date -u -d "@$incident_at" +%Y-%m-%dT%H:%M:%SZ)):
  # the whole MonoVertex, default range and quantile
  curl -s '$latency?namespace=default&mvtx=orders' | jq .
  # one series per pod
  curl -s '$latency?namespace=default&mvtx=orders&group_by=pod' | jq .
  # one pod
  curl -s '$latency?namespace=default&mvtx=orders&pod=$pod1' | jq .
  # several pods, one series each
  curl -s '$latency?namespace=default&mvtx=orders&pod=$pod1,$pod2&group_by=pod' | jq .
  # explicit range and step (RFC3339)
  curl -s '$latency?namespace=default&mvtx=orders&start=$start_time&end=$end_time&step=5m' | jq .
  # several quantiles of another latency, one series per pod and quantile
  curl -s '$api/metrics/processing-latency?namespace=payments&mvtx=orders&quantile=0.5,0.9,0.99&group_by=pod' | jq .
  # which pod is slow? summary=true marks the outlier
  curl -s '$api/metrics/sink-latency?namespace=payments&mvtx=refunds&group_by=pod&summary=true' | jq '.data.series[] | {pod: .labels.pod, summary}'
  # the incident: one checkout pod's sink slowed down 9x (compare with a day earlier in Prometheus:
  # histogram_quantile(0.9, sum by (pod, le) (rate(monovtx_sink_time_bucket{mvtx_name="checkout"}[5m] offset 1d))))
  curl -s '$api/metrics/sink-latency?namespace=default&mvtx=checkout&group_by=pod&summary=true' | jq '.data.series[] | {pod: .labels.pod, summary}'
  # answers, not charts: where the time goes, which pod, since when, worse than a day earlier?
  curl -s '$api/diagnosis?namespace=default&mvtx=checkout&start=$((incident_at - 1800))' | jq '.data.findings'
  curl -s '$api/diagnosis?namespace=default&pipeline=shop' | jq '.data | {bottleneck_vertex, vertices, findings}'
  # live: the last 15 minutes, then each new step as it comes (Server-Sent Events; Ctrl-C to stop)
  curl -sN '$latency/stream?namespace=default&mvtx=orders&group_by=pod&range=15m&step=15s'
  # a pipeline vertex, NumaFlow-style path
  curl -s '$api/namespaces/default/pipelines/shop/vertices/out/metrics/sink-latency?group_by=pod' | jq .
  # the catalog, and what the backend has seen
  curl -s '$api/metrics' | jq '.data.metrics[].name'
  curl -s '$api/namespaces/default/mono-vertices' | jq .
  curl -s '$api/namespaces/default/mono-vertices/orders/pods' | jq .
  # NumaFlow's own metrics API, as its UI calls it
  curl -s -X POST '$api/metrics-proxy' -d '{"pattern_name":"mono_vertex_histogram","metric_name":"monovtx_sink_time_bucket","dimension":"pod","quantile":"0.99","duration":"5m","filters":{"namespace":"default","mvtx_name":"orders"}}' | jq .
  curl -s '$api/metrics-discovery/object/mono-vertex' | jq .
  # an error: quantile out of range
  curl -s '$latency?namespace=default&mvtx=orders&quantile=1.5' | jq .
  # Prometheus UI: $prometheus_url   exporter: http://127.0.0.1:$exporter_port/metrics
Logs: $log_dir/
EOF
echo
say "running; press Ctrl-C to stop (pids: ${child_pids[*]})"

# Returns when any child exits or a signal arrives; cleanup stops the rest either way.
set +e
wait -n "${child_pids[@]}"
status=$?
set -e
say "a process exited (status $status); see $log_dir/ — stopping the others"
exit 1
