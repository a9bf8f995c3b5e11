// Query strings as clients really send them: decoded into (key, value) pairs, tolerating the raw
// characters Prometheus tolerates, naming the parameter when a percent-escape is broken.
#pragma once

#include <string>
#include <string_view>

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/service/value_rules.hpp"

namespace nfmetrics::http {

using QueryParams = service::Params;

// query: the part of the target after '?', still percent-encoded ('+' reads as a space). Empty
// entries ("a=1&&b=2") are skipped.
Result<QueryParams> ParseQueryString(std::string_view query);

// One path segment, percent-decoded ('+' stays '+'). Errors name `param`.
Result<std::string> DecodePathSegment(std::string_view segment, std::string_view param);

}  // namespace nfmetrics::http
