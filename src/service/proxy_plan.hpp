// A metrics-proxy request as it is asked of the engine.
#pragma once

#include "core/result.hpp"
#include "prometheus/client.hpp"
#include "service/proxy_request.hpp"
#include "service/time_range.hpp"

namespace nfmetrics::service {

// The one range query to run: aligned at the client's step or 1 minute, within the limits
// (errors name start_time or step).
Result<prometheus::RangeQuery> PlanProxy(const ProxyQuery& query, const QueryLimits& limits = {});

}  // namespace nfmetrics::service
