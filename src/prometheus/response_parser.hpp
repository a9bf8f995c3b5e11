// Parses Prometheus HTTP API answers (simdjson on-demand) into typed results.
#pragma once

#include <string_view>

#include "core/result.hpp"
#include "prometheus/client.hpp"

namespace nfmetrics::prometheus {

// body: the raw HTTP body; http_status: the HTTP status Prometheus answered with.
// A {"status":"error"} body becomes kUpstreamError carrying Prometheus's own error text;
// a body that is not a valid query_range answer becomes kUpstreamError describing what is wrong.
Result<Matrix> ParseQueryRangeResponse(std::string_view body, unsigned http_status);

// For answers whose data we do not need (the readiness probe's instant query): succeeds on a 2xx
// {"status":"success"} body; fails exactly as ParseQueryRangeResponse does otherwise.
Status ParseStatusResponse(std::string_view body, unsigned http_status);

}  // namespace nfmetrics::prometheus
