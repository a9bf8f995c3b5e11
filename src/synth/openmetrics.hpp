// Synthetic history as OpenMetrics text, the input of `promtool tsdb create-blocks-from
// openmetrics`.
#pragma once

#include <ostream>
#include <span>
#include <vector>

#include "nfmetrics/core/time.hpp"
#include "synth/series.hpp"

namespace nfmetrics::synth {

// Writes every series of the default model and pipelines at start, start + interval, ... up to end
// (inclusive when it falls on the grid). Each family is contiguous (# HELP, # TYPE, then its
// series); each series' samples are in increasing time order; timestamps are seconds; the text ends
// with # EOF.
void WriteOpenMetrics(std::ostream& out, TimePoint start, TimePoint end, Duration interval);

// The same for any families (see BuildFamilies).
void WriteOpenMetrics(std::ostream& out, const std::vector<Family>& families, TimePoint start,
                      TimePoint end, Duration interval);

// A closed span of time to write samples for.
struct TimeWindow {
  TimePoint start;
  TimePoint end;
};

// `--days D`: the D whole UTC days before the UTC midnight that starts end's day, then that day
// up to end: [midnight(end) - D days, end]. An end on a midnight has no partial day (its one sample
// is the midnight's). Throws std::invalid_argument unless 1 <= days <= 90.
TimeWindow DaysWindow(TimePoint end, int days);

// [start, end] and, for each of `baseline_days`, the same window that many days earlier, oldest
// first: what a backfill writes so that `offset 1d` / `offset 7d` queries over the recent window
// find data. Counters are functions of absolute time, so the gaps between windows are harmless to
// rate() and increase() inside any one of them. Throws std::invalid_argument for a day <= 0.
std::vector<TimeWindow> WithBaselineWindows(TimePoint start, TimePoint end,
                                            std::span<const int> baseline_days);

// The same for several windows: each series' samples at every window's grid (start, start +
// interval, ... up to end), in increasing time order, an instant shared by two windows once.
void WriteOpenMetrics(std::ostream& out, const std::vector<Family>& families,
                      const std::vector<TimeWindow>& windows, Duration interval);

}  // namespace nfmetrics::synth
