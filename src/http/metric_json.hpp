// MetricResult -> the API's JSON answer (the sink-latency contract, generalised to every metric).
#pragma once

#include <string>

#include "nfmetrics/service/metric_request.hpp"
#include "nfmetrics/service/metric_result.hpp"

namespace nfmetrics::http {

std::string MetricJson(const service::MetricRequest& request, const service::MetricResult& result);

}  // namespace nfmetrics::http
