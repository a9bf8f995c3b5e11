// MetricResult -> the API's JSON answer (the sink-latency contract, generalised to every metric).
#pragma once

#include <string>
#include <vector>

#include "nfmetrics/service/metric_request.hpp"
#include "nfmetrics/service/metric_result.hpp"

namespace nfmetrics::http {

std::string MetricJson(const service::MetricRequest& request, const service::MetricResult& result);

// A stream's `points` event: {"series":[{"labels":..,"quantile":..,"points":..}],"range":..}, the
// series as GET writes them (without summaries), the range of `plan`.
std::string PointsJson(const service::QueryPlan& plan,
                       const std::vector<service::MetricSeries>& series);

}  // namespace nfmetrics::http
