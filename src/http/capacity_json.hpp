// service::CapacityAnswer -> GET /api/v1/capacity's JSON answer (docs/api.md).
#pragma once

#include <string>

#include "nfmetrics/service/capacity.hpp"

namespace nfmetrics::http {

std::string CapacityJson(const service::CapacityAnswer& capacity);

}  // namespace nfmetrics::http
