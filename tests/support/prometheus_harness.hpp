// A real Prometheus (Debian's `prometheus` and `promtool`) holding backfilled synthetic NumaFlow
// data, for integration tests: the answers nfmetrics gives are checked against a real PromQL
// engine.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "nfmetrics/core/time.hpp"
#include "support/backend.hpp"
#include "support/child_process.hpp"
#include "support/harness_common.hpp"

namespace nfmetrics::testing {

// A secured Prometheus: its --web.config.file (TLS, client certificates, basic auth users) and
// how the harness itself then asks it whether it is up (tls_fixtures.hpp's SecuredLoopbackGet).
struct PrometheusWebConfig {
  std::string yaml;  // the file's content; empty: plain HTTP, no auth
  bool tls = false;  // url() is https://
  LoopbackGet get;   // empty: plain LoopbackRequest
};

class PrometheusHarness final : public Backend {
 public:
  // Writes `data` as OpenMetrics (WriteSyntheticOpenMetrics), backfills it with promtool into a
  // fresh temp dir (in blocks of up to 162 h when it has baseline windows, so promtool reads the
  // input twice at most instead of once per 2 h of the span), starts
  // `prometheus` on a free 127.0.0.1 port and waits until /-/ready answers (timeout 60 s) and the
  // data is queryable. Throws std::runtime_error with the log tail on failure.
  // With a `web` config, Prometheus serves as it says (Restart does not support one).
  static std::unique_ptr<PrometheusHarness> Start(const SyntheticData& data,
                                                  const PrometheusWebConfig& web = {});

  PrometheusHarness(const PrometheusHarness&) = delete;
  PrometheusHarness& operator=(const PrometheusHarness&) = delete;
  ~PrometheusHarness() override;  // stops Prometheus, removes the temp dir

  std::string_view name() const override { return "prometheus"; }
  std::string url() const override;  // "http://127.0.0.1:PORT", https:// with a TLS web config
  unsigned short port() const override { return port_; }
  std::string LogTail(std::size_t max_bytes) const override;

  // For outage tests. Kill: SIGKILL, no clean shutdown, and reaped. Restart: Prometheus again on
  // the same port with the same data; returns once /-/ready answers (throws after 60 s).
  void Kill();
  void Restart();

 private:
  PrometheusHarness(ScratchDir dir, std::unique_ptr<ChildProcess> process, unsigned short port)
      : dir_(std::move(dir)), process_(std::move(process)), port_(port) {}

  ScratchDir dir_;
  std::unique_ptr<ChildProcess> process_;
  unsigned short port_;
  bool tls_ = false;
  int restarts_ = 0;
};

}  // namespace nfmetrics::testing
