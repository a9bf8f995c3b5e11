// The one time range of every endpoint family: start, end and step as the client wrote them, with
// the defaults applied (ParseTimeRange), then aligned to the step and held to the limits
// (PlanRange). The metrics API, the NumaFlow-style paths, the listings and metrics-proxy differ
// only in what their parameters are called and in their defaults.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/core/time.hpp"

namespace nfmetrics::service {

// Prometheus refuses more than this many points per series; we refuse first, with a clearer
// message.
inline constexpr std::int64_t kMaxPointsPerSeries = 11000;

// What one request may ask for (serve --max-range, --max-points-per-series, --max-series). They
// keep one caller from making the engine, and this server, hold a month of 15s steps for thousands
// of series at once.
struct QueryLimits {
  Duration max_range = std::chrono::hours(24 * 90);  // end - start
  std::int64_t max_points = kMaxPointsPerSeries;     // steps per series; at most Prometheus's own
  std::size_t max_series = 2000;                     // series in one answer, over all quantiles
};

// What an endpoint family calls the parameters of a range: errors name them.
struct TimeRangeNames {
  std::string_view start = "start";
  std::string_view end = "end";
  std::string_view step = "step";
};

// The range as the client gave it (unix seconds or RFC3339; a duration or seconds for the step).
struct TimeRangeText {
  std::optional<std::string_view> start;
  std::optional<std::string_view> end;
  std::optional<std::string_view> step;
};

struct TimeRangeRules {
  Duration default_range = std::chrono::hours(1);  // start defaults to end - this, not before 1970
  TimeRangeNames names;
};

// A valid range: start <= end, and the step, when the client gave one, > 0. End defaults to now.
struct TimeRange {
  TimePoint start;
  TimePoint end;
  std::optional<Duration> step;
};

Result<TimeRange> ParseTimeRange(const TimeRangeText& text, TimePoint now,
                                 const TimeRangeRules& rules = {});

// The smallest of 15s, 30s, 1m, ..., 1d that gives at most ~300 points over the range.
Duration ChooseStep(Duration range);

// Floors `time` to a multiple of `step` since the unix epoch.
TimePoint AlignToStep(TimePoint time, Duration step);

// The range as it is asked of the engine: both ends floored to a multiple of the step.
struct PlannedRange {
  TimePoint start;
  TimePoint end;
  Duration step;
};

// The step is the client's, else `default_step`, else ChooseStep of the range. Errors: kBadRequest
// naming the start parameter when the range is longer than limits.max_range or gives more than
// limits.max_points points at a step the client did not choose; the step parameter when the
// client's step does.
Result<PlannedRange> PlanRange(const TimeRange& range, const QueryLimits& limits,
                               std::optional<Duration> default_step = std::nullopt,
                               const TimeRangeNames& names = {});

}  // namespace nfmetrics::service
