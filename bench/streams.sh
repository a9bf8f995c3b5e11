#!/usr/bin/env bash
# Issue 16's benchmark, side by side in one run, on this machine: N viewers of one live chart
# (the p95 per pod of sink latency over the last 15 m, a step every 5 s) either subscribed to
# GET /api/v1/metrics/sink-latency/stream or polling GET /api/v1/metrics/sink-latency once per
# step, at N = 1, 100 and 1000, against
#   - a real Prometheus holding 25 min of backfilled history (one MonoVertex bench/fleet with 20
#     pods, every 5 s) and scraping the live exporter that continues it every 5 s;
#   - nfmetrics serve in front of it (defaults, --cache-max-bytes 64MiB, --log-level debug so
#     that each upstream query's end is logged).
# Per N and mode, over STEPS whole steps (default 4) once every viewer is connected:
#   - backend queries per step, counted by Prometheus itself (its query_range requests and its
#     engine's inner_eval count; this script asks Prometheus for nothing but its /metrics, so
#     there is nothing of ours to subtract);
#   - stream delivery lag, p50 and p99 over every points event at every subscriber: the receipt
#     time at the client minus the time nfmetrics logged the end of that step's upstream query
#     (same host clock; the log has millisecond resolution, truncated, so this errs high by up to
#     1 ms), and the spread (receipt minus the first receipt of the same event at any client);
#   - nfmetrics CPU seconds per step (utime+stime from /proc/PID/stat, 10 ms ticks) and its peak
#     RSS during the phase (VmHWM, reset through /proc/PID/clear_refs before each phase), and
#     Prometheus's own CPU per step (process_cpu_seconds_total).
# Streams are measured before polls: a poll caches final steps that a later stream's refresh
# would then not ask the backend for. Takes about 5 minutes. Standalone: bench/run.sh does not
# call it (it needs its own scrape interval and server settings).
# Usage: bench/streams.sh [STEPS]   (default 4, at least 3)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

readonly steps=${1:-4}
readonly pods=20 step=5 range_minutes=15 cache_mib=64 history=25m
readonly viewer_counts=(1 100 1000)
readonly client_threads=2
if ! [[ "$steps" =~ ^[0-9]+$ ]] || ((steps < 3)); then
  echo "usage: bench/streams.sh [STEPS]   (at least 3)" >&2
  exit 2
fi

say() { printf '\033[1mstreams:\033[0m %s\n' "$*" >&2; }
die() {
  printf 'streams: error: %s\n' "$*" >&2
  exit 1
}

# 1000 subscribers and 1000 pollers: a descriptor each in the client and in the server, which
# inherit this limit.
if (($(ulimit -n) < 4096)); then
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  (($(ulimit -n) >= 2200)) || die "ulimit -n is $(ulimit -n); 1000 connections need 2200"
fi

bash scripts/install-deps.sh --bench
bash scripts/build.sh nfmetrics nfmetrics_stream_load
readonly load=build/bench/nfmetrics_stream_load

work=$(mktemp -d "${TMPDIR:-/tmp}/nfmetrics-streams.XXXXXX")
mkdir -p "$work/logs" "$work/records"

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

up() { wait_http "$1" "$2" "$3" || die "$1 did not answer within $2 s"; }
port() { free_port || die "no free port found"; }

# --- backend and server -----------------------------------------------------------------------
# History covering the 15 m window and the 5 m rate before it, so every snapshot is full.
say "backfilling $history of history for $pods pods (every ${step} s)"
build/nfmetrics synth openmetrics --fleet-pods "$pods" --end "$(date +%s)" --duration "$history" \
  --interval "${step}s" --out "$work/history.om" 2>"$work/logs/synth.log"
promtool tsdb create-blocks-from openmetrics "$work/history.om" "$work/prometheus-data" \
  >"$work/logs/promtool.log" 2>&1 || die "promtool failed; see $work/logs/promtool.log"
rm -f "$work/history.om"

exporter_port=$(port)
prometheus_port=$(port)
api_port=$(port)
prometheus=http://127.0.0.1:$prometheus_port
api=http://127.0.0.1:$api_port

write_scrape_config "$work/prometheus.yml" "127.0.0.1:$exporter_port" "${step}s"
start_child "$work/logs/exporter.log" build/nfmetrics synth exporter --fleet-pods "$pods" \
  --listen "127.0.0.1:$exporter_port"
up "http://127.0.0.1:$exporter_port/metrics" 10 "$work/logs/exporter.log"
start_child "$work/logs/prometheus.log" prometheus --config.file="$work/prometheus.yml" \
  --storage.tsdb.path="$work/prometheus-data" --storage.tsdb.retention.time=30d \
  --web.listen-address="127.0.0.1:$prometheus_port"
up "$prometheus/-/ready" 120 "$work/logs/prometheus.log"

# UTC, so that the log's wall-clock times read back as unix times.
TZ=UTC start_child "$work/logs/nfmetrics.log" build/nfmetrics serve \
  --listen "127.0.0.1:$api_port" --prometheus-url "$prometheus" \
  --cache-max-bytes "${cache_mib}MiB" --log-level debug
nfmetrics_pid=${child_pids[-1]}
up "$api/healthz" 30 "$work/logs/nfmetrics.log"

readonly query="namespace=bench&mvtx=fleet&group_by=pod&quantile=0.95&step=${step}s"
readonly stream_target="/api/v1/metrics/sink-latency/stream?$query&range=${range_minutes}m"
readonly poll_target="/api/v1/metrics/sink-latency?$query"

# A stream and a GET of the same window agree before anything is timed.
series=$(timeout 5 curl -sN "$api$stream_target" | sed -n 's/^data: //p' | head -n 1 |
  jq '.data.series | length') || true
((series == pods)) || die "the stream's snapshot has ${series:-no} series, expected $pods"

# --- measuring --------------------------------------------------------------------------------
now() { date +%s.%N; }
# The first time at least LEAD seconds from now that is 2.5 s past a refresh: refreshes run at
# step boundaries + --cache-freshness (1 m) + 2 s, i.e. 2 s into a 5 s step; counters read here
# never split a refresh.
phase_time() {
  awk -v n="$(now)" -v lead="$1" -v s="$step" \
    'BEGIN { t = n + lead - 4.5; k = int(t / s); if (k * s < t) k++; printf "%.1f", k * s + 4.5 }'
}
sleep_until() { sleep "$(awk -v t="$1" -v n="$(now)" 'BEGIN { d = t - n; printf "%.3f", (d > 0 ? d : 0) }')"; }

# counters -> "query_range inner_eval prometheus_cpu_s nfmetrics_cpu_ticks"
counters() {
  local prom_metrics
  prom_metrics=$(curl -fsS "$prometheus/metrics")
  awk '
    /^prometheus_http_requests_total\{.*handler="\/api\/v1\/query_range"/ { range += $NF }
    /^prometheus_engine_query_duration_seconds_count\{slice="inner_eval"\}/ { inner = $NF }
    /^process_cpu_seconds_total / { cpu = $NF }
    END { printf "%d %d %s ", range, inner, cpu }' <<<"$prom_metrics"
  # utime and stime: fields 14 and 15, counted after the ")" that ends the command name.
  sed 's/.*) //' "/proc/$nfmetrics_pid/stat" | awk '{ print $12 + $13 }'
}
reset_peak_rss() { echo 5 >"/proc/$nfmetrics_pid/clear_refs"; }
peak_rss_mib() { awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$nfmetrics_pid/status"; }
clk_tck=$(getconf CLK_TCK)

# per_step BEFORE AFTER -> "range_queries_per_step inner_eval_per_step prometheus_cpu_s_per_step
#   nfmetrics_cpu_s_per_step"
per_step() {
  awk -v s="$steps" -v hz="$clk_tck" -v b="$1" -v a="$2" 'BEGIN {
    split(b, x, " "); split(a, y, " ")
    printf "%.2f %.2f %.3f %.3f\n", (y[1] - x[1]) / s, (y[2] - x[2]) / s, (y[3] - x[3]) / s,
      (y[4] - x[4]) / hz / s }'
}

# nearest-rank percentiles of a file of numbers -> "p50 p99"
percentiles() {
  sort -g "$1" | awk '{ v[NR] = $1 } END {
    i50 = int(NR * 0.50); if (i50 < NR * 0.50) i50++; i99 = int(NR * 0.99); if (i99 < NR * 0.99) i99++
    printf "%.1f %.1f\n", v[i50], v[i99] }'
}

# upstream_ends -> "window_end_unix end_ms" for every upstream query nfmetrics logged, read from
# lines such as "[2026-12-03 04:26:27.002] [debug] upstream query_range [a, b] step ...".
upstream_ends() {
  grep -F '] [debug] upstream query_range [' "$work/logs/nfmetrics.log" |
    sed -E 's/^\[([0-9-]+ [0-9:]+)\.([0-9]{3})\] .*upstream query_range \[[0-9]+, ([0-9]+)\].*/\3 \1 \2/' |
    while read -r end day time millis; do
      echo "$end $(date -u -d "$day $time" +%s)$millis"
    done
}

declare -A result
stream_phase() {  # N
  local n=$1
  local lead from until before after records=$work/records/stream-$n.txt
  lead=$((n >= 1000 ? 12 : 5))
  reset_peak_rss
  from=$(phase_time "$lead")
  until=$(awk -v f="$from" -v k="$steps" -v s="$step" 'BEGIN { printf "%.1f", f + k * s }')
  say "stream, N=$n: subscribing, then recording $steps steps from $from"
  "$load" --mode stream --port "$api_port" --target "$stream_target" --connections "$n" \
    --threads "$client_threads" --from "$from" --until "$until" --out "$records" \
    2>"$work/logs/load-stream-$n.log" &
  local load_pid=$!
  sleep_until "$from"
  before=$(counters)
  sleep_until "$until"
  after=$(counters)
  local peak
  peak=$(peak_rss_mib)
  wait "$load_pid" || die "stream, N=$n: the load client failed: $(cat "$work/logs/load-stream-$n.log")"

  # Every subscriber got every step, and the same bytes for it.
  local ids clients distinct
  ids=$(awk '{ print $1 }' "$records" | sort -u | wc -l)
  clients=$(awk '{ c[$1] += 1 } END { for (i in c) print c[i] }' "$records" | sort -u | tr '\n' ' ')
  distinct=$(awk '{ print $1, $5 }' "$records" | sort -u | wc -l)
  ((ids >= steps)) || die "stream, N=$n: $ids events in $steps steps"
  [[ "$clients" == "$n " ]] || die "stream, N=$n: events reached these numbers of subscribers: $clients"
  ((distinct == ids)) || die "stream, N=$n: subscribers received different data for one event id"

  # Lag from the end of each step's upstream query, and the spread across subscribers.
  upstream_ends >"$work/upstream-ends.txt"
  awk 'NR == FNR { end_ms[$1] = $2; next }
       !($1 in end_ms) { missing++; next }
       { print ($3 / 1000) - end_ms[$1] > "'"$work/lag-$n.txt"'" }
       END { if (missing) { print missing " receipts without a logged upstream query" > "/dev/stderr"; exit 1 } }' \
    "$work/upstream-ends.txt" "$records" ||
    die "stream, N=$n: a step had no upstream query (served from the cache?)"
  awk 'NR == FNR { if (!($1 in first) || $3 < first[$1]) first[$1] = $3; next }
       { print ($3 - first[$1]) / 1000 }' "$records" "$records" >"$work/spread-$n.txt"

  result[stream,$n]="$(per_step "$before" "$after") $(percentiles "$work/lag-$n.txt") $(percentiles "$work/spread-$n.txt") $peak $ids"
  say "stream, N=$n: $(wc -l <"$records") receipts of $ids events"
}

poll_phase() {  # N
  local n=$1
  local from until before after records=$work/records/poll-$n.txt
  reset_peak_rss
  from=$(phase_time 3)
  until=$(awk -v f="$from" -v k="$steps" -v s="$step" 'BEGIN { printf "%.1f", f + k * s }')
  say "poll, N=$n: each viewer polls once per step, $steps steps from $from"
  "$load" --mode poll --port "$api_port" --target "$poll_target" --connections "$n" \
    --threads "$client_threads" --from "$from" --until "$until" --step "$step" \
    --range "$((range_minutes * 60))" --out "$records" 2>"$work/logs/load-poll-$n.log" &
  local load_pid=$!
  sleep_until "$from"
  before=$(counters)
  sleep_until "$until"
  after=$(counters)
  local peak
  peak=$(peak_rss_mib)
  wait "$load_pid" || die "poll, N=$n: the load client failed: $(cat "$work/logs/load-poll-$n.log")"
  local answered bad
  answered=$(wc -l <"$records")
  bad=$(awk '$4 != 200' "$records" | wc -l)
  ((bad == 0)) || die "poll, N=$n: $bad answers were not 200"
  awk '{ print $3 / 1000 }' "$records" >"$work/poll-latency-$n.txt"
  result[poll,$n]="$(per_step "$before" "$after") $(percentiles "$work/poll-latency-$n.txt") $peak $(awk -v a="$answered" -v s="$steps" 'BEGIN { printf "%.1f", a / s }')"
  say "poll, N=$n: $answered answers"
}

for n in "${viewer_counts[@]}"; do stream_phase "$n"; sleep 2; done
for n in "${viewer_counts[@]}"; do poll_phase "$n"; sleep 2; done

# --- report -----------------------------------------------------------------------------------
f() { awk -v i="$2" '{ print $i }' <<<"${result[$1]}"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else printf "n/a" }'; }
echo
echo "one query (p95 per pod of sink-latency, $pods pods, step ${step}s, ${range_minutes}m window)," \
  "$steps steps per line; nfmetrics --cache-max-bytes ${cache_mib}MiB; $(date -u +%Y-%m-%d)"
echo
echo "| N | backend queries/step, stream | backend queries/step, poll | stream lag p50 / p99 (ms) | spread p50 / p99 (ms) | nfmetrics CPU s/step, stream | nfmetrics CPU s/step, poll | Prometheus CPU s/step, stream / poll | peak RSS MiB, stream / poll | poll answers/step, p50 / p99 (ms) |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for n in "${viewer_counts[@]}"; do
  printf '| %s | %s (inner_eval %s) | %s (inner_eval %s) | %s / %s | %s / %s | %s | %s | %s / %s | %s / %s | %s, %s / %s |\n' \
    "$n" "$(f "stream,$n" 1)" "$(f "stream,$n" 2)" "$(f "poll,$n" 1)" "$(f "poll,$n" 2)" \
    "$(f "stream,$n" 5)" "$(f "stream,$n" 6)" "$(f "stream,$n" 7)" "$(f "stream,$n" 8)" \
    "$(f "stream,$n" 4)" "$(f "poll,$n" 4)" "$(f "stream,$n" 3)" "$(f "poll,$n" 3)" \
    "$(f "stream,$n" 9)" "$(f "poll,$n" 7)" "$(f "poll,$n" 8)" "$(f "poll,$n" 5)" "$(f "poll,$n" 6)"
done
echo
for n in "${viewer_counts[@]}"; do
  echo "N=$n: stream $(f "stream,$n" 1) backend queries/step (target 1)," \
    "poll/stream backend queries $(ratio "$(f "poll,$n" 1)" "$(f "stream,$n" 1)")," \
    "poll/stream nfmetrics CPU $(ratio "$(f "poll,$n" 4)" "$(f "stream,$n" 4)")"
done
echo "N=1000: stream lag p99 $(f "stream,1000" 6) ms (target <= 100);" \
  "peak RSS $(f "stream,1000" 9) MiB (target <= $((cache_mib + 64)))"
