#include "service/range_split.hpp"

#include <fmt/format.h>

namespace nfmetrics::service {

TimePoint IntervalStart(TimePoint time, Duration interval) {
  const auto since_epoch = time.time_since_epoch().count();
  const auto length = interval.count();
  auto intervals = since_epoch / length;
  if (since_epoch % length != 0 && since_epoch < 0) --intervals;  // floor, not truncation
  return TimePoint(Duration(intervals * length));
}

std::vector<StepRange> SplitRange(StepRange range, Duration step, Duration interval) {
  if (interval <= Duration::zero() || step <= Duration::zero() ||
      range.end - range.start <= interval) {
    return {range};
  }
  std::vector<StepRange> parts;
  for (TimePoint boundary = IntervalStart(range.start, interval); boundary <= range.end;
       boundary += interval) {
    const TimePoint next = boundary + interval;
    // The first step of the grid at or after the boundary, and the last one before the next.
    TimePoint first = range.start;
    if (first < boundary) first += ((boundary - first + step - Duration(1)) / step) * step;
    if (first >= next || first > range.end) continue;
    TimePoint last = first + ((std::min(next - Duration(1), range.end) - first) / step) * step;
    parts.push_back({first, last});
  }
  return parts;
}

std::string WholeQueryKey(const prometheus::RangeQuery& query) {
  return fmt::format("{}\n{}", query.promql, query.step.count());
}

std::string PartQueryKey(const prometheus::RangeQuery& query, TimePoint interval_start,
                         Duration interval) {
  return fmt::format("{}\n{}\n{}+{}", query.promql, query.step.count(),
                     interval_start.time_since_epoch().count(), interval.count());
}

}  // namespace nfmetrics::service
