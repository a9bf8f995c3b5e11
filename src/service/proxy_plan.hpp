// A metrics-proxy request as it is asked of the engine.
#pragma once

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/prometheus/client.hpp"
#include "nfmetrics/service/proxy_request.hpp"
#include "nfmetrics/service/time_range.hpp"

namespace nfmetrics::service {

// The one range query to run: aligned at the client's step or 1 minute, within the limits
// (errors name start_time or step).
Result<prometheus::RangeQuery> PlanProxy(const ProxyQuery& query, const QueryLimits& limits = {});

}  // namespace nfmetrics::service
