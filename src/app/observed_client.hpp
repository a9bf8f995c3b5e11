// A prometheus::Client that times every call of the client it wraps and counts its failures by
// kind, in SelfMetrics. A decorator rather than counting in the service or the router: neither
// the service layer nor the Beast client learns about self-metrics, and exactly the requests that
// reach the engine are measured (the service asks only for what its caches lack, and identical
// queries in flight share one call), with the error code the client itself returned.
#pragma once

#include "nfmetrics/http/self_metrics.hpp"
#include "nfmetrics/prometheus/client.hpp"

namespace nfmetrics::app {

class ObservedClient final : public prometheus::Client {
 public:
  // Both must outlive this.
  ObservedClient(prometheus::Client& client, http::SelfMetrics& metrics);

  boost::asio::awaitable<Result<prometheus::Matrix>> QueryRange(
      const prometheus::RangeQuery& query) override;
  boost::asio::awaitable<Result<std::vector<std::string>>> LabelValues(
      const prometheus::LabelValuesQuery& query) override;
  boost::asio::awaitable<Status> CheckReady() override;

 private:
  prometheus::Client& client_;
  http::SelfMetrics& metrics_;
};

}  // namespace nfmetrics::app
