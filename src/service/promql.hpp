// Building PromQL text safely: every user-supplied value is escaped here, and nowhere else.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"
#include "service/k8s_names.hpp"
#include "service/sink_latency_request.hpp"

namespace nfmetrics::service {

// Contents of a PromQL double-quoted string (without the quotes): escapes \ and ", and writes
// control characters as \n, \t, \r or \xHH so that no raw newline reaches the query.
std::string EscapePromqlString(std::string_view value);

// An RE2 pattern matching `literal` exactly: every metacharacter is backslash-escaped.
std::string EscapeRegex(std::string_view literal);

struct SinkLatencyQueryParts {
  const Namespace& ns;
  const MonoVertexName& mvtx;
  const std::vector<PodName>& pods;  // sorted, unique; empty means no pod matcher
  GroupBy group_by;
  double quantile;
  Duration window;
};

// histogram_quantile(q, sum by (le[, pod]) (rate(monovtx_sink_time_bucket{namespace="..",
// mvtx_name=".."[,pod=..]}[w]))) / 1e6 -- seconds, since the histogram is in microseconds.
std::string BuildSinkLatencyQuery(const SinkLatencyQueryParts& parts);

// Shortest text that reads back as the same double ("0.95", "1", "0.999").
std::string FormatNumber(double value);

}  // namespace nfmetrics::service
