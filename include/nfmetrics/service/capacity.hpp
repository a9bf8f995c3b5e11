// GET /api/v1/capacity: a MonoVertex's or a pipeline vertex's whole UTC days before today (read
// rate mean and peak, sink and processing latency at a quantile, most pods), a least-squares trend
// with a projection, and its latency by decile of load. docs/api.md has the contract.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/core/time.hpp"
#include "nfmetrics/service/cache_outcome.hpp"
#include "nfmetrics/service/k8s_names.hpp"
#include "nfmetrics/service/value_rules.hpp"

namespace nfmetrics::service {

struct CapacityRequest {
  Namespace ns;
  std::optional<MonoVertexName> mvtx;    // either mvtx, or pipeline and vertex
  std::optional<PipelineName> pipeline;  //
  std::optional<VertexName> vertex;      //
  int days = 30;                         // 2 .. 90 whole days before today
  double quantile = 0.99;
  int horizon = 30;  // 0 .. 365 days projected past the last day
};

inline constexpr int kMinCapacityDays = 2;
inline constexpr int kMaxCapacityDays = 90;
inline constexpr int kMaxCapacityHorizon = 365;

// Accepted: namespace, mvtx, pipeline, vertex, days, quantile, horizon. Errors: kBadRequest naming
// the parameter (one not accepted, one given twice, mvtx with pipeline or vertex: the second,
// pipeline without vertex or the reverse: the missing one).
Result<CapacityRequest> ParseCapacityRequest(const Params& params);

// One UTC day's figures; null (nullopt) where the engine has no value.
struct CapacityDay {
  TimePoint date;  // the day's UTC midnight
  std::optional<double> read_rate_mean;
  std::optional<double> read_rate_peak;
  std::optional<double> sink_quantile_seconds;
  std::optional<double> processing_quantile_seconds;
  std::optional<std::int64_t> pods_max;
};

// An ordinary least-squares line over the days with a value, x = the day's index (0: first day).
// Every number is null with fewer than 2 such days.
struct Trend {
  std::optional<double> slope_per_day;
  std::optional<double> intercept;                // the line at x = 0
  std::optional<double> r2;                       // null when the values do not vary
  std::optional<double> projected;                // the line at x = days - 1 + horizon
  std::optional<double> change_percent_per_week;  // 100 * 7 * slope / intercept; null unless
                                                  // intercept > 0
  int days_used = 0;
};

struct CapacityTrends {
  Trend read_rate_peak;
  Trend sink_quantile_seconds;
  Trend processing_quantile_seconds;
};

// One tenth of the range's 5-minute steps, by total read rate.
struct LoadDecile {
  int decile = 0;                               // 1 (lowest load) .. 10
  std::optional<double> read_rate;              // median of its steps' read rates
  std::optional<double> sink_quantile_seconds;  // median of the sink latency at those steps
  int steps = 0;
};

struct CapacityAnswer {
  CapacityRequest request;
  TimePoint start;                // the first day's midnight
  TimePoint end;                  // today's UTC midnight
  std::vector<CapacityDay> days;  // request.days entries, oldest first
  CapacityTrends trend;
  std::vector<LoadDecile> load_latency;  // 10 entries, decile 1 first
  std::vector<std::string> queries;      // the 7 PromQL queries, in the contract's order
  CacheOutcome cache = CacheOutcome::kMiss;
};

}  // namespace nfmetrics::service
