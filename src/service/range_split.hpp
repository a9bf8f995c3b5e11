// Split-by-interval, as the Thanos, Cortex and Mimir query frontends do it: a long range query is
// cut at multiples of the interval since the epoch (UTC midnights for the default 24h) into parts
// that keep the original step grid. Each step of a range query is evaluated on its own, so the
// parts joined are the unsplit answer; and a part that ended before the freshness horizon never
// changes, so it is cached whole under a key of its own and never asked again.
#pragma once

#include <string>
#include <vector>

#include "nfmetrics/core/time.hpp"
#include "nfmetrics/prometheus/client.hpp"
#include "service/results_cache.hpp"

namespace nfmetrics::service {

// The parts of the steps of `range` (on the grid range.start + k * step) that fall in each
// [n * interval, (n + 1) * interval), oldest first; intervals without a step are left out. One
// part, the range itself, when interval is zero or end - start is not longer than the interval.
std::vector<StepRange> SplitRange(StepRange range, Duration step, Duration interval);

// The results cache's key of a whole query, and of the part of a split one that starts in the
// interval beginning at interval_start.
std::string WholeQueryKey(const prometheus::RangeQuery& query);
std::string PartQueryKey(const prometheus::RangeQuery& query, TimePoint interval_start,
                         Duration interval);

// The start of the interval holding `time`: the largest multiple of `interval` since the epoch not
// after it.
TimePoint IntervalStart(TimePoint time, Duration interval);

}  // namespace nfmetrics::service
