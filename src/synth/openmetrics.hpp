// Synthetic history as OpenMetrics text, the input of `promtool tsdb create-blocks-from
// openmetrics`.
#pragma once

#include <ostream>

#include "core/time.hpp"

namespace nfmetrics::synth {

// Writes every series of the default model and pipelines at start, start + interval, ... up to end
// (inclusive when it falls on the grid). Each family is contiguous (# HELP, # TYPE, then its
// series); each series' samples are in increasing time order; timestamps are seconds; the text ends
// with # EOF.
void WriteOpenMetrics(std::ostream& out, TimePoint start, TimePoint end, Duration interval);

}  // namespace nfmetrics::synth
