// Instants as users write them: unix seconds ("1795467600", "1795467600.25") or RFC3339.
#pragma once

#include <string>
#include <string_view>

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/core/time.hpp"

namespace nfmetrics::service {

// Unix seconds (integer or fractional) or RFC3339 with `Z` or a numeric offset and an optional
// fraction. Precision is the millisecond, as in Prometheus. Accepted years: 1970-9999. Errors carry
// no param.
Result<TimePoint> ParseTimestamp(std::string_view text);

// RFC3339 in UTC: "2026-11-23T10:00:00Z", with ".250" when the milliseconds are not zero.
std::string FormatRfc3339(TimePoint time);

}  // namespace nfmetrics::service
