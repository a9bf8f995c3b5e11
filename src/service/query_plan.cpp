#include "service/query_plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "service/duration.hpp"
#include "service/promql.hpp"

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

}  // namespace

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

Result<PlannedRange> PlanRange(TimePoint from, TimePoint to, std::optional<Duration> fixed_step,
                               const QueryLimits& limits) {
  if (to - from > limits.max_range) {
    return BadRequest("start",
                      fmt::format("the range from start to end is {} long; at most {} is "
                                  "allowed: use a shorter range",
                                  FormatDuration(to - from), FormatDuration(limits.max_range)));
  }
  const std::int64_t max_points = std::min(limits.max_points, kMaxPointsPerSeries);
  Duration step = fixed_step.value_or(ChooseStep(to - from));
  TimePoint start = AlignToStep(from, step);
  TimePoint end = AlignToStep(to, step);
  std::int64_t points = (end - start) / step + 1;
  if (points > max_points && !fixed_step) {
    return BadRequest("start",
                      fmt::format("the range from start to end is too long: even the "
                                  "largest automatic step ({}) gives {} points per series; "
                                  "at most {} are allowed",
                                  FormatDuration(step), points, max_points));
  }
  if (points > max_points) {
    return BadRequest("step", fmt::format("the range from start to end at step {} gives {} points "
                                          "per series; at most {} are allowed: use a larger step "
                                          "or a shorter range",
                                          FormatDuration(step), points, max_points));
  }
  return PlannedRange{start, end, step};
}

Status CheckSeriesCount(std::size_t count, const QueryLimits& limits) {
  if (count <= limits.max_series) return Ok();
  return Error{ErrorCode::kTooManySeries,
               fmt::format("the query matches {} series; at most {} are allowed in one answer: "
                           "narrow it with a pod filter, fewer quantiles or without group_by",
                           count, limits.max_series),
               ""};
}

Result<QueryPlan> PlanMetric(const MetricRequest& request, const QueryLimits& limits) {
  Result<PlannedRange> range = PlanRange(request.start, request.end, request.step, limits);
  if (!range.ok()) return std::move(range).error();
  QueryPlan plan{{}, range->start, range->end, range->step, std::nullopt};
  Duration window = request.window.value_or(std::max<Duration>(kMinWindow, range->step));
  if (EffectiveExpr(request).Uses(Placeholder::kDuration)) plan.window = window;
  if (request.quantiles.empty()) {
    plan.queries.push_back({std::nullopt, BuildMetricQuery(request, std::nullopt, window)});
  }
  for (double quantile : request.quantiles) {
    plan.queries.push_back({quantile, BuildMetricQuery(request, quantile, window)});
  }
  return plan;
}

}  // namespace nfmetrics::service
