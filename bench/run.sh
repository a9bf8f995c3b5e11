#!/usr/bin/env bash
# Issue 4's benchmark, side by side in one run, on this machine:
#   - a real Prometheus holding 24 h of backfilled history (one MonoVertex bench/fleet with 20 pods,
#     every 15 s) and scraping a live exporter that continues it;
#   - nginx serving nfmetrics' own answer as a static file (the upper bound for a cache hit);
#   - nfmetrics serve in front of that Prometheus.
# For the p95-per-pod sink latency over the last 1 h (step 15 s) and 24 h (step 1 m) it runs wrk
# against Prometheus directly, nfmetrics with Cache-Control: no-cache (a miss every time),
# nfmetrics answering from its cache, and nginx; then a dashboard sliding its 1 h window every 15 s
# (what the backend is asked per refresh), a cache filled with distinct queries (peak RSS against
# --cache-max-bytes), a diagnosis of the fleet (backend queries per diagnosis, cold and warm p50
# beside a cold sink-latency query), and the Google Benchmark figures. Takes about 10 minutes.
# Usage: bench/run.sh [SECONDS_PER_WRK_RUN]   (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

readonly seconds=${1:-10}
readonly pods=20
readonly bench_cache=256MiB small_cache_mib=8
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || {
  echo "usage: bench/run.sh [SECONDS_PER_WRK_RUN]" >&2
  exit 2
}

bash scripts/install-deps.sh --bench
bash scripts/build.sh nfmetrics nfmetrics_bench

work=$(mktemp -d "${TMPDIR:-/tmp}/nfmetrics-bench.XXXXXX")
chmod 755 "$work"  # nginx workers run as another user when started by root
mkdir -p "$work/logs" "$work/static" "$work/nginx-tmp"

say() { printf '\033[1mbench:\033[0m %s\n' "$*" >&2; }
die() {
  printf 'bench: error: %s\n' "$*" >&2
  exit 1
}

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_children
  if ((status == 0)); then rm -rf "$work"; else say "logs kept in $work/logs"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# up URL SECONDS LOG and port: wait_http and free_port, ending the run when they fail.
up() { wait_http "$1" "$2" "$3" || die "$1 did not answer within $2 s"; }
port() { free_port || die "no free port found"; }

# --- data -------------------------------------------------------------------------------------
history_end=$(($(date +%s) / 60 * 60))
say "generating 24 h of history for $pods pods (every 15 s) and backfilling it with promtool"
build/nfmetrics synth openmetrics --fleet-pods "$pods" --end "$history_end" --duration 24h10m \
  --interval 15s --out "$work/history.om" 2>"$work/logs/synth.log"
promtool tsdb create-blocks-from openmetrics "$work/history.om" "$work/prometheus-data" \
  >"$work/logs/promtool.log" 2>&1 || die "promtool failed; see $work/logs/promtool.log"
rm -f "$work/history.om"

exporter_port=$(port)
prometheus_port=$(port)
api_port=$(port)
probe_port=$(port)
nginx_port=$(port)
prometheus=http://127.0.0.1:$prometheus_port
api=http://127.0.0.1:$api_port
probe=http://127.0.0.1:$probe_port
nginx=http://127.0.0.1:$nginx_port

write_scrape_config "$work/prometheus.yml" "127.0.0.1:$exporter_port" 15s
start_child "$work/logs/exporter.log" build/nfmetrics synth exporter --fleet-pods "$pods" \
  --listen "127.0.0.1:$exporter_port"
up "http://127.0.0.1:$exporter_port/metrics" 10 "$work/logs/exporter.log"
start_child "$work/logs/prometheus.log" prometheus --config.file="$work/prometheus.yml" \
  --storage.tsdb.path="$work/prometheus-data" --storage.tsdb.retention.time=30d \
  --web.listen-address="127.0.0.1:$prometheus_port"
up "$prometheus/-/ready" 120 "$work/logs/prometheus.log"

# The measured server, with default settings.
start_child "$work/logs/nfmetrics.log" build/nfmetrics serve --listen "127.0.0.1:$api_port" \
  --prometheus-url "$prometheus" --cache-max-bytes "$bench_cache"
nfmetrics_pid=${child_pids[-1]}
up "$api/healthz" 30 "$work/logs/nfmetrics.log"
# A second one logging every backend query (the sliding window) with a small cache (the memory
# bound), so neither disturbs the measured server.
start_child "$work/logs/probe.log" build/nfmetrics serve --listen "127.0.0.1:$probe_port" \
  --prometheus-url "$prometheus" --cache-max-bytes "${small_cache_mib}MiB" --log-level debug
probe_pid=${child_pids[-1]}
up "$probe/healthz" 30 "$work/logs/probe.log"

cat >"$work/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $work/nginx.pid;
error_log $work/logs/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nodelay on;
  keepalive_requests 10000000;
  types { application/json json; }
  client_body_temp_path $work/nginx-tmp/body;
  proxy_temp_path $work/nginx-tmp/proxy;
  fastcgi_temp_path $work/nginx-tmp/fastcgi;
  uwsgi_temp_path $work/nginx-tmp/uwsgi;
  scgi_temp_path $work/nginx-tmp/scgi;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/static;
  }
}
EOF
start_child "$work/logs/nginx.log" nginx -c "$work/nginx.conf" -e "$work/logs/nginx-error.log"
echo ok >"$work/static/ready.txt"
up "$nginx/ready.txt" 10 "$work/logs/nginx-error.log"

# --- side by side -----------------------------------------------------------------------------
# wrk ... -> "req/s p50_ms p99_ms" (latencies converted to ms).
measure() {
  local connections=$1
  shift
  local threads=$((connections > 1 ? 2 : 1))
  wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency "$@" 2>&1 | awk '
    function ms(v) {
      if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /m$/) return v * 60000
      return v * 1000 }
    /Requests\/sec/ { rps = $2 } $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) }
    /Non-2xx/ { bad = $NF }
    END { if (bad) { print "non-2xx answers: " bad > "/dev/stderr"; exit 1 }
          printf "%.1f %.3f %.3f\n", rps, p50, p99 }'
}

# Prometheus's own time drifts over a run (its GC, the page cache), so the two whose p50s are
# compared are measured in turns, three rounds each, and the median of each column is kept.
declare -A rounds
alternating() {  # prometheus|miss CONNECTIONS PROM_URL API_URL
  local key="$2 $3"
  if [[ -z "${rounds[$key,prometheus]:-}" ]]; then
    local p="" m=""
    for _ in 1 2 3; do
      p+="$(measure "$2" "$3")"$'\n'
      m+="$(measure "$2" -H 'Cache-Control: no-cache' "$4")"$'\n'
    done
    rounds[$key,prometheus]=$(median_columns <<<"$p")
    rounds[$key,miss]=$(median_columns <<<"$m")
  fi
  echo "${rounds[$key,$1]}"
}
median_columns() {  # lines of numbers -> the median of each column
  local lines column out=()
  lines=$(grep -v '^$')
  for column in 1 2 3; do
    out+=("$(awk -v c="$column" '{print $c}' <<<"$lines" | sort -g | sed -n 2p)")
  done
  echo "${out[*]}"
}

rows=()
declare -A result
bench_window() {  # NAME SECONDS STEP
  local name=$1 span=$2 step=$3
  local end=$history_end start=$((history_end - span))
  local promql="histogram_quantile(0.95, sum by(pod,le) (rate(monovtx_sink_time_bucket{namespace=\"bench\",mvtx_name=\"fleet\"}[5m]))) / 1e6"
  local encoded
  encoded=$(jq -rn --arg q "$promql" '$q|@uri')
  local prom_url="$prometheus/api/v1/query_range?query=$encoded&start=$start&end=$end&step=$step"
  local path="/api/v1/metrics/sink-latency?namespace=bench&mvtx=fleet&group_by=pod&quantile=0.95&start=$start&end=$end&step=${step}s"

  # Same numbers first: speed means nothing otherwise. nginx serves the hit's own bytes.
  curl -fsS -o /dev/null "$api$path"
  curl -fsS "$api$path" >"$work/static/$name.json"
  diff <(jq -c '[.data.series[] | [.labels.pod, [.points[] | select(.[1] != null)]]]' \
    "$work/static/$name.json") \
    <(curl -fsS "$prom_url" |
      jq -c '[.data.result[] | [.metric.pod, [.values[] | [.[0], (.[1]|tonumber)]]]] | sort') \
    >/dev/null || die "nfmetrics and Prometheus disagree on the $name query"
  local series_count bytes
  series_count=$(jq '.data.series | length' "$work/static/$name.json")
  bytes=$(wc -c <"$work/static/$name.json")
  ((series_count == pods)) || die "$name: $series_count series, expected $pods"
  say "$name: $series_count series, nfmetrics answer $bytes bytes; running wrk ${seconds}s per line"
  curl -fsS -o /dev/null -D - "$api$path" | grep -qi '^x-cache: hit' ||
    die "$name: the repeated query was not a cache hit"

  local connections target
  for connections in 1 8; do
    for target in prometheus miss hit nginx; do
      local line
      case $target in
        prometheus) line=$(alternating prometheus "$connections" "$prom_url" "$api$path") ;;
        miss) line=$(alternating miss "$connections" "$prom_url" "$api$path") ;;
        hit) line=$(measure "$connections" "$api$path") ;;
        nginx) line=$(measure "$connections" "$nginx/$name.json") ;;
      esac
      result[$name,$target,$connections]=$line
      local rps p50 p99
      read -r rps p50 p99 <<<"$line"
      rows+=("$(printf '%-4s %-10s %5s %10s %10s %10s' "$name" "$target" "$connections" "$rps" "$p50" "$p99")")
    done
  done
}
bench_window 1h 3600 15
bench_window 24h 86400 60

# --- diagnosis --------------------------------------------------------------------------------
# GET /api/v1/diagnosis of the fleet over the last hour of history: how many backend queries one
# diagnosis costs (the probe server logs each), and its p50 cold (Cache-Control: no-cache, every
# query asked of Prometheus) and warm (from the results cache), beside one cold sink-latency query.
diag_path="/api/v1/diagnosis?namespace=bench&mvtx=fleet&start=$((history_end - 3600))&end=$history_end"
diag_pods=$(curl -fsS "$api$diag_path" | jq '.data.pods | length')
((diag_pods == pods)) || die "diagnosis: $diag_pods pods, expected $pods"
curl -fsS -o /dev/null -D - "$api$diag_path" | grep -qi '^x-cache: hit' ||
  die "diagnosis: the repeated diagnosis was not a cache hit"
before=$(wc -l <"$work/logs/probe.log")
curl -fsS -o /dev/null -H 'Cache-Control: no-cache' "$probe$diag_path"
sleep 0.2
diag_queries=$(tail -n +"$((before + 1))" "$work/logs/probe.log" | grep -c 'upstream query_range' || true)
say "diagnosis: $diag_queries backend queries; running wrk ${seconds}s cold and warm"
diag_cold=$(measure 1 -H 'Cache-Control: no-cache' "$api$diag_path")
diag_warm=$(measure 1 "$api$diag_path")

rss_kib() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
nfmetrics_peak_kib=$(rss_kib "$nfmetrics_pid")

# --- sliding window ---------------------------------------------------------------------------
# A dashboard showing the last hour, refreshed every 15 s: after the first (full) answer, each
# refresh should ask the backend only for the new steps and the --cache-freshness tail (1 m).
say "sliding a 1 h window every 15 s, 5 refreshes (about a minute)"
sliding=()
for refresh in 0 1 2 3 4; do
  ((refresh == 0)) || sleep 15
  now=$(date +%s)
  before=$(wc -l <"$work/logs/probe.log")
  cache=$(curl -fsS -o /dev/null -D - \
    "$probe/api/v1/metrics/sink-latency?namespace=bench&mvtx=fleet&group_by=pod&start=$((now - 3600))&end=$now&step=15s" |
    awk -F': ' 'tolower($1) == "x-cache" {gsub(/\r/, "", $2); print $2}')
  sleep 0.2
  sliding+=("$(tail -n +"$((before + 1))" "$work/logs/probe.log" | awk -v r="$refresh" -v c="$cache" '
    /upstream query_range/ {
      for (i = 1; i <= NF; i++) {
        if ($(i + 1) ~ /^samples,/) s += $i; if ($(i + 1) ~ /^bytes,/) b += $i }
      q++ }
    END { printf "%-8s %-8s %8d %9d %10d\n", r, c, q, s, b }')")
done

# --- memory bound -----------------------------------------------------------------------------
say "filling a ${small_cache_mib}MiB cache with distinct 1 h queries for ${seconds}s"
cat >"$work/distinct.lua" <<EOF
math.randomseed(os.time())
request = function()
  local start = $((history_end - 86400)) + math.random(0, 5000) * 15
  return wrk.format(nil, "/api/v1/metrics/sink-latency?namespace=bench&mvtx=fleet&group_by=pod&start=" ..
    start .. "&end=" .. (start + 3600) .. "&step=15s")
end
EOF
measure 8 -s "$work/distinct.lua" "$probe/" >/dev/null
probe_peak_kib=$(rss_kib "$probe_pid")

# --- Google Benchmark -------------------------------------------------------------------------
say "Google Benchmark: parse+shape and planning"
gbench=$(build/bench/nfmetrics_bench --benchmark_filter='ParseShape|PlanQuery' \
  --benchmark_min_time=0.5 2>/dev/null | grep -E '^BM_')

# --- report -----------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; }
field() { awk -v n="$2" '{print $n}' <<<"${result[$1]}"; }
echo
echo "p95 per pod, $pods pods; wrk ${seconds}s per line (prometheus and miss: median of 3 runs" \
  "taken in turns); latencies in ms"
printf '%-4s %-10s %5s %10s %10s %10s\n' window target conns req/s p50 p99
printf '%s\n' "${rows[@]}"
echo
# The miss ratio is read at one connection: with eight, identical no-cache requests in flight
# together share one backend query (single flight), which is not a miss's cost.
for name in 1h 24h; do
  for c in 1 8; do
    line="$name c=$c: hit/prometheus $(ratio "$(field "$name,hit,$c" 1)" "$(field "$name,prometheus,$c" 1)")x req/s (target >= 50)"
    line+=", hit/nginx $(ratio "$(field "$name,hit,$c" 1)" "$(field "$name,nginx,$c" 1)")x (target >= 0.5)"
    ((c > 1)) || line+=", miss/prometheus p50 $(ratio "$(field "$name,miss,$c" 2)" "$(field "$name,prometheus,$c" 2)")x (target <= 1.10)"
    echo "$line"
  done
done
echo
read -r _ cold_p50 _ <<<"$diag_cold"
read -r _ warm_p50 _ <<<"$diag_warm"
echo "diagnosis of bench/fleet over 1 h ($pods pods, c=1): $diag_queries backend queries per" \
  "diagnosis; p50 cold $cold_p50 ms, warm $warm_p50 ms; one cold sink-latency query (1h miss, c=1)" \
  "p50 $(field "1h,miss,1" 2) ms: cold diagnosis $(ratio "$cold_p50" "$(field "1h,miss,1" 2)")x," \
  "warm $(ratio "$warm_p50" "$(field "1h,miss,1" 2)")x"
echo
echo "sliding 1 h window (step 15 s) refreshed every 15 s: what the backend was asked"
printf '%-8s %-8s %8s %9s %10s\n' refresh x-cache queries samples bytes
printf '%s\n' "${sliding[@]}"
echo
echo "peak RSS: nfmetrics under the load above $((nfmetrics_peak_kib / 1024)) MiB" \
  "(--cache-max-bytes $bench_cache; bound $((256 + 64)) MiB);" \
  "with a ${small_cache_mib}MiB cache filled by distinct queries $((probe_peak_kib / 1024)) MiB" \
  "(bound $((small_cache_mib + 64)) MiB)"
echo
echo "Google Benchmark (build/bench/nfmetrics_bench), $pods pods; MB/s of Prometheus JSON in:"
echo "$gbench"
# bytes_per_second of NAME
mbps() { awk -v n="$1" '$1 == n { for (i = 1; i <= NF; i++) if ($i ~ /^bytes_per_second=/) {
  v = substr($i, 18); u = substr(v, length(v) - 2); v += 0
  if (u == "G/s") v *= 1024; if (u == "k/s") v /= 1024; print v } }' <<<"$gbench"; }
for points in 241 5761; do
  echo "$points points: parse+shape $(ratio "$(mbps "BM_ParseShape/$points")" \
    "$(mbps "BM_ParseShapeBoostJsonDomBaseline/$points")")x the Boost.JSON DOM baseline" \
    "(target >= 3), with the answer written $(ratio "$(mbps "BM_ParseShapeWrite/$points")" \
      "$(mbps "BM_ParseShapeWriteBoostJsonDomBaseline/$points")")x"
done
