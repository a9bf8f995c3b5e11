#!/usr/bin/env bash
# Issue 17's benchmark, side by side in one run, on this machine: the p95 per pod of sink latency
# of one MonoVertex bench/fleet with 20 and 200 pods over 1, 7 and 30 days, asked of a real
# Prometheus directly and through nfmetrics serve: cold, warm, and slid by a day.
#
# Data: per pod count, 31 whole UTC days up to today's UTC midnight M, every 60 s, of the sink
# histogram alone (`nfmetrics synth openmetrics --fleet-pods N --days 31 --end M --families
# monovtx_sink_time`: the fleet grows 2%/day with a weekly cycle), imported with `promtool tsdb
# create-blocks-from openmetrics` into blocks of up to 486 h (promtool parses the whole text
# once per block: at its default 2 h blocks, 200 pods x 31 days would take hours); the text is
# deleted once imported. The generation and import are timed and their sizes reported.
#
# Windows end at a UTC midnight, so every day in them is finished and the data is the same on
# any run of the same day: cold and warm ask [M-1d-D, M-1d], slid asks [M-D, M], the same window
# one day later (the data stops at M: nothing is scraped). The step is the divisor of a day
# closest to D minutes (60 s, 432 s, 1800 s): about 1,440 points per series for every D
# (nfmetrics's rate window is max(5m, step)), so the windows differ mostly in the samples read.
#
# Per pod count and D, with a Prometheus started for that configuration alone (its peak RSS is
# its own) and logging every query with its stats (query_log_file: totalQueryableSamples, the
# backend sample volume, for direct queries and for nfmetrics's sub-queries alike):
#   - prime: one untimed query reading every sample of both windows (count_over_time), so that
#     neither side pays for the first touch of the blocks; then Prometheus's VmHWM is reset;
#   - cold, ROUNDS times (default 5), in turns whose order alternates: the PromQL nfmetrics sends
#     (its data.query) straight to /api/v1/query_range, and the same request as the first one
#     of a freshly started nfmetrics serve (empty cache); medians kept; the answers are compared
#     point by point;
#   - warm: the same request again on the last of those servers, WARM times (default 20), median;
#   - slid: that server asked for the window one day later: only the new day should be fetched;
#     beside it, Prometheus directly for the same slid window.
# Then, on the largest pod count's Prometheus, the shortest window over the first K pods (K =
# PODS/10, /4, /2, all): the growth with the series alone. Servers listen on free loopback ports
# and are stopped by PID. Takes 15-25 minutes with the machine's load, 5 of them the 200-pod
# import; 16.5 GB of free disk at the peak (--quick: 20 pods, 1 and 7 days, about 2 minutes).
# Not part of scripts/test.sh.
# Usage: bench/fleet.sh [--quick] [--rounds N] [--warm N] [--data DIR]
#   --data DIR: keep the imported TSDBs in DIR (outside the source tree) and reuse them on a later
#   run of the same UTC day; default: a temporary directory, deleted at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

usage() {
  echo "usage: bench/fleet.sh [--quick] [--rounds N] [--warm N] [--data DIR]" >&2
  exit 2
}
quick=0 rounds=5 warm_repeats=20 data_dir=""
while (($#)); do
  case $1 in
    --quick) quick=1 ;;
    --rounds) rounds=${2:-}; shift ;;
    --warm) warm_repeats=${2:-}; shift ;;
    --data) data_dir=${2:-}; shift ;;
    *) usage ;;
  esac
  shift
done
[[ "$rounds" =~ ^[1-9][0-9]*$ && "$warm_repeats" =~ ^[1-9][0-9]*$ ]] || usage
if ((quick)); then
  pod_counts=(20) window_days=(1 7)
else
  pod_counts=(20 200) window_days=(1 7 30)
fi
readonly history_days=$((window_days[-1] + 1)) interval=60
readonly midnight=$(($(date +%s) / 86400 * 86400))

say() { printf '\033[1mfleet:\033[0m %s\n' "$*" >&2; }
die() {
  printf 'fleet: error: %s\n' "$*" >&2
  exit 1
}

bash scripts/install-deps.sh >/dev/null
bash scripts/build.sh nfmetrics >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/nfmetrics-fleet.XXXXXX")
mkdir -p "$work/logs" "$work/answers"
if [[ -z "$data_dir" ]]; then
  data_dir=$work/data
fi
mkdir -p "$data_dir"
data_dir=$(cd "$data_dir" && pwd)
[[ "$data_dir/" != "$(pwd)/"* ]] || die "--data $data_dir is inside the source tree"

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_children
  rm -f "$data_dir"/*.om
  if ((status == 0)); then rm -rf "$work"; else say "logs kept in $work/logs"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port() { free_port || die "no free port found"; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
spread() { sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.2f-%.2f", lo, hi }'; }
utc() { date -u -d "@$1" +%Y-%m-%dT%H:%MZ; }
declare -A result

# --- data -------------------------------------------------------------------------------------
# import PODS: the TSDB of PODS pods over history_days days up to midnight, into $data_dir.
import() {
  local pods=$1
  local tsdb=$data_dir/fleet-$pods-pods-$history_days-days-$midnight
  result[$pods,tsdb]=$tsdb
  if [[ -f "$tsdb/.complete" ]]; then
    say "$pods pods: reusing $tsdb"
    result[$pods,import]=$(cat "$tsdb/.complete")
    return
  fi
  rm -rf "$tsdb"
  local text=$data_dir/fleet-$pods.om t0 t1 t2 text_bytes
  say "$pods pods: generating $history_days days every ${interval}s of monovtx_sink_time"
  t0=$(date +%s.%N)
  build/nfmetrics synth openmetrics --fleet-pods "$pods" --days "$history_days" --end "$midnight" \
    --interval "${interval}s" --families monovtx_sink_time --out "$text" \
    2>"$work/logs/synth-$pods.log" || die "synth failed: $(cat "$work/logs/synth-$pods.log")"
  t1=$(date +%s.%N)
  text_bytes=$(stat -c %s "$text")
  say "$pods pods: $((text_bytes / 1000000)) MB of text; importing it with promtool"
  promtool tsdb create-blocks-from openmetrics --max-block-duration=744h "$text" "$tsdb" \
    >"$work/logs/promtool-$pods.log" 2>&1 || die "promtool failed; see $work/logs/promtool-$pods.log"
  t2=$(date +%s.%N)
  rm -f "$text"
  local series samples
  read -r series samples < <(jq -s '[(map(.stats.numSeries) | max), (map(.stats.numSamples) | add)] | @tsv' -r \
    "$tsdb"/*/meta.json)
  # "synth_s text_bytes import_s tsdb_bytes series samples"
  awk -v a="$t0" -v b="$t1" -v c="$t2" -v tb="$text_bytes" -v db="$(du -sb "$tsdb" | cut -f1)" \
    -v s="$series" -v n="$samples" 'BEGIN { printf "%.0f %.0f %.0f %.0f %.0f %.0f\n", b - a, tb, c - b, db, s, n }' \
    >"$tsdb/.complete"
  result[$pods,import]=$(cat "$tsdb/.complete")
}

# --- measuring --------------------------------------------------------------------------------
# fetch URL BODY [CURL_ARGS...] -> "seconds x-cache"; ends the run unless the answer is a 200.
fetch() {
  local url=$1 body=$2
  shift 2
  local out code
  out=$(curl -sS -o "$body" -D "$work/headers" -w '%{http_code} %{time_total}' "$@" "$url") ||
    die "curl failed on $url"
  code=${out%% *}
  [[ "$code" == 200 ]] || die "HTTP $code from $url: $(head -c 400 "$body")"
  local cache
  cache=$(awk -F': ' 'tolower($1) == "x-cache" { gsub(/\r/, "", $2); print $2 }' "$work/headers")
  echo "${out#* } ${cache:--}"
}

# The query log of the running Prometheus: one JSON line per query, written before it answers.
qlog_mark() { if [[ -f "$qlog" ]]; then wc -l <"$qlog"; else echo 0; fi; }
qlog_since() {  # MARK -> "queries totalQueryableSamples largest_peakSamples"
  tail -n +"$(($1 + 1))" "$qlog" | jq -rs '[length, (map(.stats.samples.totalQueryableSamples // 0) | add // 0),
    (map(.stats.samples.peakSamples // 0) | max // 0)] | @tsv'
}
# nfmetrics's own account of what it fetched: its debug line per upstream query.
upstream_since() {  # LOG MARK -> "queries samples_returned bytes"
  tail -n +"$(($2 + 1))" "$1" | awk '/upstream query_range/ {
      for (i = 1; i <= NF; i++) { if ($(i + 1) ~ /^samples,/) s += $i; if ($(i + 1) ~ /^bytes,/) b += $i }
      q++ }
    END { printf "%d %d %d\n", q, s, b }'
}
log_mark() { wc -l <"$1"; }
# nfmetrics's split self-metrics (0 where the build has none) -> "parts days_from_cache days_fetched"
split_counts() {
  curl -fsS "$api/metrics" | awk '
    /^nfmetrics_split_subqueries_total / { p = $2 }
    /^nfmetrics_split_days_total\{source="cache"\}/ { c = $2 }
    /^nfmetrics_split_days_total\{source="backend"\}/ { b = $2 }
    END { printf "%d %d %d\n", p, c, b }'
}
# split_delta BEFORE AFTER -> "parts (cache c, backend b)"
split_delta() {
  awk -v x="$1" -v y="$2" 'BEGIN { split(x, a, " "); split(y, b, " ")
    printf "%d (cache %d, backend %d)", b[1] - a[1], b[2] - a[2], b[3] - a[3] }'
}

# same_numbers NFMETRICS_JSON PROMETHEUS_JSON -> "points_compared max_relative_difference
# points_only_on_one_side"
same_numbers() {
  jq -r '.data.series[] | .labels.pod as $p | .points[] | select(.[1] != null) | "\($p) \(.[0]) \(.[1])"' \
    "$1" >"$work/a.txt"
  jq -r '.data.result[] | .metric.pod as $p | .values[]
         | select(.[1] != "NaN" and .[1] != "+Inf" and .[1] != "-Inf") | "\($p) \(.[0]) \(.[1])"' \
    "$2" >"$work/b.txt"
  awk 'NR == FNR { v[$1 " " $2] = $3; next }
       { k = $1 " " $2; if (!(k in v)) { lone++; next }
         a = v[k] + 0; b = $3 + 0; d = a - b; if (d < 0) d = -d; m = (b < 0 ? -b : b)
         r = (m > 0 ? d / m : d); if (r > worst) worst = r; n++; delete v[k] }
       END { for (k in v) lone++; printf "%d %.3g %d\n", n, worst, lone }' "$work/a.txt" "$work/b.txt"
}

split_flags() {  # what the build's serve offers for splitting, for the report
  build/nfmetrics serve --help | grep -oE -- '--split-[a-z]+ TEXT=[^ ]+|--split-[a-z]+ [A-Z]+:[^=]*=[0-9]+' |
    sed -E 's/ [A-Z]+[^=]*=/=/' | tr '\n' ' '
}

# start_server LOG HEALTH_PATH COMMAND... ("{port}" in COMMAND replaced by a free port): started on a
# free loopback port; tried again on another when that port was taken between the check and the
# bind (other engineers' servers and this run's own client ports share the range). Sets server_pid
# and server_port.
start_server() {
  local log=$1 health=$2
  shift 2
  local attempt
  for attempt in 1 2 3; do
    server_port=$(port)
    start_child "$log" "${@//\{port\}/$server_port}"
    server_pid=${child_pids[-1]}
    wait_http "http://127.0.0.1:$server_port$health" 120 "$log" && return 0
    grep -qiE 'address already in use' "$log" || die "http://127.0.0.1:$server_port$health did not answer"
    stop_child "$server_pid"
    say "port $server_port was taken; attempt $((attempt + 1))"
  done
  die "no server started after 3 ports"
}

start_prometheus() {  # TSDB TAG: a Prometheus for one configuration; sets prometheus, prometheus_pid, qlog
  qlog=$work/logs/query-log-$2.json
  printf 'global:\n  query_log_file: %s\n' "$qlog" >"$work/prometheus-$2.yml"
  start_server "$work/logs/prometheus-$2.log" /-/ready prometheus --config.file="$work/prometheus-$2.yml" \
    --storage.tsdb.path="$1" --storage.tsdb.retention.time=60d "--web.listen-address=127.0.0.1:{port}"
  prometheus=http://127.0.0.1:$server_port
  prometheus_pid=$server_pid
  [[ "$(cat "/proc/$prometheus_pid/comm")" == prometheus ]] || die "PID $prometheus_pid is not Prometheus"
}

start_nfmetrics() {  # LOG: a fresh nfmetrics serve in front of $prometheus; sets api, api_pid, api_log
  api_log=$1
  start_server "$api_log" /healthz build/nfmetrics serve --listen "127.0.0.1:{port}" \
    --prometheus-url "$prometheus" --upstream-timeout 5m --log-level debug
  api=http://127.0.0.1:$server_port
  api_pid=$server_pid
}

# step_for DAYS: the divisor of a day closest to DAYS minutes (60 s, 432 s, 1800 s): about 1,440
# points per series whatever the window, and every midnight on the grid, so each day of a window
# holds whole steps and a window slid by a day lands on the same grid.
step_for() {
  awk -v d="$1" 'BEGIN { bestdiff = 86400; for (s = 1; s <= 86400; s++) if (86400 % s == 0) {
      diff = s - d * 60; if (diff < 0) diff = -diff; if (diff < bestdiff) { best = s; bestdiff = diff } }
    print best }'
}

# config PODS DAYS: one configuration, everything measured against its own Prometheus.
config() {
  local pods=$1 days=$2
  local tag=$pods-$days step
  step=$(step_for "$days")
  local cold_end=$((midnight - 86400)) cold_start=$((midnight - 86400 - days * 86400))
  local slid_end=$midnight slid_start=$((midnight - days * 86400))
  local params="namespace=bench&mvtx=fleet&quantile=0.95&group_by=pod&step=${step}s"
  local cold_path="/api/v1/metrics/sink-latency?$params&start=$cold_start&end=$cold_end"
  local slid_path="/api/v1/metrics/sink-latency?$params&start=$slid_start&end=$slid_end"
  say "$pods pods, $days days: [$(utc "$cold_start"), $(utc "$cold_end")] step ${step}s, slid to" \
    "[$(utc "$slid_start"), $(utc "$slid_end")]"
  start_prometheus "${result[$pods,tsdb]}" "$tag"

  # The PromQL nfmetrics sends for this step, from a two-step window on a throwaway server.
  start_nfmetrics "$work/logs/nfmetrics-$tag-promql.log"
  local promql
  promql=$(curl -fsS "$api/api/v1/metrics/sink-latency?$params&start=$((cold_end - step))&end=$cold_end" |
    jq -r '.data.query')
  stop_child "$api_pid"
  local direct_cold direct_slid
  direct_cold="$prometheus/api/v1/query_range?query=$(jq -rn --arg q "$promql" '$q|@uri')&start=$cold_start&end=$cold_end&step=$step"
  direct_slid="$prometheus/api/v1/query_range?query=$(jq -rn --arg q "$promql" '$q|@uri')&start=$slid_start&end=$slid_end&step=$step"

  # Prime: every sample of both windows read once, untimed, by neither side's query.
  local prime="count_over_time(monovtx_sink_time_bucket{namespace=\"bench\",mvtx_name=\"fleet\"}[1h])"
  curl -fsS -o /dev/null -G "$prometheus/api/v1/query_range" --data-urlencode "query=$prime" \
    --data "start=$((cold_start - 3600))&end=$slid_end&step=3600" || die "the priming query failed"
  echo 5 >"/proc/$prometheus_pid/clear_refs"

  # Cold, in turns.
  local direct_times="" cold_times="" direct_samples="" direct_peak="" cold_queries="" cold_samples=""
  local cold_peak="" round
  local mark t cache
  for ((round = 1; round <= rounds; round++)); do
    local order=(direct nfmetrics)
    ((round % 2)) || order=(nfmetrics direct)
    local side
    for side in "${order[@]}"; do
      mark=$(qlog_mark)
      if [[ $side == direct ]]; then
        read -r t _ <<<"$(fetch "$direct_cold" "$work/answers/direct-$tag.json")"
        direct_times+="$t"$'\n'
        read -r _ direct_samples direct_peak <<<"$(qlog_since "$mark")"
      else
        ((round == 1)) || stop_child "$api_pid"
        start_nfmetrics "$work/logs/nfmetrics-$tag.log"
        local api_mark
        api_mark=$(log_mark "$api_log")
        read -r t cache <<<"$(fetch "$api$cold_path" "$work/answers/cold-$tag.json")"
        [[ "$cache" == miss ]] || say "$tag: warning: a fresh server's answer was X-Cache: $cache"
        cold_times+="$t"$'\n'
        read -r cold_queries cold_samples cold_peak <<<"$(qlog_since "$mark")"
        result[$tag,cold_upstream]=$(upstream_since "$api_log" "$api_mark")
        result[$tag,cold_split]=$(split_delta "0 0 0" "$(split_counts)")
      fi
    done
  done
  result[$tag,direct]=$(median <<<"${direct_times%$'\n'}")
  result[$tag,cold]=$(median <<<"${cold_times%$'\n'}")
  result[$tag,direct_samples]=$direct_samples
  result[$tag,direct_peak]=$direct_peak
  result[$tag,cold_peak]=$cold_peak
  result[$tag,direct_range]=$(spread <<<"${direct_times%$'\n'}")
  result[$tag,cold_range]=$(spread <<<"${cold_times%$'\n'}")
  result[$tag,cold_queries]=$cold_queries
  result[$tag,cold_samples]=$cold_samples
  [[ "$(jq -r '.data.range | "\(.start_unix) \(.end_unix)"' "$work/answers/cold-$tag.json")" == \
    "$cold_start $cold_end" ]] || die "$tag: nfmetrics moved the window: $(jq -c .data.range "$work/answers/cold-$tag.json")"
  result[$tag,series]=$(jq '.data.series | length' "$work/answers/cold-$tag.json")
  result[$tag,points]=$(jq '[.data.series[].points | length] | max' "$work/answers/cold-$tag.json")
  result[$tag,bytes]=$(stat -c %s "$work/answers/cold-$tag.json")
  [[ "${result[$tag,series]}" == "$pods" ]] || die "$tag: ${result[$tag,series]} series, expected $pods"
  result[$tag,same]=$(same_numbers "$work/answers/cold-$tag.json" "$work/answers/direct-$tag.json")
  say "$tag cold: Prometheus ${result[$tag,direct]} s, nfmetrics ${result[$tag,cold]} s" \
    "($cold_queries backend queries, $cold_samples samples; direct $direct_samples); compared" \
    "points, max rel. difference, lone points: ${result[$tag,same]}"

  # Warm: the same request again.
  local warm_times="" warm_caches="" i
  mark=$(qlog_mark)
  for ((i = 0; i < warm_repeats; i++)); do
    read -r t cache <<<"$(fetch "$api$cold_path" "$work/answers/warm-$tag.json")"
    warm_caches+="$cache"$'\n'
    warm_times+="$t"$'\n'
  done
  result[$tag,warm]=$(median <<<"${warm_times%$'\n'}")
  result[$tag,warm_cache]=$(sort <<<"${warm_caches%$'\n'}" | uniq -c | awk '{ printf "%s%s x%s", (NR > 1 ? ", " : ""), $2, $1 }')
  result[$tag,warm_queries]=$(qlog_since "$mark" | cut -f1)
  cmp -s <(jq -c '.data.series' "$work/answers/warm-$tag.json") \
    <(jq -c '.data.series' "$work/answers/cold-$tag.json") ||
    die "$tag: the warm answer differs from the cold one"

  # Slid by a day, then Prometheus directly for the same window.
  local split_before
  split_before=$(split_counts)
  mark=$(qlog_mark)
  local api_mark
  api_mark=$(log_mark "$api_log")
  read -r t cache <<<"$(fetch "$api$slid_path" "$work/answers/slid-$tag.json")"
  result[$tag,slid]=$t
  result[$tag,slid_cache]=$cache
  local slid_queries slid_samples
  read -r slid_queries slid_samples _ <<<"$(qlog_since "$mark")"
  result[$tag,slid_queries]=$slid_queries
  result[$tag,slid_samples]=$slid_samples
  result[$tag,slid_upstream]=$(upstream_since "$api_log" "$api_mark")
  result[$tag,slid_split]=$(split_delta "$split_before" "$(split_counts)")
  mark=$(qlog_mark)
  read -r t _ <<<"$(fetch "$direct_slid" "$work/answers/direct-slid-$tag.json")"
  result[$tag,direct_slid]=$t
  result[$tag,direct_slid_samples]=$(qlog_since "$mark" | cut -f2)
  result[$tag,slid_same]=$(same_numbers "$work/answers/slid-$tag.json" "$work/answers/direct-slid-$tag.json")
  result[$tag,rss]=$(awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$prometheus_pid/status")
  say "$tag warm ${result[$tag,warm]} s; slid ${result[$tag,slid]} s (X-Cache ${result[$tag,slid_cache]}," \
    "${result[$tag,slid_queries]} backend queries, ${result[$tag,slid_samples]} samples), direct" \
    "${result[$tag,direct_slid]} s; Prometheus peak RSS ${result[$tag,rss]} MiB"
  if [[ "$pods" == "${pod_counts[-1]}" && "$days" == "${window_days[0]}" ]]; then
    pod_scaling "$pods" "$promql" "start=$cold_start&end=$cold_end&step=$step"
  fi
  stop_child "$api_pid"
  stop_child "$prometheus_pid"
}

# pod_scaling PODS PROMQL RANGE: the same query over the first K of the PODS pods of this TSDB
# (K = PODS/10, /4, /2, all), 3 rounds in a rotating order, medians: how the cost grows with the
# series alone, on one TSDB at one moment of the machine's load.
pod_scaling() {
  local pods=$1 promql=$2 range=$3
  local ks=($((pods / 10)) $((pods / 4)) $((pods / 2)) "$pods") round k i mark t only
  declare -A times
  for ((round = 0; round < 3; round++)); do
    for ((i = 0; i < ${#ks[@]}; i++)); do
      k=${ks[$(((i + round) % ${#ks[@]}))]}
      only="mvtx_name=\"fleet\",mvtx_replica=~\"$(seq -s '|' 0 $((k - 1)))\""
      mark=$(qlog_mark)
      read -r t _ <<<"$(fetch "$prometheus/api/v1/query_range?query=$(jq -rn --arg q \
        "${promql/mvtx_name=\"fleet\"/$only}" '$q|@uri')&$range" "$work/answers/scaling.json")"
      times[$k]+="$t"$'\n'
      result[scaling,$k,peak]=$(qlog_since "$mark" | cut -f3)
    done
  done
  for k in "${ks[@]}"; do result[scaling,$k]=$(median <<<"${times[$k]%$'\n'}"); done
  scaling_ks=("${ks[@]}")
}
scaling_ks=()

run_started=$(date +%s)
for pods in "${pod_counts[@]}"; do
  import "$pods"
  for days in "${window_days[@]}"; do config "$pods" "$days"; done
done
run_seconds=$(($(date +%s) - run_started))

# --- report -----------------------------------------------------------------------------------
r() { awk -v a="$1" -v b="$2" -v f="${3:-%.2f}" 'BEGIN { if (b > 0) printf f, a / b; else printf "n/a" }'; }
ms() { awk -v s="$1" 'BEGIN { if (s >= 1) printf "%.2f s", s; else if (s >= 0.01) printf "%.0f ms", s * 1000
  else printf "%.2f ms", s * 1000 }'; }
mega() { awk -v n="$1" 'BEGIN { printf "%.2fM", n / 1e6 }'; }
commit=$(git rev-parse --short HEAD)
git diff --quiet HEAD -- src include CMakeLists.txt || commit+="+uncommitted"
echo
echo "bench/fleet.sh, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit; data up to $(utc "$midnight");" \
  "$rounds cold rounds, $warm_repeats warm; nfmetrics serve defaults $(split_flags)" \
  "--upstream-timeout 5m; Prometheus $(prometheus --version 2>/dev/null | awk 'NR == 1 { print $3 }'); run ${run_seconds} s"
echo
echo "| pods | days | Prometheus direct, cold | nfmetrics, cold | cold ratio | nfmetrics, warm | Prometheus / warm | slid by a day (X-Cache) | slid / cold | backend queries, cold / slid | queryable samples: direct / nfmetrics cold / slid | Prometheus peak RSS |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for pods in "${pod_counts[@]}"; do
  for days in "${window_days[@]}"; do
    tag=$pods-$days
    printf '| %s | %s | %s | %s | %sx | %s | %sx | %s (%s) | %s | %s / %s | %s / %s / %s | %s MiB |\n' \
      "$pods" "$days" "$(ms "${result[$tag,direct]}")" "$(ms "${result[$tag,cold]}")" \
      "$(r "${result[$tag,cold]}" "${result[$tag,direct]}")" "$(ms "${result[$tag,warm]}")" \
      "$(r "${result[$tag,direct]}" "${result[$tag,warm]}" %.0f)" "$(ms "${result[$tag,slid]}")" \
      "${result[$tag,slid_cache]}" "$(r "${result[$tag,slid]}" "${result[$tag,cold]}")" \
      "${result[$tag,cold_queries]}" "${result[$tag,slid_queries]}" \
      "$(mega "${result[$tag,direct_samples]}")" "$(mega "${result[$tag,cold_samples]}")" \
      "$(mega "${result[$tag,slid_samples]}")" "${result[$tag,rss]}"
  done
done
echo
echo "cost growth, about 1,440 points per series; times: median (fastest-slowest of the rounds);"
echo "peak samples: Prometheus's peakSamples, the most points its engine held at once (largest sub-query):"
echo "| pods | days | series read | queryable samples | Prometheus direct | ns per sample | peak samples, direct / nfmetrics | nfmetrics cold | Prometheus direct, slid window |"
echo "|---|---|---|---|---|---|---|---|---|"
for pods in "${pod_counts[@]}"; do
  for days in "${window_days[@]}"; do
    tag=$pods-$days
    printf '| %s | %s | %s | %s | %s (%s) | %s | %s / %s | %s (%s) | %s |\n' "$pods" "$days" \
      "$(awk '{ print $5 }' <<<"${result[$pods,import]}")" "$(mega "${result[$tag,direct_samples]}")" \
      "$(ms "${result[$tag,direct]}")" "${result[$tag,direct_range]}" \
      "$(r "${result[$tag,direct]}e9" "${result[$tag,direct_samples]}" %.0f)" \
      "$(mega "${result[$tag,direct_peak]}")" "$(mega "${result[$tag,cold_peak]}")" \
      "$(ms "${result[$tag,cold]}")" "${result[$tag,cold_range]}" "$(ms "${result[$tag,direct_slid]}")"
  done
done
echo
if ((${#scaling_ks[@]})); then
  echo "the series alone: the ${window_days[0]}-day query over the first K of ${pod_counts[-1]} pods," \
    "Prometheus direct, median of 3 (peak samples):"
  for k in "${scaling_ks[@]}"; do
    echo "  $k pods: $(ms "${result[scaling,$k]}") ($(mega "${result[scaling,$k,peak]}")), $(r "${result[scaling,$k]}" \
      "${result[scaling,${scaling_ks[0]}]}")x the ${scaling_ks[0]} pods' time for $(r "$k" "${scaling_ks[0]}" %.1f)x the pods"
  done
  echo
fi
echo "answers: series x points, bytes, compared with Prometheus's (points, max relative difference," \
  "points on one side only), nfmetrics's upstream (queries, samples returned, bytes) cold / slid:"
for pods in "${pod_counts[@]}"; do
  for days in "${window_days[@]}"; do
    tag=$pods-$days
    echo "  $tag: ${result[$tag,series]} x ${result[$tag,points]}, ${result[$tag,bytes]} B; cold" \
      "${result[$tag,same]}; slid ${result[$tag,slid_same]}; upstream ${result[$tag,cold_upstream]} /" \
      "${result[$tag,slid_upstream]}; split parts ${result[$tag,cold_split]} / ${result[$tag,slid_split]}; warm: X-Cache ${result[$tag,warm_cache]}, backend queries ${result[$tag,warm_queries]}"
  done
done
echo
echo "data (per pod count: synth s, text bytes, promtool s, TSDB bytes, series, samples):"
for pods in "${pod_counts[@]}"; do echo "  $pods pods: ${result[$pods,import]}"; done
echo
longest=${window_days[-1]}
for pods in "${pod_counts[@]}"; do
  tag=$pods-$longest
  echo "$pods pods, $longest days: cold $(r "${result[$tag,cold]}" "${result[$tag,direct]}")x Prometheus" \
    "(target <= 1.0); warm $(r "${result[$tag,direct]}" "${result[$tag,warm]}" %.0f)x faster than" \
    "Prometheus, $(r "${result[$tag,cold]}" "${result[$tag,warm]}" %.0f)x than cold (target >= 100);" \
    "slid $(r "${result[$tag,slid]}" "${result[$tag,cold]}") of the cold time," \
    "$(r "${result[$tag,slid_samples]}" "${result[$tag,cold_samples]}" %.3f) of its samples (target <= 0.10)"
done
