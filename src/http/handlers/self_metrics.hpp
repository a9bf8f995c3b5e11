// GET /metrics: the server's own metrics in the Prometheus text format (SelfMetrics).
#pragma once

#include "http/handlers/handler.hpp"
#include "nfmetrics/http/self_metrics.hpp"

namespace nfmetrics::http {

class SelfMetricsHandler final : public Handler {
 public:
  explicit SelfMetricsHandler(const SelfMetrics& metrics) : metrics_(metrics) {}

  boost::asio::awaitable<Result<Response>> Handle(const Call& call) override;

 private:
  const SelfMetrics& metrics_;
};

}  // namespace nfmetrics::http
