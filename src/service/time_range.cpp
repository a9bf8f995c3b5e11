#include "nfmetrics/service/time_range.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string>

#include "nfmetrics/service/duration.hpp"
#include "nfmetrics/service/timestamp.hpp"
#include "nfmetrics/service/value_rules.hpp"

namespace nfmetrics::service {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::array<Duration, 13> kStepLadder = {
    seconds(15), seconds(30), minutes(1), minutes(2), minutes(5), minutes(10), minutes(15),
    minutes(30), hours(1),    hours(2),   hours(6),   hours(12),  hours(24)};

// Grafana-like density: enough points for a chart, few enough to stay cheap.
constexpr std::int64_t kTargetPoints = 300;

Result<TimePoint> ParseInstant(std::string_view text, std::string_view param) {
  Result<TimePoint> parsed = ParseTimestamp(text);
  if (parsed.ok()) return parsed;
  Error error = std::move(parsed).error();
  error.param = param;
  return error;
}

}  // namespace

Result<TimeRange> ParseTimeRange(const TimeRangeText& text, TimePoint now,
                                 const TimeRangeRules& rules) {
  const TimeRangeNames& names = rules.names;
  TimeRange range{.start = {}, .end = now, .step = std::nullopt};
  if (text.end) {
    Result<TimePoint> end = ParseInstant(*text.end, names.end);
    if (!end.ok()) return std::move(end).error();
    range.end = *end;
  }
  if (text.start) {
    Result<TimePoint> start = ParseInstant(*text.start, names.start);
    if (!start.ok()) return std::move(start).error();
    range.start = *start;
  } else {
    range.start = std::max(TimePoint(), range.end - rules.default_range);  // not before 1970
  }
  if (range.end < range.start) {
    if (!text.end) {
      return BadRequest(
          std::string(names.start),
          fmt::format("{} ({}) is in the future: {} defaults to now ({})", names.start,
                      FormatRfc3339(range.start), names.end, FormatRfc3339(range.end)));
    }
    return BadRequest(std::string(names.end),
                      fmt::format("{} ({}) is before {} ({})", names.end, FormatRfc3339(range.end),
                                  names.start, FormatRfc3339(range.start)));
  }
  if (text.step) {
    Result<Duration> step = ParseStep(*text.step, names.step);
    if (!step.ok()) return std::move(step).error();
    range.step = *step;
  }
  return range;
}

Duration ChooseStep(Duration range) {
  for (Duration step : kStepLadder) {
    // step >= range / 300, compared without rounding the division.
    if (step.count() * kTargetPoints >= range.count()) return step;
  }
  return kStepLadder.back();
}

TimePoint AlignToStep(TimePoint time, Duration step) {
  std::int64_t t = time.time_since_epoch().count();
  std::int64_t s = step.count();
  std::int64_t remainder = t % s;
  if (remainder < 0) remainder += s;
  return TimePoint(Duration(t - remainder));
}

Result<PlannedRange> PlanRange(const TimeRange& range, const QueryLimits& limits,
                               std::optional<Duration> default_step, const TimeRangeNames& names) {
  const Duration length = range.end - range.start;
  if (length > limits.max_range) {
    return BadRequest(std::string(names.start),
                      fmt::format("the range from {} to {} is {} long; at most {} is allowed: use "
                                  "a shorter range",
                                  names.start, names.end, FormatDuration(length),
                                  FormatDuration(limits.max_range)));
  }
  const std::int64_t max_points = std::min(limits.max_points, kMaxPointsPerSeries);
  const std::optional<Duration> fixed_step = range.step ? range.step : default_step;
  const Duration step = fixed_step.value_or(ChooseStep(length));
  const TimePoint start = AlignToStep(range.start, step);
  const TimePoint end = AlignToStep(range.end, step);
  const std::int64_t points = (end - start) / step + 1;
  if (points <= max_points) return PlannedRange{start, end, step};
  if (!fixed_step) {
    return BadRequest(
        std::string(names.start),
        fmt::format("the range from {} to {} is too long: even the largest "
                    "automatic step ({}) gives {} points per series; at most {} are "
                    "allowed",
                    names.start, names.end, FormatDuration(step), points, max_points));
  }
  if (!range.step) {  // the endpoint's fixed default step: the range is at fault
    return BadRequest(
        std::string(names.start),
        fmt::format("the range from {} to {} at the default step {} gives {} "
                    "points per series; at most {} are allowed: use a shorter range "
                    "or give {}",
                    names.start, names.end, FormatDuration(step), points, max_points, names.step));
  }
  return BadRequest(std::string(names.step),
                    fmt::format("the range from {} to {} at {} {} gives {} points per series; at "
                                "most {} are allowed: use a larger {} or a shorter range",
                                names.start, names.end, names.step, FormatDuration(step), points,
                                max_points, names.step));
}

}  // namespace nfmetrics::service
