#!/usr/bin/env bash
# Side by side with wrk: the same p95-per-pod query over the last hour, asked of nfmetrics and of
# Prometheus directly. Run it while scripts/demo.sh is up (or pass other URLs).
# Usage: bench/compare_prometheus.sh [API_URL] [PROMETHEUS_URL] [DURATION]
set -euo pipefail
api=${1:-http://127.0.0.1:8080}
prom=${2:-http://127.0.0.1:9090}
duration=${3:-10s}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }

end=$(( $(date +%s) / 60 * 60 - 60 ))
start=$(( end - 3600 ))
promql='histogram_quantile(0.95, sum by(pod,le) (rate(monovtx_sink_time_bucket{namespace="default",mvtx_name="orders"}[5m]))) / 1e6'
encoded=$(jq -rn --arg q "$promql" '$q|@uri')
api_url="$api/api/v1/metrics/sink-latency?namespace=default&mvtx=orders&group_by=pod&start=$start&end=$end&step=15s"
prom_url="$prom/api/v1/query_range?query=$encoded&start=$start&end=$end&step=15"

# Both must answer the same numbers before their speed means anything.
diff <(curl -fsS "$api_url" | jq -c '[.data.series[] | [.labels.pod, .points]]') \
     <(curl -fsS "$prom_url" | jq -c '[.data.result[] | [.metric.pod, [.values[] | [.[0], (.[1]|tonumber)]]]] | sort') \
  >/dev/null || { echo "nfmetrics and Prometheus disagree; not benchmarking" >&2; exit 1; }

run() {  # NAME CONNECTIONS URL -> "name conns req/s p50 p99"
  local out
  out=$(wrk -t1 -c"$2" -d"$duration" --latency "$3")
  printf '%-12s %5s %10s %10s %10s\n' "$1" "$2" \
    "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
    "$(awk '$1 == "50%" {print $2}' <<<"$out")" \
    "$(awk '$1 == "99%" {print $2}' <<<"$out")"
}

printf '%-12s %5s %10s %10s %10s\n' target conns req/s p50 p99
for conns in 1 8; do
  run prometheus "$conns" "$prom_url"
  run nfmetrics "$conns" "$api_url"
done
