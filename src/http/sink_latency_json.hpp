// The sink-latency success body (see docs/api.md for the contract).
#pragma once

#include <string>

#include "service/sink_latency_request.hpp"
#include "service/sink_latency_service.hpp"

namespace nfmetrics::http {

std::string SinkLatencyJson(const service::SinkLatencyRequest& request,
                            const service::SinkLatencyResult& result);

}  // namespace nfmetrics::http
