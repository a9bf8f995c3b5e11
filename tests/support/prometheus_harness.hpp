// A real Prometheus (Debian's `prometheus` and `promtool`) holding backfilled synthetic NumaFlow
// data, for integration tests: the answers nfmetrics gives are checked against a real PromQL
// engine.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "core/time.hpp"
#include "support/child_process.hpp"

namespace nfmetrics::testing {

class PrometheusHarness {
 public:
  // Writes synthetic OpenMetrics for [data_start, data_end] at `interval` (via
  // nfmetrics::synth::WriteOpenMetrics), backfills it with promtool into a fresh temp dir, starts
  // `prometheus` on a free 127.0.0.1 port and waits until /-/ready answers (timeout 60 s) and the
  // data is queryable. Throws std::runtime_error with the log tail on failure.
  static std::unique_ptr<PrometheusHarness> Start(TimePoint data_start, TimePoint data_end,
                                                  Duration interval = std::chrono::seconds(15));

  PrometheusHarness(const PrometheusHarness&) = delete;
  PrometheusHarness& operator=(const PrometheusHarness&) = delete;
  ~PrometheusHarness();  // stops Prometheus, removes the temp dir

  std::string url() const;  // "http://127.0.0.1:PORT"
  unsigned short port() const { return port_; }
  // Prometheus' own log, e.g. to attach to a failing test.
  std::string LogTail(std::size_t max_bytes = 4000) const;

 private:
  PrometheusHarness(std::filesystem::path dir, std::unique_ptr<ChildProcess> process,
                    unsigned short port)
      : dir_(std::move(dir)), process_(std::move(process)), port_(port) {}

  std::filesystem::path dir_;
  std::unique_ptr<ChildProcess> process_;
  unsigned short port_;
};

// Binds 127.0.0.1:0, reads the port the kernel chose, closes. Racy by nature: callers retry.
unsigned short FreeLoopbackPort();

}  // namespace nfmetrics::testing
