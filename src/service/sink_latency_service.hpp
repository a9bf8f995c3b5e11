// The sink-latency use case: plan the query, ask the engine, shape the answer.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "prometheus/client.hpp"
#include "service/query_plan.hpp"
#include "service/sink_latency_request.hpp"

namespace nfmetrics::service {

struct Point {
  TimePoint time;
  std::optional<double> seconds;  // empty where Prometheus gave NaN or +-Inf
};

struct LatencySeries {
  prometheus::Labels labels;  // {} for the aggregate, {pod} per pod
  std::vector<Point> points;
};

struct SinkLatencyResult {
  QueryPlan plan;
  std::vector<LatencySeries> series;  // sorted by labels
  std::vector<std::string> warnings;  // Prometheus's, then ours
};

// Pure shaping, testable without any I/O: NaN/Inf -> empty, series sorted, a warning when nothing
// matched.
SinkLatencyResult ShapeSinkLatency(const SinkLatencyRequest& request, QueryPlan plan,
                                   prometheus::Matrix matrix);

class SinkLatencyService {
 public:
  explicit SinkLatencyService(prometheus::Client& client) : client_(client) {}

  boost::asio::awaitable<Result<SinkLatencyResult>> Query(const SinkLatencyRequest& request);

 private:
  prometheus::Client& client_;
};

}  // namespace nfmetrics::service
