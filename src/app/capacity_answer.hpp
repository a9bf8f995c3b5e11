// What `GET /api/v1/capacity` answered (docs/api.md, "Capacity"), the parts `nfmetrics capacity`
// shows, read into structs. Pure: unit-tested without a server.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nfmetrics/core/result.hpp"

namespace nfmetrics::app {

// One whole UTC day; a value without data is nullopt.
struct CapacityDay {
  std::string date;  // YYYY-MM-DD
  std::optional<double> read_rate_mean;
  std::optional<double> read_rate_peak;
  std::optional<double> sink_quantile_seconds;
  std::optional<double> processing_quantile_seconds;
  std::optional<double> pods_max;
};

// The least-squares line of one quantity over the days with values; every number is nullopt with
// fewer than two such days.
struct CapacityTrend {
  std::optional<double> slope_per_day;
  std::optional<double> intercept;
  std::optional<double> r2;
  std::optional<double> projected;
  std::optional<double> change_percent_per_week;
  std::int64_t days_used = 0;
};

struct CapacityDecile {
  int decile = 0;  // 1 (the lowest load) .. 10
  std::optional<double> read_rate;
  std::optional<double> sink_quantile_seconds;
  std::int64_t steps = 0;
};

struct CapacityAnswer {
  std::string object;       // mono-vertex or vertex
  std::string object_name;  // "default/checkout" or "default/shop/out"
  double quantile = 0;
  std::int64_t days_requested = 0;
  std::int64_t horizon = 0;
  std::string range_start;  // RFC3339, as the API wrote it
  std::string range_end;
  std::string cache;
  std::vector<CapacityDay> days;  // oldest first
  CapacityTrend read_rate_peak;
  CapacityTrend sink_quantile;
  CapacityTrend processing_quantile;
  std::vector<CapacityDecile> load_latency;  // decile 1 first
  std::string data_json;                     // the answer's `data`, as JSON
  std::vector<std::string> warnings;
};

// Fails (kUpstreamError) when the body is not a capacity answer of that shape.
Result<CapacityAnswer> ParseCapacityAnswer(std::string_view body);

}  // namespace nfmetrics::app
