// Prometheus durations ("1m30s", "2h", "500ms") and step values ("15s" or seconds as a number).
#pragma once

#include <string>
#include <string_view>

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/core/time.hpp"

namespace nfmetrics::service {

// Prometheus duration syntax: units y, w, d, h, m, s, ms, each at most once, largest first.
// "0s" parses to zero; callers decide whether zero is allowed. Errors carry no param.
Result<Duration> ParseDuration(std::string_view text);

// A duration, or a plain number of seconds ("60", "1.5") as Prometheus accepts for `step`.
Result<Duration> ParseDurationOrSeconds(std::string_view text);

// Canonical Prometheus form: 90s -> "1m30s", 7d -> "1w", 1500ms -> "1s500ms", 0 -> "0s".
std::string FormatDuration(Duration duration);

}  // namespace nfmetrics::service
