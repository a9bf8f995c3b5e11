// Synthetic history as OpenMetrics text, the input of `promtool tsdb create-blocks-from
// openmetrics`.
#pragma once

#include <ostream>
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

}  // namespace nfmetrics::synth
