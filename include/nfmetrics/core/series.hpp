// Time series as every layer holds them: what the engine answered, what the caches keep and what
// the service shapes. The data-access layer fills them (prometheus::Client), the HTTP layer writes
// them out; neither needs the other's headers for that.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "nfmetrics/core/time.hpp"

namespace nfmetrics {

struct Sample {
  TimePoint timestamp;
  double value = 0;  // may be NaN or +-Inf, exactly as the engine reported it
};

using Labels = std::vector<std::pair<std::string, std::string>>;  // sorted by name

struct Series {
  Labels labels;
  std::vector<Sample> samples;
};

}  // namespace nfmetrics
