// Parses Prometheus HTTP API answers (simdjson on-demand) into typed results.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/prometheus/client.hpp"

namespace nfmetrics::prometheus {

// body: the raw HTTP body; http_status: the HTTP status Prometheus answered with.
// A {"status":"error"} body becomes kUpstreamError carrying Prometheus's own error text;
// a body that is not a valid query_range answer becomes kUpstreamError describing what is wrong.
Result<Matrix> ParseQueryRangeResponse(std::string_view body, unsigned http_status);

// A label-values answer ({"status":"success","data":["a","b"]}): the values sorted and without
// duplicates. Errors exactly as ParseQueryRangeResponse; a value that is not a string makes the
// answer invalid.
Result<std::vector<std::string>> ParseLabelValuesResponse(std::string_view body,
                                                          unsigned http_status);

// For answers whose data we do not need (the readiness probe's instant query): succeeds on a 2xx
// {"status":"success"} body; fails exactly as ParseQueryRangeResponse does otherwise.
Status ParseStatusResponse(std::string_view body, unsigned http_status);

}  // namespace nfmetrics::prometheus
