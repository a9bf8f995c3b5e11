# shellcheck shell=bash
# Shared by the scripts: sourced, not run.

# Configures build-asan/ once: clang with AddressSanitizer, UndefinedBehaviorSanitizer (any finding
# aborts) and libFuzzer's coverage hooks, tests and fuzz harnesses on, benchmarks off. Used by
# scripts/sanitize.sh (the suites and a short fuzz run, in CI) and scripts/fuzz.sh (long runs), so
# the libraries are compiled once for both.
# clang 14's -fsanitize=function emits prologue data the assembler cannot place in the split
# functions of coroutines ("Cannot represent a difference across sections"): the rest of UBSan stays.
# pointer-overflow is recoverable only so that scripts/ubsan.supp can silence rapidjson's (below).
configure_sanitized_build() {
  local launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  local flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=function -fno-sanitize-recover=undefined -fsanitize-recover=pointer-overflow -fno-omit-frame-pointer"
  if [[ ! -f build-asan/build.ninja ]] || ! grep -qF -- "CMAKE_CXX_FLAGS:STRING=$flags" build-asan/CMakeCache.txt; then
    cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
      -DCMAKE_CXX_FLAGS="$flags" \
      -DNFMETRICS_BUILD_TESTS=ON -DNFMETRICS_BUILD_BENCH=OFF -DNFMETRICS_BUILD_FUZZ=ON "${launcher[@]}"
  fi
}

# What the sanitizers do on a finding: stop with a stack trace, so the test fails.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:halt_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}
scripts_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$scripts_dir/ubsan.supp}

# --- Background services, for the scripts that start some (demo.sh, bench/run.sh) ---------------
child_pids=()  # in start order

# start_child LOG COMMAND...: runs COMMAND in the background, output to LOG. Its own session: a
# Ctrl-C in the terminal reaches only the script, whose trap then stops the children in order.
start_child() {
  local log=$1
  shift
  setsid "$@" </dev/null >"$log" 2>&1 &
  child_pids+=($!)
}

# stop_children: SIGTERM to every child, up to 5 s for them to exit, then SIGKILL; reaps them.
stop_children() {
  local pid
  for pid in "${child_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 50); do
    local alive=0
    for pid in "${child_pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.1
  done
  for pid in "${child_pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}

# stop_child PID: the same for one child (one started by start_child), which is then forgotten.
stop_child() {
  local pid=$1 kept=() p
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in "${child_pids[@]}"; do [[ "$p" == "$pid" ]] || kept+=("$p"); done
  child_pids=("${kept[@]}")
}

# wait_http URL SECONDS LOG: waits until URL answers 2xx. Fails, after printing LOG's last lines,
# when it does not within SECONDS or the child started last has exited.
wait_http() {
  local url=$1 deadline=$((SECONDS + $2)) log=$3
  until curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; do
    if ((SECONDS >= deadline)) || ! kill -0 "${child_pids[-1]}" 2>/dev/null; then
      printf 'last lines of %s:\n' "$log" >&2
      tail -n 20 "$log" >&2 || true
      return 1
    fi
    sleep 0.2
  done
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port: prints a loopback port nothing listens on; fails when 100 tries find none.
free_port() {
  local port
  for _ in $(seq 100); do
    port=$((20000 + RANDOM % 40000))
    if ! port_in_use "$port"; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

# write_scrape_config FILE TARGET INTERVAL: a Prometheus configuration that scrapes the synthetic
# exporter at TARGET (HOST:PORT) every INTERVAL. Its samples continue the backfilled history's
# series: Prometheus's job and instance labels are dropped, so they carry exactly the history's
# labels.
write_scrape_config() {
  cat >"$1" <<EOF
global:
  scrape_interval: $3
  evaluation_interval: $3
scrape_configs:
  - job_name: nfmetrics-synth
    static_configs:
      - targets: ["$2"]
    metric_relabel_configs:
      - action: labeldrop
        regex: job|instance
EOF
}
