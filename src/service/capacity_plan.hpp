// The backend queries a capacity answer asks (five per-day range queries at step 1d, two at 5m
// steps for the load/latency deciles) and the pure functions that make its figures from their
// answers. MetricsService runs the queries.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/core/time.hpp"
#include "nfmetrics/prometheus/client.hpp"
#include "nfmetrics/service/capacity.hpp"

namespace nfmetrics::service {

inline constexpr Duration kDay = std::chrono::hours(24);
inline constexpr Duration kLoadStep = std::chrono::minutes(5);

// The queries in the order of data.queries (and of CapacityPlan::queries).
enum class CapacityPart {
  kReadRateMean,
  kReadRatePeak,
  kSinkQuantile,
  kProcessingQuantile,
  kPodsMax,
  kLoad,         // total read rate at every 5-minute step
  kLoadLatency,  // sink latency at the quantile at every 5-minute step
};
inline constexpr std::size_t kCapacityQueryCount = 7;

struct CapacityPlan {
  TimePoint first;                              // the first day's midnight: today - days
  TimePoint today;                              // today's UTC midnight (the end of the last day)
  std::vector<prometheus::RangeQuery> queries;  // kCapacityQueryCount, in CapacityPart order
};

// The UTC midnight at or before `now`.
TimePoint UtcMidnight(TimePoint now);

// The PromQL of each part, in CapacityPart order.
std::vector<std::string> CapacityQueries(const CapacityRequest& request);

// The days before UTC midnight of `now` (per-day queries at step 1d from first + 1d to today; the
// load queries at 5m from first + 5m to today). No points limit applies: these are the service's
// own queries, split by day on their way to the engine.
CapacityPlan PlanCapacity(const CapacityRequest& request, TimePoint now);

// A step=1d answer as one value per day: the value at t belongs to the day that starts at t - 1d.
// `days` entries from `first`; null where no series has a finite value.
std::vector<std::optional<double>> PerDayValues(const prometheus::Matrix& answer, TimePoint first,
                                                int days);

// The least-squares line over the non-null values, x = index; projected at x = size - 1 + horizon.
Trend FitTrend(const std::vector<std::optional<double>>& values, int horizon);

// The deciles of the steps where `load` has a finite value, sorted by it (ties by time); each
// decile's median load and the median of `latency` at its steps where that has a finite value.
std::vector<LoadDecile> LoadDeciles(const prometheus::Matrix& load,
                                    const prometheus::Matrix& latency);

// The answer from the engine's answers to plan.queries, in the same order. kNotFound (naming mvtx
// or vertex) when no query has a single series.
Result<CapacityAnswer> AssembleCapacity(const CapacityRequest& request, const CapacityPlan& plan,
                                        const std::vector<prometheus::Matrix>& answers);

}  // namespace nfmetrics::service
