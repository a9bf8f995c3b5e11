// From a validated request to exactly what is sent upstream: aligned range, step, window, PromQL.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.hpp"
#include "core/time.hpp"
#include "service/sink_latency_request.hpp"

namespace nfmetrics::service {

// Prometheus refuses more than this many points per series; we refuse first, with a clearer
// message.
inline constexpr std::int64_t kMaxPointsPerSeries = 11000;
inline constexpr Duration kMinWindow = std::chrono::minutes(5);

struct QueryPlan {
  std::string promql;
  TimePoint start;  // aligned down to a multiple of step
  TimePoint end;    // aligned down to a multiple of step
  Duration step;
  Duration window;
};

// The smallest of 15s, 30s, 1m, ..., 1d that gives at most ~300 points over the range.
Duration ChooseStep(Duration range);

// Floors `time` to a multiple of `step` since the unix epoch.
TimePoint AlignToStep(TimePoint time, Duration step);

// Errors: kBadRequest with param "step" when the range needs more than kMaxPointsPerSeries points.
Result<QueryPlan> PlanSinkLatency(const SinkLatencyRequest& request);

}  // namespace nfmetrics::service
